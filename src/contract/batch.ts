import { z } from "zod";
import { identifier } from "./text.ts";
import { SetStateBody } from "./flow-run.ts";
import { CreateTaskRunBody, SetTaskRunStateBody } from "./task-run.ts";
import { SendMessageBody } from "./message.ts";

const Id = identifier(z.string().min(1).max(100));

/** At most this many operations in one `POST /api/batch`. */
export const MAX_BATCH_OPERATIONS = 100;

/** One write of a batch: the body (and id) its own endpoint takes. */
export const BatchOperation = z.discriminatedUnion("op", [
  /** `POST /api/task-runs` */
  z.object({ op: z.literal("createTaskRun"), body: CreateTaskRunBody }),
  /** `POST /api/task-runs/{id}/set-state` */
  z.object({ op: z.literal("setTaskRunState"), id: Id, body: SetTaskRunStateBody }),
  /** `POST /api/flow-runs/{id}/set-state` */
  z.object({ op: z.literal("setFlowRunState"), id: Id, body: SetStateBody }),
  /** `POST /api/flow-runs/{id}/messages` */
  z.object({ op: z.literal("sendMessage"), id: Id, body: SendMessageBody }),
]);
export type BatchOperation = z.input<typeof BatchOperation>;

/**
 * Body of `POST /api/batch`: independent writes, carried out as if sent one by one at the same time.
 * Each operation is checked on its own (against `BatchOperation`), so that one bad write fails alone.
 */
export const BatchBody = z.object({
  operations: z
    .array(z.object({ op: z.enum(BatchOperation.options.map((o) => o.shape.op.value)), id: Id.optional(), body: z.unknown() }))
    .min(1)
    .max(MAX_BATCH_OPERATIONS),
});

/** What each operation's own endpoint would have answered: its status and body (the resource, or `{ code, message, details }`). */
export const BatchResult = z.object({ results: z.array(z.object({ status: z.number().int(), body: z.unknown() })) });
export type BatchResult = z.infer<typeof BatchResult>;

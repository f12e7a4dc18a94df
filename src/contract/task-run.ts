import { z } from "zod";
import { identifier } from "./text.ts";
import { State, StateProposal } from "./states.ts";

/** A kept result up to this size (JSON, in bytes) is kept in its task run's row; a larger one goes to the result store. */
export const MAX_ROW_RESULT_BYTES = 512 * 1024;

/**
 * The process reporting on a task run (the SDK sends its own): the report is refused (409
 * RUN_TAKEN_OVER) when another process runs the flow run now, so that a process that lost its run stops
 * at its next task instead of running the rest of the flow a second time.
 */
const ReportingProcess = identifier(z.string().min(1).max(100)).optional();

/** One call of a task inside a flow run. */
export const TaskRun = z.object({
  id: z.string(),
  flowRunId: z.string(),
  name: z.string(),
  /** The task's identity within its run: name and call order, or an explicit key. */
  taskKey: z.string(),
  state: State,
  result: z.unknown().optional(),
  /** The result is in the result store, too large for `result`: read it with `GET /api/task-runs/{id}/result`. */
  storedResult: z.object({ bytes: z.number().int() }).optional(),
  attempts: z.number().int(),
  createdAt: z.iso.datetime(),
  startTime: z.iso.datetime().nullable(),
  endTime: z.iso.datetime().nullable(),
});
export type TaskRun = z.infer<typeof TaskRun>;

/** Body of `POST /api/task-runs`. */
export const CreateTaskRunBody = z.object({
  flowRunId: identifier(z.string().max(100)),
  name: identifier(z.string().min(1).max(200)),
  taskKey: identifier(z.string().min(1).max(300)),
  state: StateProposal,
  workerId: ReportingProcess,
});
export type CreateTaskRunBody = z.input<typeof CreateTaskRunBody>;

/**
 * Body of `POST /api/task-runs/{id}/set-state`; `result` is kept when the state is COMPLETED, or, with
 * `resultUploaded: true`, the result uploaded before with `PUT /api/task-runs/{id}/result`.
 */
export const SetTaskRunStateBody = z.object({
  state: StateProposal,
  result: z.unknown().optional(),
  resultUploaded: z.literal(true).optional(),
  attempts: z
    .number()
    .int()
    .min(1)
    .max(2 ** 31 - 1)
    .optional(),
  workerId: ReportingProcess,
});
export type SetTaskRunStateBody = z.input<typeof SetTaskRunStateBody>;

import { z } from "zod";
import { identifier } from "./text.ts";
import { State, StateProposal } from "./states.ts";

/** One call of a task inside a flow run. */
export const TaskRun = z.object({
  id: z.string(),
  flowRunId: z.string(),
  name: z.string(),
  /** The task's identity within its run: name and call order, or an explicit key. */
  taskKey: z.string(),
  state: State,
  result: z.unknown().optional(),
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
});
export type CreateTaskRunBody = z.input<typeof CreateTaskRunBody>;

/** Body of `POST /api/task-runs/{id}/set-state`; `result` is kept when the state is COMPLETED. */
export const SetTaskRunStateBody = z.object({
  state: StateProposal,
  result: z.unknown().optional(),
  attempts: z
    .number()
    .int()
    .min(1)
    .max(2 ** 31 - 1)
    .optional(),
});
export type SetTaskRunStateBody = z.input<typeof SetTaskRunStateBody>;

import { z } from "zod";
import { identifier } from "./text.ts";

/** The type of a run's state. PAUSED is not terminal: a person's answer moves the run on. */
export const StateType = z.enum(["SCHEDULED", "PENDING", "RUNNING", "PAUSED", "COMPLETED", "FAILED", "CANCELLED", "CRASHED"]);
export type StateType = z.infer<typeof StateType>;

/** States a run never leaves on its own. */
export const TERMINAL_STATE_TYPES: readonly StateType[] = ["COMPLETED", "FAILED", "CANCELLED", "CRASHED"];

/** True when a run in this state will not change again without a person forcing it. */
export function isTerminal(type: StateType): boolean {
  return TERMINAL_STATE_TYPES.includes(type);
}

/** The default display name of each state type ("Paused", "Running", ...). */
export function defaultStateName(type: StateType): string {
  return type.charAt(0) + type.slice(1).toLowerCase();
}

/** What a pause asks for: the JSON Schema of the answer, the values the form starts at, and a Markdown description. */
export const InputRequest = z.object({
  schema: z.record(z.string(), z.unknown()),
  initialData: z.unknown().optional(),
  description: z
    .string()
    .max(64 * 1024)
    .nullable()
    .optional(),
  /**
   * Names the Zod schema behind `schema` (a hash of its JSON Schema, made by the SDK): a serving process
   * that knows a schema by this id can check an answer with its own rules before the run resumes.
   */
  schemaId: z
    .string()
    .regex(/^[a-z0-9-]{1,100}$/)
    .optional(),
});
export type InputRequest = z.infer<typeof InputRequest>;

/**
 * What happens when a pause times out: the run fails (the default), is cancelled, or goes on with the
 * given answer, recorded with the channel `timeout` (checked against the pause's schema when it is made).
 */
export const OnTimeout = z.union([z.enum(["fail", "cancel"]), z.object({ answer: z.unknown() })]);
export type OnTimeout = z.infer<typeof OnTimeout>;

/** An error as kept on a failed state or task run. */
export const ErrorInfo = z.object({
  name: z.string(),
  message: z.string(),
  stack: z.string().optional(),
  code: z.string().optional(),
});
export type ErrorInfo = z.infer<typeof ErrorInfo>;

/**
 * An answer the flow refused after the run resumed (its own checks, a Zod `refine`): which pause, and why,
 * field by field. Carried by the pause that asks again, so that whoever answers it sees why.
 */
export const RejectedAnswer = z.object({
  pauseKey: z.string().max(200),
  issues: z
    .array(z.object({ path: z.array(z.string().max(200)).max(50), message: z.string().max(2000) }))
    .max(100)
    .describe("Why, field by field: the path of keys to the field, and the flow's message."),
});
export type RejectedAnswer = z.infer<typeof RejectedAnswer>;

/**
 * Extra facts carried by a state. A paused run's details name its pause key, when the pause times out,
 * and what it asks for, and whether it is suspended; a failed run's details carry the error.
 */
export const StateDetails = z
  .object({
    pauseKey: z.string().optional(),
    pauseTimeout: z.iso.datetime().nullable().optional(),
    /** On a PAUSED state: the run's own deadline (its flow's `timeout`), when it is what `pauseTimeout` is. */
    flowTimeoutAt: z.iso.datetime().optional(),
    inputRequest: InputRequest.nullable().optional(),
    /**
     * On a PAUSED state: true when no process waits in the run (it suspended, or its process stopped or
     * went silent), so that an answer schedules it for a serving process, which replays it. Absent on a
     * live pause. A state's `name` ("Suspended") is for display only.
     */
    suspended: z
      .boolean()
      .optional()
      .describe(
        "On a PAUSED state: true when no process waits in the run, so that an answer schedules it for a serving process; absent on a live pause.",
      ),
    /** On a PAUSED state: what its timeout does, when not the default (the run fails). */
    onTimeout: OnTimeout.optional(),
    error: ErrorInfo.optional(),
    /**
     * On a RUNNING state ("Suspending"): someone asked to suspend the run; its process suspends it at its
     * next task or pause.
     */
    suspendRequested: z
      .boolean()
      .optional()
      .describe("On a RUNNING state: a suspend was asked for; the run's process suspends it at its next task or pause."),
    /** On a PAUSED state: who may answer (user names and `group:<name>`); absent or empty, anyone who may answer at all. */
    respondents: z.array(z.string()).optional(),
    /** On a PAUSED state: the person who started the run may not answer it. */
    excludeRunCreator: z.boolean().optional(),
    /** On a PAUSED state: how many different people must answer before the run goes on (a quorum). */
    required: z.number().int().optional(),
    /** On a PAUSED state: the answer to an earlier pause that the flow refused, which this pause asks again. */
    rejected: RejectedAnswer.optional().describe("On a PAUSED state: the earlier answer the flow refused, and why; this pause asks again."),
  })
  .catchall(z.unknown());
export type StateDetails = z.infer<typeof StateDetails>;

/** True when a run in `state` is paused with no process waiting in it: an answer schedules it for a serving process. */
export function isSuspended(state: Pick<State, "type" | "details">): boolean {
  return state.type === "PAUSED" && state.details.suspended === true;
}

/** A state as read back from the server. */
export const State = z.object({
  id: z.string(),
  type: StateType,
  name: z.string(),
  timestamp: z.iso.datetime(),
  message: z.string().nullable(),
  details: StateDetails,
});
export type State = z.infer<typeof State>;

/** A state a client proposes; the server fills in the id and timestamp. */
export const StateProposal = z.object({
  type: StateType,
  name: identifier(z.string().min(1).max(100)).optional(),
  message: z.string().max(10_000).nullable().optional(),
  details: StateDetails.optional(),
});
export type StateProposal = z.infer<typeof StateProposal>;

import { z } from "zod";
import { identifier } from "./text.ts";
import { FlowRun } from "./flow-run.ts";
import { InputRequest, OnTimeout, RejectedAnswer } from "./states.ts";

/** Pause keys: lowercase letters, digits and dashes, so they read well in URLs and commands. */
export const PauseKey = z
  .string()
  .min(1)
  .max(100)
  .regex(/^[a-z0-9][a-z0-9-]*$/, "use lowercase letters, digits and dashes, starting with a letter or digit");

/** Who may answer a pause: a user's name, or `group:<name>`. */
export const Respondent = z
  .string()
  .min(1)
  .max(107)
  .regex(/^(group:)?[A-Za-z0-9][A-Za-z0-9._@-]*$/, "name a user (alice) or a group (group:finance)");

/** Body of `POST /api/flow-runs/{id}/pause`, sent by the SDK when a flow calls `pauseFlowRun`. */
export const PauseBody = z.object({
  /** Left out, the server numbers the pause as the SDK does: the run's highest numbered key plus one ("1", "2", ...). */
  key: PauseKey.optional().describe('Left out, the server numbers the pause: the next number after the run\'s highest numbered key ("1", "2", ...).'),
  timeoutSeconds: z
    .number()
    .positive()
    .max(10 * 365 * 24 * 3600)
    .nullable(),
  inputRequest: InputRequest.nullable().default(null),
  onTimeout: OnTimeout.default("fail"),
  /**
   * The run's own deadline (its flow's `timeout`): the pause times out at the earlier of the two, and
   * fails the run with FLOW_TIMEOUT when this one comes first.
   */
  flowTimeoutAt: z.iso
    .datetime()
    .nullable()
    .default(null)
    .describe("The run's own deadline: the pause times out no later, failing the run with FLOW_TIMEOUT."),
  /** Asks `key` again even though it was answered (the flow rejected that answer): the answer is kept under `<key>-rejected-<n>`. */
  reask: z
    .boolean()
    .default(false)
    .describe("Ask `key` again though it was answered (the flow rejected the answer); the answer is kept as `<key>-rejected-<n>`."),
  /** The answer to an earlier pause that the flow refused, and why: kept on the new pause's state for whoever answers it. */
  rejected: RejectedAnswer.optional().describe("The earlier answer the flow refused, and why; shown with this pause's question."),
  /**
   * false (the default) keeps the process waiting for the answer; true (runs of a deployment only) lets it
   * go: the run is suspended (`state.details.suspended`), and an answer schedules it for a serving process.
   */
  suspend: z
    .boolean()
    .default(false)
    .describe("true (runs of a deployment only): suspend, letting the process go; the run's state gets details.suspended: true."),
  /** Who may answer: user names and `group:<name>`; absent, anyone whose role lets them answer. */
  respondents: z.array(Respondent).max(100).optional(),
  /** The person who started the run may not answer (no approving one's own request). */
  excludeRunCreator: z.boolean().optional(),
  /** How many different permitted people must answer; the answer is then the list of their answers. */
  required: z.number().int().min(1).max(100).optional(),
  /** The process pausing (the SDK sends its own): refused (409 RUN_TAKEN_OVER) when the run is no longer that process's. */
  workerId: identifier(z.string().min(1).max(100)).optional(),
});

/**
 * Body of `POST /api/flow-runs/{id}/suspend`: turns the live pause `key` (by default the run's current
 * pause) into a suspend, or asks a running run to suspend at its next task or pause.
 */
export const SuspendBody = z.object({
  key: PauseKey.optional().describe("The live pause to suspend; left out, whatever the run is doing: its current pause, or its next task or pause."),
  reason: z.string().max(1000).optional(),
});
export type SuspendBody = z.input<typeof SuspendBody>;
export type PauseBody = z.input<typeof PauseBody>;

/**
 * Answer of `POST /api/flow-runs/{id}/pause`: either the run is now paused, or this key was answered
 * before in this run and its answer is returned at once.
 */
export const PauseResult = z.discriminatedUnion("status", [
  z.object({ status: z.literal("PAUSED"), flowRun: FlowRun }),
  z.object({ status: z.literal("ALREADY_ANSWERED"), input: z.unknown() }),
]);
export type PauseResult = z.infer<typeof PauseResult>;

/** Through which way an answer came. */
export const Channel = z.enum(["api", "sdk", "cli", "ui", "link", "timeout"]);
export type Channel = z.infer<typeof Channel>;

/** The channels a request may name; `link` and `timeout` are only the server's to record. */
export const ClaimableChannel = Channel.exclude(["link", "timeout"]);

/**
 * Which check an accepted answer passed: `flow`, the flow's own Zod schema (refinements included) in a
 * process holding its code; `schema`, the pause's JSON Schema alone (no such process answered in time:
 * the flow checks the rest after it resumes); null when the pause asked for no input.
 */
export const ValidatedBy = z.enum(["flow", "schema"]).nullable();
export type ValidatedBy = z.infer<typeof ValidatedBy>;

/** Answer of `POST /api/flow-runs/{id}/resume`: the run after the answer, and which check the answer passed. */
export const ResumeResult = FlowRun.extend({ validatedBy: ValidatedBy.optional() });
export type ResumeResult = z.infer<typeof ResumeResult>;

/** What a person writes with an answer (Markdown, shown sanitized), kept with it in the run's history. */
export const Comment = z.string().trim().min(1).max(2000);

/** Body of `POST /api/flow-runs/{id}/resume`. `input` is the answer itself: an object, or a bare value. */
export const ResumeBody = z.object({
  input: z.unknown().optional(),
  respondedBy: identifier(z.string().min(1).max(200)).optional(),
  channel: ClaimableChannel.optional(),
  comment: Comment.optional().describe("What the person answering says with the answer (up to 2,000 characters, Markdown), kept in the history."),
});
export type ResumeBody = z.input<typeof ResumeBody>;

/**
 * One person's answer to a pause that needs several (`required`): the answer's value, who gave it (the
 * caller's identity; with `onBehalfOf`, an admin answering for that person), how and when.
 */
export const Answer = z.object({
  input: z.unknown(),
  respondedBy: z.string().nullable(),
  onBehalfOf: z.string().nullable(),
  channel: Channel,
  respondedAt: z.iso.datetime(),
  comment: z.string().optional(),
});
export type Answer = z.infer<typeof Answer>;

/** Where an answer is wrong and why: a JSON pointer (`/color`, `""` for the whole answer) and a message. */
export const FieldErrorShape = z.object({ path: z.string().max(1000), message: z.string().max(2000) });

/**
 * An answer the flow's own rules refused before the run resumed (422): what was sent, the messages, who
 * sent it, how and when. The pause stayed open.
 */
export const InputRefusal = z.object({
  value: z.unknown(),
  errors: z.array(FieldErrorShape),
  respondedBy: z.string().nullable(),
  onBehalfOf: z.string().nullable(),
  channel: Channel,
  refusedAt: z.iso.datetime(),
});
export type InputRefusal = z.infer<typeof InputRefusal>;

/** One pause of a run: what it asked and, once answered, the answer with when, how and by whom. */
export const RunInput = z.object({
  flowRunId: z.string(),
  key: z.string(),
  schema: z.record(z.string(), z.unknown()).nullable(),
  initialData: z.unknown().optional(),
  description: z.string().nullable(),
  requestedAt: z.iso.datetime(),
  timeoutAt: z.iso.datetime().nullable(),
  response: z.unknown().optional(),
  respondedAt: z.iso.datetime().nullable(),
  channel: Channel.nullable(),
  /** Who answered: the authenticated caller (a user's name, or `key:<name>`); on a server without sign-in, what the answer said. */
  respondedBy: z.string().nullable(),
  /** The person an admin answered for, when one did. */
  onBehalfOf: z.string().nullable(),
  /** What the person who answered wrote with the answer (Markdown); null when nothing. */
  comment: z.string().nullable(),
  /** For a pause that needs several people: the answers given so far (the response, once complete, is all of them). */
  answers: z.array(Answer),
  /** Answers the flow's own rules refused before the run resumed, oldest first (read through the API). */
  refusals: z.array(InputRefusal).optional(),
});
export type RunInput = z.infer<typeof RunInput>;

import { z } from "zod";
import { FlowRun, Tag } from "./flow-run.ts";
import { Comment } from "./pause.ts";
import { identifier } from "./text.ts";

/** The inbox's orders: the most recently paused first, the longest waiting first, or the soonest to time out first. */
export const InboxSort = z.enum(["newest", "waiting-longest", "timeout-soonest"]);
export type InboxSort = z.infer<typeof InboxSort>;

/** Query of `GET /api/inbox`: the waiting runs, narrowed and ordered; each filter left out matches every run. */
export const InboxQuery = z.object({
  flowName: identifier(z.string().min(1).max(200)).optional(),
  deploymentName: identifier(z.string().min(1).max(200)).optional(),
  tag: Tag.optional(),
  /** Text found, ignoring case, in the flow's name, the run's name, or its pause's key or description. */
  q: identifier(z.string().min(1).max(200)).optional(),
  sort: InboxSort.default("newest"),
  /** Only pauses that name the caller among their respondents, by name or by one of their groups. */
  forMe: z
    .enum(["true", "false"])
    .optional()
    .transform((v) => v === "true"),
  limit: z.coerce.number().int().min(1).max(500).default(200),
});
export type InboxQuery = z.input<typeof InboxQuery>;

/** How many runs of one flow wait, among those the filters other than `flowName` leave. */
export const FlowCount = z.object({ flowName: z.string(), count: z.number().int() });
export type FlowCount = z.infer<typeof FlowCount>;

/** Answer of `GET /api/inbox`. */
export const InboxPage = z.object({
  /** Pauses that name the caller come first (on a server that knows who calls), then the chosen order. */
  items: z.array(FlowRun),
  /** How many runs match the filters; more than `items` holds when the limit cut the list. */
  total: z.number().int(),
  /** Of those, how many name the caller; null when the server does not know who calls (no sign-in). */
  forMe: z.number().int().nullable(),
  /** Waiting runs per flow, under every filter but `flowName` (and `forMe` still applied), by flow name. */
  flows: z.array(FlowCount),
});
export type InboxPage = z.infer<typeof InboxPage>;

/** What a bulk answer does to each run: answers yes or no (a pause that asks nothing, or one boolean), or cancels it. */
export const BulkAction = z.enum(["approve", "reject", "cancel"]);
export type BulkAction = z.infer<typeof BulkAction>;

/** Body of `POST /api/inbox/bulk`. */
export const BulkBody = z.object({
  action: BulkAction,
  ids: z
    .array(identifier(z.string().min(1).max(100)))
    .min(1)
    .max(200),
  comment: Comment.optional(),
});
export type BulkBody = z.input<typeof BulkBody>;

/** What became of one run of a bulk answer: done (the run as it is now), or refused, with the reason. */
export const BulkOutcome = z.discriminatedUnion("ok", [
  z.object({ id: z.string(), ok: z.literal(true), run: FlowRun }),
  z.object({ id: z.string(), ok: z.literal(false), code: z.string(), message: z.string() }),
]);
export type BulkOutcome = z.infer<typeof BulkOutcome>;

/** Answer of `POST /api/inbox/bulk`: one outcome per id, in the order sent. */
export const BulkResult = z.object({ results: z.array(BulkOutcome) });
export type BulkResult = z.infer<typeof BulkResult>;

import { z } from "zod";
import { identifier } from "./text.ts";
import { State, StateProposal, StateType } from "./states.ts";

/** A named flow: what `flow(name, fn)` registers on first run. */
export const Flow = z.object({
  id: z.string(),
  name: z.string(),
  createdAt: z.iso.datetime(),
});
export type Flow = z.infer<typeof Flow>;

/** A tag of a run: a word to find it by ("urgent", "team:finance"); no spaces or commas, so that lists of them read in URLs and commands. */
export const Tag = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[A-Za-z0-9][A-Za-z0-9_.:/@+-]*$/, "use letters, digits and _ . : / @ + -, starting with a letter or digit");

/** A run's tags: at most 20, each once. */
export const Tags = z
  .array(Tag)
  .max(20)
  .transform((tags) => [...new Set(tags)]);

/** One execution of a flow. */
export const FlowRun = z.object({
  id: z.string(),
  name: z.string(),
  flowId: z.string(),
  flowName: z.string(),
  /** Set for runs of a deployment: a serving process runs them, and they can suspend. */
  deploymentId: z.string().nullable(),
  deploymentName: z.string().nullable(),
  parameters: z.record(z.string(), z.unknown()),
  state: State,
  createdAt: z.iso.datetime(),
  updatedAt: z.iso.datetime(),
  startTime: z.iso.datetime().nullable(),
  endTime: z.iso.datetime().nullable(),
  /** Who started the run (a user's name, or `key:<name>`); null when the server required no sign-in. */
  createdBy: z.string().nullable(),
  /** Words to find the run by: its flow's tags and its own (see `flow({ tags })`). */
  tags: z.array(z.string()),
});
export type FlowRun = z.infer<typeof FlowRun>;

/** Flow and run names: what a person types in a command line or sees in a list. */
export const RunName = identifier(
  z
    .string()
    .min(1)
    .max(200)
    .regex(/^[^\s].*$/, "must not start with whitespace"),
);

/** Body of `POST /api/flow-runs`. */
export const CreateFlowRunBody = z.object({
  flowName: RunName,
  name: RunName.optional(),
  parameters: z.record(z.string(), z.unknown()).default({}),
  state: StateProposal.optional(),
  /** The process that will run it (the SDK sets this): its heartbeats keep the run from being declared crashed. */
  workerId: identifier(z.string().min(1).max(100)).optional(),
  tags: Tags.optional(),
});
export type CreateFlowRunBody = z.input<typeof CreateFlowRunBody>;

/** Query of `GET /api/flow-runs`: filters, newest first, cursor pagination. */
export const FlowRunFilter = z.object({
  state: z
    .union([StateType, z.array(StateType)])
    .optional()
    .transform((v) => (v === undefined ? undefined : Array.isArray(v) ? v : [v])),
  flowName: z.string().optional(),
  /** Runs whose name contains this text, ignoring case (the one filter no index serves). */
  name: z.string().min(1).max(200).optional(),
  ids: z
    .string()
    .optional()
    .transform((v) => (v ? v.split(",").filter(Boolean) : undefined))
    .pipe(z.array(z.string()).max(1000).optional()),
  deploymentName: z.string().optional(),
  /** Runs with this tag. */
  tag: Tag.optional(),
  createdAfter: z.iso.datetime().optional(),
  createdBefore: z.iso.datetime().optional(),
  limit: z.coerce.number().int().min(1).max(1000).default(50),
  cursor: z.string().optional(),
});
export type FlowRunFilter = z.input<typeof FlowRunFilter>;

/** A page of flow runs; pass `nextCursor` back as `cursor` for the next page. */
export const FlowRunPage = z.object({
  items: z.array(FlowRun),
  nextCursor: z.string().nullable(),
});
export type FlowRunPage = z.infer<typeof FlowRunPage>;

/** Body of `POST /api/flow-runs/{id}/set-state`. */
export const SetStateBody = z.object({
  state: StateProposal,
  force: z.boolean().default(false),
  /**
   * The process reporting (the SDK sends its own): the change is refused (409 RUN_TAKEN_OVER) when the
   * run is no longer that process's. With `force`, the process takes the run (a retry after a failure).
   */
  workerId: identifier(z.string().min(1).max(100)).optional(),
});
export type SetStateBody = z.input<typeof SetStateBody>;

import { z } from "zod";
import { identifier } from "./text.ts";
import { FlowRun, RunName, Tags } from "./flow-run.ts";
import { RunInput } from "./pause.ts";
import { TaskRun } from "./task-run.ts";

/** A flow that a serving process offers to run on demand. */
export const Deployment = z.object({
  id: z.string(),
  name: z.string(),
  flowName: z.string(),
  description: z.string().nullable(),
  /** JSON Schema of the parameters (from the flow's Zod `parameters`); runs are checked against it. */
  parameterSchema: z.record(z.string(), z.unknown()).nullable(),
  createdAt: z.iso.datetime(),
  updatedAt: z.iso.datetime(),
  /** When a serving process last registered or claimed runs of it. */
  lastServedAt: z.iso.datetime().nullable(),
  /** Its flow's tags (`flow({ tags })`), which each of its runs gets. */
  tags: z.array(z.string()),
});
export type Deployment = z.infer<typeof Deployment>;

/** Body of `POST /api/deployments`: what `serve()` registers (created or updated by name). */
export const RegisterDeploymentBody = z.object({
  name: RunName,
  flowName: RunName,
  description: z
    .string()
    .max(64 * 1024)
    .nullable()
    .optional(),
  parameterSchema: z.record(z.string(), z.unknown()).nullable().optional(),
  tags: Tags.optional(),
});
export type RegisterDeploymentBody = z.input<typeof RegisterDeploymentBody>;

/** Body of `POST /api/deployments/{name}/runs`. */
export const CreateDeploymentRunBody = z.object({
  parameters: z.record(z.string(), z.unknown()).default({}),
  name: RunName.optional(),
  /** Tags of this run, added to the deployment's own. */
  tags: Tags.optional(),
});
export type CreateDeploymentRunBody = z.input<typeof CreateDeploymentRunBody>;

/** Body of `POST /api/workers/claim`: a serving process asks for up to `limit` scheduled runs. */
export const ClaimBody = z.object({
  workerId: identifier(z.string().min(1).max(100)),
  deployments: z.array(RunName).min(1).max(1000),
  limit: z.number().int().min(1).max(1000),
});
export type ClaimBody = z.input<typeof ClaimBody>;

/** What a replay needs of a run's earlier executions: its task runs and its pauses' questions and answers. */
export const RunHistory = z.object({ taskRuns: z.array(TaskRun), inputs: z.array(RunInput) });
export type RunHistory = z.infer<typeof RunHistory>;

/** The runs claimed; `histories` has, for each that ran before (a replay), its history, so that no more requests are needed. */
export const ClaimResult = z.object({ items: z.array(FlowRun), histories: z.record(z.string(), RunHistory) });
export type ClaimResult = z.infer<typeof ClaimResult>;

/** Body of `POST /api/workers/heartbeat`: the runs this process is running or waiting in. */
export const HeartbeatBody = z.object({
  workerId: identifier(z.string().min(1).max(100)),
  flowRunIds: z.array(identifier(z.string().max(100))).max(10_000),
});
export type HeartbeatBody = z.input<typeof HeartbeatBody>;

/** Runs the process no longer owns (suspended, rescheduled, crashed or finished elsewhere): it must stop them. */
export const HeartbeatResult = z.object({ lost: z.array(z.string()) });
export type HeartbeatResult = z.infer<typeof HeartbeatResult>;

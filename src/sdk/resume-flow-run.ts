import type { FlowRun } from "../contract/index.ts";
import { getRuntime } from "./runtime.ts";

/** Options of `resumeFlowRun`. */
export interface ResumeOptions {
  /** The answer itself: an object for an object schema, a bare value for a primitive one. */
  input?: unknown;
  /** Who answers, kept with the answer. */
  respondedBy?: string;
}

/**
 * Answers a paused flow run from a program.
 * @example await resumeFlowRun(runId, { input: { approved: true, comment: "ok" } });
 * @throws FlowRunNotFoundError, NotPausedError (409), InvalidInputError (422, the run stays paused).
 */
export function resumeFlowRun(flowRunId: string, options: ResumeOptions = {}): Promise<FlowRun> {
  return getRuntime().client.resume(flowRunId, options);
}

/**
 * Cancels a flow run that has not finished; a paused run's waiting `pauseFlowRun` then throws
 * `FlowRunCancelledError` and no code after the pause runs.
 */
export function cancelFlowRun(flowRunId: string, reason?: string): Promise<FlowRun> {
  return getRuntime().client.cancel(flowRunId, reason);
}

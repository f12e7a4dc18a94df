/**
 * Thrown by `suspendFlowRun` (and by a pause that became a suspend) to end this process's execution of
 * the run: the flow function does not go on, and the run is not marked failed. A serving process runs
 * it again, with replay, once it is answered. Code that catches every error should rethrow this one.
 */
export class SuspendSignal extends Error {
  readonly flowRunId: string;
  readonly pauseKey: string;
  constructor(flowRunId: string, pauseKey: string, reason: string) {
    super(`Flow run ${flowRunId} ${reason} at "${pauseKey}"; this process lets it go.`);
    this.name = "SuspendSignal";
    this.flowRunId = flowRunId;
    this.pauseKey = pauseKey;
  }
}

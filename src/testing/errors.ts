import { BatonError } from "../contract/errors.ts";
import type { State } from "../contract/index.ts";

/** Thrown by `waitForPause` when no matching pause came within its timeout; the message says what the run is doing. */
export class WaitForPauseTimeoutError extends BatonError<{ waitedFor: string; timeoutMs: number }> {
  static readonly code = "WAIT_FOR_PAUSE_TIMEOUT";
  constructor(waitedFor: string, timeoutMs: number, current: string) {
    super(WaitForPauseTimeoutError.code, `waitForPause waited ${timeoutMs / 1000} s for ${waitedFor}, in vain: ${current}`, { waitedFor, timeoutMs });
  }
}

/** Thrown by `waitForPause` when the run it waits for ended without pausing (at the key it was given). */
export class RunEndedBeforePauseError extends BatonError<{ flowRunId: string; flowName: string; stateType: string; stateName: string }> {
  static readonly code = "RUN_ENDED_BEFORE_PAUSE";
  /** The state the run ended in: its `message` is the error of a failed run. */
  readonly state: State;
  constructor(run: { id: string; flowName: string }, state: State, key: string | undefined, already: boolean) {
    const at = key === undefined ? "" : ` at "${key}"`;
    const how = already ? `has already ended ${state.name}, so it will not pause${at} again` : `ended ${state.name} without pausing${at}`;
    super(RunEndedBeforePauseError.code, `Flow run ${run.id} of flow "${run.flowName}" ${how}${state.message ? `: ${state.message}` : "."}`, {
      flowRunId: run.id,
      flowName: run.flowName,
      stateType: state.type,
      stateName: state.name,
    });
    this.state = state;
  }
}

/** Thrown by a test server's methods once it is closed, and by a `waitForPause` still waiting when it closes. */
export class TestServerClosedError extends BatonError {
  static readonly code = "TEST_SERVER_CLOSED";
  constructor(what: string) {
    super(TestServerClosedError.code, `The test server was closed ${what}. Close it at the end of the test (afterEach), once nothing uses it.`);
  }
}

/** Thrown by `startTestServer` while a server it started in this process is still open: the SDK reports to one server at a time. */
export class TestServerOpenError extends BatonError<{ url: string }> {
  static readonly code = "TEST_SERVER_OPEN";
  constructor(url: string) {
    super(
      TestServerOpenError.code,
      `A test server started in this process is still open (${url}); await its close() first. Flows called in a process report to one server, so start one per test (beforeEach) and close it after (afterEach).`,
      { url },
    );
  }
}

import type { BatonClient } from "../client/index.ts";
import { isSuspended, isTerminal, type BatonEvent, type FlowRun, type State } from "../contract/index.ts";
import { parseDuration } from "../contract/duration.ts";
import { RunEndedBeforePauseError, TestServerClosedError, WaitForPauseTimeoutError } from "./errors.ts";

/** Waits for the first run of a flow to pause, when the test does not know the run's id. */
export interface PauseFilter {
  flowName: string;
}

/** Options of `waitForPause`. */
export interface WaitForPauseOptions {
  /** Only a pause with this key counts (by default, any pause). */
  key?: string;
  /** How long to wait, in seconds or as a duration such as "30s", on the real clock. Default 10 s. */
  timeout?: number | string;
}

/** A paused run and what it asks for. */
export interface Pause {
  /** The run as read when the pause was seen. */
  readonly flowRun: FlowRun;
  /** The pause's key ("1", "2", ... unless the flow named it). */
  readonly key: string;
  /** The JSON Schema an answer must match; null when the pause asks for nothing (answer it with no input). */
  readonly schema: Record<string, unknown> | null;
  /** The values the form starts at (`RunInput.withInitialData`), if any. */
  readonly initialData: unknown;
  /** The Markdown description shown with the question, if any. */
  readonly description: string | null;
  /** When the pause times out, on the server's clock (ISO-8601); null if never. */
  readonly timeoutAt: string | null;
  /** True when no process waits in the run (`suspendFlowRun`); an answer schedules it for a serving process. */
  readonly suspended: boolean;
}

/** What the waiting needs from the test server besides its client. */
export interface WaitContext {
  /** The server's time (epoch ms) when the wait began: a run of the flow that ended since then counts. */
  since: number;
  /** Aborted when the test server closes. */
  signal: AbortSignal;
}

/**
 * Resolves with the pause of `target` (a run id, or the first run of a flow to pause), at `key` if
 * given, including one made before the call. It follows the server's event stream, deciding in the
 * order events happened, and reads the current state on each (re)connection. Rejects with
 * RunEndedBeforePauseError once the run ends without pausing, and with WaitForPauseTimeoutError (saying
 * what the run is doing) after the timeout.
 */
export function waitForPause(client: BatonClient, target: string | PauseFilter, options: WaitForPauseOptions, context: WaitContext): Promise<Pause> {
  const { key } = options;
  const timeoutMs = parseDuration(options.timeout ?? 10, "waitForPause timeout") * 1000;
  const runId = typeof target === "string" ? target : undefined;
  const flowName = typeof target === "string" ? undefined : target.flowName;
  const at = key === undefined ? "" : ` at "${key}"`;
  const waitedFor = runId ? `flow run ${runId} to pause${at}` : `a run of flow "${flowName}" to pause${at}`;
  if (context.signal.aborted) return Promise.reject(new TestServerClosedError(`before waitForPause could wait for ${waitedFor}`));

  return new Promise<Pause>((resolve, reject) => {
    let settled = false;
    let steps = Promise.resolve();
    const finish = (outcome: () => void) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      stream.close();
      context.signal.removeEventListener("abort", onAbort);
      outcome();
    };
    const fail = (error: unknown) => finish(() => reject(error));
    const found = (run: FlowRun, state: State) => finish(() => resolve(pauseOf(run, state)));
    // Steps run one at a time in the order their events came, so that a pause followed by the end of
    // the run is seen as a pause.
    const step = (fn: () => Promise<void>) => {
      steps = steps.then(() => (settled ? undefined : fn())).catch(fail);
    };
    const matches = (state: State) => state.type === "PAUSED" && (key === undefined || state.details.pauseKey === key);
    const pausedBefore = async (id: string) => (await client.listRunInputs(id)).some((i) => key === undefined || i.key === key);

    const check = async () => {
      if (runId) {
        const run = await client.getFlowRun(runId); // an unknown id rejects with FlowRunNotFoundError
        if (matches(run.state)) found(run, run.state);
        else if (isTerminal(run.state.type)) fail(new RunEndedBeforePauseError(run, run.state, key, true));
        return;
      }
      const { items } = await client.listFlowRuns({ flowName: flowName!, limit: 100 });
      const paused = items.filter((r) => matches(r.state)).sort((a, b) => (a.state.timestamp < b.state.timestamp ? -1 : 1));
      if (paused[0]) return found(paused[0], paused[0].state);
      // A run that ended since the call began, before the stream was open, without pausing.
      for (const run of items)
        if (isTerminal(run.state.type) && run.endTime && Date.parse(run.endTime) >= context.since && !(await pausedBefore(run.id)))
          return fail(new RunEndedBeforePauseError(run, run.state, key, false));
    };

    const onEvent = (e: BatonEvent) => {
      if (e.type !== "flow-run.state-changed" || (flowName !== undefined && e.payload.flowName !== flowName)) return;
      const { state } = e.payload;
      const run = { id: e.flowRunId, flowName: e.payload.flowName };
      if (matches(state)) step(async () => found(await client.getFlowRun(e.flowRunId), state));
      // By flow, a run that paused before (and was answered) is not the one waited for.
      else if (isTerminal(state.type))
        step(async () => {
          if (runId || !(await pausedBefore(e.flowRunId))) fail(new RunEndedBeforePauseError(run, state, key, false));
        });
    };

    const describeNow = async (): Promise<string> => {
      try {
        if (runId) return `it is ${describeState((await client.getFlowRun(runId)).state)}.`;
        const [latest] = (await client.listFlowRuns({ flowName: flowName!, limit: 1 })).items;
        if (!latest)
          return `no run of flow "${flowName}" exists on this server. Was the flow called after startTestServer(), in this process or in a child process started with its BATON_API_URL?`;
        return `no run of it paused${at}; its latest run, ${latest.id}, is ${describeState(latest.state)}.`;
      } catch (e) {
        return `its state could not be read (${(e as Error).message}).`;
      }
    };

    const onAbort = () => fail(new TestServerClosedError(`while waitForPause waited for ${waitedFor}`));
    context.signal.addEventListener("abort", onAbort);
    const timer = setTimeout(() => {
      if (settled) return;
      stream.close();
      void describeNow().then((current) => fail(new WaitForPauseTimeoutError(waitedFor, timeoutMs, current)));
    }, timeoutMs);
    const stream = client.events({ flowRunId: runId, types: ["flow-run.state-changed"], onOpen: () => step(check) }, onEvent);
  });
}

/** "Running", "Paused at \"2\"", "Failed: boom". */
function describeState(state: State): string {
  const at = state.type === "PAUSED" ? ` at "${state.details.pauseKey}"` : "";
  return `${state.name}${at}${state.message ? `: ${state.message}` : ""}`;
}

function pauseOf(flowRun: FlowRun, state: State): Pause {
  const request = state.details.inputRequest ?? null;
  return {
    flowRun,
    key: state.details.pauseKey ?? "",
    schema: request?.schema ?? null,
    initialData: request?.initialData,
    description: request?.description ?? null,
    timeoutAt: state.details.pauseTimeout ?? null,
    suspended: isSuspended(state),
  };
}

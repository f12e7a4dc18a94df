import { isSuspended, type FlowRun, type RunHistory } from "../contract/index.ts";
import { errorInfo, executeFlowRun, historyOf, parseParameters, type Flow, type FlowDefinition } from "./flow.ts";
import { answerCheck } from "./input-checks.ts";
import { toJsonSchema } from "./run-input.ts";
import { requestSuspend } from "./run-context.ts";
import { getRuntime } from "./runtime.ts";

/** Options of `serve`. */
export interface ServeOptions {
  /** How many runs this process executes at once (default 100; runs that wait on people or I/O cost little). */
  limit?: number;
  /** On stop, how long running runs get to finish before they are handed back to be run elsewhere (default 30 s). */
  shutdownGraceSeconds?: number;
  /** Stops serving when aborted. Without it, SIGINT and SIGTERM stop it (and then end the process). */
  signal?: AbortSignal;
}

type AnyFlow = Flow<any, any>;

/**
 * Registers each flow as a deployment and runs the runs started for it (from the API, the CLI,
 * `runDeployment` or the UI), at most `limit` at once. It learns of new runs through the server's event
 * stream (with a 10 s safety net), claims each atomically, and resumes suspended runs with replay.
 * Resolves once stopped: live pauses are turned into suspends, running runs get a grace period, and
 * what is left is handed back, so that another serving process picks it up.
 *
 * @example
 * await serve(approveExpense, greetUser, { limit: 20 });
 */
export async function serve(...items: (AnyFlow | ServeOptions)[]): Promise<void> {
  const flows = items.filter((i): i is AnyFlow => typeof i === "function");
  const options = (items.find((i) => typeof i !== "function") ?? {}) as ServeOptions;
  if (!flows.length) throw new TypeError("serve() needs at least one flow, e.g. serve(myFlow).");
  const limit = options.limit ?? 100;
  const graceMs = (options.shutdownGraceSeconds ?? 30) * 1000;
  const { client, workerId } = getRuntime();
  const byName = new Map<string, FlowDefinition>(flows.map((f) => [f.definition.name, f.definition]));
  for (const def of byName.values())
    await client.registerDeployment({
      name: def.name,
      flowName: def.name,
      description: def.description ?? null,
      parameterSchema: def.parameters ? toJsonSchema(def.parameters) : null,
      ...(def.tags.length ? { tags: [...def.tags] } : {}),
    });
  const deployments = [...byName.keys()];

  const running = new Map<string, Promise<void>>();
  let stopping = false;
  let claiming = false;
  let again = false;

  const poke = async (): Promise<void> => {
    if (stopping) return;
    if (claiming) {
      again = true;
      return;
    }
    claiming = true;
    try {
      for (;;) {
        const free = limit - running.size;
        if (free <= 0 || stopping) break;
        const { items: claimed, histories } = await client.claimRuns({ workerId, deployments, limit: free });
        for (const run of claimed) start(run, histories[run.id]);
        if (claimed.length < free) break;
      }
    } catch (e) {
      console.error(`Could not claim runs: ${(e as Error).message}; trying again shortly.`);
    } finally {
      claiming = false;
    }
    if (again) {
      again = false;
      await poke();
    }
  };

  const start = (run: FlowRun, history: RunHistory | undefined) => {
    const done = execute(run, byName.get(run.deploymentName ?? "")!, history).finally(() => {
      running.delete(run.id);
      void poke();
    });
    running.set(run.id, done);
  };

  // Open while this process serves, hand-back included: its closing tells the server that this process is gone.
  // It also checks answers to its deployments' suspended runs, with the schemas its flows declare (`inputs`) or used.
  const stream = client.events({ types: ["flow-run.state-changed"], workerId, checks: deployments, onOpen: () => void poke() }, (e) => {
    if (e.type === "flow-run.input-check") void answerCheck(client, e.payload);
    if (e.type !== "flow-run.state-changed") return;
    if (e.payload.state.type === "SCHEDULED" && byName.has(e.payload.deploymentName ?? "")) void poke();
    else if (e.payload.state.details.suspendRequested) requestSuspend(e.flowRunId);
  });
  const safetyNet = setInterval(() => void poke(), 10_000);
  await stream.ready;
  // Said once the stream is open: from now on runs are picked up, and answers to check reach this process.
  console.log(`Serving ${deployments.join(", ")} (up to ${limit} runs at once). Start a run with \`baton deployment run NAME\`; Ctrl+C stops.`);

  await new Promise<void>((resolve) => {
    const stop = () => resolve();
    if (options.signal) {
      if (options.signal.aborted) return resolve();
      options.signal.addEventListener("abort", stop, { once: true });
    } else {
      process.once("SIGINT", stop);
      process.once("SIGTERM", stop);
    }
  });

  // Stop: no new claims; live pauses become suspends; running runs get the grace period.
  stopping = true;
  clearInterval(safetyNet);
  const ids = [...running.keys()];
  if (ids.length) {
    const { items: current } = await client.listFlowRuns({ ids, limit: ids.length }).catch(() => ({ items: [] as FlowRun[] }));
    for (const run of current)
      if (run.state.type === "PAUSED" && !isSuspended(run.state) && run.state.details.pauseKey)
        await client.suspend(run.id, run.state.details.pauseKey, "Suspended: its serving process stopped").catch(() => {});
    const graceOver = new Promise((r) => setTimeout(r, graceMs).unref());
    await Promise.race([Promise.allSettled(running.values()), graceOver]);
    for (const id of running.keys())
      await client
        .setFlowRunState(
          id,
          { type: "SCHEDULED", name: "Rescheduled", message: "Its serving process stopped before it finished; another will run it again" },
          { workerId },
        )
        .catch(() => {});
  }
  stream.close();
  if (!options.signal) process.exit(0);
}

/** Executes one claimed run (replaying `history` if it ran before); its outcome is on the server, so nothing is thrown. */
async function execute(run: FlowRun, def: FlowDefinition, history: RunHistory | undefined): Promise<void> {
  const { client, workerId } = getRuntime();
  let params: Record<string, unknown>;
  try {
    params = parseParameters(def, run.parameters);
  } catch (e) {
    const info = errorInfo(e);
    await client.setFlowRunState(run.id, { type: "FAILED", message: info.message, details: { error: info } }, { workerId }).catch(() => {});
    return;
  }
  try {
    // A run that ran before is replayed from the history that came with its claim: no step costs a request.
    await executeFlowRun(run, () => def.fn(params), history && historyOf(history), def.policy);
  } catch {
    // Failed or cancelled: already reported on the run and in its logs.
  }
}

/**
 * Starts a run of a served flow (a deployment) with these parameters; a serving process runs it.
 * @example const run = await runDeployment("approve-expense", { amount: 120 });
 * @throws ParametersValidationError (422) when they do not fit the flow's `parameters` schema; no run is created.
 */
export function runDeployment(name: string, parameters: Record<string, unknown> = {}): Promise<FlowRun> {
  return getRuntime().client.runDeployment(name, parameters);
}

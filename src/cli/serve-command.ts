import { InvalidArgumentError, type Command } from "commander";
import type { ServeOptions } from "../sdk/serve.ts";
import { clientOf } from "./cli-client.ts";
import { FlowModulesError } from "./cli-errors.ts";
import { expandFiles, loadFlowModules, type FoundFlow, type LoadedFlow } from "./flow-modules.ts";
import { onStopSignal } from "./stop-signal.ts";

/** Options of `baton serve`. */
interface ServeCommandOptions {
  limit?: number;
}

/** A `serve` of some copy of the SDK. */
type ServeFunction = (...items: (LoadedFlow | ServeOptions)[]) => Promise<void>;

/**
 * `baton serve FILE...`: imports the modules and serves every flow they export as a deployment, as
 * `serve()` does in code, until Ctrl+C (SIGINT) or SIGTERM.
 *
 * @example
 * baton serve "flows/*.ts" --limit 20
 */
export function addServeCommand(program: Command): void {
  program
    .command("serve")
    .description(
      "Serve the flows these modules export as deployments, until Ctrl+C (SIGINT) or SIGTERM: then runs waiting for an answer are suspended, " +
        "running ones get 30 s to finish, and the rest are handed back to be run elsewhere",
    )
    .argument("<files...>", 'modules (.ts or .js), or patterns such as "flows/*.ts" (quote them; they leave out test files and .d.ts)')
    .option("--limit <n>", "how many runs this process executes at once (default 100)", parseLimit)
    .action((files: string[], opts: ServeCommandOptions, command: Command) => runServe(files, opts, command));
}

async function runServe(args: string[], opts: ServeCommandOptions, command: Command): Promise<void> {
  const client = clientOf(command);
  // The SDK, in whichever copy the modules load, finds the server through BATON_API_URL: --api-url must reach it too.
  process.env.BATON_API_URL = client.apiUrl;
  const cwd = process.cwd();
  const expanded = expandFiles(args, cwd);
  const loaded = await loadFlowModules(expanded.files, cwd);
  const problems = [...expanded.problems, ...loaded.problems];
  if (problems.length) throw new FlowModulesError(problems);
  // Fail on an absent server before saying that anything is served.
  await client.health();
  for (const { flow, file, exportName } of loaded.flows)
    process.stdout.write(`Serving deployment ${flow.flowName} (${file}${exportName === flow.flowName ? "" : `, export ${exportName}`})\n`);

  const stop = new AbortController();
  const stopOnSignal = onStopSignal((signal) => {
    process.stdout.write(`Stopping (${signal}): runs waiting for an answer are suspended, running ones get up to 30 s to finish...\n`);
    stop.abort();
  });
  const options: ServeOptions = { signal: stop.signal, ...(opts.limit !== undefined ? { limit: opts.limit } : {}) };
  // Loaded here, not at the top: other commands need not load the SDK.
  const { serve } = await import("../sdk/serve.ts");
  const { SERVE_WITH } = await import("../sdk/flow.ts");
  const groups = groupBySdkCopy(loaded.flows, SERVE_WITH, serve as ServeFunction);
  const serving = [...groups].map(([serveFlows, flows]) => serveFlows(...flows, options));
  const outcomes = await Promise.allSettled(serving.map((p) => p.catch((e: unknown) => (stop.abort(), Promise.reject(e)))));
  stopOnSignal();
  const failed = outcomes.find((o) => o.status === "rejected");
  if (failed) throw failed.reason;
  process.stdout.write("Stopped.\n");
  // As serve() does: the SDK's connections and timers would keep the process alive.
  process.exit(0);
}

/**
 * The flows by the `serve` of the SDK copy that defined each (see SERVE_WITH): a flow must run inside its
 * own copy's run context. Usually there is one copy, and so one group; with several, each serves its
 * flows with its own `limit`. A flow from a copy without the key is served by this one.
 */
function groupBySdkCopy(found: readonly FoundFlow[], key: symbol, fallback: ServeFunction): Map<ServeFunction, LoadedFlow[]> {
  const groups = new Map<ServeFunction, LoadedFlow[]>();
  for (const { flow } of found) {
    const own = (flow as unknown as Record<symbol, unknown>)[key];
    const serveFlows = typeof own === "function" ? (own as ServeFunction) : fallback;
    groups.set(serveFlows, [...(groups.get(serveFlows) ?? []), flow]);
  }
  return groups;
}

function parseLimit(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value.trim()) || !Number.isSafeInteger(n) || n < 1) throw new InvalidArgumentError("use a whole number of runs, 1 or more.");
  return n;
}

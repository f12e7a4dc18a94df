import type { BatonClient } from "../client/index.ts";
import { isTerminal, type Log, type State } from "../contract/index.ts";
import { formatLogLine } from "./flow-run-view.ts";

/** Options of `printRunLogs`. */
export interface PrintLogsOptions {
  /** Keep printing new lines until the run reaches a terminal state. */
  follow?: boolean;
  out?: (line: string) => void;
  /** Where notes about the connection and the run's end go. */
  note?: (line: string) => void;
  /** With `follow`, called with the run's state as it is when following starts (again after a reconnection) and as it changes before it ends. */
  onState?: (state: State) => void;
}

/**
 * Prints a run's log lines, oldest first. With `follow`, subscribes to the run's events first and only
 * then reads the lines already written, so that no line falls between the two; a line seen both ways is
 * printed once. Resolves with the run's final state once it ends.
 */
export async function printRunLogs(client: BatonClient, flowRunId: string, options: PrintLogsOptions = {}): Promise<State> {
  const out = options.out ?? ((line) => process.stdout.write(`${line}\n`));
  const note = options.note ?? ((line) => process.stderr.write(`${line}\n`));
  // An unknown id fails here, before any stream is opened.
  const run = await client.getFlowRun(flowRunId);
  const printed = new Set<number>();
  let highest = 0;
  const print = (log: Log) => {
    if (printed.has(log.id)) return;
    printed.add(log.id);
    highest = Math.max(highest, log.id);
    out(formatLogLine(log));
  };
  const catchUp = async () => {
    for (;;) {
      const page = await client.listLogs(flowRunId, { after: highest, limit: 1000 });
      page.forEach(print);
      if (page.length < 1000) return;
    }
  };
  if (!options.follow) {
    await catchUp();
    return run.state;
  }

  return new Promise<State>((resolve, reject) => {
    // Every step runs in turn, so lines come out in order and the end is announced after the last one.
    let steps = Promise.resolve();
    let ended = false;
    let connectedBefore = false;
    const step = (fn: () => void | Promise<void>) => {
      steps = steps.then(fn).catch((e: unknown) => {
        stream.close();
        reject(e);
      });
    };
    const end = (state: State) => {
      if (ended) return;
      ended = true;
      stream.close();
      note(`Flow run ${flowRunId} ended: ${state.name}${state.message ? ` (${state.message})` : ""}.`);
      resolve(state);
    };
    const stream = client.events(
      {
        flowRunId,
        types: ["log", "flow-run.state-changed"],
        onOpen: () =>
          step(async () => {
            if (connectedBefore) note("Connected again.");
            connectedBefore = true;
            await catchUp();
            const current = await client.getFlowRun(flowRunId);
            if (isTerminal(current.state.type)) end(current.state);
            else options.onState?.(current.state);
          }),
        onDisconnect: () => {
          if (connectedBefore && !ended) note("Lost the connection to the server; reconnecting...");
        },
      },
      (event) => {
        if (event.type === "log") step(() => print(event.payload));
        else if (event.type === "flow-run.state-changed" && isTerminal(event.payload.state.type))
          step(async () => {
            // Lines written just before the end may still be on their way.
            await catchUp();
            end(event.payload.state);
          });
        else if (event.type === "flow-run.state-changed") step(() => options.onState?.(event.payload.state));
      },
    );
  });
}

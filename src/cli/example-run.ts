import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { createClient } from "../client/index.ts";
import { isTerminal } from "../contract/index.ts";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const EXAMPLE = "greet-user";

/** The example run `server start --with-examples` keeps going beside the server. */
export interface ExampleRun {
  /** Ends the example's process and cancels its run if it is still waiting, so no orphan stays paused. */
  stop(): Promise<void>;
}

/** Options of `startExampleRun`. */
export interface ExampleRunOptions {
  apiUrl: string;
  /** Called once the example run waits for its answer. */
  onPaused: (flowRunId: string) => void;
  /** Where the example's output (prefixed) and notes go. */
  print: (line: string) => void;
}

/**
 * Starts `examples/greet-user.ts` in a child process against the server at `apiUrl`, forwarding its
 * output line by line with a prefix, and reports its run's id once the run is paused.
 */
export async function startExampleRun(options: ExampleRunOptions): Promise<ExampleRun> {
  const file = `${ROOT}examples/${EXAMPLE}.ts`;
  const prefix = `[example ${EXAMPLE}]`;
  if (!existsSync(file)) {
    options.print(`${prefix} not started: ${file} is not there (the examples ship with the Baton repository).`);
    return { stop: async () => {} };
  }
  const client = createClient({ apiUrl: options.apiUrl });
  let runId: string | undefined;
  // Listen before the flow starts, so its pause cannot be missed.
  const stream = client.events({ types: ["flow-run.state-changed"] }, (e) => {
    if (runId || e.type !== "flow-run.state-changed") return;
    if (e.payload.flowName !== EXAMPLE || e.payload.state.type !== "PAUSED") return;
    runId = e.flowRunId;
    stream.close();
    options.onPaused(runId);
  });
  await stream.ready;

  const child = spawn(process.execPath, [file], {
    cwd: ROOT,
    env: { ...process.env, BATON_API_URL: options.apiUrl },
    stdio: ["ignore", "pipe", "pipe"],
  });
  for (const output of [child.stdout, child.stderr]) {
    createInterface({ input: output }).on("line", (line) => options.print(`${prefix} ${line}`));
  }
  let running = true;
  let stopping = false;
  const exited = new Promise<void>((resolve) =>
    child.on("exit", (code, signal) => {
      running = false;
      stream.close();
      if (!stopping) options.print(`${prefix} exited${signal ? ` on ${signal}` : ` with code ${code}`}.`);
      resolve();
    }),
  );

  return {
    async stop() {
      stopping = true;
      stream.close();
      if (running) {
        child.kill("SIGTERM");
        await exited;
      }
      if (!runId) return;
      const run = await client.getFlowRun(runId).catch(() => undefined);
      if (run && !isTerminal(run.state.type))
        await client.cancel(runId, "The example's process stopped with the server.").catch(() => undefined);
    },
  };
}

import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { createClient, type EventStream } from "../client/index.ts";
import { DeploymentNotFoundError } from "../contract/errors.ts";
import { isTerminal } from "../contract/index.ts";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
/** Built by `npm run build:lib` from examples/serve-examples.ts: Node strips no types under node_modules. */
const SERVE_FILE = "dist/examples/serve-examples.js";
/** The example a run is started of, so that a newcomer finds one waiting. */
const FIRST_EXAMPLE = "greet-user";
const PREFIX = "[examples]";
/** How long the serving process gets to register the examples before no run is started. */
const SERVE_TIMEOUT_MS = 30_000;
/** serve() gives running runs 30 s to finish when stopped; past this the process is killed. */
const STOP_TIMEOUT_MS = 40_000;

/** The examples `server start --with-examples` serves beside the server. */
export interface RunningExamples {
  /**
   * Stops the serving process with SIGTERM (it suspends the runs waiting for an answer, and exits), then
   * cancels the example run started here if it has not ended, so that no orphan stays paused.
   */
  stop(): Promise<void>;
}

/** Options of `startExamples`. */
export interface ExamplesOptions {
  apiUrl: string;
  /** Called once the example run waits for its answer, with the names of the deployments now served. */
  onPaused: (flowRunId: string, deployments: string[]) => void;
  /** Where the serving process's output (prefixed) and notes go. */
  print: (line: string) => void;
}

/**
 * Serves the example flows (`examples/serve-examples.ts`, in a child process against the server at
 * `apiUrl`), forwarding its output line by line with a prefix; once they are served, starts one run of
 * greet-user through its deployment and reports it when it waits for an answer.
 */
export function startExamples(options: ExamplesOptions): RunningExamples {
  const file = `${ROOT}${SERVE_FILE}`;
  if (!existsSync(file)) {
    options.print(`${PREFIX} not started: ${file} is not there (\`npm run build\` makes it in a clone of the Baton repository).`);
    return { stop: async () => {} };
  }
  const client = createClient({ apiUrl: options.apiUrl });
  const startedAt = Date.now();
  const child = spawn(process.execPath, [file], {
    cwd: ROOT,
    env: { ...process.env, BATON_API_URL: options.apiUrl },
    stdio: ["ignore", "pipe", "pipe"],
  });
  for (const output of [child.stdout, child.stderr]) {
    createInterface({ input: output }).on("line", (line) => options.print(`${PREFIX} ${line}`));
  }
  let running = true;
  let stopping = false;
  const exited = new Promise<void>((resolve) =>
    child.on("exit", (code, signal) => {
      running = false;
      if (!stopping) options.print(`${PREFIX} exited${signal ? ` on ${signal}` : ` with code ${code}`}.`);
      resolve();
    }),
  );
  // Should this process end without stop() (process.exit on a second Ctrl+C), the serving process goes too.
  const onExit = () => {
    if (running) child.kill("SIGTERM");
  };
  process.once("exit", onExit);

  let runId: string | undefined;
  let stream: EventStream | undefined;
  const servedSince = async (name: string): Promise<boolean> => {
    const d = await client.getDeployment(name).catch((e: unknown) => {
      if (e instanceof DeploymentNotFoundError) return undefined;
      throw e;
    });
    return !!d?.lastServedAt && Date.parse(d.lastServedAt) >= startedAt;
  };
  const reportPaused = async () => {
    stream?.close();
    // The run was claimed, so the serving process has registered every example by now.
    const served = await client.listDeployments().catch(() => []);
    const names = served.filter((d) => d.lastServedAt && Date.parse(d.lastServedAt) >= startedAt).map((d) => d.name);
    if (!stopping) options.onPaused(runId!, names);
  };

  const background = (async () => {
    // The deployment exists once the serving process has registered it; a run created before would be refused.
    for (const deadline = Date.now() + SERVE_TIMEOUT_MS; !(await servedSince(FIRST_EXAMPLE)); ) {
      if (stopping || !running) return;
      if (Date.now() > deadline) {
        options.print(`${PREFIX} ${FIRST_EXAMPLE} was not served within ${SERVE_TIMEOUT_MS / 1000} s; no example run was started.`);
        return;
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    if (stopping) return;
    const run = await client.runDeployment(FIRST_EXAMPLE);
    runId = run.id;
    if (stopping) return;
    let reported = false;
    const onState = (type: string) => {
      if (type !== "PAUSED" || reported) return;
      reported = true;
      void reportPaused();
    };
    // Checked again on every (re)connection, so a pause before the stream opened is not missed.
    stream = client.events(
      {
        flowRunId: run.id,
        types: ["flow-run.state-changed"],
        onOpen: () =>
          void client.getFlowRun(run.id).then(
            (r) => onState(r.state.type),
            () => {},
          ),
      },
      (e) => {
        if (e.type === "flow-run.state-changed") onState(e.payload.state.type);
      },
    );
  })().catch((e: unknown) => options.print(`${PREFIX} no example run was started: ${(e as Error).message}`));

  return {
    async stop() {
      stopping = true;
      stream?.close();
      if (running) {
        child.kill("SIGTERM");
        const timer = setTimeout(() => child.kill("SIGKILL"), STOP_TIMEOUT_MS);
        await exited;
        clearTimeout(timer);
      }
      process.off("exit", onExit);
      await background;
      stream?.close();
      if (!runId) return;
      const run = await client.getFlowRun(runId).catch(() => undefined);
      if (run && !isTerminal(run.state.type)) await client.cancel(runId, "The examples stopped with the server.").catch(() => undefined);
    },
  };
}

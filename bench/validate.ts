// `node bench/validate.ts`: what checking an answer with the flow's own Zod schema before the run resumes
// adds to a resume, on SQLite. See bench/README.md.
//
// Two servers on two SQLite files, each with its own flow process running the pause bench's flow: one
// hands every answer to the waiting process to check (the default), the other never does
// (BATON_INPUT_CHECK_TIMEOUT_SECONDS=0, a plain resume). Runs alternate between them, one at a time, so
// that both see the same machine; the difference of their medians is the check's cost.
import { fork, type ChildProcess } from "node:child_process";
import { availableParallelism } from "node:os";
import { join } from "node:path";
import { createClient, type BatonClient } from "../src/client/index.ts";
import type { FlowCommand, FlowReport } from "./flow-process.ts";
import { loadAverage, ms, percentile, report, sleep } from "./lib.ts";
import { BenchProcesses } from "./processes.ts";

const RUNS = Number(process.env.BENCH_VALIDATE_RUNS ?? 300);
const WARMUP_RUNS = 30;
const DEADLINE_MS = 10 * 60_000;
const here = new URL(".", import.meta.url).pathname;
const root = new URL("..", import.meta.url).pathname;

const bench = new BenchProcesses("baton-bench-validate-");

/** One server with its flow process; times one answer at a time. */
class Side {
  readonly client: BatonClient;
  readonly flow: ChildProcess;
  /** Answer sent → 200 received, and answer sent → the flow's next line, in ms. */
  readonly request: number[] = [];
  readonly nextLine: number[] = [];
  #paused: ((id: string) => void) | undefined;
  #done = new Map<string, (nextLineAt: bigint) => void>();

  readonly #expected: "flow" | "schema";

  constructor(apiUrl: string, expected: "flow" | "schema") {
    this.#expected = expected;
    this.client = createClient({ apiUrl, channel: "api" });
    this.flow = fork(join(here, "flow-process.ts"), [], {
      cwd: root,
      env: { ...process.env, BATON_API_URL: apiUrl, BATON_LOG_TO_CONSOLE: "false" },
      stdio: ["ignore", "inherit", "inherit", "ipc"],
    });
    bench.children.push(this.flow);
    this.flow.on("message", (m: FlowReport) => {
      if (m.type === "failed") bench.abort(`a flow run failed: ${m.message}`);
      else if (m.type === "paused-soon") this.#paused?.(m.runId);
      else this.#done.get(m.runId)?.(BigInt(m.nextLineAt));
    });
  }

  /** Starts a run, waits until it is paused, answers it, and records both spans (unless warming up). */
  async one(i: number, record: boolean): Promise<void> {
    const runId = await new Promise<string>((resolve) => {
      this.#paused = resolve;
      this.flow.send({ cmd: "start", flowName: "bench-validate", count: 1 } satisfies FlowCommand);
    });
    for (let n = 0; (await this.client.getFlowRun(runId)).state.type !== "PAUSED"; n++) {
      if (n > 10_000) bench.fail(`run ${runId} never paused`);
      await sleep(1);
    }
    const done = new Promise<bigint>((resolve) => this.#done.set(runId, resolve));
    const sentAt = process.hrtime.bigint();
    const resumed = await this.client.resume(runId, { input: { approved: i % 2 === 0, comment: `bench answer ${i}` } });
    const answeredAt = process.hrtime.bigint();
    const nextLineAt = await done;
    this.#done.delete(runId);
    if (!record) return;
    if (resumed.validatedBy !== this.#expected) bench.fail(`an answer was validated by ${resumed.validatedBy}, not ${this.#expected}`);
    this.request.push(ms(answeredAt - sentAt));
    this.nextLine.push(ms(nextLineAt - sentAt));
  }
}

const loadBefore = loadAverage();
await bench.run(DEADLINE_MS, async () => {
  const [checkedServer, plainServer] = await Promise.all([
    bench.startServer({ BATON_HOME: join(bench.home, "checked") }),
    bench.startServer({ BATON_HOME: join(bench.home, "plain"), BATON_INPUT_CHECK_TIMEOUT_SECONDS: "0" }),
  ]);
  const checked = new Side(checkedServer.apiUrl, "flow");
  const plain = new Side(plainServer.apiUrl, "schema");
  console.log(`Baton validation bench: SQLite, Node ${process.version}, ${availableParallelism()} CPUs; ${RUNS} runs each side, alternating`);
  for (let i = 0; i < WARMUP_RUNS + RUNS; i++) {
    const record = i >= WARMUP_RUNS;
    await checked.one(i, record);
    await plain.one(i, record);
  }
  for (const side of [checked, plain]) {
    side.request.sort((a, b) => a - b);
    side.nextLine.sort((a, b) => a - b);
  }
  console.log(`    load average before the bench: ${loadBefore}`);
  console.log("");
  const p = (xs: number[], q: number) => percentile(xs, q);
  report([
    { label: "plain resume: answer sent -> 200, p50", value: p(plain.request, 50), unit: "ms" },
    { label: "checked by the flow: answer sent -> 200, p50", value: p(checked.request, 50), unit: "ms" },
    { label: "checked by the flow: answer sent -> 200, p95", value: p(checked.request, 95), unit: "ms" },
    {
      label: "added by the check, p50 (answer -> 200)",
      value: p(checked.request, 50) - p(plain.request, 50),
      unit: "ms",
      target: { op: "<", value: 3 },
    },
    { label: "plain resume: answer sent -> next line, p50", value: p(plain.nextLine, 50), unit: "ms" },
    { label: "checked by the flow: answer sent -> next line, p50", value: p(checked.nextLine, 50), unit: "ms" },
    {
      label: "added by the check, p50 (answer -> next line)",
      value: p(checked.nextLine, 50) - p(plain.nextLine, 50),
      unit: "ms",
      target: { op: "<", value: 3 },
    },
  ]);
});

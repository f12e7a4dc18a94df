// `npm run bench`: how fast a paused flow goes on once answered, on SQLite (or PostgreSQL with
// BENCH_POSTGRES_URL). See bench/README.md.
//
// Three processes: this one (the person answering, through the API client), the server, and one flow
// process running every flow. Times are `process.hrtime.bigint()` (CLOCK_MONOTONIC, the same clock in
// every process on the machine), so "answer sent" here and "next line ran" there can be subtracted.
import { fork, type ChildProcess } from "node:child_process";
import { availableParallelism } from "node:os";
import { join } from "node:path";
import { createClient, type BatonClient } from "../src/client/index.ts";
import type { FlowCommand, FlowReport } from "./flow-process.ts";
import { cpuMs, cpuSplitMs, loadAverage, ms, peakRssMb, percentile, report, sleep, waitIdle, withTimeout } from "./lib.ts";
import { BenchProcesses, profileArgs } from "./processes.ts";

const SEQUENTIAL_RUNS = Number(process.env.BENCH_SEQUENTIAL_RUNS ?? 1000);
const BATCH_RUNS = Number(process.env.BENCH_BATCH_RUNS ?? 1000);
const WARMUP_RUNS = Number(process.env.BENCH_WARMUP_RUNS ?? 50);
const SENDERS = 16;
/** The whole bench stops by itself after this, whatever happens. */
const DEADLINE_MS = 10 * 60_000;

const here = new URL(".", import.meta.url).pathname;
const root = new URL("..", import.meta.url).pathname;

interface Done {
  nextLineAt: bigint;
  completedAt: bigint;
}

/** The flow process, driven over IPC. */
class FlowProcess {
  readonly child: ChildProcess;
  #pausedSoonAny: ((runId: string) => void) | undefined;
  #done = new Map<string, Done>();
  #doneWaiters = new Map<string, (d: Done) => void>();
  #doneCount = 0;
  #onDoneCount: (() => void) | undefined;
  stderr = "";

  constructor(apiUrl: string) {
    this.child = fork(join(here, "flow-process.ts"), [], {
      cwd: root,
      execArgv: profileArgs("flow"),
      env: { ...process.env, BATON_API_URL: apiUrl, BATON_LOG_TO_CONSOLE: "false" },
      stdio: ["ignore", "inherit", "pipe", "ipc"],
    });
    this.child.stderr!.on("data", (d: Buffer) => (this.stderr += d.toString()));
    this.child.on("message", (m: FlowReport) => this.#onReport(m));
    this.child.on("exit", (code) => {
      if (code !== 0) bench.abort(`the flow process exited with ${code}:\n${this.stderr}`);
    });
  }

  command(c: FlowCommand): void {
    this.child.send(c);
  }

  /** Starts one run; resolves with its id once it is about to pause. */
  startOne(flowName: string): Promise<string> {
    return new Promise((resolve) => {
      this.#pausedSoonAny = resolve;
      this.command({ cmd: "start", flowName, count: 1 });
    });
  }

  waitDone(runId: string): Promise<Done> {
    const d = this.#done.get(runId);
    if (d) return Promise.resolve(d);
    return new Promise((resolve) => this.#doneWaiters.set(runId, resolve));
  }

  /** Resolves once `count` runs in all have reported done. */
  waitDoneCount(count: number): Promise<void> {
    if (this.#doneCount >= count) return Promise.resolve();
    return new Promise((resolve) => (this.#onDoneCount = () => this.#doneCount >= count && resolve()));
  }

  done(runId: string): Done | undefined {
    return this.#done.get(runId);
  }

  #onReport(m: FlowReport): void {
    if (m.type === "failed") bench.abort(`a flow run failed: ${m.message}\n${this.stderr}`);
    else if (m.type === "paused-soon") {
      const r = this.#pausedSoonAny;
      this.#pausedSoonAny = undefined;
      r?.(m.runId);
    } else {
      const d = { nextLineAt: BigInt(m.nextLineAt), completedAt: BigInt(m.completedAt) };
      this.#done.set(m.runId, d);
      this.#doneCount++;
      this.#doneWaiters.get(m.runId)?.(d);
      this.#doneWaiters.delete(m.runId);
      this.#onDoneCount?.();
    }
  }
}

const bench = new BenchProcesses("baton-bench-");
const { children } = bench;

async function waitPaused(client: BatonClient, runId: string): Promise<void> {
  for (let i = 0; ; i++) {
    const run = await client.getFlowRun(runId);
    if (run.state.type === "PAUSED") return;
    if (i > 10_000) bench.fail(`run ${runId} never paused (it is ${run.state.type})`);
    await sleep(1);
  }
}

function answer(i: number) {
  return { input: { approved: i % 2 === 0, comment: `bench answer ${i}` }, respondedBy: "bench" };
}

/** Start one run, wait until it is paused, answer it, and time the answer → the flow's next line. */
async function sequential(client: BatonClient, flows: FlowProcess, runs: number, flowName: string): Promise<number[]> {
  const latencies: number[] = [];
  for (let i = 0; i < runs; i++) {
    const runId = await flows.startOne(flowName);
    await waitPaused(client, runId);
    const sentAt = process.hrtime.bigint();
    await client.resume(runId, answer(i));
    const done = await withTimeout(flows.waitDone(runId), 30_000, async () => {
      const run = await client.getFlowRun(runId);
      return `run ${runId} did not finish within 30 s of its answer; it is ${run.state.type} (${run.state.message})`;
    });
    latencies.push(ms(done.nextLineAt - sentAt));
  }
  return latencies;
}

/** Start `runs` runs at once, wait until all are paused, then answer them from `SENDERS` concurrent senders. */
async function batch(client: BatonClient, flows: FlowProcess, runs: number, flowName: string, alreadyDone: number, pids: number[]) {
  flows.command({ cmd: "start", flowName, count: runs });
  let paused: string[] = [];
  for (let i = 0; paused.length < runs; i++) {
    if (i > 1200) bench.fail(`only ${paused.length} of ${runs} runs paused after 2 minutes`);
    await sleep(100);
    paused = (await client.listFlowRuns({ flowName, state: "PAUSED", limit: runs })).items.map((r) => r.id);
    if (process.env.BENCH_VERBOSE) console.log(`paused: ${paused.length}`);
  }
  // The senders' connections are opened before the clock starts, as a client's kept-alive ones would be.
  await Promise.all(Array.from({ length: SENDERS }, () => client.health()));
  await waitIdle(pids);
  const sentAt = new Map<string, bigint>();
  const queue = [...paused];
  const cpuBefore = pids.map(cpuMs);
  const splitBefore = [...pids, process.pid].map(cpuSplitMs);
  const firstSent = process.hrtime.bigint();
  await Promise.all(
    Array.from({ length: SENDERS }, async () => {
      for (let id = queue.pop(); id; id = queue.pop()) {
        sentAt.set(id, process.hrtime.bigint());
        await client.resume(id, answer(queue.length));
      }
    }),
  );
  await withTimeout(flows.waitDoneCount(alreadyDone + runs), 120_000, async () => {
    const notDone = paused.filter((id) => !flows.done(id));
    const states = await Promise.all(notDone.slice(0, 5).map((id) => client.getFlowRun(id).then((r) => `${id} ${r.state.type} ${r.state.message}`)));
    return `${notDone.length} of ${runs} answered runs did not finish in 2 minutes; for example:\n${states.join("\n")}`;
  });
  const cpu = pids.map((pid, i) => cpuMs(pid) - cpuBefore[i]!);
  if (process.env.BENCH_VERBOSE) {
    const split = [...pids, process.pid].map((pid, i) =>
      cpuSplitMs(pid)
        .map((v, j) => ((v - splitBefore[i]![j]!) / runs).toFixed(2))
        .join(" + "),
    );
    console.log(`batch CPU ms per run, user + system: server ${split[0]}, flow process ${split[1]}, bench (senders) ${split[2]}`);
  }
  let lastCompleted = firstSent;
  const latencies: number[] = [];
  for (const id of paused) {
    const d = flows.done(id)!;
    latencies.push(ms(d.nextLineAt - sentAt.get(id)!));
    if (d.completedAt > lastCompleted) lastCompleted = d.completedAt;
  }
  const seconds = ms(lastCompleted - firstSent) / 1000;
  if (process.env.BENCH_SLOWEST) {
    const rows = paused
      .map((id) => ({ at: ms(sentAt.get(id)! - firstSent), lat: ms(flows.done(id)!.nextLineAt - sentAt.get(id)!) }))
      .sort((a, b) => b.lat - a.lat);
    console.log(
      "slowest (sent at ms -> latency ms):",
      rows
        .slice(0, 25)
        .map((r) => `${r.at.toFixed(0)}->${r.lat.toFixed(0)}`)
        .join(" "),
    );
  }
  if (process.env.BENCH_VERBOSE) console.log(`batch window, monotonic µs (as in CPU profiles): ${firstSent / 1000n} ${lastCompleted / 1000n}`);
  return { latencies, seconds, throughput: runs / seconds, cpu };
}

const loadBefore = loadAverage();
await bench.run(DEADLINE_MS, async () => {
  const server = await bench.startServer();
  const client = createClient({ apiUrl: server.apiUrl, channel: "api" });
  const flows = new FlowProcess(server.apiUrl);
  children.push(flows.child);
  console.log(
    `Baton pause/resume bench: ${bench.databaseName}, Node ${process.version}, ${availableParallelism()} CPUs; ` +
      `server pid ${server.child.pid}, flow pid ${flows.child.pid}`,
  );

  const pids = [server.child.pid!, flows.child.pid!];
  const perRun = (cpu: number[], runs: number) =>
    `CPU per run: server ${(cpu[0]! / runs).toFixed(2)} ms, flow process ${(cpu[1]! / runs).toFixed(2)} ms`;

  await sequential(client, flows, WARMUP_RUNS, "bench-warmup");
  const seqStarted = process.hrtime.bigint();
  const seqCpuBefore = pids.map(cpuMs);
  const seq = (await sequential(client, flows, SEQUENTIAL_RUNS, "bench-sequential")).sort((a, b) => a - b);
  const seqCpu = pids.map((pid, i) => cpuMs(pid) - seqCpuBefore[i]!);
  const seqSeconds = ms(process.hrtime.bigint() - seqStarted) / 1000;
  console.log(
    `(1) ${SEQUENTIAL_RUNS} sequential runs (whole runs, not only the answer) in ${seqSeconds.toFixed(1)} s after ${WARMUP_RUNS} warm-up runs; ${perRun(seqCpu, SEQUENTIAL_RUNS)}`,
  );

  const b = await batch(client, flows, BATCH_RUNS, "bench-batch", WARMUP_RUNS + SEQUENTIAL_RUNS, pids);
  const lat = b.latencies.sort((x, y) => x - y);
  console.log(
    `(2) ${BATCH_RUNS} paused runs answered by ${SENDERS} concurrent senders in ${b.seconds.toFixed(2)} s (first answer to last COMPLETED); ${perRun(b.cpu, BATCH_RUNS)}`,
  );
  console.log(`    load average before the bench: ${loadBefore}`);

  // The targets on PostgreSQL (issue 17) are looser than SQLite's: each commit is a round trip to another process.
  const targets = bench.databaseUrl
    ? { seqP50: 3, seqP99: 20, batchP99: 100, throughput: 800 }
    : { seqP50: 5, seqP99: 20, batchP99: 50, throughput: 1000 };
  const serverRss = peakRssMb(server.child.pid!);
  const flowRss = peakRssMb(flows.child.pid!);
  console.log("");
  report([
    { label: "(1) sequential: answer sent -> next line, p50", value: percentile(seq, 50), unit: "ms", target: { op: "<", value: targets.seqP50 } },
    { label: "(1) sequential: answer sent -> next line, p95", value: percentile(seq, 95), unit: "ms" },
    { label: "(1) sequential: answer sent -> next line, p99", value: percentile(seq, 99), unit: "ms", target: { op: "<", value: targets.seqP99 } },
    { label: "(2) batch: answer sent -> next line, p50", value: percentile(lat, 50), unit: "ms" },
    { label: "(2) batch: answer sent -> next line, p95", value: percentile(lat, 95), unit: "ms" },
    { label: "(2) batch: answer sent -> next line, p99", value: percentile(lat, 99), unit: "ms", target: { op: "<", value: targets.batchP99 } },
    {
      label: "(2) batch: throughput, first answer -> last COMPLETED",
      value: b.throughput,
      unit: "runs/s",
      target: { op: ">=", value: targets.throughput },
    },
    { label: "(3) server process peak RSS (VmHWM)", value: serverRss, unit: "MB", target: { op: "<", value: 150 } },
    { label: "(3) flow process peak RSS (VmHWM)", value: flowRss, unit: "MB" },
  ]);
});

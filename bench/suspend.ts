// `npm run bench` (second part): suspended runs, on SQLite. See bench/README.md.
//
// Three processes: this one (the person answering, through the API client), the server, and ONE serving
// process (`serve(...)`, bench/serve-process.ts). Times are `process.hrtime.bigint()` (CLOCK_MONOTONIC,
// the same clock in every process on the machine), so "answer sent" here and "next line ran" there can
// be subtracted. Run states are followed through the server's event stream, as the UI does.
import { fork, spawn, type ChildProcess } from "node:child_process";
import { availableParallelism } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { createClient } from "../src/client/index.ts";
import type { FlowRun } from "../src/contract/index.ts";
import { cpuMs, loadAverage, ms, peakRssMb, percentile, report, sleep, waitIdle, type Row } from "./lib.ts";
import { BenchProcesses, profileArgs } from "./processes.ts";
import type { ServeReport } from "./serve-process.ts";

const SEQUENTIAL_RUNS = Number(process.env.BENCH_SUSPEND_SEQUENTIAL_RUNS ?? 300);
const WARMUP_RUNS = Number(process.env.BENCH_SUSPEND_WARMUP_RUNS ?? 30);
const BATCH_RUNS = Number(process.env.BENCH_SUSPEND_BATCH_RUNS ?? 1000);
const STORED_RUNS = Number(process.env.BENCH_SUSPENDED_STORED_RUNS ?? 100_000);
/** Runs answered one at a time once STORED_RUNS are kept, in (e). */
const STORED_ANSWERS = Number(process.env.BENCH_SUSPEND_STORED_ANSWERS ?? 100);
const LIST_REQUESTS = 200;
const REPLAY_TASKS = Number(process.env.BENCH_REPLAY_TASKS ?? 200);
const REPLAY_REPEATS = Number(process.env.BENCH_REPLAY_REPEATS ?? 10);
/** The serving process's `limit`; by default serve's own default. */
const SERVE_LIMIT = process.env.BENCH_SERVE_LIMIT;
const SENDERS = 16;
/** How long the serving process is left alone before an answer in (a) and (d), so that it is idle. */
const IDLE_MS = 20;
/** The whole bench stops by itself after this, whatever happens: 5 minutes, and 10 more per million runs to clone. */
const DEADLINE_MS = (5 + (STORED_RUNS / 1e6) * 10) * 60_000;

const here = new URL(".", import.meta.url).pathname;
const root = new URL("..", import.meta.url).pathname;

const bench = new BenchProcesses("baton-bench-suspend-");
const { children, home } = bench;
const dbFile = join(home, "baton.sqlite");

// What the bench knows of the runs: from the event stream (suspended, completed) and from the serving
// process (the line after the suspend ran). `until` waits for a condition on them.
const suspendedAt = new Map<string, bigint>();
const completedAt = new Map<string, bigint>();
const nextLine = new Map<string, { at: bigint; bodyStartAt: bigint; tasks: number }>();
const checks = new Set<() => void>();
const changed = () => {
  for (const c of [...checks]) c();
};

function until(cond: () => boolean, timeoutMs: number, explain: () => string): Promise<void> {
  if (cond()) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      checks.delete(check);
      reject(new Error(explain()));
    }, timeoutMs);
    const check = () => {
      if (!cond()) return;
      checks.delete(check);
      clearTimeout(timer);
      resolve();
    };
    checks.add(check);
  });
}

function startServing(apiUrl: string): Promise<ChildProcess> {
  let stderr = "";
  const child = fork(join(here, "serve-process.ts"), [], {
    cwd: root,
    execArgv: profileArgs("serve"),
    env: { ...process.env, BATON_API_URL: apiUrl, BATON_LOG_TO_CONSOLE: "false", ...(SERVE_LIMIT ? { BENCH_SERVE_LIMIT: SERVE_LIMIT } : {}) },
    stdio: ["ignore", "pipe", "pipe", "ipc"],
  });
  children.push(child);
  child.stderr!.on("data", (d: Buffer) => (stderr += d.toString()));
  child.on("exit", (code) => bench.abort(`the serving process exited with ${code}:\n${stderr}`));
  child.on("message", (m: ServeReport) => {
    nextLine.set(m.runId, { at: BigInt(m.at), bodyStartAt: BigInt(m.bodyStartAt), tasks: m.tasks });
    changed();
  });
  return new Promise((resolve) => {
    createInterface({ input: child.stdout! }).on("line", (l) => l.startsWith("Serving") && resolve(child));
  });
}

let stream: { close(): void } | undefined;
bench.beforeStop(() => stream?.close());

const answer = (i: number) => ({ input: { approved: i % 2 === 0, comment: `bench answer ${i}` }, respondedBy: "bench" });
const _describe = async (client: ReturnType<typeof createClient>, id: string) => {
  const r = await client.getFlowRun(id).catch((e: Error) => undefined as FlowRun | undefined);
  return r ? `${r.state.type}/${r.state.name} (${r.state.message})` : "unreadable";
};

/** Starts a run of a deployment and waits until it is suspended. */
async function startSuspended(
  client: ReturnType<typeof createClient>,
  deployment: string,
  parameters: Record<string, unknown> = {},
): Promise<string> {
  const run = await client.runDeployment(deployment, parameters);
  await until(
    () => suspendedAt.has(run.id),
    60_000,
    () => `run ${run.id} of ${deployment} did not suspend within 60 s`,
  );
  return run.id;
}

/** Answers a suspended run (after the serving process had IDLE_MS to itself) and waits until it completed. */
async function answerOne(
  client: ReturnType<typeof createClient>,
  id: string,
  input: ReturnType<typeof answer> | {},
): Promise<{ total: number; body: number }> {
  await sleep(IDLE_MS);
  const sent = process.hrtime.bigint();
  await client.resume(id, input);
  await until(
    () => nextLine.has(id) && completedAt.has(id),
    30_000,
    () => `run ${id} did not complete within 30 s of its answer`,
  );
  const n = nextLine.get(id)!;
  return { total: ms(n.at - sent), body: ms(n.at - n.bodyStartAt) };
}

const median = (xs: number[]) =>
  percentile(
    [...xs].sort((a, b) => a - b),
    50,
  );

const loadBefore = loadAverage();
await bench.run(DEADLINE_MS, async () => {
  const server = await bench.startServer();
  const client = createClient({ apiUrl: server.apiUrl, channel: "api" });
  const events = client.events({ types: ["flow-run.state-changed"] }, (e) => {
    if (e.type !== "flow-run.state-changed") return;
    const { state } = e.payload;
    if (state.type === "PAUSED" && state.details.suspended) suspendedAt.set(e.flowRunId, process.hrtime.bigint());
    else if (state.type === "COMPLETED") completedAt.set(e.flowRunId, process.hrtime.bigint());
    else if (state.type === "FAILED" || state.type === "CRASHED" || state.type === "CANCELLED")
      bench.abort(`run ${e.flowRunId} ended ${state.type}: ${state.message}`);
    else return;
    changed();
  });
  stream = events;
  await events.ready;
  const serving = await startServing(server.apiUrl);
  const pids = [server.child.pid!, serving.pid!];
  console.log(
    `Baton suspend bench: ${bench.databaseName}, Node ${process.version}, ${availableParallelism()} CPUs; ` +
      `server pid ${server.child.pid}, serving process pid ${serving.pid} (serve limit ${SERVE_LIMIT ?? "default"})`,
  );

  // (a) One run at a time: suspended, answered, replayed up to the line after the suspend.
  /** `n` runs of bench-suspend, one at a time: each suspended, answered, replayed; answer sent -> line after the suspend, sorted. */
  const roundTrips = async (n: number) => {
    const totals: number[] = [];
    for (let i = 0; i < n; i++) totals.push((await answerOne(client, await startSuspended(client, "bench-suspend"), answer(i))).total);
    return totals.sort((a, b) => a - b);
  };
  await roundTrips(WARMUP_RUNS);
  const seqStarted = process.hrtime.bigint();
  const seq = await roundTrips(SEQUENTIAL_RUNS);
  console.log(
    `(a) ${SEQUENTIAL_RUNS} sequential suspend/answer/replay round trips in ${(ms(process.hrtime.bigint() - seqStarted) / 1000).toFixed(1)} s after ${WARMUP_RUNS} warm-up ones`,
  );

  // (b) BATCH_RUNS suspended runs, answered by SENDERS concurrent senders.
  const created: string[] = [];
  let toCreate = BATCH_RUNS;
  await Promise.all(
    Array.from({ length: SENDERS }, async () => {
      while (toCreate-- > 0) created.push((await client.runDeployment("bench-suspend")).id);
    }),
  );
  await until(
    () => created.every((id) => suspendedAt.has(id)),
    120_000,
    () => `only ${created.filter((id) => suspendedAt.has(id)).length} of ${BATCH_RUNS} runs suspended within 2 minutes`,
  );
  await waitIdle(pids);
  const sentAt = new Map<string, bigint>();
  const queue = [...created];
  const cpuBefore = pids.map(cpuMs);
  const firstSent = process.hrtime.bigint();
  await Promise.all(
    Array.from({ length: SENDERS }, async () => {
      for (let id = queue.pop(); id; id = queue.pop()) {
        sentAt.set(id, process.hrtime.bigint());
        await client.resume(id, answer(queue.length));
      }
    }),
  );
  const resumesSent = ms(process.hrtime.bigint() - firstSent);
  const allDone = () => created.every((id) => completedAt.has(id) && nextLine.has(id));
  await until(
    allDone,
    120_000,
    () => `only ${created.filter((id) => completedAt.has(id)).length} of ${BATCH_RUNS} answered runs completed within 2 minutes`,
  );
  const batchCpu = pids.map((pid, i) => (cpuMs(pid) - cpuBefore[i]!) / BATCH_RUNS);
  const lastCompleted = created.reduce((max, id) => (completedAt.get(id)! > max ? completedAt.get(id)! : max), firstSent);
  const batchSeconds = ms(lastCompleted - firstSent) / 1000;
  if (process.env.BENCH_VERBOSE)
    console.log(
      `(b) window, monotonic µs (as in CPU profiles): ${firstSent / 1000n} ${lastCompleted / 1000n}; answers all sent after ${resumesSent.toFixed(0)} ms`,
    );
  const batchLat = created.map((id) => ms(nextLine.get(id)!.at - sentAt.get(id)!)).sort((a, b) => a - b);
  console.log(
    `(b) ${BATCH_RUNS} suspended runs answered by ${SENDERS} concurrent senders in ${batchSeconds.toFixed(2)} s (first answer to last COMPLETED); ` +
      `CPU per run: server ${batchCpu[0]!.toFixed(2)} ms, serving process ${batchCpu[1]!.toFixed(2)} ms`,
  );

  // (d) Replay cost per completed task: REPLAY_TASKS tasks before the suspend, against none.
  const replays = new Map<number, { total: number; body: number }[]>([
    [0, []],
    [REPLAY_TASKS, []],
  ]);
  for (let r = -1; r < REPLAY_REPEATS; r++)
    for (const tasks of replays.keys()) {
      const t = await answerOne(client, await startSuspended(client, "bench-replay", { tasks }), {});
      if (r >= 0) replays.get(tasks)!.push(t); // the first round warms up
    }
  const replayTotal = (n: number) => median(replays.get(n)!.map((t) => t.total));
  const replayBody = (n: number) => median(replays.get(n)!.map((t) => t.body));
  const perTask = (replayTotal(REPLAY_TASKS) - replayTotal(0)) / REPLAY_TASKS;
  const perTaskBody = (replayBody(REPLAY_TASKS) - replayBody(0)) / REPLAY_TASKS;
  console.log(
    `(d) answer sent -> line after the suspend, median of ${REPLAY_REPEATS}: ${replayTotal(REPLAY_TASKS).toFixed(2)} ms with ${REPLAY_TASKS} completed tasks to replay, ` +
      `${replayTotal(0).toFixed(2)} ms with none; of which the flow's body (first line -> line after the suspend): ${replayBody(REPLAY_TASKS).toFixed(2)} ms and ${replayBody(0).toFixed(2)} ms`,
  );

  // (c) STORED_RUNS suspended runs kept: cloned from a real one, straight into the database.
  const template = await startSuspended(client, "bench-suspend");
  await sleep(500); // its log line is shipped after the suspend
  const seeder = spawn(process.execPath, [join(here, "seed-suspended.ts"), bench.databaseUrl ?? dbFile, template, String(STORED_RUNS)], {
    cwd: root,
    stdio: ["ignore", "pipe", "inherit"],
  });
  children.push(seeder);
  const seedLine = await new Promise<string>((resolve) => createInterface({ input: seeder.stdout! }).once("line", resolve));
  const [seedCode] = await new Promise<[number | null]>((r) =>
    seeder.exitCode !== null ? r([seeder.exitCode]) : seeder.once("exit", (c) => r([c])),
  );
  if (seedCode !== 0) bench.fail(`the seeder exited with ${seedCode}`);
  const seeded = JSON.parse(seedLine) as {
    seconds: number;
    bytesBefore: number;
    bytesAfter: number;
    rowsPerRun: Record<string, number>;
    textPerRun: Record<string, number>;
    bytesByTable: Record<string, number>;
  };
  const { bytesAfter } = seeded;
  const url = `${server.apiUrl}/flow-runs?state=PAUSED&limit=50`;
  const list = async () => {
    const res = await fetch(url);
    const page = (await res.json()) as { items: FlowRun[] };
    if (res.status !== 200 || page.items.length !== 50) bench.fail(`GET ${url} answered ${res.status} with ${page.items?.length} runs`);
    return page.items;
  };
  for (let i = 0; i < 20; i++) await list();
  const listMs: number[] = [];
  let newest: FlowRun[] = [];
  for (let i = 0; i < LIST_REQUESTS; i++) {
    const t = process.hrtime.bigint();
    newest = await list();
    listMs.push(ms(process.hrtime.bigint() - t));
  }
  listMs.sort((a, b) => a - b);
  // A clone is a real suspended run: answered, it is replayed by the serving process and completes.
  const clone = newest.find((r) => r.id !== template)!;
  await answerOne(client, clone.id, answer(0));
  console.log(
    `(c) ${STORED_RUNS} suspended runs cloned from a real one in ${seeded.seconds.toFixed(1)} s (rows per run: ${Object.entries(seeded.rowsPerRun)
      .map(([t, n]) => `${t} ${n}`)
      .join(", ")}); database ${(bytesAfter / 1e6).toFixed(1)} MB, ` +
      `${((bytesAfter - seeded.bytesBefore) / STORED_RUNS).toFixed(0)} bytes per suspended run; a clone answered completed`,
  );
  console.log(
    `    pages per table with its indexes: ${Object.entries(seeded.bytesByTable)
      .filter(([, b]) => b > 1e5)
      .map(([t, b]) => `${t} ${(b / 1e6).toFixed(1)} MB`)
      .join(", ")}; column bytes of one suspended run: ${Object.entries(seeded.textPerRun)
      .map(([t, b]) => `${t} ${b}`)
      .join(", ")}`,
  );

  // (e) With them kept, one run at a time again: what a serving process's next line waits for now.
  const stored = await roundTrips(STORED_ANSWERS);
  console.log(`(e) ${STORED_ANSWERS} sequential suspend/answer/replay round trips with the ${STORED_RUNS} suspended runs kept`);
  console.log(`    load average before the bench: ${loadBefore}; now: ${loadAverage()}`);

  const serverRss = peakRssMb(server.child.pid!);
  const servingRss = peakRssMb(serving.pid!);
  console.log("");
  const rows: Row[] = [
    { label: "(a) sequential: answer sent -> line after suspend, p50", value: percentile(seq, 50), unit: "ms", target: { op: "<", value: 15 } },
    { label: "(a) sequential: answer sent -> line after suspend, p95", value: percentile(seq, 95), unit: "ms" },
    { label: "(a) sequential: answer sent -> line after suspend, p99", value: percentile(seq, 99), unit: "ms" },
    {
      label: "(b) batch: throughput, first answer -> last COMPLETED",
      value: BATCH_RUNS / batchSeconds,
      unit: "runs/s",
      target: { op: ">=", value: 500 },
    },
    { label: "(b) batch: answer sent -> line after suspend, p50", value: percentile(batchLat, 50), unit: "ms" },
    { label: "(b) batch: answer sent -> line after suspend, p95", value: percentile(batchLat, 95), unit: "ms" },
    { label: "(b) batch: answer sent -> line after suspend, p99", value: percentile(batchLat, 99), unit: "ms" },
    { label: `(c) database with ${STORED_RUNS} suspended runs`, value: bytesAfter / 1e6, unit: "MB" },
    { label: "(c) GET /api/flow-runs?state=PAUSED&limit=50, p50", value: percentile(listMs, 50), unit: "ms", target: { op: "<", value: 20 } },
    { label: "(c) GET /api/flow-runs?state=PAUSED&limit=50, p95", value: percentile(listMs, 95), unit: "ms", target: { op: "<", value: 20 } },
    {
      label: `(d) replay cost per completed task (${REPLAY_TASKS} vs 0 tasks)`,
      value: perTask,
      unit: "ms",
      digits: 3,
      target: { op: "<", value: 0.5 },
    },
    { label: "(d)   of which in the flow's body", value: perTaskBody, unit: "ms", digits: 4 },
    {
      label: `(e) ${STORED_RUNS} kept: answer sent -> line after suspend, p50`,
      value: percentile(stored, 50),
      unit: "ms",
      target: { op: "<", value: 20 },
    },
    { label: `(e) ${STORED_RUNS} kept: answer sent -> line after suspend, p99`, value: percentile(stored, 99), unit: "ms" },
    { label: "server process peak RSS (VmHWM)", value: serverRss, unit: "MB" },
    { label: "serving process peak RSS (VmHWM)", value: servingRss, unit: "MB" },
  ];
  report(rows);
});

// `node bench/many-paused.ts`: 10,000 runs paused at once in one flow process: the memory each costs that
// process, then all answered, none lost. On SQLite, or PostgreSQL with BENCH_POSTGRES_URL. See bench/README.md.
import { fork } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { createClient } from "../src/client/index.ts";
import type { FlowCommand, FlowReport } from "./flow-process.ts";
import { loadAverage, report, sleep, waitIdle } from "./lib.ts";
import { BenchProcesses } from "./processes.ts";

const RUNS = Number(process.env.BENCH_PAUSED_RUNS ?? 10_000);
const SENDERS = 16;
const here = new URL(".", import.meta.url).pathname;
const root = new URL("..", import.meta.url).pathname;

/** Resident memory now, in bytes. */
const rss = (pid: number) => Number(/VmRSS:\s+(\d+)\s+kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"))?.[1] ?? NaN) * 1024;

const bench = new BenchProcesses("baton-bench-paused-");
const loadBefore = loadAverage();
await bench.run(15 * 60_000, async () => {
  const server = await bench.startServer();
  const client = createClient({ apiUrl: server.apiUrl, channel: "api" });
  const flows = fork(join(here, "flow-process.ts"), [], {
    cwd: root,
    // --expose-gc: the baseline and the figure are both taken after a full collection.
    execArgv: ["--expose-gc"],
    env: { ...process.env, BATON_API_URL: server.apiUrl, BATON_LOG_TO_CONSOLE: "false" },
    stdio: ["ignore", "inherit", "inherit", "ipc"],
  });
  bench.children.push(flows);
  let done = 0;
  flows.on("message", (m: FlowReport) => {
    if (m.type === "failed") bench.abort(`a flow run failed: ${m.message}`);
    if (m.type === "done") done++;
  });
  const send = (c: FlowCommand) => flows.send(c);
  console.log(`Baton many-paused bench: ${bench.databaseName}, ${RUNS} runs paused in one flow process (pid ${flows.pid})`);

  const paused = async () => {
    const text = await (await fetch(`${server.apiUrl}/metrics`)).text();
    return Number(/^baton_runs_waiting_for_person\{suspended="false"\} (\d+)/m.exec(text)?.[1] ?? 0);
  };
  // A warm-up run, so that the baseline includes the SDK's connections, its event stream and compiled code.
  send({ cmd: "start", flowName: "bench-warmup", count: 1 });
  while ((await paused()) < 1) await sleep(50);
  const [warm] = (await client.listFlowRuns({ state: "PAUSED", limit: 1 })).items;
  await client.resume(warm!.id, { input: { approved: true, comment: "warm-up" } });
  while (done < 1) await sleep(50);
  await waitIdle([server.child.pid!, flows.pid!]);
  send({ cmd: "gc" });
  await sleep(500);
  const baseline = rss(flows.pid!);

  const started = Date.now();
  send({ cmd: "start", flowName: "bench-paused", count: RUNS });
  for (let n = 0; (n = await paused()) < RUNS; ) {
    if (Date.now() - started > 5 * 60_000) bench.fail(`only ${n} of ${RUNS} runs paused after 5 minutes`);
    await sleep(500);
  }
  const pausedSeconds = (Date.now() - started) / 1000;
  await waitIdle([server.child.pid!, flows.pid!]);
  send({ cmd: "gc" });
  await sleep(1000);
  const withPaused = rss(flows.pid!);

  // The inbox over every run waiting: its default order, the soonest timeout, a search (median of 15 reads each).
  const inboxMs: Record<string, number> = {};
  for (const [label, query] of Object.entries({
    newest: {},
    "timeout-soonest": { sort: "timeout-soonest" },
    search: { q: "bench-paused" },
  } as const)) {
    const times: number[] = [];
    for (let i = 0; i < 15; i++) {
      const t = performance.now();
      const page = await client.inbox({ ...query, limit: 200 });
      times.push(performance.now() - t);
      if (page.total < RUNS) bench.fail(`the inbox counts ${page.total} waiting runs, not ${RUNS}`);
    }
    inboxMs[label] = times.sort((a, b) => a - b)[7]!;
  }

  const ids: string[] = [];
  for (let cursor: string | undefined; ; ) {
    const page = await client.listFlowRuns({ flowName: "bench-paused", state: "PAUSED", limit: 1000, ...(cursor ? { cursor } : {}) });
    ids.push(...page.items.map((r) => r.id));
    if (!page.nextCursor) break;
    cursor = page.nextCursor;
  }
  if (ids.length !== RUNS) bench.fail(`listed ${ids.length} paused runs, not ${RUNS}`);
  const answerStarted = Date.now();
  await Promise.all(
    Array.from({ length: SENDERS }, async () => {
      for (let id = ids.pop(); id; id = ids.pop()) await client.resume(id, { input: { approved: true, comment: "bench" } });
    }),
  );
  while (done < RUNS + 1) {
    if (Date.now() - answerStarted > 5 * 60_000) bench.fail(`only ${done - 1} of ${RUNS} answered runs completed after 5 minutes`);
    await sleep(100);
  }
  const answeredSeconds = (Date.now() - answerStarted) / 1000;
  const completed = (await client.listFlowRuns({ flowName: "bench-paused", state: "COMPLETED", limit: 1 })).items.length;
  if (!completed) bench.fail("no run is COMPLETED on the server");
  console.log(
    `${RUNS} runs paused in ${pausedSeconds.toFixed(1)} s, all answered and COMPLETED in ${answeredSeconds.toFixed(1)} s; ` +
      `flow process RSS ${(baseline / 1e6).toFixed(1)} MB before, ${(withPaused / 1e6).toFixed(1)} MB with them paused (after a full GC each)`,
  );
  console.log(`    load average before the bench: ${loadBefore}`);
  report([
    {
      label: "memory per paused run in the flow process (RSS above baseline)",
      value: (withPaused - baseline) / RUNS / 1000,
      unit: "KB",
      target: { op: "<", value: 20 },
    },
    ...Object.entries(inboxMs).map(([label, value]) => ({
      label: `GET /api/inbox (${label}, 200 of all waiting, with counts per flow), median`,
      value,
      unit: "ms",
      target: { op: "<" as const, value: 500 },
    })),
    { label: "runs lost (answered but not COMPLETED)", value: RUNS + 1 - done, unit: "runs", digits: 0, target: { op: "<", value: 1 } },
  ]);
});

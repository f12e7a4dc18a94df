// `npm run bench` (messages): messages between two runs, on SQLite (PostgreSQL with BENCH_POSTGRES_URL).
//
// Three processes besides the server: this one, a flow that receives (bench/messages-process.ts receive)
// and a flow that sends to it (… send). (a) round trip: the sender sends a number, the receiver answers it
// with `respond`, and the sender waits for the answer before the next; (b) throughput: the sender sends
// BENCH_MESSAGES_ITEMS messages with BENCH_MESSAGES_IN_FLIGHT sends in flight, and the receiver reads them
// all in order; messages per second from the first send to the last message read.
import { fork, type ChildProcess } from "node:child_process";
import { join } from "node:path";
import { cpuMs, loadAverage, percentile, report } from "./lib.ts";
import type { MessagesReport } from "./messages-process.ts";
import { BenchProcesses } from "./processes.ts";

const ITEMS = Number(process.env.BENCH_MESSAGES_ITEMS ?? 5000);
const IN_FLIGHT = Number(process.env.BENCH_MESSAGES_IN_FLIGHT ?? 16);
const DEADLINE_MS = 3 * 60_000;

const here = new URL(".", import.meta.url).pathname;
const root = new URL("..", import.meta.url).pathname;
const bench = new BenchProcesses("baton-bench-messages-");

function start(apiUrl: string, args: string[], onReport: (m: MessagesReport) => void): ChildProcess {
  let stderr = "";
  const child = fork(join(here, "messages-process.ts"), args, {
    cwd: root,
    env: { ...process.env, BATON_API_URL: apiUrl, BATON_LOG_TO_CONSOLE: "false" },
    stdio: ["ignore", "inherit", "pipe", "ipc"],
  });
  bench.children.push(child);
  child.stderr!.on("data", (d: Buffer) => (stderr += d.toString()));
  child.on("exit", (code) => code && bench.abort(`a flow process exited with ${code}:\n${stderr}`));
  child.on("message", onReport);
  return child;
}

await bench.run(DEADLINE_MS, async () => {
  const { child: server, apiUrl } = await bench.startServer();
  console.log(`messages between two runs: ${bench.databaseName}, ${ITEMS} messages with ${IN_FLIGHT} sends in flight; load ${loadAverage()}`);
  const reports: MessagesReport[] = [];
  const { promise: received, resolve: onReceived } = Promise.withResolvers<void>();
  const { promise: receiverId, resolve: onReceiver } = Promise.withResolvers<string>();
  start(apiUrl, ["receive", String(ITEMS)], (m) => {
    reports.push(m);
    if (m.kind === "receiver") onReceiver(m.runId);
    if (m.kind === "received") onReceived();
  });
  const id = await receiverId;
  const serverCpu = cpuMs(server.pid!);
  start(apiUrl, ["send", id, String(ITEMS), String(IN_FLIGHT)], (m) => reports.push(m));
  await received;
  const roundTrips = reports.find((r) => r.kind === "round-trips")!.ms.sort((a, b) => a - b);
  const sent = reports.find((r) => r.kind === "sent")!;
  const got = reports.find((r) => r.kind === "received")!;
  const seconds = Number(BigInt(got.lastAt) - BigInt(sent.firstAt)) / 1e9;
  report([
    { label: "round trip (send, respond, received) p50", value: percentile(roundTrips, 50), unit: "ms" },
    { label: "round trip p95", value: percentile(roundTrips, 95), unit: "ms" },
    { label: "messages between two runs", value: got.items / seconds, unit: "msg/s", target: { op: ">=", value: 2000 } },
    { label: "server CPU per message (both phases)", value: (cpuMs(server.pid!) - serverCpu) / (got.items + roundTrips.length * 2), unit: "ms" },
  ]);
});

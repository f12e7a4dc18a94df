// Notification bench: from a pause to its webhook's receipt, idle and with 1,000 runs pausing at once.
// See bench/README.md.
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { createClient } from "../src/client/index.ts";
import { loadAverage, ms, percentile, report, type Row, withTimeout } from "./lib.ts";
import { BenchProcesses } from "./processes.ts";

const SEQUENTIAL = Number(process.env.BENCH_NOTIFY_SEQUENTIAL ?? 300);
const BURST = Number(process.env.BENCH_NOTIFY_BURST ?? 1000);
const WARMUP = 30;
const DEADLINE_MS = 5 * 60_000;

const bench = new BenchProcesses("baton-bench-notify-");

/** When the webhook got the message about each run (hrtime), and a way to wait for one. */
const received = new Map<string, bigint>();
const waiters = new Map<string, () => void>();
const receiver = createServer((req, res) => {
  let raw = "";
  req.on("data", (d) => (raw += d));
  req.on("end", () => {
    const at = process.hrtime.bigint();
    const id = (JSON.parse(raw) as { flowRun?: { id: string } }).flowRun?.id;
    if (id && !received.has(id)) {
      received.set(id, at);
      waiters.get(id)?.();
    }
    res.writeHead(200).end();
  });
});
await new Promise<void>((r) => receiver.listen(0, "127.0.0.1", r));
const hookUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`;

await bench.run(DEADLINE_MS, async () => {
  const server = await bench.startServer();
  const client = createClient({ apiUrl: server.apiUrl });
  await client.createChannel({ name: "bench", type: "webhook", url: hookUrl });
  await client.createAutomation({
    name: "bench",
    trigger: { type: "event", events: ["flow-run.paused"] },
    actions: [{ type: "notify", channel: "bench" }],
  });
  const inputRequest = { schema: { type: "object", properties: { approved: { type: "boolean" } }, required: ["approved"] } };

  /** Creates a running run, pauses it, and resolves with the ms from the pause sent to the webhook's receipt. */
  const pauseToReceipt = async (): Promise<number> => {
    const run = await client.createFlowRun({ flowName: "bench-notify", state: { type: "RUNNING" } });
    const arrived = new Promise<void>((r) => waiters.set(run.id, r));
    const sent = process.hrtime.bigint();
    await client.pause(run.id, { key: "approval", timeoutSeconds: 3600, inputRequest });
    await withTimeout(arrived, 30_000, async () => `no webhook for run ${run.id} within 30 s`);
    waiters.delete(run.id);
    return ms(received.get(run.id)! - sent);
  };

  for (let i = 0; i < WARMUP; i++) await pauseToReceipt();
  const idle: number[] = [];
  for (let i = 0; i < SEQUENTIAL; i++) idle.push(await pauseToReceipt());

  // The burst: every run paused at once (the creates and pauses go out together, as many processes would send them).
  const start = process.hrtime.bigint();
  const burst = await Promise.all(Array.from({ length: BURST }, () => pauseToReceipt()));
  const allMs = ms(process.hrtime.bigint() - start);

  idle.sort((a, b) => a - b);
  burst.sort((a, b) => a - b);
  console.log(`load average ${loadAverage()}; ${SEQUENTIAL} sequential pauses, then ${BURST} at once (all received in ${allMs.toFixed(0)} ms)`);
  const rows: Row[] = [
    { label: "idle: pause sent → webhook received, p50", value: percentile(idle, 50), unit: "ms", target: { op: "<", value: 50 } },
    { label: "idle: p99", value: percentile(idle, 99), unit: "ms", target: { op: "<", value: 200 } },
    { label: `${BURST} pausing at once: p50`, value: percentile(burst, 50), unit: "ms" },
    { label: `${BURST} pausing at once: p99`, value: percentile(burst, 99), unit: "ms", target: { op: "<", value: 5000 } },
  ];
  report(rows);
  receiver.close();
});

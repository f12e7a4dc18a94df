// A process of `bench/messages.ts` running one flow: `receive` (answers pings, then counts items) or `send`
// (pings it and waits for each answer, then sends items as fast as the server takes them). It talks to the
// bench over IPC; times are process.hrtime.bigint() (CLOCK_MONOTONIC, shared by the processes).
import { z } from "zod";
import { flow, receiveInput, sendInput } from "../src/sdk/index.ts";

export type MessagesReport =
  | { kind: "receiver"; runId: string }
  | { kind: "received"; items: number; lastAt: string }
  | { kind: "round-trips"; ms: number[] }
  | { kind: "sent"; firstAt: string; lastAt: string };

const report = (m: MessagesReport) => process.send!(m);
const [role, arg, itemsArg, inFlightArg] = process.argv.slice(2);

const receiver = flow("bench-receiver", async () => {
  report({ kind: "receiver", runId: (await import("../src/sdk/index.ts")).getRunContext().flowRun.id });
  for await (const ping of receiveInput(z.number(), { keyPrefix: "ping", withMetadata: true })) {
    if (ping.value < 0) break;
    await ping.respond(ping.value, { key: "pong" });
  }
  const items = Number(arg);
  let n = 0;
  for await (const _ of receiveInput(z.object({ i: z.number().int() }), { keyPrefix: "item" })) if (++n === items) break;
  report({ kind: "received", items: n, lastAt: String(process.hrtime.bigint()) });
});

const sender = flow("bench-sender", async () => {
  const flowRunId = arg!;
  const rounds = Number(process.env.BENCH_MESSAGES_ROUND_TRIPS ?? 300);
  const pongs = receiveInput(z.number(), { keyPrefix: "pong" })[Symbol.asyncIterator]();
  const ms: number[] = [];
  for (let i = 0; i < rounds; i++) {
    const t0 = process.hrtime.bigint();
    await sendInput(i, { flowRunId, key: "ping" });
    await pongs.next();
    ms.push(Number(process.hrtime.bigint() - t0) / 1e6);
  }
  await sendInput(-1, { flowRunId, key: "ping" });
  report({ kind: "round-trips", ms });
  // Items: a window of sends in flight, in order of sending.
  const items = Number(itemsArg);
  const inFlight = Number(inFlightArg);
  const firstAt = process.hrtime.bigint();
  let next = 0;
  await Promise.all(
    Array.from({ length: inFlight }, async () => {
      while (next < items) await sendInput({ i: next++ }, { flowRunId, key: "item" });
    }),
  );
  report({ kind: "sent", firstAt: String(firstAt), lastAt: String(process.hrtime.bigint()) });
});

process.on("message", (m: { cmd?: string }) => m.cmd === "exit" && process.exit(0));
if (role === "receive") await receiver();
else await sender();

// The suspend bench's serving process: `serve(...)` of two flows, as a user would run it, plus a report
// over IPC to the bench each time a flow runs the line after `await suspendFlowRun(...)`. Times are
// `process.hrtime.bigint()` (CLOCK_MONOTONIC, shared by every process on the machine).
import { z } from "zod";
import { flow, getRunContext, RunInput, serve, suspendFlowRun, task } from "baton";

/** What this process tells the bench: the line after the suspend ran (only ever on a replay). */
export type ServeReport = {
  type: "next-line";
  runId: string;
  /** When the line after `await suspendFlowRun(...)` ran. */
  at: string;
  /** When this execution entered the flow's body (its first line). */
  bodyStartAt: string;
  tasks: number;
};
export type ServeCommand = { cmd: "exit" };

const send = (report: ServeReport) => process.send!(report);
const now = () => String(process.hrtime.bigint());

const Approval = RunInput.from(z.object({ approved: z.boolean(), comment: z.string() }));
const prepare = task("prepare", async () => ({ amount: 42, currency: "EUR", lines: [{ sku: "A-1", quantity: 2 }] }));
const apply = task("apply", async (order: { amount: number }, approved: boolean, comment: string) => ({ ...order, approved, comment }));

/** (a), (b), (c): a task, a suspend for an approval, a task with the answer. */
export const approval = flow("bench-suspend", async () => {
  const bodyStartAt = now();
  const order = await prepare();
  const answer = await suspendFlowRun({ waitForInput: Approval, timeout: "7d" });
  send({ type: "next-line", runId: getRunContext().flowRun.id, at: now(), bodyStartAt, tasks: 1 });
  return apply(order, answer.approved, answer.comment);
});

const step = task("step", async (i: number) => ({ step: i, note: `result of step ${i}` }));

/** (d): `tasks` tasks, then a suspend; a replay returns each kept result without running the task. */
export const replay = flow({ name: "bench-replay", parameters: z.object({ tasks: z.number().int().min(0) }) }, async ({ tasks }) => {
  const bodyStartAt = now();
  for (let i = 0; i < tasks; i++) await step(i);
  await suspendFlowRun({ timeout: "7d" });
  send({ type: "next-line", runId: getRunContext().flowRun.id, at: now(), bodyStartAt, tasks });
});

process.on("message", (m: ServeCommand) => {
  if (m.cmd === "exit") process.exit(0);
});

await serve(approval, replay, process.env.BENCH_SERVE_LIMIT ? { limit: Number(process.env.BENCH_SERVE_LIMIT) } : {});

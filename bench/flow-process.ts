// The bench's flow process: runs the approval flow on command from the bench (over IPC) and reports,
// for each run, when the line after `await pauseFlowRun(...)` ran and when the run was COMPLETED.
// Times are `process.hrtime.bigint()`: CLOCK_MONOTONIC, shared by every process on the machine, so the
// bench can subtract the time it sent the answer.
import { join } from "node:path";
import { writeHeapSnapshot } from "node:v8";
import { z } from "zod";
import { flow, getRunContext, pauseFlowRun, RunInput, task } from "baton";

/** What the bench asks of this process. */
export type FlowCommand = { cmd: "start"; flowName: string; count: number } | { cmd: "gc" } | { cmd: "exit" };

/** What this process tells the bench. */
export type FlowReport =
  | { type: "paused-soon"; runId: string }
  | { type: "done"; runId: string; nextLineAt: string; completedAt: string }
  | { type: "failed"; message: string };

const Approval = RunInput.from(z.object({ approved: z.boolean(), comment: z.string() }));
/**
 * With a rule its JSON Schema cannot carry, so that the server has this process check each answer before
 * the run resumes (bench/validate.ts); the plain one above is checked by the server alone.
 */
const CheckedApproval = RunInput.from(
  z.object({ approved: z.boolean(), comment: z.string() }).refine((a) => a.approved || a.comment.trim() !== "", {
    message: "Say why when you reject.",
    path: ["comment"],
  }),
);

const prepare = task("prepare", async () => ({ amount: 42 }));
const apply = task("apply", async (order: { amount: number }, approved: boolean, comment: string) => ({
  ...order,
  approved,
  comment,
}));

const nextLineAt = new Map<string, bigint>();

const send = (report: FlowReport) => process.send!(report);

function approvalFlow(name: string) {
  return flow(name, async () => {
    const runId = getRunContext().flowRun.id;
    const order = await prepare();
    send({ type: "paused-soon", runId });
    const answer = await pauseFlowRun({ waitForInput: name.startsWith("bench-validate") ? CheckedApproval : Approval, timeout: "10m" });
    nextLineAt.set(runId, process.hrtime.bigint());
    return { runId, result: await apply(order, answer.approved, answer.comment) };
  });
}

const flows = new Map<string, ReturnType<typeof approvalFlow>>();

async function runOne(flowName: string): Promise<void> {
  let f = flows.get(flowName);
  if (!f) flows.set(flowName, (f = approvalFlow(flowName)));
  const { runId } = await f();
  const completedAt = process.hrtime.bigint();
  send({ type: "done", runId, nextLineAt: String(nextLineAt.get(runId)), completedAt: String(completedAt) });
  nextLineAt.delete(runId);
}

process.on("message", (m: FlowCommand) => {
  if (m.cmd === "exit") process.exit(0);
  if (m.cmd === "gc") {
    // The collection V8 makes under memory pressure: it also compacts the heap and gives its free pages
    // back, which a plain gc() keeps (the burst of starting thousands of runs at once grows the heap).
    (globalThis.gc as ((o: object) => void) | undefined)?.({ type: "major", execution: "sync", flavor: "last-resort" });
    // BENCH_HEAP_SNAPSHOT_DIR: a heap snapshot after each collection, to see what a paused run holds.
    if (process.env.BENCH_HEAP_SNAPSHOT_DIR) writeHeapSnapshot(join(process.env.BENCH_HEAP_SNAPSHOT_DIR, `flow-${Date.now()}.heapsnapshot`));
    return;
  }
  for (let i = 0; i < m.count; i++) runOne(m.flowName).catch((e: Error) => send({ type: "failed", message: `${e.name}: ${e.message}` }));
});

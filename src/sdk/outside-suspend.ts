import { randomUUID } from "node:crypto";
import type { RunContext } from "./run-context.ts";
import { getRuntime } from "./runtime.ts";
import { SuspendSignal } from "./suspend-signal.ts";

/**
 * At a task or pause boundary: if someone asked to suspend the run from outside, suspends it here (a
 * suspend that asks nothing; an answer without input resumes it on a serving process, which replays it)
 * and throws the signal that ends this process's execution of it. Concurrent callers share one suspend.
 */
export async function suspendIfRequested(ctx: RunContext): Promise<void> {
  if (!ctx.control.suspendRequested) return;
  ctx.control.suspending ??= (async () => {
    // Its own key, which no pause of the flow's code can have: the replay never asks it again.
    const key = `suspend-${randomUUID().slice(0, 8)}`;
    const { client, workerId } = getRuntime();
    await client.pause(ctx.flowRun.id, { key, timeoutSeconds: null, inputRequest: null, suspend: true, workerId });
    ctx.control.stopped ??= new SuspendSignal(ctx.flowRun.id, key, "was suspended from outside");
    return ctx.control.stopped;
  })();
  throw await ctx.control.suspending;
}

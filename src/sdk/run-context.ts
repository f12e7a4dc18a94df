import { AsyncLocalStorage } from "node:async_hooks";
import { MissingContextError } from "../contract/errors.ts";
import type { FlowRun, TaskRun } from "../contract/index.ts";
import type { SuspendSignal } from "./suspend-signal.ts";

/** The task run the current code belongs to, inside a task. */
export interface TaskRunContext extends TaskRun {
  /**
   * The same for every execution of this task call in this run: each retry, a replay after a suspend, a
   * re-run after its process died before the result was kept. Pass it to the service the task calls (an
   * `Idempotency-Key` header, a unique column), so that a side effect made by an execution that died
   * before reporting is not made again. It is the task run's id.
   *
   * @example
   * const charge = task("charge", async (amount: number) => {
   *   const { idempotencyKey } = getRunContext().taskRun!;
   *   await fetch("https://payments.example/charges", { method: "POST", headers: { "Idempotency-Key": idempotencyKey }, body: JSON.stringify({ amount }) });
   * });
   */
  readonly idempotencyKey: string;
}

/** What the SDK knows about the flow run (and task run) the current code belongs to. */
export interface RunContext {
  readonly flowRun: FlowRun;
  /** Set inside a task. */
  readonly taskRun?: TaskRunContext | undefined;
  /** Counters for default pause keys and task call positions; shared by the run's tasks. */
  readonly counters: { pauses: number; tasks: number };
  /** What earlier executions of this run recorded, when it is replayed: task runs by key, answers by pause key. */
  readonly history?: { tasks: Map<string, TaskRun>; answers: Map<string, unknown> } | undefined;
  /** Set once this process must stop executing the run: it suspended, or the server gave it to another process. */
  readonly control: { stopped?: SuspendSignal | undefined };
}

const storage = new AsyncLocalStorage<RunContext>();

/** Runs `fn` with `context` as the current run. */
export function runWithContext<T>(context: RunContext, fn: () => T): T {
  return storage.run(context, fn);
}

/** The current run, or undefined outside a flow run. */
export function currentContext(): RunContext | undefined {
  return storage.getStore();
}

/**
 * The current flow run (and task run, inside a task).
 * @example getRunContext().flowRun.id
 * @throws MissingContextError outside a flow run.
 */
export function getRunContext(): RunContext {
  const ctx = storage.getStore();
  if (!ctx) throw new MissingContextError("getRunContext()");
  return ctx;
}

/** The current run, or a MissingContextError naming `what`. */
export function requireContext(what: string): RunContext {
  const ctx = storage.getStore();
  if (!ctx) throw new MissingContextError(what);
  return ctx;
}

/** Throws the signal that stopped this run, if any: no new step may start after a suspend. */
export function assertNotStopped(ctx: RunContext): void {
  if (ctx.control.stopped) throw ctx.control.stopped;
}

import { AsyncLocalStorage } from "node:async_hooks";
import { MissingContextError } from "../contract/errors.ts";
import type { FlowRun, RejectedAnswer, TaskRun } from "../contract/index.ts";
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
  /**
   * What earlier executions of this run recorded, when it is replayed: task runs by key, answers by pause
   * key, and the pauses whose answer the flow rejected, to be asked again.
   */
  readonly history?: { tasks: Map<string, TaskRun>; answers: Map<string, unknown>; reask?: ReadonlySet<string> } | undefined;
  /** Whether task results are kept: only where a replay can need them (a deployment run, or a flow with retries). */
  readonly keepResults: boolean;
  /** When the run must have ended (its flow's `timeout`): no pause outlasts it. */
  readonly deadline?: string | undefined;
  /**
   * Set once this process must stop executing the run: it suspended, or the server gave it to another
   * process. `pause` is set while the run waits at a pause: tasks called meanwhile wait for `over`, which
   * resolves once the pause is answered and rejects with what ended the wait otherwise.
   */
  readonly control: {
    stopped?: SuspendSignal | undefined;
    /** Set when this execution must not go on (its flow timed out): the next task or pause throws it. */
    aborted?: Error | undefined;
    pause?: { key: string; over: Promise<void> } | undefined;
    /** Someone asked to suspend the run from outside: it suspends at its next task or pause (`suspending` while it does). */
    suspendRequested?: boolean | undefined;
    suspending?: Promise<SuspendSignal> | undefined;
    /** The last answer the flow refused: the run's next pause carries it, so that whoever answers sees why. */
    rejected?: RejectedAnswer | undefined;
  };
}

const storage = new AsyncLocalStorage<RunContext>();
/** The runs this process executes, by id, so that a request from outside (a suspend) can reach them. */
const executing = new Map<string, RunContext>();

/** Makes `ctx` reachable by its run id until the returned function is called. */
export function trackExecution(ctx: RunContext): () => void {
  executing.set(ctx.flowRun.id, ctx);
  return () => {
    if (executing.get(ctx.flowRun.id) === ctx) executing.delete(ctx.flowRun.id);
  };
}

/** Marks run `flowRunId`, if this process executes it, to suspend at its next task or pause. */
export function requestSuspend(flowRunId: string): void {
  const ctx = executing.get(flowRunId);
  if (ctx) ctx.control.suspendRequested = true;
}

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
  if (ctx.control.aborted) throw ctx.control.aborted;
}

/**
 * Holds the run's tasks from now until `release` (the pause `key` was answered) or `fail` (the wait ended
 * otherwise: the tasks waiting then throw `error`).
 */
export function holdTasks(ctx: RunContext, key: string): { release: () => void; fail: (error: unknown) => void } {
  const { promise, resolve, reject } = Promise.withResolvers<void>();
  promise.catch(() => {}); // a pause that no task waited on must not leave an unhandled rejection
  const hold = { key, over: promise };
  ctx.control.pause = hold;
  const end = () => {
    if (ctx.control.pause === hold) ctx.control.pause = undefined;
  };
  return {
    release: () => (end(), resolve()),
    fail: (error) => (end(), reject(error)),
  };
}

import { errorInfo } from "./flow.ts";
import { getRunLogger } from "./logger.ts";
import { assertNotStopped, currentContext, runWithContext } from "./run-context.ts";
import { decodeResult, encodeResult, UnserializableResultError } from "./result-serializer.ts";
import { SuspendSignal } from "./suspend-signal.ts";
import { BadRequestError, ReplayDivergenceError } from "../contract/errors.ts";
import { getRuntime } from "./runtime.ts";
import { parseDuration } from "../contract/duration.ts";

/** Options of `task`. */
export interface TaskOptions<A extends unknown[] = unknown[]> {
  name: string;
  /** How many times to retry after a failure (default 0). */
  retries?: number;
  /** Seconds (or a duration such as "5s") to wait between attempts (default 0). */
  retryDelaySeconds?: number | string;
  /**
   * The call's identity within its run, for replay, from its arguments: use it where the order of
   * calls can vary between executions. By default a call is known by its position among the run's task calls.
   */
  key?: (...args: A) => string;
}

/** A task: each call inside a flow run is recorded as a task run with its state and result. */
export type Task<A extends unknown[], R> = ((...args: A) => Promise<R>) & { readonly taskName: string };

/**
 * Defines a task. Inside a flow run each call becomes a task run, retried as configured, with its result
 * kept; when a suspended run is replayed, a call that completed before returns its kept result without
 * running again. Outside a flow run a task is a plain function call.
 *
 * @example
 * const charge = task({ name: "charge-card", retries: 3, retryDelaySeconds: 2 }, async (amount: number) => pay(amount));
 */
export function task<A extends unknown[], R>(nameOrOptions: string | TaskOptions<A>, fn: (...args: A) => Promise<R> | R): Task<A, R> {
  const options: TaskOptions<A> = typeof nameOrOptions === "string" ? { name: nameOrOptions } : nameOrOptions;
  const retries = options.retries ?? 0;
  const delayMs =
    options.retryDelaySeconds === undefined || options.retryDelaySeconds === 0 ? 0 : parseDuration(options.retryDelaySeconds, "retry delay") * 1000;
  const call = async (...args: A): Promise<R> => {
    const ctx = currentContext();
    if (!ctx) return fn(...args);
    assertNotStopped(ctx);
    const { client, logs } = getRuntime();
    // The position is taken synchronously, so concurrent calls still get the same keys on every execution.
    const taskKey = options.key ? `${options.name}:${options.key(...args)}` : `#${++ctx.counters.tasks}`;
    const recorded = ctx.history?.tasks.get(taskKey);
    if (recorded?.name === options.name && recorded.state.type === "COMPLETED") return decodeResult(recorded.result) as R;
    let taskRun = recorded ?? (await client.createTaskRun({ flowRunId: ctx.flowRun.id, name: options.name, taskKey, state: { type: "RUNNING" } }));
    if (taskRun.name !== options.name) throw new ReplayDivergenceError(ctx.flowRun.id, taskKey, taskRun.name, options.name);
    if (taskRun.state.type === "COMPLETED") return decodeResult(taskRun.result) as R;
    let first = taskRun.attempts;
    if (taskRun.state.type !== "RUNNING") {
      // Left failed or waiting by an earlier execution of this run: run it again.
      first = taskRun.attempts + 1;
      taskRun = await client.setTaskRunState(taskRun.id, { state: { type: "RUNNING", name: "Retrying" }, attempts: first });
    }
    return runWithContext({ ...ctx, taskRun: { ...taskRun, idempotencyKey: taskRun.id } }, async () => {
      const logger = getRunLogger();
      for (let attempt = first; ; attempt++) {
        let result: R;
        try {
          result = await fn(...args);
        } catch (error) {
          if (error instanceof SuspendSignal) throw error; // the task is run again when the run is replayed
          const info = errorInfo(error);
          if (attempt - first >= retries) {
            logger.error(`Task failed after ${attempt} attempt${attempt > 1 ? "s" : ""}: ${info.name}: ${info.message}`);
            await logs.flush();
            await client
              .setTaskRunState(taskRun.id, { state: { type: "FAILED", message: info.message, details: { error: info } }, attempts: attempt })
              .catch(() => {});
            throw error;
          }
          logger.warning(`Attempt ${attempt} failed (${info.message}); retrying in ${delayMs / 1000}s.`);
          await client.setTaskRunState(taskRun.id, {
            state: { type: "SCHEDULED", name: "AwaitingRetry", message: info.message, details: { error: info } },
            attempts: attempt,
          });
          if (delayMs) await new Promise((r) => setTimeout(r, delayMs));
          await client.setTaskRunState(taskRun.id, { state: { type: "RUNNING", name: "Retrying" }, attempts: attempt + 1 });
          continue;
        }
        try {
          await client.setTaskRunState(taskRun.id, { state: { type: "COMPLETED" }, attempts: attempt, result: encodeResult(result, options.name) });
        } catch (error) {
          // A result that cannot be kept (not serializable, or too large) fails the task with the reason.
          if (!(error instanceof UnserializableResultError || error instanceof BadRequestError)) throw error;
          await client
            .setTaskRunState(taskRun.id, {
              state: { type: "FAILED", message: error.message, details: { error: errorInfo(error) } },
              attempts: attempt,
            })
            .catch(() => {});
          throw error;
        }
        return result;
      }
    });
  };
  return Object.assign(call, { taskName: options.name });
}

import { errorInfo } from "./flow.ts";
import { getRunLogger } from "./logger.ts";
import { currentContext, runWithContext } from "./run-context.ts";
import { getRuntime } from "./runtime.ts";
import { parseDuration } from "./duration.ts";

/** Options of `task`. */
export interface TaskOptions {
  name: string;
  /** How many times to retry after a failure (default 0). */
  retries?: number;
  /** Seconds (or a duration such as "5s") to wait between attempts (default 0). */
  retryDelaySeconds?: number | string;
}

/** A task: each call inside a flow run is recorded as a task run with its state and result. */
export type Task<A extends unknown[], R> = ((...args: A) => Promise<R>) & { readonly taskName: string };

/**
 * Defines a task. Inside a flow run each call becomes a task run (identified by its name and call
 * order), retried as configured, with its result kept; outside a flow run it is a plain function call.
 *
 * @example
 * const charge = task({ name: "charge-card", retries: 3, retryDelaySeconds: 2 }, async (amount: number) => pay(amount));
 */
export function task<A extends unknown[], R>(nameOrOptions: string | TaskOptions, fn: (...args: A) => Promise<R> | R): Task<A, R> {
  const options: TaskOptions = typeof nameOrOptions === "string" ? { name: nameOrOptions } : nameOrOptions;
  const retries = options.retries ?? 0;
  const delayMs = options.retryDelaySeconds === undefined || options.retryDelaySeconds === 0 ? 0 : parseDuration(options.retryDelaySeconds, "retry delay") * 1000;
  const call = async (...args: A): Promise<R> => {
    const ctx = currentContext();
    if (!ctx) return fn(...args);
    const { client, logs } = getRuntime();
    // The call order is taken synchronously, so concurrent calls still get stable keys.
    const index = (ctx.counters.tasks.get(options.name) ?? 0) + 1;
    ctx.counters.tasks.set(options.name, index);
    const taskRun = await client.createTaskRun({
      flowRunId: ctx.flowRun.id,
      name: options.name,
      taskKey: `${options.name}-${index}`,
      state: { type: "RUNNING" },
    });
    return runWithContext({ ...ctx, taskRun }, async () => {
      const logger = getRunLogger();
      for (let attempt = 1; ; attempt++) {
        try {
          const result = await fn(...args);
          const json = result === undefined ? undefined : JSON.parse(JSON.stringify(result) ?? "null");
          await client.setTaskRunState(taskRun.id, { state: { type: "COMPLETED" }, attempts: attempt, ...(json !== undefined ? { result: json } : {}) });
          return result;
        } catch (error) {
          const info = errorInfo(error);
          if (attempt > retries) {
            logger.error(`Task failed after ${attempt} attempt${attempt > 1 ? "s" : ""}: ${info.name}: ${info.message}`);
            await logs.flush();
            await client.setTaskRunState(taskRun.id, { state: { type: "FAILED", message: info.message, details: { error: info } }, attempts: attempt }).catch(() => {});
            throw error;
          }
          logger.warning(`Attempt ${attempt} failed (${info.message}); retrying in ${delayMs / 1000}s.`);
          await client.setTaskRunState(taskRun.id, {
            state: { type: "SCHEDULED", name: "AwaitingRetry", message: info.message, details: { error: info } },
            attempts: attempt,
          });
          if (delayMs) await new Promise((r) => setTimeout(r, delayMs));
          await client.setTaskRunState(taskRun.id, { state: { type: "RUNNING", name: "Retrying" }, attempts: attempt + 1 });
        }
      }
    });
  };
  return Object.assign(call, { taskName: options.name });
}

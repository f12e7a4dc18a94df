import { errorInfo } from "./flow.ts";
import { getRunLogger } from "./logger.ts";
import { assertNotStopped, currentContext, runWithContext, type RunContext } from "./run-context.ts";
import { decodeResult, encodeResult, type ResultSerializer, UnserializableResultError } from "./result-serializer.ts";
import { SuspendSignal } from "./suspend-signal.ts";
import { BadRequestError, InvalidTransitionError, ReplayDivergenceError, ResultTooLargeError } from "../contract/errors.ts";
import { MAX_ROW_RESULT_BYTES, type SetTaskRunStateBody, type TaskRun } from "../contract/index.ts";
import { suspendIfRequested } from "./outside-suspend.ts";
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
  /**
   * Whether the result is kept in the database for replay. By default it is only where a replay can need
   * it: in a run of a deployment (which can suspend) or of a flow with `retries`. Elsewhere any value may
   * be returned, of any size. `false` never keeps it: a replay runs the task again.
   */
  persistResult?: boolean;
  /** Keeps the result as text through your own serializer (superjson, devalue, ...), for types JSON cannot carry. */
  serializer?: ResultSerializer;
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
    const { client, logs, workerId } = getRuntime();
    // The position is taken synchronously, so concurrent calls still get the same keys on every execution.
    const taskKey = options.key ? `${options.name}:${options.key(...args)}` : `#${++ctx.counters.tasks}`;
    const recorded = ctx.history?.tasks.get(taskKey);
    const keep = options.persistResult ?? ctx.keepResults;
    if (recorded?.name === options.name && recorded.state.type === "COMPLETED") {
      // Completed without a kept result (persistResult: false): the replay runs it again, unrecorded.
      const kept = await keptResult(recorded, options.serializer);
      return kept ? (kept.value as R) : fn(...args);
    }
    await suspendIfRequested(ctx);
    const paused = ctx.control.pause;
    const state = paused ? awaitingResume(paused.key) : { type: "RUNNING" as const };
    let taskRun = recorded ?? (await client.createTaskRun({ flowRunId: ctx.flowRun.id, name: options.name, taskKey, state, workerId }));
    if (taskRun.name !== options.name) throw new ReplayDivergenceError(ctx.flowRun.id, taskKey, taskRun.name, options.name);
    if (taskRun.state.type === "COMPLETED") {
      const kept = await keptResult(taskRun, options.serializer);
      return kept ? (kept.value as R) : fn(...args);
    }
    await waitWhilePaused(ctx, taskRun.id);
    let first = taskRun.attempts;
    if (taskRun.state.type === "PENDING") {
      taskRun = await report(taskRun.id, { state: { type: "RUNNING" }, attempts: first });
    } else if (taskRun.state.type !== "RUNNING") {
      // Left failed or waiting by an earlier execution of this run: run it again.
      first = taskRun.attempts + 1;
      taskRun = await report(taskRun.id, { state: { type: "RUNNING", name: "Retrying" }, attempts: first });
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
            await report(taskRun.id, { state: { type: "FAILED", message: info.message, details: { error: info } }, attempts: attempt }).catch(
              () => {},
            );
            throw error;
          }
          logger.warning(`Attempt ${attempt} failed (${info.message}); retrying in ${delayMs / 1000}s.`);
          await report(taskRun.id, {
            state: { type: "SCHEDULED", name: "AwaitingRetry", message: info.message, details: { error: info } },
            attempts: attempt,
          });
          if (delayMs) await new Promise((r) => setTimeout(r, delayMs));
          await report(taskRun.id, { state: { type: "RUNNING", name: "Retrying" }, attempts: attempt + 1 });
          continue;
        }
        try {
          await complete(taskRun.id, attempt, keep ? encodeResult(result, options.name, options.serializer) : undefined);
        } catch (error) {
          // A result that cannot be kept (not serializable, or too large) fails the task with the reason.
          if (!(error instanceof UnserializableResultError || error instanceof ResultTooLargeError || error instanceof BadRequestError)) throw error;
          await report(taskRun.id, {
            state: { type: "FAILED", message: error.message, details: { error: errorInfo(error) } },
            attempts: attempt,
          }).catch(() => {});
          throw error;
        }
        return result;
      }
    });
  };
  return Object.assign(call, { taskName: options.name });
}

/**
 * Reports a task run completed, with its encoded result when it is kept: in the task run's row, or, past
 * what a row keeps, uploaded to the result store first.
 */
async function complete(taskRunId: string, attempts: number, encoded: unknown): Promise<void> {
  const { client } = getRuntime();
  const state = { type: "COMPLETED" as const };
  const json = encoded === undefined ? undefined : JSON.stringify(encoded);
  try {
    if (json === undefined) await report(taskRunId, { state, attempts });
    else if (Buffer.byteLength(json) <= MAX_ROW_RESULT_BYTES) await report(taskRunId, { state, attempts, result: encoded });
    else {
      await client.uploadTaskResult(taskRunId, json);
      await report(taskRunId, { state, attempts, resultUploaded: true });
    }
  } catch (error) {
    // Completed already: a report sent again after its answer was lost, or another process's execution of
    // the same call after a recovery. Its result is kept either way.
    if (!(error instanceof InvalidTransitionError && error.details.from === "COMPLETED")) throw error;
  }
}

/** What a completed task run kept, read from the result store when it is there; undefined when it kept nothing. */
async function keptResult(taskRun: TaskRun, serializer: ResultSerializer | undefined): Promise<{ value: unknown } | undefined> {
  if (taskRun.storedResult) return { value: decodeResult(JSON.parse(await getRuntime().client.readTaskResult(taskRun.id)), serializer) };
  return taskRun.result === undefined ? undefined : { value: decodeResult(taskRun.result, serializer) };
}

/** The state of a task run called while its flow run waits at pause `key`. */
function awaitingResume(key: string) {
  return { type: "PENDING" as const, name: "AwaitingResume", message: `Called while the run waits at pause "${key}"; starts once it is answered` };
}

/**
 * Waits until the run is not paused (pause after pause, in a loop). When a pause ends otherwise than
 * answered, the task never starts: its task run is cancelled (or left waiting, for the replay, when the
 * run was suspended) and the task throws what ended the pause.
 */
async function waitWhilePaused(ctx: RunContext, taskRunId: string): Promise<void> {
  for (let paused = ctx.control.pause; paused; paused = ctx.control.pause) {
    try {
      await paused.over;
    } catch (error) {
      if (!(error instanceof SuspendSignal)) {
        const message = `Not started: the run's pause "${paused.key}" ended without an answer`;
        await report(taskRunId, { state: { type: "CANCELLED", message } }).catch(() => {});
      }
      throw error;
    }
  }
}

/** Sets a task run's state as this process: refused (RunTakenOverError) when another process runs the flow run now. */
function report(taskRunId: string, body: SetTaskRunStateBody): Promise<TaskRun> {
  const { client, workerId } = getRuntime();
  return client.setTaskRunState(taskRunId, { ...body, workerId });
}

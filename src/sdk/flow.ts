import type { z } from "zod";
import {
  BatonError,
  FlowRunCancelledError,
  FlowRunEndedError,
  FlowTimeoutError,
  InvalidTransitionError,
  ParametersValidationError,
  PauseTimeoutError,
  RunInputValidationError,
  RunTakenOverError,
  RuntimeClosedError,
} from "../contract/errors.ts";
import type { ErrorInfo, FlowRun, RunHistory } from "../contract/index.ts";
import { parseDuration } from "../contract/duration.ts";
import { pointerOf } from "./input-checks.ts";
import { getRunLogger } from "./logger.ts";
import { runWithContext, trackExecution, type RunContext } from "./run-context.ts";
import { SuspendSignal } from "./suspend-signal.ts";
import { getRuntime } from "./runtime.ts";
import type { ServeOptions } from "./serve.ts";
import { rememberInputs, type WaitForInput } from "./run-input.ts";

/** Options of `flow`. */
export interface FlowOptions<P extends z.ZodObject | undefined = undefined> {
  name: string;
  /** Describes and validates the parameters; invalid parameters throw before any run is created. */
  parameters?: P;
  description?: string;
  /**
   * Seconds, or a duration such as "30m": how long the run may take from its start, waits for people
   * included. Past it the run fails with FlowTimeoutError; a pause or suspend never waits longer (its own
   * `timeout` is cut to the run's). Each retry gets the same time again from its own start.
   */
  timeout?: number | string;
  /** How many times a failed run is run again in this process, replaying what completed (default 0). */
  retries?: number;
  /** Seconds, or a duration such as "10s", between a failure and its retry (default 0). */
  retryDelaySeconds?: number | string;
  /**
   * What the flow's pauses and suspends ask for (`waitForInput`s). A process serving the flow checks an
   * answer to a suspended run with these, refinements included, before the run resumes (422 on a refusal);
   * a process waiting in a live pause needs no list. Undeclared, such an answer is checked by its JSON
   * Schema alone, and the flow's own rules run after the run resumes (RunInputValidationError).
   */
  inputs?: readonly WaitForInput[];
  /** Words to find its runs by in the inbox and `baton flow-run ls --tag` ("billing", "team:finance"); every run gets them. */
  tags?: string[];
}

/** Options of one call of a flow. */
export interface RunOptions {
  /** Tags of this run only, added to the flow's. */
  tags?: string[];
}

type Params<P> = P extends z.ZodObject ? z.input<P> : Record<string, unknown> | void;

/** What `serve()` needs to run a flow for a run it claimed. */
export interface FlowDefinition {
  readonly name: string;
  readonly description: string | undefined;
  readonly parameters: z.ZodObject | undefined;
  /** The tags every run gets. */
  readonly tags: readonly string[];
  readonly fn: (parameters: Record<string, unknown>) => unknown;
  /** Its retries and timeout. */
  readonly policy: RunPolicy;
}

/** A flow: calling it creates a flow run on the server and runs the function in this process. */
export type Flow<P, R> = ((parameters?: Params<P>, options?: RunOptions) => Promise<R>) & {
  readonly flowName: string;
  readonly definition: FlowDefinition;
};

/**
 * The key of a hidden property of every flow: the `serve` of the copy of the SDK that defined it.
 * `baton serve` serves a flow through it, so that a module that loaded its own copy of Baton runs its
 * flows inside that copy's run context (another copy's `serve` would leave its `pauseFlowRun` without a
 * current run). `Symbol.for`, so that every copy finds the same key.
 */
export const SERVE_WITH = Symbol.for("baton.serve");

/** This copy's `serve`, loaded when first used: serve.ts imports this file, so a static import would be a cycle. */
async function serveWithThisCopy(...items: (Flow<any, any> | ServeOptions)[]): Promise<void> {
  const { serve } = await import("./serve.ts");
  return serve(...items);
}

/**
 * Defines a flow. Each call creates a flow run, runs `fn` with its parameters, and reports the states
 * Running → Completed or Failed (message and stack kept). Many runs may run at once in one process.
 *
 * @example
 * const greet = flow("greet-user", async () => {
 *   const { name } = await pauseFlowRun({ waitForInput: UserName });
 *   getRunLogger().info(`Hello, ${name}!`);
 * });
 * await greet();
 * await greet({}, { tags: ["vip"] }); // this run's tags, with the flow's own (`flow({ name, tags })`)
 */
export function flow<R, P extends z.ZodObject | undefined = undefined>(
  nameOrOptions: string | FlowOptions<P>,
  fn: (parameters: P extends z.ZodObject ? z.output<P> : Record<string, unknown>) => Promise<R> | R,
): Flow<P, R> {
  const options: FlowOptions<P> = typeof nameOrOptions === "string" ? { name: nameOrOptions } : nameOrOptions;
  if (options.inputs) rememberInputs(options.inputs);
  const definition: FlowDefinition = {
    name: options.name,
    description: options.description,
    parameters: options.parameters,
    tags: options.tags ?? [],
    fn: fn as FlowDefinition["fn"],
    policy: {
      retries: options.retries,
      retryDelayMs: options.retryDelaySeconds === undefined ? 0 : parseDuration(options.retryDelaySeconds, "retryDelaySeconds") * 1000,
      timeoutSeconds: options.timeout === undefined ? undefined : parseDuration(options.timeout, "timeout"),
    },
  };
  const run = async (parameters?: Params<P>, runOptions: RunOptions = {}): Promise<R> => {
    const raw = (parameters ?? {}) as Record<string, unknown>;
    const params = parseParameters(definition, raw);
    const { client, workerId } = getRuntime();
    const tags = [...definition.tags, ...(runOptions.tags ?? [])];
    const flowRun = await client.createFlowRun({
      flowName: options.name,
      parameters: toJsonObject(raw),
      state: { type: "RUNNING" },
      workerId,
      ...(tags.length ? { tags } : {}),
    });
    const outcome = await executeFlowRun(flowRun, () => fn(params as never), undefined, definition.policy);
    if (outcome.kind === "stopped") throw outcome.signal; // cannot happen: only deployment runs suspend
    return outcome.result as R;
  };
  Object.defineProperty(run, SERVE_WITH, { value: serveWithThisCopy });
  return Object.assign(run, { flowName: options.name, definition });
}

/** Checks parameters against the flow's schema; the parsed values (defaults applied) are what `fn` gets. */
export function parseParameters(definition: FlowDefinition, raw: Record<string, unknown>): Record<string, unknown> {
  if (!definition.parameters) return raw;
  const parsed = definition.parameters.safeParse(raw);
  if (!parsed.success)
    throw new ParametersValidationError(
      definition.name,
      parsed.error.issues.map((i) => ({ path: pointerOf(i.path), message: i.message })),
    );
  return parsed.data as Record<string, unknown>;
}

/** How an execution of a run ended in this process. */
export type ExecutionOutcome = { kind: "completed"; result: unknown } | { kind: "stopped"; signal: SuspendSignal };

/** Errors that end a run for good: retrying would undo what a person or the server decided. */
const NOT_RETRIED = [FlowRunCancelledError, FlowRunEndedError, RuntimeClosedError];

/**
 * Runs `body` as flow run `flowRun` in this process, reporting Completed or Failed. A run that
 * suspends (or that the server gave to another process) ends as "stopped", with its state left as is.
 * With `policy.retries`, a failed attempt is run again after `retryDelayMs`, replayed from what the
 * database kept (completed tasks, accepted answers; a pause whose answer was rejected asks again); with
 * `policy.timeoutSeconds`, an attempt that has not ended by then fails with FlowTimeoutError.
 */
export async function executeFlowRun(
  flowRun: FlowRun,
  body: () => unknown,
  history?: RunContext["history"],
  policy: RunPolicy = NO_POLICY,
): Promise<ExecutionOutcome> {
  const { client, logs, heartbeats, workerId } = getRuntime();
  // The first attempt's deadline counts from the run's start, so that a replay after a suspend keeps it.
  let started = Date.parse(flowRun.startTime ?? new Date().toISOString());
  // An answer refused in one attempt is told with the pause that asks again in the next.
  let rejected: RunContext["control"]["rejected"];
  for (let attempt = 1; ; attempt++) {
    const deadline = policy.timeoutSeconds === undefined ? undefined : new Date(started + policy.timeoutSeconds * 1000).toISOString();
    // Results are kept only where a replay can need them: a suspend (deployment runs) or a retry.
    const keepResults = flowRun.deploymentId !== null || (policy.retries ?? 0) > 0;
    const context: RunContext = { flowRun, counters: { pauses: 0, tasks: 0 }, control: { rejected }, history, deadline, keepResults };
    heartbeats.track(context);
    const untrack = trackExecution(context);
    try {
      return await runWithContext(context, async (): Promise<ExecutionOutcome> => {
        const logger = getRunLogger();
        /** Ends this process's execution of the run: suspended, or another process's now. */
        const stop = async (signal: SuspendSignal): Promise<ExecutionOutcome> => {
          logger.info(signal.message);
          await logs.flush();
          return { kind: "stopped", signal };
        };
        let result: unknown;
        try {
          result = await withDeadline(context, body);
        } catch (error) {
          const signal = error instanceof SuspendSignal ? error : (context.control.stopped ??= takenOver(flowRun.id, error));
          if (signal) return stop(signal);
          if (error instanceof FlowRunCancelledError) {
            logger.warning(error.message);
            await logs.flush();
            throw error;
          }
          const info = errorInfo(error);
          if (attempt <= (policy.retries ?? 0) && !NOT_RETRIED.some((c) => error instanceof c)) {
            logger.warning(`Attempt ${attempt} failed: ${info.name}: ${info.message}; retrying in ${(policy.retryDelayMs ?? 0) / 1000}s.`);
            throw new RetrySignal(error);
          }
          logger.error(`Flow run failed: ${info.name}: ${info.message}`);
          await logs.flush();
          await client
            .setFlowRunState(flowRun.id, { type: "FAILED", message: info.message, details: { error: info, ...pauseOf(error) } }, { workerId })
            .catch(() => {
              // Already final (the server failed it on timeout, or it was cancelled), or another process's now: that state stands.
            });
          throw error;
        }
        await logs.flush();
        // User code that swallowed a suspend must not complete a run this process no longer owns.
        if (context.control.stopped) return { kind: "stopped", signal: context.control.stopped };
        // A run cancelled meanwhile refuses this with FlowRunCancelledError, which the caller gets.
        try {
          await client.setFlowRunState(flowRun.id, { type: "COMPLETED" }, { workerId });
        } catch (error) {
          const signal = takenOver(flowRun.id, error);
          if (!signal) throw error;
          return stop(signal);
        }
        return { kind: "completed", result };
      });
    } catch (e) {
      if (!(e instanceof RetrySignal)) throw e;
      // The failed attempt may still run in the background (a timeout cannot stop it): its next step throws.
      context.control.aborted ??= e.error instanceof Error ? e.error : new Error(String(e.error));
      rejected = context.control.rejected;
      history = await retryHistory(flowRun, attempt, e.error, policy.retryDelayMs ?? 0);
      started = Date.now();
    } finally {
      heartbeats.untrack(flowRun.id);
      untrack();
    }
  }
}

/**
 * A step the server refused because the run is scheduled again: it gave the run to another process (this
 * one seemed dead: missed heartbeats, a closed event stream) before this one heard of it. The run is the
 * other process's now, to replay: this one lets it go instead of failing it.
 */
function takenOver(flowRunId: string, error: unknown): SuspendSignal | undefined {
  const lost =
    error instanceof RunTakenOverError || (error instanceof InvalidTransitionError && ["SCHEDULED", "PENDING"].includes(error.details.from));
  return lost ? new SuspendSignal(flowRunId, "", "was given to another process by the server (this one seemed gone)") : undefined;
}

/**
 * The pause a failure happened at, kept on the failed state: a rejected answer, so that a retry of the run
 * asks again; a timeout, so that a late answer is told when the pause expired.
 */
function pauseOf(error: unknown): { pauseKey?: string; pauseTimeout?: string | null } {
  if (error instanceof RunInputValidationError) return { pauseKey: error.details.pauseKey };
  if (error instanceof PauseTimeoutError) return { pauseKey: error.details.pauseKey, pauseTimeout: error.details.timeoutAt };
  if (error instanceof FlowTimeoutError && error.details.pauseKey) return { pauseKey: error.details.pauseKey, pauseTimeout: error.details.timeoutAt };
  return {};
}

/** A flow's retries and timeout, as `executeFlowRun` applies them. */
export interface RunPolicy {
  readonly retries?: number | undefined;
  readonly retryDelayMs?: number | undefined;
  readonly timeoutSeconds?: number | undefined;
}
const NO_POLICY: RunPolicy = {};

/** Carries a failed attempt's error out of its run context, to the retry loop. */
class RetrySignal {
  readonly error: unknown;
  constructor(error: unknown) {
    this.error = error;
  }
}

/** Runs `body`, failing with FlowTimeoutError at the context's deadline (and stopping the run's next step). */
async function withDeadline(ctx: RunContext, body: () => unknown): Promise<unknown> {
  if (!ctx.deadline) return body();
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => {
        const error = new FlowTimeoutError(ctx.flowRun.id, ctx.deadline!, ctx.control.pause?.key);
        ctx.control.aborted ??= error;
        reject(error);
      },
      Math.max(0, Date.parse(ctx.deadline!) - Date.now()),
    );
  });
  try {
    return await Promise.race([Promise.resolve().then(body), expired]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Marks the run as retrying, waits `delayMs`, and reads back what the database kept for the replay of
 * the next attempt. An answer the flow rejected is not replayed: its pause asks again.
 */
async function retryHistory(flowRun: FlowRun, attempt: number, error: unknown, delayMs: number): Promise<RunContext["history"]> {
  const { client, workerId } = getRuntime();
  const info = errorInfo(error);
  // Forced: the failed attempt may have left the run paused (a timeout) or failed by the server; this
  // process takes the run again.
  await client.setFlowRunState(
    flowRun.id,
    {
      type: "RUNNING",
      name: "Retrying",
      message: `Attempt ${attempt} failed (${info.message}); attempt ${attempt + 1} follows`,
      details: { error: info },
    },
    { force: true, workerId },
  );
  if (delayMs) await new Promise((r) => setTimeout(r, delayMs));
  const [taskRuns, inputs] = await Promise.all([client.listTaskRuns(flowRun.id), client.listRunInputs(flowRun.id)]);
  const rejected = error instanceof RunInputValidationError ? error.details.pauseKey : undefined;
  return historyOf({ taskRuns, inputs }, rejected);
}

/** The replay history of a run from its task runs and inputs; `rejected` names a pause to ask again. */
export function historyOf(recorded: RunHistory, rejected?: string): NonNullable<RunContext["history"]> {
  return {
    tasks: new Map(recorded.taskRuns.map((t) => [t.taskKey, t])),
    answers: new Map(recorded.inputs.filter((i) => i.respondedAt && i.key !== rejected).map((i) => [i.key, i.response ?? null])),
    reask: new Set(rejected ? [rejected] : []),
  };
}

/** The parts of an error worth keeping on a failed state. */
export function errorInfo(error: unknown): ErrorInfo {
  if (error instanceof Error)
    return {
      name: error.name,
      message: error.message,
      ...(error.stack ? { stack: error.stack } : {}),
      ...(error instanceof BatonError ? { code: error.code } : {}),
    };
  return { name: "Error", message: String(error) };
}

/** Parameters as the server keeps them: JSON, with what JSON cannot hold dropped. */
function toJsonObject(value: Record<string, unknown>): Record<string, unknown> {
  return JSON.parse(JSON.stringify(value ?? {})) as Record<string, unknown>;
}

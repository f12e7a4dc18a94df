import type { z } from "zod";
import { BatonError, FlowRunCancelledError, ParametersValidationError, RunInputValidationError } from "../contract/errors.ts";
import type { ErrorInfo, FlowRun } from "../contract/index.ts";
import { getRunLogger } from "./logger.ts";
import { runWithContext, trackExecution, type RunContext } from "./run-context.ts";
import { SuspendSignal } from "./suspend-signal.ts";
import { getRuntime } from "./runtime.ts";
import type { ServeOptions } from "./serve.ts";

/** Options of `flow`. */
export interface FlowOptions<P extends z.ZodObject | undefined = undefined> {
  name: string;
  /** Describes and validates the parameters; invalid parameters throw before any run is created. */
  parameters?: P;
  description?: string;
}

type Params<P> = P extends z.ZodObject ? z.input<P> : Record<string, unknown> | void;

/** What `serve()` needs to run a flow for a run it claimed. */
export interface FlowDefinition {
  readonly name: string;
  readonly description: string | undefined;
  readonly parameters: z.ZodObject | undefined;
  readonly fn: (parameters: Record<string, unknown>) => unknown;
}

/** A flow: calling it creates a flow run on the server and runs the function in this process. */
export type Flow<P, R> = ((parameters?: Params<P>) => Promise<R>) & { readonly flowName: string; readonly definition: FlowDefinition };

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
 */
export function flow<R, P extends z.ZodObject | undefined = undefined>(
  nameOrOptions: string | FlowOptions<P>,
  fn: (parameters: P extends z.ZodObject ? z.output<P> : Record<string, unknown>) => Promise<R> | R,
): Flow<P, R> {
  const options: FlowOptions<P> = typeof nameOrOptions === "string" ? { name: nameOrOptions } : nameOrOptions;
  const definition: FlowDefinition = {
    name: options.name,
    description: options.description,
    parameters: options.parameters,
    fn: fn as FlowDefinition["fn"],
  };
  const run = async (parameters?: Params<P>): Promise<R> => {
    const raw = (parameters ?? {}) as Record<string, unknown>;
    const params = parseParameters(definition, raw);
    const { client, workerId } = getRuntime();
    const flowRun = await client.createFlowRun({ flowName: options.name, parameters: toJsonObject(raw), state: { type: "RUNNING" }, workerId });
    const outcome = await executeFlowRun(flowRun, () => fn(params as never));
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
      parsed.error.issues.map((i) => ({ path: i.path.length ? `/${i.path.join("/")}` : "", message: i.message })),
    );
  return parsed.data as Record<string, unknown>;
}

/** How an execution of a run ended in this process. */
export type ExecutionOutcome = { kind: "completed"; result: unknown } | { kind: "stopped"; signal: SuspendSignal };

/**
 * Runs `body` as flow run `flowRun` in this process, reporting Completed or Failed. A run that
 * suspends (or that the server gave to another process) ends as "stopped", with its state left as is.
 */
export async function executeFlowRun(flowRun: FlowRun, body: () => unknown, history?: RunContext["history"]): Promise<ExecutionOutcome> {
  const { client, logs, heartbeats } = getRuntime();
  const context: RunContext = { flowRun, counters: { pauses: 0, tasks: 0 }, control: {}, history };
  heartbeats.track(context);
  const untrack = trackExecution(context);
  try {
    return await runWithContext(context, async (): Promise<ExecutionOutcome> => {
      const logger = getRunLogger();
      let result: unknown;
      try {
        result = await body();
      } catch (error) {
        const signal = error instanceof SuspendSignal ? error : context.control.stopped;
        if (signal) {
          logger.info(signal.message);
          await logs.flush();
          return { kind: "stopped", signal };
        }
        if (error instanceof FlowRunCancelledError) {
          logger.warning(error.message);
          await logs.flush();
          throw error;
        }
        const info = errorInfo(error);
        logger.error(`Flow run failed: ${info.name}: ${info.message}`);
        await logs.flush();
        // A rejected answer names its pause, so that a retry of the run asks it again.
        const pauseKey = error instanceof RunInputValidationError ? { pauseKey: error.details.pauseKey } : {};
        await client.setFlowRunState(flowRun.id, { type: "FAILED", message: info.message, details: { error: info, ...pauseKey } }).catch(() => {
          // Already final (the server failed it on timeout, or it was cancelled): that state stands.
        });
        throw error;
      }
      await logs.flush();
      // User code that swallowed a suspend must not complete a run this process no longer owns.
      if (context.control.stopped) return { kind: "stopped", signal: context.control.stopped };
      // A run cancelled meanwhile refuses this with FlowRunCancelledError, which the caller gets.
      await client.setFlowRunState(flowRun.id, { type: "COMPLETED" });
      return { kind: "completed", result };
    });
  } finally {
    heartbeats.untrack(flowRun.id);
    untrack();
  }
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

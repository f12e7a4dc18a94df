import type { z } from "zod";
import { BatonError, FlowRunCancelledError, ParametersValidationError } from "../contract/errors.ts";
import type { ErrorInfo, FlowRun } from "../contract/index.ts";
import { getRunLogger } from "./logger.ts";
import { runWithContext, type RunContext } from "./run-context.ts";
import { getRuntime } from "./runtime.ts";

/** Options of `flow`. */
export interface FlowOptions<P extends z.ZodObject | undefined = undefined> {
  name: string;
  /** Describes and validates the parameters; invalid parameters throw before any run is created. */
  parameters?: P;
  description?: string;
}

type Params<P> = P extends z.ZodObject ? z.input<P> : Record<string, unknown> | void;

/** A flow: calling it creates a flow run on the server and runs the function in this process. */
export type Flow<P, R> = ((parameters?: Params<P>) => Promise<R>) & { readonly flowName: string };

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
  const run = async (parameters?: Params<P>): Promise<R> => {
    const raw = (parameters ?? {}) as Record<string, unknown>;
    let params = raw;
    if (options.parameters) {
      const parsed = options.parameters.safeParse(raw);
      if (!parsed.success)
        throw new ParametersValidationError(
          options.name,
          parsed.error.issues.map((i) => ({ path: i.path.length ? `/${i.path.join("/")}` : "", message: i.message })),
        );
      params = parsed.data as Record<string, unknown>;
    }
    const { client, logs } = getRuntime();
    const flowRun = await client.createFlowRun({ flowName: options.name, parameters: toJsonObject(raw), state: { type: "RUNNING" } });
    return executeFlowRun(flowRun, () => fn(params as never), async () => {
      await logs.flush();
    });
  };
  return Object.assign(run, { flowName: options.name });
}

/** Runs `body` as flow run `flowRun`, reporting its final state. */
async function executeFlowRun<R>(flowRun: FlowRun, body: () => Promise<R> | R, flushLogs: () => Promise<void>): Promise<R> {
  const { client } = getRuntime();
  const context: RunContext = { flowRun, counters: { pauses: 0, tasks: new Map() } };
  return runWithContext(context, async () => {
    const logger = getRunLogger();
    let result: R;
    try {
      result = await body();
    } catch (error) {
      if (error instanceof FlowRunCancelledError) {
        logger.warning(error.message);
        await flushLogs();
        throw error;
      }
      const info = errorInfo(error);
      logger.error(`Flow run failed: ${info.name}: ${info.message}`);
      await flushLogs();
      await client.setFlowRunState(flowRun.id, { type: "FAILED", message: info.message, details: { error: info } }).catch(() => {
        // Already final (the server failed it on timeout, or it was cancelled): that state stands.
      });
      throw error;
    }
    await flushLogs();
    // A run cancelled meanwhile refuses this with FlowRunCancelledError, which the caller gets.
    await client.setFlowRunState(flowRun.id, { type: "COMPLETED" });
    return result;
  });
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

import type { LogLevel } from "../contract/index.ts";
import { requireContext } from "./run-context.ts";
import { getRuntime } from "./runtime.ts";

/** A logger whose lines go to the server, tagged with the run, and to the console. */
export interface RunLogger {
  debug(message: string): void;
  info(message: string): void;
  warning(message: string): void;
  /** Same as `warning`. */
  warn(message: string): void;
  error(message: string): void;
}

/**
 * The logger of the current flow run (or task run).
 * @example getRunLogger().info(`Hello, ${input.name}!`)
 * @throws MissingContextError outside a flow run.
 */
export function getRunLogger(): RunLogger {
  const ctx = requireContext("getRunLogger()");
  const { logs, logToConsole } = getRuntime();
  const write = (level: LogLevel, message: string) => {
    const timestamp = new Date().toISOString();
    logs.add({ flowRunId: ctx.flowRun.id, taskRunId: ctx.taskRun?.id ?? null, level, message: String(message), timestamp });
    if (logToConsole) {
      const where = ctx.taskRun ? `${ctx.flowRun.name} / ${ctx.taskRun.name}` : ctx.flowRun.name;
      const line = `${timestamp.slice(11, 23)} | ${level.toUpperCase().padEnd(7)} | ${where} - ${message}`;
      (level === "error" || level === "warning" ? console.error : console.log)(line);
    }
  };
  return {
    debug: (m) => write("debug", m),
    info: (m) => write("info", m),
    warning: (m) => write("warning", m),
    warn: (m) => write("warning", m),
    error: (m) => write("error", m),
  };
}

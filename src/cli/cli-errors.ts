import { CommanderError } from "commander";
import { BatonError, type FieldError, InvalidInputError, ParametersValidationError } from "../contract/errors.ts";
import { formatPath } from "./format.ts";

/** Thrown when `--input` is not JSON; the answer is never sent. */
export class InputNotJsonError extends BatonError {
  static readonly code = "INPUT_NOT_JSON";
  constructor(reason: string) {
    super(
      InputNotJsonError.code,
      `--input is not valid JSON (${reason}). Quote the answer as JSON, e.g. --input '{"name":"Ada"}', --input 42 or --input '"text"'.`,
    );
  }
}

/** Thrown when `baton flow-run resume` asked for the answer and the person left the form; nothing was sent. */
export class NoAnswerError extends BatonError<{ flowRunId: string }> {
  static readonly code = "NO_ANSWER";
  constructor(flowRunId: string) {
    super(NoAnswerError.code, `No answer was sent; flow run ${flowRunId} is still paused.`, { flowRunId });
  }
}

/** Thrown when the flow refused an answer after its run resumed, and asks again: the answer did not take. */
export class AnswerRefusedByFlowError extends BatonError<{ flowRunId: string; pauseKey: string; errors: FieldError[] }> {
  static readonly code = "ANSWER_REFUSED_BY_FLOW";
  constructor(flowRunId: string, pauseKey: string, errors: FieldError[]) {
    super(
      AnswerRefusedByFlowError.code,
      `The flow refused the answer; flow run ${flowRunId} asks again at pause "${pauseKey}". Answer again with \`baton flow-run resume ${flowRunId}\`.`,
      { flowRunId, pauseKey, errors },
    );
  }
}

/** Thrown when `baton serve` cannot serve what it was given; nothing is served. One problem per module (or name clash). */
export class FlowModulesError extends BatonError<{ problems: readonly string[] }> {
  static readonly code = "FLOW_MODULES";
  readonly problems: readonly string[];
  constructor(problems: readonly string[]) {
    super(FlowModulesError.code, problems.join("; "), { problems });
    this.problems = problems;
  }
}

/**
 * The exit code of a failed command: 2 for a wrong command line (commander's errors; 0 for `--help`
 * and `--version`, which commander also throws), 1 for everything else.
 */
export function exitCodeOf(error: unknown): number {
  if (error instanceof CommanderError) return error.exitCode === 0 ? 0 : 2;
  return 1;
}

/**
 * A refused field as one line: its message, which names the field (json-schema/messages.ts); a message
 * that does not (a flow's own rule: "Green is only in stock for medium and up") after the field's path.
 */
export function fieldErrorLine(e: FieldError): string {
  const key = e.path.split("/").findLast((k) => k !== "" && !/^\d+$/.test(k));
  return key === undefined || e.message.toLowerCase().includes(key.toLowerCase()) ? e.message : `${formatPath(e.path)}: ${e.message}`;
}

/**
 * Prints a failed command's error as one line on stderr (its message says what happened and what to
 * do), then, for a refused answer or refused parameters, one line per field (each message names its
 * field, json-schema/messages.ts); modules that `baton serve`
 * cannot serve are one line each. The stack and causes only when `BATON_DEBUG=1`.
 */
export function reportError(error: unknown, stderr: NodeJS.WritableStream = process.stderr): void {
  // Commander has printed its own message already.
  if (error instanceof CommanderError) return;
  if (error instanceof InvalidInputError) {
    stderr.write(
      error.details.messageKey === undefined
        ? `error: The answer does not match what the pause asks for; flow run ${error.details.flowRunId} is still paused.\n`
        : `error: The message does not match what flow run ${error.details.flowRunId} receives under "${error.details.messageKey}"; it was not sent.\n`,
    );
    for (const e of error.errors) stderr.write(`  ${fieldErrorLine(e)}\n`);
  } else if (error instanceof AnswerRefusedByFlowError) {
    stderr.write(`error: ${error.message}\n`);
    for (const e of error.details.errors) stderr.write(`  ${fieldErrorLine(e)}\n`);
  } else if (error instanceof ParametersValidationError) {
    stderr.write(`error: The parameters do not fit what deployment ${error.details.flowName} takes; no run was created.\n`);
    for (const e of error.details.errors) stderr.write(`  ${fieldErrorLine(e)}\n`);
  } else if (error instanceof FlowModulesError) {
    for (const problem of error.problems) stderr.write(`error: ${problem}\n`);
  } else {
    const message = error instanceof Error ? error.message : String(error);
    stderr.write(`error: ${message.split("\n")[0]}\n`);
  }
  if (process.env.BATON_DEBUG === "1" && error instanceof Error) {
    for (let e: unknown = error; e instanceof Error; e = e.cause) stderr.write(`${e.stack ?? e.message}\n`);
  }
}

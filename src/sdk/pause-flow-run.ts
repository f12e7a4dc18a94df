import { FlowRunCancelledError, PauseTimeoutError, RunInputValidationError } from "../contract/errors.ts";
import { PauseKey } from "../contract/index.ts";
import { parseDuration } from "./duration.ts";
import { getRunLogger } from "./logger.ts";
import { requireContext } from "./run-context.ts";
import { schemaOf, toInputRequest, type InputOf, type WaitForInput } from "./run-input.ts";
import { getRuntime } from "./runtime.ts";
import { ConfigError } from "../contract/errors.ts";

/** Options of `pauseFlowRun`. */
export interface PauseOptions<W extends WaitForInput | undefined> {
  /** What to ask for: a `RunInput`, a Zod object, or a Zod schema of one value (then the bare value is returned). */
  waitForInput?: W;
  /** Seconds, or a duration such as "15m" or "7d". Default 1 hour. When it passes, the run fails. */
  timeout?: number | string;
  /** This pause's key; by default pauses are numbered in call order ("1", "2", ...). */
  key?: string;
}

/**
 * Pauses the current flow run until a person answers, then returns the answer, parsed and fully
 * validated by the schema (including `refine` checks). The process keeps running meanwhile; the
 * answer arrives pushed through the server's event stream.
 *
 * @example
 * const order = await pauseFlowRun({ waitForInput: ShirtOrder, timeout: "15m" });
 * @throws PauseTimeoutError when nobody answered in time (the run fails).
 * @throws RunInputValidationError when the answer fails the schema's own checks; pausing again asks anew.
 * @throws FlowRunCancelledError when the run was cancelled while it waited.
 */
export async function pauseFlowRun<W extends WaitForInput | undefined = undefined>(options: PauseOptions<W> = {}): Promise<InputOf<W>> {
  const ctx = requireContext("pauseFlowRun()");
  const { client, pauses } = getRuntime();
  const flowRunId = ctx.flowRun.id;
  const key = options.key ?? String(++ctx.counters.pauses);
  const keyCheck = PauseKey.safeParse(key);
  if (!keyCheck.success) throw new ConfigError(`The pause key "${key}" is not valid: ${keyCheck.error.issues[0]!.message}.`);
  const timeoutSeconds = parseDuration(options.timeout ?? 3600);
  const inputRequest = options.waitForInput ? toInputRequest(options.waitForInput) : null;

  await pauses.ready();
  // Wait before asking, so that even an answer given within the same millisecond is caught.
  const outcome = pauses.wait(flowRunId, key);
  let answer: unknown;
  try {
    const result = await client.pause(flowRunId, { key, timeoutSeconds, inputRequest });
    if (result.status === "ALREADY_ANSWERED") {
      pauses.forget(flowRunId);
      return parseAnswer<W>(options.waitForInput as W, result.input, flowRunId, key);
    }
  } catch (e) {
    pauses.forget(flowRunId);
    throw e;
  }
  const logger = getRunLogger();
  logger.info(`Paused at "${key}"; waiting for ${inputRequest ? "input" : "someone to resume it"} (times out in ${formatSeconds(timeoutSeconds)}).`);

  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<"timeout">((resolve) => (timer = setTimeout(() => resolve("timeout"), timeoutSeconds * 1000)));
  const first = await Promise.race([outcome, timedOut]);
  clearTimeout(timer);
  if (first === "timeout") {
    // One last look: an answer may have come as the clock ran out.
    await pauses.check([flowRunId]);
    const late = await Promise.race([outcome, Promise.resolve(undefined)]);
    if (!late || late.kind !== "answered") {
      pauses.forget(flowRunId);
      throw new PauseTimeoutError(flowRunId, key, new Date().toISOString());
    }
    answer = late.input;
  } else if (first.kind === "ended") {
    if (first.state.type === "CANCELLED") throw new FlowRunCancelledError(flowRunId, first.state.message);
    if (first.state.details.error?.code === "PAUSE_TIMEOUT") throw new PauseTimeoutError(flowRunId, key, first.state.details.pauseKey ? (first.state.timestamp ?? null) : null);
    throw new FlowRunCancelledError(flowRunId, `the run ended as ${first.state.name} while it waited`);
  } else {
    answer = first.input;
  }
  logger.info(`Resumed at "${key}".`);
  return parseAnswer<W>(options.waitForInput as W, answer, flowRunId, key);
}

function parseAnswer<W extends WaitForInput | undefined>(w: W, input: unknown, flowRunId: string, key: string): InputOf<W> {
  if (!w) return undefined as InputOf<W>;
  const parsed = schemaOf(w).safeParse(input);
  if (!parsed.success) throw new RunInputValidationError(flowRunId, key, parsed.error.issues);
  return parsed.data as InputOf<W>;
}

function formatSeconds(s: number): string {
  if (s % 86400 === 0) return `${s / 86400}d`;
  if (s % 3600 === 0) return `${s / 3600}h`;
  if (s % 60 === 0) return `${s / 60}m`;
  return `${s}s`;
}

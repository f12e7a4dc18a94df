import { FlowRunCancelledError, FlowRunEndedError, PauseTimeoutError, RunInputValidationError } from "../contract/errors.ts";
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
  let timeoutAt: string;
  try {
    const result = await client.pause(flowRunId, { key, timeoutSeconds, inputRequest });
    if (result.status === "ALREADY_ANSWERED") {
      pauses.forget(flowRunId);
      return parseAnswer<W>(options.waitForInput as W, result.input, flowRunId, key);
    }
    timeoutAt = result.flowRun.state.details.pauseTimeout ?? new Date(Date.now() + timeoutSeconds * 1000).toISOString();
  } catch (e) {
    pauses.forget(flowRunId);
    throw e;
  }
  const logger = getRunLogger();
  logger.info(`Paused at "${key}"; waiting for ${inputRequest ? "input" : "someone to resume it"} (times out in ${formatSeconds(timeoutSeconds)}).`);

  const deadline = waitUntil(Date.parse(timeoutAt));
  const first = await Promise.race([outcome, deadline.promise]);
  deadline.cancel();
  let answer: unknown;
  if (first === "timeout") {
    // One last look: an answer may have come as the clock ran out.
    await pauses.check([flowRunId]);
    const late = await Promise.race([outcome, Promise.resolve(undefined)]);
    if (!late || late.kind !== "answered") {
      pauses.forget(flowRunId);
      throw new PauseTimeoutError(flowRunId, key, timeoutAt);
    }
    answer = late.input;
  } else if (first.kind === "ended") {
    const { state } = first;
    if (state.type === "CANCELLED") throw new FlowRunCancelledError(flowRunId, state.message);
    if (state.details.error?.code === "PAUSE_TIMEOUT") throw new PauseTimeoutError(flowRunId, key, timeoutAt);
    throw new FlowRunEndedError(flowRunId, state.name, state.message);
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

/** Resolves "timeout" at `epochMs`; Node timers overflow past 24.8 days, so long waits are chained. */
function waitUntil(epochMs: number): { promise: Promise<"timeout">; cancel: () => void } {
  let timer: NodeJS.Timeout | undefined;
  const promise = new Promise<"timeout">((resolve) => {
    const arm = () => {
      const left = epochMs - Date.now();
      if (left <= 0) return resolve("timeout");
      timer = setTimeout(arm, Math.min(left, 2 ** 31 - 1));
    };
    arm();
  });
  return { promise, cancel: () => clearTimeout(timer) };
}

function formatSeconds(s: number): string {
  if (s % 86400 === 0) return `${s / 86400}d`;
  if (s % 3600 === 0) return `${s / 3600}h`;
  if (s % 60 === 0) return `${s / 60}m`;
  return `${s}s`;
}

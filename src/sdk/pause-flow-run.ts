import {
  ConfigError,
  FlowRunCancelledError,
  FlowRunEndedError,
  FlowTimeoutError,
  NotADeploymentRunError,
  NotPausedError,
  PauseTimeoutError,
  RunInputValidationError,
  RuntimeClosedError,
} from "../contract/errors.ts";
import {
  type Channel,
  PauseKey,
  type InputRequest,
  type OnTimeout,
  type PauseBody,
  type PauseResult,
  type RejectedAnswer,
} from "../contract/index.ts";
import { parseDuration } from "../contract/duration.ts";
import { getRunLogger } from "./logger.ts";
import { assertNotStopped, holdTasks, requireContext, type RunContext } from "./run-context.ts";
import { rememberSchema } from "./input-checks.ts";
import { schemaOf, toInputRequest, type InputOf, type WaitForInput } from "./run-input.ts";
import { suspendIfRequested } from "./outside-suspend.ts";
import { getRuntime } from "./runtime.ts";
import { SuspendSignal } from "./suspend-signal.ts";

/** Who may answer a pause, and how many must; checked by the server against who is signed in. */
export interface RespondentOptions<R extends number | undefined> {
  /** User names and `group:<name>`: only they may answer (403 for anyone else). Default: anyone whose role lets them answer. */
  respondents?: readonly string[];
  /** The person who started the run may not answer it (no approving one's own request). */
  excludeRunCreator?: boolean;
  /**
   * How many different permitted people must answer. With it, the call returns every answer, each with
   * who gave it and when, once that many have answered.
   */
  required?: R;
}

/** One person's answer to a pause with `required`: the parsed input, who gave it (an admin on someone's behalf: `onBehalfOf`), how and when. */
export interface AnswerOf<T> {
  input: T;
  respondedBy: string | null;
  onBehalfOf: string | null;
  channel: Channel;
  respondedAt: string;
}

/** What a pause returns: the answer, or with `required`, every answer with who gave it. */
export type PauseAnswer<W, R extends number | undefined> = R extends number ? AnswerOf<InputOf<W>>[] : InputOf<W>;

/** Options of `pauseFlowRun`. */
export interface PauseOptions<W extends WaitForInput | undefined, R extends number | undefined = undefined> extends RespondentOptions<R> {
  /** What to ask for: a `RunInput`, a Zod object, or a Zod schema of one value (then the bare value is returned). */
  waitForInput?: W;
  /** Seconds, or a duration such as "15m" or "7d". Default 1 hour. When it passes, the run fails. */
  timeout?: number | string;
  /** This pause's key; by default pauses are numbered in call order ("1", "2", ...). */
  key?: string;
  /**
   * In a run of a deployment: wait live (instant resume) this long, then turn into a suspend and let
   * this process go. The answer is delivered the same way either side of the switch.
   */
  suspendAfter?: number | string;
  /**
   * What the timeout does: `"fail"` (the default: the run fails and this call throws `PauseTimeoutError`),
   * `"cancel"` (the run is cancelled; this call throws `FlowRunCancelledError`), or `{ answer }`: the run
   * goes on with that answer, recorded with the channel `timeout` (checked against the schema now).
   */
  onTimeout?: OnTimeoutOption<W>;
}

/** What a pause's timeout does: fail the run, cancel it, or answer for the person who did not. */
export type OnTimeoutOption<W extends WaitForInput | undefined> = "fail" | "cancel" | { answer: InputOf<W> };

/** Options of `suspendFlowRun`. */
export interface SuspendOptions<W extends WaitForInput | undefined, R extends number | undefined = undefined> extends RespondentOptions<R> {
  waitForInput?: W;
  /** Seconds, or a duration such as "7d". By default a suspended run waits for as long as it takes. */
  timeout?: number | string;
  key?: string;
  /** As for `pauseFlowRun`; it matters only with a `timeout`. */
  onTimeout?: OnTimeoutOption<W>;
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
export async function pauseFlowRun<W extends WaitForInput | undefined = undefined, R extends number | undefined = undefined>(
  options: PauseOptions<W, R> = {},
): Promise<PauseAnswer<W, R>> {
  const ctx = requireContext("pauseFlowRun()");
  const suspendAfterSeconds = options.suspendAfter === undefined ? undefined : parseDuration(options.suspendAfter, "suspendAfter");
  if (suspendAfterSeconds !== undefined && !ctx.flowRun.deploymentId)
    throw new NotADeploymentRunError(ctx.flowRun.id, "pauseFlowRun({ suspendAfter })");
  const question = prepare(ctx, options, parseDuration(options.timeout ?? 3600));
  const { key } = question;
  if (ctx.history?.answers.has(key)) return parseAnswer<W, R>(ctx, options, ctx.history.answers.get(key), key);
  await suspendIfRequested(ctx);
  // Tasks called while the run is paused start only once it is answered.
  const hold = holdTasks(ctx, key);
  let answer: unknown;
  try {
    answer = await waitForAnswer(ctx, question, suspendAfterSeconds);
  } catch (e) {
    hold.fail(e);
    throw e;
  }
  hold.release();
  return parseAnswer<W, R>(ctx, options, answer, key);
}

/** Asks the question of a pause and waits for its answer (the raw value); throws when the wait ends otherwise. */
async function waitForAnswer(ctx: RunContext, question: ReturnType<typeof prepare>, suspendAfterSeconds: number | undefined): Promise<unknown> {
  const { client, pauses } = getRuntime();
  const { flowRunId, key } = question;
  await pauses.ready();
  // Wait before asking, so that even an answer given within the same millisecond is caught.
  const outcome = pauses.wait(flowRunId, key, question.schema);
  let timeoutAt: string | null;
  let flowTimeoutAt: string | undefined;
  // The run's own deadline may be what the pause timed out at.
  const timedOut = () => (flowTimeoutAt ? new FlowTimeoutError(flowRunId, flowTimeoutAt, key) : new PauseTimeoutError(flowRunId, key, timeoutAt));
  try {
    const result = await client.pause(flowRunId, question.body);
    if (result.status === "ALREADY_ANSWERED") {
      pauses.forget(flowRunId);
      return result.input;
    }
    timeoutAt = result.flowRun.state.details.pauseTimeout ?? null;
    flowTimeoutAt = result.flowRun.state.details.flowTimeoutAt;
  } catch (e) {
    pauses.forget(flowRunId);
    throw e;
  }
  const logger = getRunLogger();
  logger.info(
    `Paused at "${key}"; waiting for ${question.inputRequest ? "input" : "someone to resume it"}${timeoutAt ? ` (times out in ${formatSeconds(question.timeoutSeconds!)})` : ""}.`,
  );

  const deadline = waitUntil(timeoutAt ? Date.parse(timeoutAt) : Number.POSITIVE_INFINITY, "timeout");
  const switchover = waitUntil(suspendAfterSeconds === undefined ? Number.POSITIVE_INFINITY : Date.now() + suspendAfterSeconds * 1000, "suspend");
  let first = await Promise.race([outcome, deadline.promise, switchover.promise]);
  switchover.cancel();
  if (first === "suspend") {
    try {
      await client.suspend(flowRunId, key, `Suspended after waiting live for ${formatSeconds(suspendAfterSeconds!)}`);
      pauses.forget(flowRunId);
      deadline.cancel();
      throw stop(ctx, new SuspendSignal(flowRunId, key, "was suspended"));
    } catch (e) {
      if (!(e instanceof NotPausedError)) throw e;
      first = await Promise.race([outcome, deadline.promise]); // answered meanwhile: the answer is on its way
    }
  }
  deadline.cancel();
  // With an onTimeout other than "fail" the server decides what the timeout does: wait for its word.
  if (first === "timeout" && question.onTimeout !== "fail") first = await outcome;
  let answer: unknown;
  if (first === "timeout") {
    // One last look: an answer may have come as the clock ran out.
    await pauses.check([flowRunId]);
    const late = await Promise.race([outcome, Promise.resolve(undefined)]);
    if (late?.kind !== "answered") {
      pauses.forget(flowRunId);
      throw timedOut();
    }
    answer = late.input;
  } else if (first.kind === "suspended") {
    throw stop(ctx, new SuspendSignal(flowRunId, key, "was suspended by the server"));
  } else if (first.kind === "closed") {
    throw new RuntimeClosedError(flowRunId, key);
  } else if (first.kind === "ended") {
    const { state } = first;
    if (state.type === "CANCELLED") throw new FlowRunCancelledError(flowRunId, state.message);
    const code = state.details.error?.code;
    if (code === PauseTimeoutError.code || code === FlowTimeoutError.code) throw timedOut();
    throw new FlowRunEndedError(flowRunId, state.name, state.message);
  } else {
    answer = first.input;
  }
  logger.info(`Resumed at "${key}".`);
  return answer;
}

/**
 * Suspends the current run of a deployment until a person answers: the question is recorded, the run
 * set Suspended, and this process's execution of it ends here (nothing after this line runs now, and
 * the run is not failed). Once answered, a serving process runs the flow again from the start: completed
 * tasks return their kept results, answered pauses their answers, and this call returns the answer.
 *
 * @example
 * const { approved } = await suspendFlowRun({ waitForInput: Approval, timeout: "7d" });
 * @throws NotADeploymentRunError when the run was not started from a deployment.
 */
export async function suspendFlowRun<W extends WaitForInput | undefined = undefined, R extends number | undefined = undefined>(
  options: SuspendOptions<W, R> = {},
): Promise<PauseAnswer<W, R>> {
  const ctx = requireContext("suspendFlowRun()");
  if (!ctx.flowRun.deploymentId) throw new NotADeploymentRunError(ctx.flowRun.id, "suspendFlowRun()");
  const question = prepare(ctx, options, options.timeout === undefined ? null : parseDuration(options.timeout));
  const { flowRunId, key } = question;
  if (ctx.history?.answers.has(key)) return parseAnswer<W, R>(ctx, options, ctx.history.answers.get(key), key);
  const hold = holdTasks(ctx, key);
  let result: PauseResult;
  try {
    result = await getRuntime().client.pause(flowRunId, { ...question.body, suspend: true });
  } catch (e) {
    hold.fail(e);
    throw e;
  }
  if (result.status === "ALREADY_ANSWERED") {
    hold.release();
    return parseAnswer<W, R>(ctx, options, result.input, key);
  }
  const signal = stop(ctx, new SuspendSignal(flowRunId, key, "suspended"));
  hold.fail(signal);
  throw signal;
}

/** The key, deadline and question of a pause or suspend about to be made. */
function prepare(
  ctx: RunContext,
  options: {
    waitForInput?: WaitForInput | undefined;
    key?: string | undefined;
    onTimeout?: OnTimeoutOption<WaitForInput | undefined> | undefined;
  } & RespondentOptions<number | undefined>,
  timeoutSeconds: number | null,
) {
  assertNotStopped(ctx);
  const key = options.key ?? String(++ctx.counters.pauses);
  const keyCheck = PauseKey.safeParse(key);
  if (!keyCheck.success) throw new ConfigError(`The pause key "${key}" is not valid: ${keyCheck.error.issues[0]!.message}.`);
  const inputRequest: InputRequest | null = options.waitForInput ? toInputRequest(options.waitForInput) : null;
  const schema = options.waitForInput ? schemaOf(options.waitForInput) : undefined;
  // Known by its id from now on, so that this process (serving the run's deployment) can check answers to it.
  if (schema && inputRequest?.schemaId) rememberSchema(inputRequest.schemaId, schema);
  if (options.required !== undefined && typeof options.onTimeout === "object")
    throw new ConfigError(`Pause "${key}" needs ${options.required} people's answers: its onTimeout can fail or cancel it, not answer for them.`);
  const onTimeout = checkOnTimeout(options, key);
  const rejected = ctx.control.rejected;
  ctx.control.rejected = undefined;
  /** What the server is sent to make the pause (a suspend adds `suspend: true`). */
  const body: PauseBody = {
    key,
    timeoutSeconds,
    inputRequest,
    flowTimeoutAt: ctx.deadline ?? null,
    // The same key asked again after its answer was refused must not get that answer back.
    reask: (ctx.history?.reask?.has(key) ?? false) || rejected?.pauseKey === key,
    ...(rejected ? { rejected } : {}),
    onTimeout,
    ...(options.respondents ? { respondents: [...options.respondents] } : {}),
    ...(options.excludeRunCreator ? { excludeRunCreator: true } : {}),
    ...(options.required !== undefined ? { required: options.required } : {}),
    // Refused when the server gave the run to another process meanwhile: this one then lets it go.
    workerId: getRuntime().workerId,
  };
  return { flowRunId: ctx.flowRun.id, key, timeoutSeconds, inputRequest, schema, onTimeout, body };
}

/** The `onTimeout` to send, its answer checked (and encoded) by the pause's own schema, so that a wrong one fails now. */
function checkOnTimeout(
  options: { waitForInput?: WaitForInput | undefined; onTimeout?: OnTimeoutOption<WaitForInput | undefined> | undefined },
  key: string,
): OnTimeout {
  const onTimeout = options.onTimeout ?? "fail";
  if (onTimeout === "fail" || onTimeout === "cancel") return onTimeout;
  if (typeof onTimeout !== "object" || onTimeout === null || !("answer" in onTimeout))
    throw new ConfigError(`onTimeout of pause "${key}" must be "fail", "cancel" or { answer: ... }; got ${JSON.stringify(onTimeout)}.`);
  if (!options.waitForInput) return { answer: null };
  const parsed = schemaOf(options.waitForInput).safeParse(onTimeout.answer);
  if (!parsed.success)
    throw new ConfigError(
      `The onTimeout answer of pause "${key}" does not fit its input: ${parsed.error.issues.map((i) => `${i.path.join(".") || "(the answer)"}: ${i.message}`).join("; ")}.`,
    );
  return { answer: onTimeout.answer };
}

/** Marks the run stopped in this process, so that no later step starts even if user code swallows the signal. */
function stop(ctx: RunContext, signal: SuspendSignal): SuspendSignal {
  ctx.control.stopped = signal;
  return signal;
}

/**
 * The answer parsed by the pause's schema; with `required`, each person's answer parsed, with who gave it.
 * A refused answer is remembered on the run, so that a pause asking again says why.
 */
async function parseAnswer<W extends WaitForInput | undefined, R extends number | undefined>(
  ctx: RunContext,
  options: { waitForInput?: W; required?: R },
  input: unknown,
  key: string,
): Promise<PauseAnswer<W, R>> {
  const parse = async (value: unknown): Promise<unknown> => {
    if (!options.waitForInput) return undefined;
    // Async, so that async refinements (an order number looked up) work here as in the check before resume.
    const parsed = await schemaOf(options.waitForInput).safeParseAsync(value);
    if (parsed.success) return parsed.data;
    const error = new RunInputValidationError(ctx.flowRun.id, key, parsed.error.issues);
    ctx.control.rejected = rejectedAnswer(error);
    throw error;
  };
  if (options.required === undefined) return (await parse(input)) as PauseAnswer<W, R>;
  return (await Promise.all((input as AnswerOf<unknown>[]).map(async (a) => ({ ...a, input: await parse(a.input) })))) as PauseAnswer<W, R>;
}

/** What a pause asking again is told of a refused answer: bounded as the server's contract bounds it. */
export function rejectedAnswer(error: RunInputValidationError): RejectedAnswer {
  return {
    pauseKey: error.details.pauseKey,
    issues: error.details.issues
      .slice(0, 100)
      .map((i) => ({ path: i.path.slice(0, 50).map((k) => k.slice(0, 200)), message: i.message.slice(0, 2000) })),
  };
}

/** Resolves `value` at `epochMs` (never, for Infinity); Node timers overflow past 24.8 days, so long waits are chained. */
function waitUntil<V extends string>(epochMs: number, value: V): { promise: Promise<V>; cancel: () => void } {
  let timer: NodeJS.Timeout | undefined;
  const promise = new Promise<V>((resolve) => {
    if (epochMs === Number.POSITIVE_INFINITY) return;
    const arm = () => {
      const left = epochMs - Date.now();
      if (left <= 0) return resolve(value);
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

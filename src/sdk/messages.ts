import { createHash } from "node:crypto";
import { ConfigError, FlowRunCancelledError, FlowRunEndedError, MessageNotFoundError, MissingContextError, RuntimeClosedError } from "../contract/errors.ts";
import { DEFAULT_KEY_PREFIX, type Message } from "../contract/index.ts";
import type { MessageListOptions } from "../client/http-client.ts";
import { parseDuration } from "../contract/duration.ts";
import { getRunLogger } from "./logger.ts";
import { assertNotStopped, currentContext, requireContext, type RunContext } from "./run-context.ts";
import { schemaOf, toInputRequest, type InputOf, type WaitForInput } from "./run-input.ts";
import { getRuntime } from "./runtime.ts";

/** Options of `sendInput`. */
export interface SendInputOptions {
  /** The run to send to. */
  flowRunId: string;
  /** The key's prefix, which the receiver reads by (`receiveInput`'s `keyPrefix`): the message is kept as `<key>-<id>`. Default "message". */
  key?: string;
  /** Who sends; by default the current flow run (`flow-run:<id>`), which lets the receiver `respond`, and null outside one. */
  sender?: string | null;
}

/** Options of `receiveInput`. */
export interface ReceiveInputOptions<M extends boolean> {
  /** Seconds, or a duration such as "15m": when no message comes for that long, the iteration ends. Default: wait as long as the run runs. */
  timeout?: number | string;
  /** Items are `{ value, metadata, respond }` instead of bare values. */
  withMetadata?: M;
  /** Receive the messages whose key starts with this (default "message", what `sendInput` uses by default). */
  keyPrefix?: string;
  /** Leave these keys out. */
  excludeKeys?: readonly string[];
}

/** A received message with where it came from, and a way to answer its sender. */
export interface ReceivedInput<T> {
  value: T;
  metadata: { key: string; sender: string | null; receivedAt: string };
  /**
   * Sends `value` to the run that sent this message (its sender is `flow-run:<id>`: `sendInput` from a
   * flow); throws `ConfigError` for a message sent from outside a flow run.
   */
  respond(value: unknown, options?: { key?: string }): Promise<Message>;
}

/** What `receiveInput` yields: bare values, or with `withMetadata`, `ReceivedInput`s. */
export type ReceivedItem<W, M extends boolean> = M extends true ? ReceivedInput<InputOf<W>> : InputOf<W>;

const SENDER_PREFIX = "flow-run:";

/**
 * Sends `value` to run `flowRunId`, from a flow or any program. The message is kept by the server at
 * once and pushed to the run's `receiveInput`; one the receiver declared it cannot take is refused here
 * with `InvalidInputError` (422, `details.errors`). From inside a flow, a replay of the run (after a
 * crash or a suspend) does not send it again.
 *
 * @example
 * await sendInput({ name: "Ada" }, { flowRunId: greeterId, key: "name" });
 */
export function sendInput(value: unknown, options: SendInputOptions): Promise<Message> {
  const ctx = currentContext();
  const sender = options.sender !== undefined ? options.sender : ctx ? `${SENDER_PREFIX}${ctx.flowRun.id}` : null;
  const key = options.key ?? DEFAULT_KEY_PREFIX;
  return getRuntime().client.sendMessage(options.flowRunId, { value, key, sender, ...(ctx ? { id: replayId(ctx, "send") } : {}) });
}

/**
 * The messages sent to the current run, in the order they arrived, each parsed and validated with the
 * schema: an async iterable, read with `for await`. It declares what it receives first, so that the
 * server refuses (422) a message that fails the schema's JSON Schema when it is sent; one that fails the
 * Zod schema's own checks, or was sent before the declaration, is refused here: marked refused with its
 * errors (shown by `baton flow-run messages`) and skipped. Each message is read once: a run replayed after
 * a crash or a suspend gets the messages it had read again, in the same order, then the new ones.
 *
 * @example
 * for await (const { value, respond } of receiveInput(z.string(), { withMetadata: true })) {
 *   if (value === "stop") break;
 *   await respond(`Hello, ${value}!`);
 * }
 */
export function receiveInput<W extends WaitForInput, M extends boolean = false>(
  input: W,
  options: ReceiveInputOptions<M> = {},
): AsyncIterable<ReceivedItem<W, M>> {
  const ctx = requireContext("receiveInput()");
  return { [Symbol.asyncIterator]: () => receive(ctx, input, options) };
}

async function* receive<W extends WaitForInput, M extends boolean>(
  ctx: RunContext,
  input: W,
  options: ReceiveInputOptions<M>,
): AsyncGenerator<ReceivedItem<W, M>> {
  const { client } = getRuntime();
  const flowRunId = ctx.flowRun.id;
  const keyPrefix = options.keyPrefix ?? DEFAULT_KEY_PREFIX;
  const excludeKeys = [...(options.excludeKeys ?? [])];
  const timeoutMs = options.timeout === undefined ? undefined : parseDuration(options.timeout, "timeout") * 1000;
  const schema = schemaOf(input);
  const { schema: jsonSchema, description } = toInputRequest(input);
  await client.declareReceiver(flowRunId, { keyPrefix, schema: jsonSchema, description: description ?? null });
  for (;;) {
    assertNotStopped(ctx);
    const step = replayId(ctx, "receive");
    const message = await next(ctx, step, { keyPrefix, excludeKeys }, timeoutMs);
    if (!message) return; // no message within the timeout
    if (message.refusal) continue; // refused before a replay: skipped again
    const parsed = schema.safeParse(message.value);
    if (!parsed.success) {
      const errors = parsed.error.issues.map((i) => ({ path: i.path.map((p) => `/${String(p)}`).join(""), message: i.message }));
      await client.refuseMessage(flowRunId, message.key, errors);
      getRunLogger().warning(`Refused message "${message.key}": ${errors.map((e) => `${e.path || "(message)"}: ${e.message}`).join("; ")}`);
      continue;
    }
    const value = parsed.data as InputOf<W>;
    if (!options.withMetadata) {
      yield value as ReceivedItem<W, M>;
      continue;
    }
    const { key, sender } = message;
    const item: ReceivedInput<InputOf<W>> = {
      value,
      metadata: { key, sender, receivedAt: message.consumedAt ?? message.sentAt },
      respond: (answer, respondOptions = {}) => {
        if (!sender?.startsWith(SENDER_PREFIX))
          throw new ConfigError(
            `Cannot respond to message "${key}": it was not sent by a flow run (its sender is ${JSON.stringify(sender)}). respond() answers messages a flow sent with sendInput.`,
          );
        return sendInput(answer, { flowRunId: sender.slice(SENDER_PREFIX.length), ...respondOptions });
      },
    };
    yield item as ReceivedItem<W, M>;
  }
}

/** The message of receive step `step`: taken now if one waits, else the first one sent after (pushed), or undefined at the timeout. */
async function next(
  ctx: RunContext,
  step: string,
  selection: { keyPrefix: string; excludeKeys: string[] },
  timeoutMs: number | undefined,
): Promise<Message | undefined> {
  const { client, messages: watcher } = getRuntime();
  const flowRunId = ctx.flowRun.id;
  await watcher.ready();
  const deadline = timeoutMs === undefined ? Number.POSITIVE_INFINITY : Date.now() + timeoutMs;
  for (;;) {
    // Listen before looking, so that a message sent between the two wakes us.
    const wake = watcher.next(flowRunId);
    let message: Message | null;
    try {
      message = await client.receiveMessage(flowRunId, { step, ...selection });
    } catch (e) {
      wake.cancel();
      throw e;
    }
    if (message) {
      wake.cancel();
      return message;
    }
    const left = deadline - Date.now();
    let timer: NodeJS.Timeout | undefined;
    const outcome = await Promise.race([
      wake.woken,
      new Promise<"timeout">((resolve) => {
        if (left !== Number.POSITIVE_INFINITY) timer = setTimeout(() => resolve("timeout"), Math.max(0, Math.min(left, 2 ** 31 - 1)));
      }),
    ]);
    clearTimeout(timer);
    wake.cancel();
    if (outcome === "timeout") {
      if (Date.now() >= deadline) return (await client.receiveMessage(flowRunId, { step, ...selection })) ?? undefined;
      continue;
    }
    if (outcome.kind === "closed") throw new RuntimeClosedError(flowRunId, step);
    if (outcome.kind === "ended") {
      if (outcome.state.type === "CANCELLED") throw new FlowRunCancelledError(flowRunId, outcome.state.message);
      throw new FlowRunEndedError(flowRunId, outcome.state.name, outcome.state.message);
    }
    assertNotStopped(ctx);
  }
}

/** Positions of sends and receives, per flow execution (its counters) and per task execution (its task run). */
const positions = new WeakMap<object, { send: number; receive: number }>();

/**
 * The same id for the same send or receive in every execution of the run (a replay, a recovery): its
 * position among the run's sends or receives, counted apart inside each task call. For a send, a UUID
 * made from it, so that the server keeps the message once.
 */
function replayId(ctx: RunContext, kind: "send" | "receive"): string {
  const owner = ctx.taskRun ?? ctx.counters;
  let counts = positions.get(owner);
  if (!counts) positions.set(owner, (counts = { send: 0, receive: 0 }));
  const n = ++counts[kind];
  const position = ctx.taskRun ? `task-${ctx.taskRun.id}-${n}` : String(n);
  if (kind === "receive") return position;
  const hex = createHash("sha256").update(`${ctx.flowRun.id}:send:${position}`).digest("hex");
  // Shaped as a UUID (version 8: made by the application; RFC 9562 variant).
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-8${hex.slice(13, 16)}-${((Number.parseInt(hex[16]!, 16) & 3) | 8).toString(16)}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

/** Options naming the run of a run input; by default the current one. */
export interface RunInputOptions {
  flowRunId?: string;
}

function runOf(options: RunInputOptions, what: string): string {
  const id = options.flowRunId ?? currentContext()?.flowRun.id;
  if (!id) throw new MissingContextError(`${what} without a flowRunId`);
  return id;
}

/**
 * Keeps `value` on a run under `key` (Prefect's run input by key); `MessageExistsError` (409) when the run
 * has the key already.
 *
 * @example
 * await createFlowRunInput("approved-by", { name: "Ada" }, { flowRunId });
 */
export function createFlowRunInput(key: string, value: unknown, options: RunInputOptions & { sender?: string | null } = {}): Promise<Message> {
  const ctx = currentContext();
  const sender = options.sender !== undefined ? options.sender : ctx ? `${SENDER_PREFIX}${ctx.flowRun.id}` : null;
  return getRuntime().client.createRunInput(runOf(options, "createFlowRunInput()"), key, value, sender);
}

/** The value kept on a run under `key`, or undefined when there is none. */
export async function readFlowRunInput(key: string, options: RunInputOptions = {}): Promise<unknown> {
  try {
    return (await getRuntime().client.readRunInput(runOf(options, "readFlowRunInput()"), key)).value;
  } catch (e) {
    if (e instanceof MessageNotFoundError) return undefined;
    throw e;
  }
}

/** Deletes the run input under `key`; `MessageNotFoundError` (404) when there is none. */
export function deleteFlowRunInput(key: string, options: RunInputOptions = {}): Promise<void> {
  return getRuntime().client.deleteRunInput(runOf(options, "deleteFlowRunInput()"), key);
}

/** A run's inputs and messages whose key starts with `keyPrefix`, oldest first, with who sent each and whether it was read. */
export function filterFlowRunInput(options: RunInputOptions & MessageListOptions & { keyPrefix: string }): Promise<Message[]> {
  const { flowRunId: _, ...filter } = options;
  return getRuntime().client.listMessages(runOf(options, "filterFlowRunInput()"), filter);
}

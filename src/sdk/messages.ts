import { createHash } from "node:crypto";
import {
  ConfigError,
  FlowRunCancelledError,
  FlowRunEndedError,
  MessageNotFoundError,
  MissingContextError,
  RuntimeClosedError,
} from "../contract/errors.ts";
import { DEFAULT_KEY_PREFIX, MAX_RECEIVE_BATCH, type Message, type ReceiveBody } from "../contract/index.ts";
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
  // The receiver's position is taken when iteration starts, in the flow's own order, as a task's is.
  return { [Symbol.asyncIterator]: () => receive(ctx, replayId(ctx, "receive"), input, options) };
}

async function* receive<W extends WaitForInput, M extends boolean>(
  ctx: RunContext,
  receiver: string,
  input: W,
  options: ReceiveInputOptions<M>,
): AsyncGenerator<ReceivedItem<W, M>> {
  const { client } = getRuntime();
  const flowRunId = ctx.flowRun.id;
  const keyPrefix = options.keyPrefix ?? DEFAULT_KEY_PREFIX;
  const request = { receiver, keyPrefix, excludeKeys: [...(options.excludeKeys ?? [])], limit: MAX_RECEIVE_BATCH };
  const timeoutMs = options.timeout === undefined ? undefined : parseDuration(options.timeout, "timeout") * 1000;
  const schema = schemaOf(input);
  const { schema: jsonSchema, description } = toInputRequest(input);
  await client.declareReceiver(flowRunId, { keyPrefix, schema: jsonSchema, description: description ?? null });
  // Messages taken (marked read by the steps that follow) and not yet yielded.
  let taken: Message[] = [];
  let read = 0;
  try {
    for (;;) {
      assertNotStopped(ctx);
      if (!taken.length) taken = await next(ctx, { ...request, from: read + 1 }, timeoutMs);
      const message = taken.shift();
      if (!message) return; // no message within the timeout
      read++;
      if (message.refusal) continue; // refused before a replay: skipped again
      const parsed = schema.safeParse(message.value);
      if (!parsed.success) {
        const errors = parsed.error.issues.map((i) => ({ path: i.path.map((p) => `/${String(p)}`).join(""), message: i.message }));
        await client.refuseMessage(flowRunId, message.key, errors);
        getRunLogger().warning(`Refused message "${message.key}": ${errors.map((e) => `${e.path || "(message)"}: ${e.message}`).join("; ")}`);
        continue;
      }
      yield (options.withMetadata ? received(message, parsed.data) : parsed.data) as ReceivedItem<W, M>;
    }
  } finally {
    // The flow stopped reading: what it took ahead waits for its next receiver. (A crash leaves them taken:
    // the replay reads them at the same steps, and stops at the same place.)
    if (taken.length && !ctx.control.stopped)
      await client.releaseMessages(
        flowRunId,
        taken.map((m) => m.key),
      );
  }
}

/** A message with its metadata, and `respond`, which answers the run that sent it. */
function received<T>(message: Message, value: T): ReceivedInput<T> {
  const { key, sender } = message;
  return {
    value,
    metadata: { key, sender, receivedAt: message.consumedAt ?? message.sentAt },
    respond: (answer, options = {}) => {
      if (!sender?.startsWith(SENDER_PREFIX))
        throw new ConfigError(
          `Cannot respond to message "${key}": it was not sent by a flow run (its sender is ${JSON.stringify(sender)}). respond() answers messages a flow sent with sendInput.`,
        );
      return sendInput(answer, { flowRunId: sender.slice(SENDER_PREFIX.length), ...options });
    },
  };
}

/** The next messages of a receiver: taken now if any wait, else the first ones sent after (pushed); none at the timeout. */
async function next(ctx: RunContext, request: ReceiveBody, timeoutMs: number | undefined): Promise<Message[]> {
  const { client, messages: watcher } = getRuntime();
  const flowRunId = ctx.flowRun.id;
  await watcher.ready();
  const deadline = timeoutMs === undefined ? Number.POSITIVE_INFINITY : Date.now() + timeoutMs;
  for (;;) {
    // Listen before looking, so that a message sent between the two wakes us.
    const wake = watcher.next(flowRunId);
    let messages: Message[];
    try {
      messages = await client.receiveMessages(flowRunId, request);
    } catch (e) {
      wake.cancel();
      throw e;
    }
    if (messages.length) {
      wake.cancel();
      return messages;
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
      if (Date.now() >= deadline) return client.receiveMessages(flowRunId, request);
      continue;
    }
    if (outcome.kind === "closed") throw new RuntimeClosedError(flowRunId, `receive ${request.receiver}`);
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

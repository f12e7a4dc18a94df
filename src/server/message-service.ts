import type { z } from "zod";
import { InvalidInputError, MessageExistsError, MessageNotFoundError, RunNotReceivingError, type FieldError } from "../contract/errors.ts";
import {
  isTerminal,
  type Channel,
  type DeclareReceiverBody,
  type Message,
  type MessageFilter,
  type ReceiveBody,
  type Receiver,
  type SendMessageBody,
} from "../contract/index.ts";
import { newId } from "../storage/ids.ts";
import type { NewEvent, Storage } from "../storage/storage.ts";
import { authorize } from "./authorize.ts";
import { now } from "./clock.ts";
import type { FlowRunService } from "./flow-run-service.ts";
import type { RequestCaller } from "./request-caller.ts";
import type { SchemaChecker } from "./schema-checker.ts";
import type { StateTransitions } from "./state-transitions.ts";

/**
 * Messages into running flows (`sendInput` / `receiveInput`) and run inputs by key. A message is kept when
 * it is sent, with a `flow-run.message-sent` event in the same transaction, which wakes the receiver; the
 * receiver takes messages one receive step at a time, so that a replay gets each step's message again.
 */
export class MessageService {
  readonly #storage: Storage;
  readonly #runs: FlowRunService;
  readonly #transitions: StateTransitions;
  readonly #schemas: SchemaChecker;
  constructor(storage: Storage, runs: FlowRunService, transitions: StateTransitions, schemas: SchemaChecker) {
    this.#storage = storage;
    this.#runs = runs;
    this.#transitions = transitions;
    this.#schemas = schemas;
  }

  /**
   * Sends a message, kept as `<key>-<id>`: 422 when it fails the JSON Schema of a receiver the run declared
   * for its key, 409 for a run that finished. With `id`, sending again returns the message kept the first
   * time (`created: false`), so a flow replayed after a crash does not send twice.
   */
  async send(caller: RequestCaller, flowRunId: string, body: z.output<typeof SendMessageBody>): Promise<{ message: Message; created: boolean }> {
    authorize(caller, "message:send", { type: "flow-run", id: flowRunId });
    const key = `${body.key}-${body.id ?? newId()}`;
    const kept = async () => (body.id ? await this.#storage.messages.get(flowRunId, key) : undefined);
    let message: Message | undefined;
    try {
      message = await this.#keep(caller, flowRunId, key, body.value, body.sender ?? null, body.channel);
    } catch (e) {
      // Sent again by a replay: its first sending stands, even to a run that has finished since.
      const first = e instanceof RunNotReceivingError ? await kept() : undefined;
      if (first) return { message: first, created: false };
      throw e;
    }
    if (message) return { message, created: true };
    return { message: (await kept())!, created: false };
  }

  /** Creates a run input under the caller's own key (Prefect's `create_flow_run_input`); 409 when the key is taken. */
  async create(caller: RequestCaller, flowRunId: string, key: string, value: unknown, sender: string | null): Promise<Message> {
    authorize(caller, "message:send", { type: "flow-run", id: flowRunId });
    const message = await this.#keep(caller, flowRunId, key, value, sender);
    if (!message) throw new MessageExistsError(flowRunId, key);
    return message;
  }

  /** One of a run's messages or inputs by key; 404 when there is none. */
  async get(caller: RequestCaller, flowRunId: string, key: string): Promise<Message> {
    authorize(caller, "message:read", { type: "flow-run", id: flowRunId });
    const message = await this.#storage.messages.get(flowRunId, key);
    if (!message) throw new MessageNotFoundError(flowRunId, key);
    return message;
  }

  /** A run's messages and inputs, oldest first, filtered by key prefix; 404 for an unknown run. */
  async list(caller: RequestCaller, flowRunId: string, filter: z.output<typeof MessageFilter>): Promise<Message[]> {
    authorize(caller, "message:read", { type: "flow-run", id: flowRunId });
    await this.#runs.load(flowRunId);
    return this.#storage.messages.list(flowRunId, filter);
  }

  async delete(caller: RequestCaller, flowRunId: string, key: string): Promise<void> {
    authorize(caller, "message:delete", { type: "flow-run", id: flowRunId });
    if (!(await this.#storage.messages.delete(flowRunId, key))) throw new MessageNotFoundError(flowRunId, key);
  }

  /**
   * The messages of receive steps `from`, `from + 1`, … of a receiver: those they took before (a replay),
   * else the oldest waiting ones of its key prefix, now marked taken by them, in one transaction; none when
   * none waits (the flow then waits for the next `flow-run.message-sent` event of its run).
   */
  async receive(caller: RequestCaller, flowRunId: string, body: z.output<typeof ReceiveBody>): Promise<Message[]> {
    authorize(caller, "message:receive", { type: "flow-run", id: flowRunId });
    const steps = Array.from({ length: body.limit }, (_, i) => `${body.receiver}.${body.from + i}`);
    const taken = await this.#storage.messages.takenBy(flowRunId, steps);
    if (taken.size) {
      const replayed: Message[] = [];
      for (const step of steps) {
        const m = taken.get(step);
        if (!m) break;
        replayed.push(m);
      }
      return replayed;
    }
    const selection = { keyPrefix: body.keyPrefix, excludeKeys: body.excludeKeys };
    return this.#storage.transaction(async (tx) => {
      const at = now();
      const messages: Message[] = [];
      for (const step of steps) {
        const m = await tx.messages.take(flowRunId, step, selection, at);
        if (!m) break;
        messages.push(m);
      }
      return messages;
    });
  }

  /** Makes messages the flow took and did not read (it stopped reading) wait again, for its next receiver. */
  async release(caller: RequestCaller, flowRunId: string, keys: string[]): Promise<void> {
    authorize(caller, "message:receive", { type: "flow-run", id: flowRunId });
    await this.#storage.messages.release(flowRunId, keys);
  }

  /** Records that the receiver refused a message it took (its own checks failed), and why. */
  async refuse(caller: RequestCaller, flowRunId: string, key: string, errors: FieldError[]): Promise<Message> {
    authorize(caller, "message:receive", { type: "flow-run", id: flowRunId });
    const message = await this.#storage.messages.refuse(flowRunId, key, errors);
    if (!message) throw new MessageNotFoundError(flowRunId, key);
    return message;
  }

  /** Records what a run receives under a key prefix; a schema that cannot check messages is a 400. */
  async declareReceiver(caller: RequestCaller, flowRunId: string, body: DeclareReceiverBody): Promise<Receiver> {
    authorize(caller, "message:receive", { type: "flow-run", id: flowRunId });
    await this.#schemas.requireUsable(
      body.schema,
      `The schema of what run ${flowRunId} receives under "${body.keyPrefix}" cannot be used`,
      "/schema",
    );
    await this.#runs.load(flowRunId);
    const receiver: Receiver = { flowRunId, ...body, declaredAt: now() };
    await this.#storage.messages.declareReceiver(receiver);
    return receiver;
  }

  async receivers(caller: RequestCaller, flowRunId: string): Promise<Receiver[]> {
    authorize(caller, "message:read", { type: "flow-run", id: flowRunId });
    await this.#runs.load(flowRunId);
    return this.#storage.messages.receivers(flowRunId);
  }

  /**
   * Checks a message against the receivers of its key and keeps it, with its event; undefined when the
   * run has the key already.
   */
  async #keep(
    caller: RequestCaller,
    flowRunId: string,
    key: string,
    value: unknown,
    sender: string | null,
    channel?: Channel,
  ): Promise<Message | undefined> {
    const run = await this.#runs.load(flowRunId);
    if (isTerminal(run.state.type)) throw new RunNotReceivingError(flowRunId, run.state.name);
    for (const r of await this.#storage.messages.receivers(flowRunId)) {
      if (!key.startsWith(r.keyPrefix)) continue;
      const checked = await this.#schemas.validate(r.schema, value);
      if (!checked.ok) throw new InvalidInputError(flowRunId, checked.errors, r.keyPrefix);
    }
    const message: Message = {
      flowRunId,
      key,
      value: value ?? null,
      sender,
      // As for an answer: a caller nobody knows (an open server) says through what it sends.
      channel: caller.kind === "principal" ? caller.channel : (channel ?? caller.channel),
      sentBy: caller.kind === "principal" ? caller.name : null,
      sentAt: now(),
      consumedAt: null,
      refusal: null,
    };
    return this.#transitions.write(async (tx) => {
      if (!(await tx.messages.insert(message))) return { result: undefined, events: [] };
      const event: NewEvent = {
        type: "flow-run.message-sent",
        flowRunId,
        occurredAt: message.sentAt,
        payload: { key, sender, channel: message.channel, sentBy: message.sentBy },
      };
      return { result: message, events: [event] };
    });
  }
}

import type { BatonClient } from "../client/http-client.ts";
import type { EventStream } from "../client/event-stream.ts";
import { isTerminal, type BatonEvent, type State } from "../contract/index.ts";

/** Why a receiver waiting for a message was woken: one may have come, its run ended, or the runtime closed. */
export type MessageWake = { kind: "message" } | { kind: "ended"; state: State } | { kind: "closed" };

/** With the stream healthy this never fires in practice; it is the net under a dropped event. */
const SAFETY_CHECK_MS = 30_000;

/**
 * Wakes the receivers of this process (`receiveInput`) when a message is sent to their run: one event
 * stream of `flow-run.message-sent` (and state changes, to see a run end) serves them all. Every
 * (re)connection, and every 30 s, wakes them all to look again, so a message sent while the stream was
 * down is still read. A woken receiver takes its message with a request of its own.
 */
export class MessageWatcher {
  readonly #client: BatonClient;
  readonly #workerId: string;
  readonly #waiters = new Map<string, Set<(wake: MessageWake) => void>>();
  #stream: EventStream | undefined;
  #closeTimer: NodeJS.Timeout | undefined;
  #safetyTimer: NodeJS.Timeout | undefined;
  #closed = false;

  constructor(client: BatonClient, workerId: string) {
    this.#client = client;
    this.#workerId = workerId;
  }

  /** Opens the stream if needed; resolves once it is connected, so no message sent from now on is missed. */
  async ready(): Promise<void> {
    if (this.#closed) return;
    clearTimeout(this.#closeTimer);
    this.#closeTimer = undefined;
    this.#stream ??= this.#client.events(
      { types: ["flow-run.message-sent", "flow-run.state-changed"], workerId: this.#workerId, onOpen: () => this.#wakeAll({ kind: "message" }) },
      (e) => this.#onEvent(e),
    );
    await this.#stream.ready;
  }

  /**
   * The next wake-up of run `flowRunId`'s receivers. Ask for it before looking for a message, so that one
   * sent meanwhile is not missed; `cancel` once it is not needed.
   */
  next(flowRunId: string): { woken: Promise<MessageWake>; cancel: () => void } {
    let waiter!: (wake: MessageWake) => void;
    const woken = new Promise<MessageWake>((resolve) => {
      if (this.#closed) return resolve({ kind: "closed" });
      waiter = (wake) => {
        cancel();
        resolve(wake);
      };
      let set = this.#waiters.get(flowRunId);
      if (!set) this.#waiters.set(flowRunId, (set = new Set()));
      set.add(waiter);
      this.#safetyTimer ??= setInterval(() => this.#wakeAll({ kind: "message" }), SAFETY_CHECK_MS);
    });
    const cancel = () => {
      const set = this.#waiters.get(flowRunId);
      set?.delete(waiter);
      if (set?.size === 0) this.#waiters.delete(flowRunId);
      this.#idle();
    };
    return { woken, cancel };
  }

  /** Wakes every receiver as "closed" and closes the stream; the watcher is not used again. */
  close(): void {
    this.#closed = true;
    this.#wakeAll({ kind: "closed" });
    clearInterval(this.#safetyTimer);
    clearTimeout(this.#closeTimer);
    this.#safetyTimer = this.#closeTimer = undefined;
    this.#stream?.close();
    this.#stream = undefined;
  }

  #onEvent(e: BatonEvent): void {
    if (!this.#waiters.has(e.flowRunId)) return;
    if (e.type === "flow-run.message-sent") this.#wake(e.flowRunId, { kind: "message" });
    else if (e.type === "flow-run.state-changed" && isTerminal(e.payload.state.type))
      this.#wake(e.flowRunId, { kind: "ended", state: e.payload.state });
  }

  #wake(flowRunId: string, wake: MessageWake): void {
    for (const w of [...(this.#waiters.get(flowRunId) ?? [])]) w(wake);
  }

  #wakeAll(wake: MessageWake): void {
    for (const id of [...this.#waiters.keys()]) this.#wake(id, wake);
  }

  /** Closes the stream shortly after the last receiver stopped waiting, so a finished script can exit. */
  #idle(): void {
    if (this.#waiters.size || this.#closed) return;
    clearInterval(this.#safetyTimer);
    this.#safetyTimer = undefined;
    clearTimeout(this.#closeTimer);
    this.#closeTimer = setTimeout(() => {
      if (this.#waiters.size) return;
      this.#stream?.close();
      this.#stream = undefined;
    }, 200);
  }
}

import type { BatonClient } from "../client/http-client.ts";
import { isTerminal, type BatonEvent, type State } from "../contract/index.ts";
import { WatchedStream } from "./watched-stream.ts";

/** Why a receiver waiting for a message was woken: one may have come, its run ended, or the runtime closed. */
export type MessageWake = { kind: "message" } | { kind: "ended"; state: State } | { kind: "closed" };

/**
 * Wakes the receivers of this process (`receiveInput`) when a message is sent to their run: one event
 * stream of `flow-run.message-sent` (and state changes, to see a run end) serves them all. Every
 * (re)connection, and every 30 s, wakes them all to look again, so a message sent while the stream was
 * down is still read. A woken receiver takes its message with a request of its own.
 */
export class MessageWatcher {
  readonly #waiters = new Map<string, Set<(wake: MessageWake) => void>>();
  readonly #events: WatchedStream;

  constructor(client: BatonClient, workerId: string) {
    this.#events = new WatchedStream({
      open: () =>
        client.events(
          { types: ["flow-run.message-sent", "flow-run.state-changed"], workerId, onOpen: () => this.#wakeAll({ kind: "message" }) },
          (e) => this.#onEvent(e),
        ),
      safetyNet: () => this.#wakeAll({ kind: "message" }),
      busy: () => this.#waiters.size > 0,
    });
  }

  /** Opens the stream if needed; resolves once it is connected, so no message sent from now on is missed. */
  ready(): Promise<void> {
    return this.#events.ready();
  }

  /**
   * The next wake-up of run `flowRunId`'s receivers. Ask for it before looking for a message, so that one
   * sent meanwhile is not missed; `cancel` once it is not needed.
   */
  next(flowRunId: string): { woken: Promise<MessageWake>; cancel: () => void } {
    let waiter!: (wake: MessageWake) => void;
    const woken = new Promise<MessageWake>((resolve) => {
      if (this.#events.closed) return resolve({ kind: "closed" });
      waiter = (wake) => {
        cancel();
        resolve(wake);
      };
      let set = this.#waiters.get(flowRunId);
      if (!set) this.#waiters.set(flowRunId, (set = new Set()));
      set.add(waiter);
      this.#events.waiting();
    });
    const cancel = () => {
      const set = this.#waiters.get(flowRunId);
      set?.delete(waiter);
      if (set?.size === 0) this.#waiters.delete(flowRunId);
      this.#events.idle();
    };
    return { woken, cancel };
  }

  /** Wakes every receiver as "closed" and closes the stream; the watcher is not used again. */
  close(): void {
    this.#events.close();
    this.#wakeAll({ kind: "closed" });
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
}

import type { EventStream } from "../client/event-stream.ts";

/** With the stream healthy the safety net never finds anything in practice; it is the net under a dropped event. */
const SAFETY_CHECK_MS = 30_000;
/** How long the stream stays open after the last wait ended, for a wait that begins right after. */
const IDLE_CLOSE_MS = 200;

/**
 * The event stream that one watcher of this process (pauses, messages) shares among its waits: opened when
 * a wait needs it, closed shortly after the last wait ended (so that a finished script can exit), and,
 * while anyone waits, a safety net run every 30 s.
 */
export class WatchedStream {
  readonly #open: () => EventStream;
  readonly #safetyNet: () => void;
  readonly #busy: () => boolean;
  #stream: EventStream | undefined;
  #closeTimer: NodeJS.Timeout | undefined;
  #safetyTimer: NodeJS.Timeout | undefined;
  #closed = false;

  /**
   * `open` opens the stream; `safetyNet` looks again for what a dropped event would have told; `busy` says
   * whether anyone waits.
   */
  constructor({ open, safetyNet, busy }: { open: () => EventStream; safetyNet: () => void; busy: () => boolean }) {
    this.#open = open;
    this.#safetyNet = safetyNet;
    this.#busy = busy;
  }

  /** Whether `close` was called: the watcher is not used again. */
  get closed(): boolean {
    return this.#closed;
  }

  /** Opens the stream if needed; resolves once it is connected, so that nothing sent from now on is missed. */
  async ready(): Promise<void> {
    if (this.#closed) return; // no new stream: a wait begun now ends at once as "closed"
    clearTimeout(this.#closeTimer);
    this.#closeTimer = undefined;
    this.#stream ??= this.#open();
    await this.#stream.ready;
  }

  /** A wait began: the safety net runs until `idle`. */
  waiting(): void {
    this.#safetyTimer ??= setInterval(this.#safetyNet, SAFETY_CHECK_MS);
  }

  /** A wait ended: if it was the last, the stream closes shortly, unless a wait begins meanwhile. */
  idle(): void {
    if (this.#closed || this.#busy()) return;
    clearInterval(this.#safetyTimer);
    this.#safetyTimer = undefined;
    clearTimeout(this.#closeTimer);
    this.#closeTimer = setTimeout(() => {
      if (this.#busy()) return;
      this.#stream?.close();
      this.#stream = undefined;
    }, IDLE_CLOSE_MS);
  }

  /** Closes the stream and stops every timer; the watcher is not used again. */
  close(): void {
    this.#closed = true;
    clearInterval(this.#safetyTimer);
    clearTimeout(this.#closeTimer);
    this.#safetyTimer = this.#closeTimer = undefined;
    this.#stream?.close();
    this.#stream = undefined;
  }
}

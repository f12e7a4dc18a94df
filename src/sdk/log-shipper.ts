import type { BatonClient } from "../client/http-client.ts";
import type { LogEntry } from "../contract/index.ts";

/** Lines kept while the server cannot be reached; older ones are dropped past this. */
const MAX_BUFFERED = 10_000;

/**
 * Sends log lines to the server in batches (every 100 ms, or at once past 500 lines), so that logging
 * costs a flow one request per batch, not one per line.
 */
export class LogShipper {
  #client: BatonClient;
  #buffer: LogEntry[] = [];
  #timer: NodeJS.Timeout | undefined;
  #inFlight: Promise<void> = Promise.resolve();
  #closed = false;

  constructor(client: BatonClient) {
    this.#client = client;
  }

  add(entry: LogEntry): void {
    if (this.#closed) return;
    this.#buffer.push(entry);
    if (this.#buffer.length > MAX_BUFFERED) this.#buffer.splice(0, this.#buffer.length - MAX_BUFFERED);
    if (this.#buffer.length >= 500) void this.flush();
    else this.#timer ??= setTimeout(() => void this.flush(), 100);
  }

  /** Sends everything buffered so far; resolves when the server has it (or could not be reached). */
  flush(): Promise<void> {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = undefined;
    if (!this.#buffer.length) return this.#inFlight;
    this.#inFlight = this.#inFlight.then(() => this.#sendBuffered());
    return this.#inFlight;
  }

  /** Sends what is buffered, then stops: later lines are dropped, and a failed send is not retried. */
  async close(): Promise<void> {
    await this.flush();
    this.#closed = true;
    clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#buffer = [];
  }

  /**
   * Sends batches until the buffer is empty, including lines added while a batch was in flight. It loops
   * rather than calling `flush()`: that would chain onto the very promise running it and never settle.
   */
  async #sendBuffered(): Promise<void> {
    while (this.#buffer.length) {
      const batch = this.#buffer.splice(0, 1000);
      try {
        await this.#client.writeLogs(batch);
      } catch (e) {
        this.#buffer.unshift(...batch);
        process.emitWarning(`Baton could not send ${batch.length} log lines to the server; will retry: ${(e as Error).message}`);
        this.#timer ??= setTimeout(() => void this.flush(), 2000);
        return;
      }
    }
  }
}

import type { BatonClient } from "../client/http-client.ts";
import type { RunContext } from "./run-context.ts";

/**
 * Tells the server, every few seconds, which runs this process is running or waiting in, so that a
 * process that dies (kill -9) is noticed and its runs recovered. The server answers with the runs the
 * process no longer owns; `onLost` stops them here, so that nothing runs twice.
 */
export class Heartbeats {
  #runs = new Map<string, RunContext>();
  #timer: NodeJS.Timeout | undefined;
  readonly #client: BatonClient;
  readonly #workerId: string;
  readonly #intervalMs: number;
  readonly #onLost: (ctx: RunContext) => void;

  constructor(client: BatonClient, workerId: string, intervalSeconds: number, onLost: (ctx: RunContext) => void) {
    this.#client = client;
    this.#workerId = workerId;
    this.#intervalMs = intervalSeconds * 1000;
    this.#onLost = onLost;
  }

  track(ctx: RunContext): void {
    this.#runs.set(ctx.flowRun.id, ctx);
    if (!this.#timer) {
      this.#timer = setInterval(() => void this.beat(), this.#intervalMs);
      this.#timer.unref(); // a waiting run keeps the process alive by itself; heartbeats must not
    }
  }

  untrack(flowRunId: string): void {
    this.#runs.delete(flowRunId);
    if (!this.#runs.size && this.#timer) {
      clearInterval(this.#timer);
      this.#timer = undefined;
    }
  }

  /** Stops beating and forgets every run. */
  stop(): void {
    clearInterval(this.#timer);
    this.#timer = undefined;
    this.#runs.clear();
  }

  async beat(): Promise<void> {
    const ids = [...this.#runs.keys()];
    if (!ids.length) return;
    let lost: string[];
    try {
      ({ lost } = await this.#client.heartbeat({ workerId: this.#workerId, flowRunIds: ids }));
    } catch {
      return; // the server is away for now; the next beat tries again
    }
    for (const id of lost) {
      const ctx = this.#runs.get(id);
      if (ctx) {
        this.untrack(id);
        this.#onLost(ctx);
      }
    }
  }
}

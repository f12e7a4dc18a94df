import type { z } from "zod";
import type { BatonClient } from "../client/http-client.ts";
import { isSuspended, isTerminal, type BatonEvent, type FlowRun, type State } from "../contract/index.ts";
import { answerCheck } from "./input-checks.ts";
import { WatchedStream } from "./watched-stream.ts";

/** How a wait for an answer ended; "closed": the watcher was closed (the runtime shut down) while it waited. */
export type WaitOutcome = { kind: "answered"; input: unknown } | { kind: "ended"; state: State } | { kind: "suspended" } | { kind: "closed" };

interface Waiter {
  key: string;
  /** The pause's Zod schema: answers are checked with it before the server lets the run resume. */
  schema: z.ZodType | undefined;
  resolve: (outcome: WaitOutcome) => void;
}

/** Runs re-read per request. */
const CHECK_CHUNK = 100;
/**
 * The safety net's pause between two requests: with a thousand runs waiting, one big re-read would hold
 * the server (and this process) for a good part of a second, delaying answers given meanwhile.
 */
const SAFETY_CHUNK_GAP_MS = 50;

/**
 * Wakes paused flows the moment they are answered. One event stream per process serves every paused
 * run in it; on each (re)connection, and every 30 s as a safety net, the waiting runs are re-read (100
 * per request; the safety net spreads its requests out), so an answer given while the stream was down
 * is still delivered.
 */
export class PauseWatcher {
  readonly #client: BatonClient;
  readonly #waiters = new Map<string, Waiter>();
  readonly #events: WatchedStream;

  constructor(client: BatonClient, workerId: string) {
    this.#client = client;
    this.#events = new WatchedStream({
      open: () =>
        client.events(
          { types: ["flow-run.state-changed", "flow-run.input-submitted"], workerId, checks: ["@live"], onOpen: () => void this.#resync() },
          (e) => this.#onEvent(e),
        ),
      safetyNet: () => void this.check([...this.#waiters.keys()], SAFETY_CHUNK_GAP_MS),
      busy: () => this.#waiters.size > 0,
    });
  }

  /** Opens the stream if needed; resolves once it is connected, so no answer can slip past. */
  ready(): Promise<void> {
    return this.#events.ready();
  }

  /** Waits for the answer to pause `key` of run `flowRunId` (or for the run to end otherwise); `schema` checks answers before they are accepted. */
  wait(flowRunId: string, key: string, schema?: z.ZodType): Promise<WaitOutcome> {
    return new Promise((resolve) => {
      if (this.#events.closed) return resolve({ kind: "closed" });
      this.#waiters.set(flowRunId, {
        key,
        schema,
        resolve: (o) => {
          this.#waiters.delete(flowRunId);
          this.#events.idle();
          resolve(o);
        },
      });
      this.#events.waiting();
    });
  }

  /** Ends every wait as "closed" and closes the stream, leaving no timer behind; the watcher is not used again. */
  close(): void {
    this.#events.close();
    for (const w of [...this.#waiters.values()]) w.resolve({ kind: "closed" });
  }

  /** Ends the wait of `flowRunId` as suspended: this process no longer owns the run. */
  abandon(flowRunId: string): void {
    this.#waiters.get(flowRunId)?.resolve({ kind: "suspended" });
  }

  /** Stops waiting for `flowRunId` without an outcome. */
  forget(flowRunId: string): void {
    this.#waiters.delete(flowRunId);
    this.#events.idle();
  }

  /** Re-reads the state of these waiting runs, `gapMs` apart per chunk, and settles those that moved on. */
  async check(flowRunIds: string[], gapMs = 0): Promise<void> {
    for (let i = 0; i < flowRunIds.length; i += CHECK_CHUNK) {
      if (i && gapMs) await new Promise((r) => setTimeout(r, gapMs));
      const ids = flowRunIds.slice(i, i + CHECK_CHUNK).filter((id) => this.#waiters.has(id));
      if (!ids.length) continue;
      let runs: FlowRun[];
      try {
        runs = (await this.#client.listFlowRuns({ ids, limit: ids.length })).items;
      } catch {
        return; // the server is away; the stream's reconnection will bring us back here
      }
      for (const run of runs) {
        const w = this.#waiters.get(run.id);
        if (!w) continue;
        if (run.state.type === "PAUSED" && run.state.details.pauseKey === w.key) {
          if (isSuspended(run.state)) w.resolve({ kind: "suspended" });
          continue;
        }
        if (isTerminal(run.state.type)) {
          w.resolve({ kind: "ended", state: run.state });
          continue;
        }
        // Only a run resumed straight back to Running from this pause is still this process's to go on with;
        // answered after a suspend (Resuming, then claimed), it belongs to a serving process that replays it.
        if (run.state.type !== "RUNNING" || run.state.details.resumedPauseKey !== w.key) {
          if (run.state.type !== "RUNNING") w.resolve({ kind: "suspended" });
          continue;
        }
        const input = await this.#client.getRunInput(run.id, w.key).catch(() => undefined);
        if (input?.respondedAt) w.resolve({ kind: "answered", input: input.response ?? null });
      }
    }
  }

  /** After a (re)connection: everything at once, since answers may have been missed. */
  #resync(): Promise<void> {
    return this.check([...this.#waiters.keys()]);
  }

  #onEvent(e: BatonEvent): void {
    const w = this.#waiters.get(e.flowRunId);
    if (e.type === "flow-run.input-check") {
      void answerCheck(this.#client, e.payload, w?.key === e.payload.key ? w.schema : undefined);
      return;
    }
    if (!w) return;
    if (e.type === "flow-run.input-submitted" && e.payload.key === w.key) w.resolve({ kind: "answered", input: e.payload.input });
    else if (e.type === "flow-run.state-changed" && isTerminal(e.payload.state.type)) w.resolve({ kind: "ended", state: e.payload.state });
    // The server turned this live pause into a suspend (the process looked dead, or `suspendAfter`): let go.
    else if (e.type === "flow-run.state-changed" && isSuspended(e.payload.state) && e.payload.state.details.pauseKey === w.key)
      w.resolve({ kind: "suspended" });
  }
}

import type { Storage, StoredEvent, Stores } from "../../storage/storage.ts";
import type { EventBus } from "../event-bus.ts";
import { oneAtATime } from "./one-at-a-time.ts";

/** Options of `startEventConsumer`. */
export interface EventConsumerOptions {
  /**
   * Names the consumer. Its position is kept in the database under this name, so that every server of
   * the database (and the next start of this one) goes on from where it got to.
   */
  name: string;
  /**
   * Acts on a batch of kept events, oldest first, in the transaction that moves the consumer's position
   * past them: what it writes through `tx` commits with the move, exactly once across servers. An effect
   * outside the database (a message sent) may happen again if the transaction then fails; key it by the
   * event's id. It holds a transaction open, so it should not wait on anything slow.
   */
  handle(events: StoredEvent[], tx: Stores): Promise<void>;
  /** Called after a batch this server acted on has committed (to wake what acts on what `handle` wrote). */
  afterCommit?: ((events: StoredEvent[]) => void) | undefined;
  /** Where a consumer seen for the first time starts: after the newest event (default), or at the first one kept. */
  from?: "latest" | "start" | undefined;
  /** Events per transaction; default 100. */
  batchSize?: number | undefined;
  /** How often it looks for new events when nothing wakes it; default 1000 ms. */
  intervalMs?: number | undefined;
  /**
   * How long a missing id may stay missing before it is taken for a transaction that rolled back; default
   * 5000 ms. On PostgreSQL a transaction that took a lower id may commit after one that took a higher id:
   * the consumer waits at such a gap rather than step over an event not yet visible.
   */
  gapTimeoutMs?: number | undefined;
  /** Wakes the consumer as soon as this server publishes events, instead of at its next interval. */
  bus?: EventBus | undefined;
  /**
   * Least time between the starts of two passes a publish wakes; default 100 ms. The first event after a
   * quiet spell is acted on at once; under load, the events of many commits wait a little and share a
   * pass, instead of each commit paying a pass (a read of the position, of the events, and a transaction:
   * six statements; at 25 ms, 1.5 passes per run in the pause bench on PostgreSQL).
   */
  minSpacingMs?: number | undefined;
  onError(e: unknown): void;
}

/** A running event consumer. */
export interface EventConsumer {
  /** Acts on the events there are now, after any pass in progress; resolves with how many this pass acted on. */
  poll(): Promise<number>;
  /** Stops it; resolves once a pass in progress has ended. */
  stop(): Promise<void>;
}

/**
 * Reads the kept events in order and hands each to `handle` once, keeping its position in the database
 * (`storage.events`' cursors) under its name. Several servers may run the same consumer: each pass
 * moves the position by compare-and-set, in the transaction that acts, so one of them acts on each event.
 *
 * @example
 * const audit = startEventConsumer(storage, {
 *   name: "audit",
 *   handle: async (events, tx) => { for (const e of events) await tx.logs.insert([auditLine(e)]); },
 *   bus,
 *   onError: (e) => app.log.error({ err: e }, "audit consumer failed"),
 * });
 */
export function startEventConsumer(storage: Storage, options: EventConsumerOptions): EventConsumer {
  const { name, handle, onError } = options;
  const batchSize = options.batchSize ?? 100;
  const gapTimeoutMs = options.gapTimeoutMs ?? 5000;
  /** The first missing id seen after the position, and since when it has been missing. */
  let gap: { id: number; since: number } | undefined;
  let stopped = false;

  const position = async (): Promise<number> => {
    const at = await storage.events.readCursor(name);
    if (at !== undefined) return at;
    const start = options.from === "start" ? 0 : await storage.events.latestId();
    // Another server may create it first: then its position counts.
    await storage.events.moveCursor(name, undefined, start);
    return (await storage.events.readCursor(name))!;
  };

  /** The events from `from` on without a gap, or past a gap that has outlived `gapTimeoutMs`. */
  const ready = (from: number, events: StoredEvent[]): StoredEvent[] => {
    let expected = from + 1;
    for (let i = 0; i < events.length; expected = events[i]!.id + 1, i++) {
      if (events[i]!.id === expected) continue;
      if (gap?.id !== expected) gap = { id: expected, since: Date.now() };
      if (Date.now() - gap.since < gapTimeoutMs) return events.slice(0, i);
    }
    return events;
  };

  const pass = async (): Promise<number> => {
    let acted = 0;
    for (;;) {
      const from = await position();
      const events = await storage.events.listAfter(from, { limit: batchSize });
      const batch = ready(from, events);
      if (!batch.length) return acted;
      const to = batch.at(-1)!.id;
      const moved = await storage.transaction(async (tx) => {
        if (!(await tx.events.moveCursor(name, from, to))) return false; // another server took this batch
        await handle(batch, tx);
        return true;
      });
      if (moved) {
        acted += batch.length;
        options.afterCommit?.(batch);
      }
      if (events.length < batchSize || batch.length < events.length || stopped) return acted;
    }
  };

  const minSpacingMs = options.minSpacingMs ?? 100;
  /** A pass is asked for and has not started: more wakes until it starts need no pass of their own. */
  let pending = false;
  let lastStart = 0;
  const passes = oneAtATime(() => {
    pending = false;
    lastStart = Date.now();
    return pass();
  });
  // Events published while a pass runs may have committed after it read: they get the pass queued after it.
  const wake = () => {
    if (pending || stopped) return;
    pending = true;
    const wait = lastStart + minSpacingMs - Date.now();
    if (wait > 0) setTimeout(() => !stopped && passes.run().catch(onError), wait).unref();
    else passes.run().catch(onError);
  };
  const timer = setInterval(wake, options.intervalMs ?? 1000);
  timer.unref();
  const unsubscribe = options.bus?.subscribe({ types: ["flow-run.state-changed", "flow-run.input-submitted", "flow-run.input-rejected"] }, () =>
    queueMicrotask(wake),
  );

  return {
    poll: () => passes.run(),
    async stop() {
      stopped = true;
      clearInterval(timer);
      unsubscribe?.();
      await passes.idle();
    },
  };
}

import type { BatonEvent, BatonEventType } from "../contract/index.ts";

/** Which events a subscriber wants. */
export interface EventFilter {
  flowRunId?: string | undefined;
  types?: readonly BatonEventType[] | undefined;
}

type Listener = (event: BatonEvent) => void;

/**
 * In-process fan-out of events to the open streams of this server. Events are written to the database
 * in the transaction that caused them and published here only after it commits.
 */
export class EventBus {
  #byRun = new Map<string, Set<Listener>>();
  #all = new Set<Listener>();

  /** Calls `listener` with each matching event; returns the function that stops it. */
  subscribe(filter: EventFilter, listener: (event: BatonEvent) => void): () => void {
    const wanted = filter.types ? new Set(filter.types) : undefined;
    const l: Listener = wanted ? (e) => wanted.has(e.type) && listener(e) : listener;
    const set = filter.flowRunId ? this.#runSet(filter.flowRunId) : this.#all;
    set.add(l);
    return () => {
      set.delete(l);
      if (filter.flowRunId && set.size === 0) this.#byRun.delete(filter.flowRunId);
    };
  }

  /** Set when other servers share the database: told of every event this server publishes. */
  relay: ((events: readonly BatonEvent[]) => void) | undefined;

  /** Delivers events written by this server to its streams, and to the other servers through the relay. */
  publish(events: readonly BatonEvent[]): void {
    this.deliver(events);
    if (events.length) this.relay?.(events);
  }

  /** Delivers events to this server's streams only (used for events another server wrote). */
  deliver(events: readonly BatonEvent[]): void {
    for (const e of events) {
      for (const l of this.#all) l(e);
      const forRun = this.#byRun.get(e.flowRunId);
      if (forRun) for (const l of forRun) l(e);
    }
  }

  get listenerCount(): number {
    let n = this.#all.size;
    for (const s of this.#byRun.values()) n += s.size;
    return n;
  }

  #runSet(id: string): Set<Listener> {
    let s = this.#byRun.get(id);
    if (!s) this.#byRun.set(id, (s = new Set()));
    return s;
  }
}

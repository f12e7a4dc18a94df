import type { BatonEvent } from "../contract/index.ts";
import type { Storage, StoredEvent } from "../storage/storage.ts";
import type { EventBus, EventFilter } from "./event-bus.ts";

/** Events for the event stream: live ones from this server's bus, and the kept ones a reconnecting client missed. */
export class EventService {
  readonly #storage: Storage;
  readonly #bus: EventBus;
  constructor(storage: Storage, bus: EventBus) {
    this.#storage = storage;
    this.#bus = bus;
  }

  /** Calls `listener` with each matching event published from now on; returns the function that stops it. */
  subscribe(filter: EventFilter, listener: (event: BatonEvent) => void): () => void {
    return this.#bus.subscribe(filter, listener);
  }

  /** The id of the newest kept event: a new stream's position, so that a reconnect replays only what came after. */
  position(): Promise<number> {
    return this.#storage.events.latestId();
  }

  /** Kept events after `afterId`, oldest first, of one run or all: what a reconnecting client missed. */
  missed(afterId: number, flowRunId: string | undefined, limit: number): Promise<StoredEvent[]> {
    return this.#storage.events.listAfter(afterId, { flowRunId, limit });
  }
}

import type { BatonEvent } from "../contract/index.ts";
import type { Storage, StoredEvent } from "../storage/storage.ts";
import { authorize } from "./authorize.ts";
import type { EventBus, EventFilter } from "./event-bus.ts";
import type { RequestCaller } from "./request-caller.ts";
import { redactedEvent, seesSensitive } from "./sensitive.ts";

/**
 * Events for the event stream: live ones from this server's bus, and the kept ones a reconnecting client
 * missed. Each reader gets what it may see: sensitive answers only go to flows' processes.
 */
export class EventService {
  readonly #storage: Storage;
  readonly #bus: EventBus;
  constructor(storage: Storage, bus: EventBus) {
    this.#storage = storage;
    this.#bus = bus;
  }

  /** Calls `listener` with each matching event published from now on; returns the function that stops it. */
  subscribe(caller: RequestCaller, filter: EventFilter, listener: (event: BatonEvent) => void): () => void {
    authorize(caller, "event:read", { type: "flow-run", id: filter.flowRunId });
    return this.#bus.subscribe(filter, seesSensitive(caller) ? listener : (e) => listener(redactedEvent(e)));
  }

  /** The id of the newest kept event: a new stream's position, so that a reconnect replays only what came after. */
  position(caller: RequestCaller): Promise<number> {
    authorize(caller, "event:read", { type: "flow-run" });
    return this.#storage.events.latestId();
  }

  /** Kept events after `afterId`, oldest first, of one run or all: what a reconnecting client missed. */
  async missed(caller: RequestCaller, afterId: number, flowRunId: string | undefined, limit: number): Promise<StoredEvent[]> {
    authorize(caller, "event:read", { type: "flow-run", id: flowRunId });
    const events = await this.#storage.events.listAfter(afterId, { flowRunId, limit });
    return seesSensitive(caller) ? events : events.map((e) => redactedEvent(e) as StoredEvent);
  }
}

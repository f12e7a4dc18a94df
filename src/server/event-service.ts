import type { BatonEvent } from "../contract/index.ts";
import type { Storage, StoredEvent } from "../storage/storage.ts";
import { authorize } from "./authorize.ts";
import type { EventBus, EventFilter } from "./event-bus.ts";
import type { InputChecks } from "./input-checks.ts";
import type { RequestCaller } from "./request-caller.ts";
import { redactedEvent, seesSensitive } from "./sensitive.ts";
import type { WorkerPresence } from "./worker-presence.ts";

/**
 * Events for the event stream: live ones from this server's bus, and the kept ones a reconnecting client
 * missed. Each reader gets what it may see: sensitive answers only go to flows' processes.
 */
export class EventService {
  readonly #storage: Storage;
  readonly #bus: EventBus;
  readonly #presence: WorkerPresence;
  readonly #checks: InputChecks;
  /** Open streams, and of them those held by processes running flows. */
  readonly streams = { total: 0, processes: 0 };
  constructor(storage: Storage, bus: EventBus, presence: WorkerPresence, checks: InputChecks) {
    this.#checks = checks;
    this.#storage = storage;
    this.#bus = bus;
    this.#presence = presence;
  }

  /**
   * Calls `listener` with each matching event published from now on; returns the function that stops it.
   * A stream that names the process holding it (`workerId`) is that process's sign of life: when the
   * last one closes, its runs are recovered after a short grace unless it comes back (`WorkerPresence`).
   */
  subscribe(
    caller: RequestCaller,
    filter: EventFilter,
    listener: (event: BatonEvent) => void,
    workerId?: string,
    checks?: { livePauses: boolean; deployments: readonly string[] },
  ): () => void {
    authorize(caller, "event:read", { type: "flow-run", id: filter.flowRunId });
    if (checks) authorize(caller, "flow-run:check-input", { type: "flow-run" });
    // First, since it may refuse (only a role that runs flows holds a stream as a process): nothing to undo then.
    const gone = workerId === undefined ? undefined : this.#presence.connected(caller, workerId);
    const unsubscribe = this.#bus.subscribe(filter, seesSensitive(caller) ? listener : (e) => listener(redactedEvent(e)));
    // A process that checks answers gets them whole, so only a flow's own process (which sees sensitive fields anyway).
    const detach =
      checks && seesSensitive(caller)
        ? this.#checks.attach({
            workerId,
            livePauses: checks.livePauses,
            deployments: new Set(checks.deployments),
            send: (check) =>
              listener({ id: 0, type: "flow-run.input-check", flowRunId: check.flowRunId, occurredAt: new Date().toISOString(), payload: check }),
          })
        : undefined;
    const streams = this.streams;
    streams.total++;
    if (gone) streams.processes++;
    let open = true;
    return () => {
      if (!open) return;
      open = false;
      streams.total--;
      if (gone) streams.processes--;
      unsubscribe();
      detach?.();
      gone?.();
    };
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

import type { Log, LogEntry } from "../contract/index.ts";
import type { Storage } from "../storage/storage.ts";
import { authorize } from "./authorize.ts";
import type { EventBus } from "./event-bus.ts";
import type { FlowRunService } from "./flow-run-service.ts";
import type { RequestCaller } from "./request-caller.ts";

/** Log lines of runs: ingest, in batches, and reading. */
export class LogService {
  readonly #storage: Storage;
  readonly #bus: EventBus;
  readonly #runs: FlowRunService;
  constructor(storage: Storage, bus: EventBus, runs: FlowRunService) {
    this.#storage = storage;
    this.#bus = bus;
    this.#runs = runs;
  }

  /**
   * Stores a batch of lines in one transaction (so in a commit group on SQLite), then streams them as
   * `log` events; log lines are not kept as events, so a stream that reconnects does not replay them.
   * Resolves with how many were stored.
   */
  async ingest(caller: RequestCaller, entries: LogEntry[]): Promise<number> {
    authorize(caller, "log:write", { type: "flow-run" });
    const stored = await this.#storage.transaction((tx) => tx.logs.insert(entries));
    this.#bus.publish(stored.map((l) => ({ id: l.id, type: "log" as const, flowRunId: l.flowRunId, occurredAt: l.timestamp, payload: l })));
    return stored.length;
  }

  /** A run's log lines after an id, oldest first; 404 for an unknown run. */
  async list(caller: RequestCaller, flowRunId: string, afterId: number, limit: number): Promise<Log[]> {
    authorize(caller, "log:read", { type: "flow-run", id: flowRunId });
    await this.#runs.load(flowRunId);
    return this.#storage.logs.list(flowRunId, afterId, limit);
  }
}

import type { Selectable } from "kysely";
import type { BatonEvent } from "../contract/index.ts";
import type { EventTable } from "./schema.ts";
import { preparedRows } from "./prepared.ts";
import type { Executor } from "./sql-storage.ts";

/** An event before the database gives it an id. */
export type NewEvent = Omit<Exclude<BatonEvent, { type: "log" }>, "id">;
/** A kept event (log lines are streamed, not kept as events). */
export type StoredEvent = Exclude<BatonEvent, { type: "log" }>;

/** Kept events: `storage.events`. */
export interface EventStore {
  /** Appends events in order, in one statement; returns them with their ids. */
  insert(events: NewEvent[]): Promise<StoredEvent[]>;
  /** Events after an id (for a client that reconnects with Last-Event-ID), oldest first, optionally of one run. */
  listAfter(afterId: number, options: { flowRunId?: string | undefined; limit: number }): Promise<StoredEvent[]>;
  /** The events with these ids, in id order. */
  listByIds(ids: number[]): Promise<StoredEvent[]>;
  /** The id of the newest kept event, or 0. */
  latestId(): Promise<number>;
}

/** `EventStore` in SQL, the same on both databases. */
export class SqlEventStore implements EventStore {
  readonly #db: Executor;
  constructor(db: Executor) {
    this.#db = db;
  }

  async insert(events: NewEvent[]): Promise<StoredEvent[]> {
    if (!events.length) return [];
    const db = this.#db;
    const { rows } = await preparedRows(
      db,
      "insertEvents",
      events.map((e) => ({ type: e.type, flow_run_id: e.flowRunId, occurred_at: e.occurredAt, payload: JSON.stringify(e.payload) })),
      (placeholders) => db.insertInto("events").values(placeholders).returning("id"),
    );
    // Both databases number the rows of one insert in the order given, but may return them in any order.
    const ids = rows.map((r) => Number(r.id)).sort((a, b) => a - b);
    return events.map((e, i) => ({ ...e, id: ids[i]! }) as StoredEvent);
  }

  async listAfter(afterId: number, { flowRunId, limit }: { flowRunId?: string | undefined; limit: number }): Promise<StoredEvent[]> {
    let q = this.#db.selectFrom("events").selectAll().where("id", ">", afterId);
    if (flowRunId) q = q.where("flow_run_id", "=", flowRunId);
    const rows = await q.orderBy("id").limit(limit).execute();
    return rows.map(eventOf);
  }

  async listByIds(ids: number[]): Promise<StoredEvent[]> {
    const rows = await this.#db.selectFrom("events").selectAll().where("id", "in", ids).orderBy("id").execute();
    return rows.map(eventOf);
  }

  async latestId(): Promise<number> {
    const row = await this.#db.selectFrom("events").select((eb) => eb.fn.max("id").as("max")).executeTakeFirst();
    return Number(row?.max ?? 0);
  }
}

function eventOf(r: Selectable<EventTable>): StoredEvent {
  return { id: Number(r.id), type: r.type, flowRunId: r.flow_run_id, occurredAt: r.occurred_at, payload: JSON.parse(r.payload) } as StoredEvent;
}

import type { Selectable } from "kysely";
import type { BatonEvent } from "../contract/index.ts";
import type { EventTable } from "./schema.ts";
import { preparedRows } from "./prepared.ts";
import type { Executor } from "./sql-storage.ts";

/** An event before the database gives it an id. */
export type NewEvent = Omit<StoredEvent, "id">;
/** A kept event (log lines are streamed, and input checks sent to one process, not kept as events). */
export type StoredEvent = Exclude<BatonEvent, { type: "log" | "flow-run.input-check" }>;

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
  /** The id of the last event the consumer `consumer` acted on; undefined for a consumer not seen before. */
  readCursor(consumer: string): Promise<number | undefined>;
  /**
   * Moves the position of `consumer` from `from` to `to`, if it is still at `from` (`undefined`: creates
   * it, if it does not exist yet); returns false when another writer moved or created it first. Run it
   * in the transaction that acts on the events up to `to`, so that the events are acted on exactly once:
   * on PostgreSQL a second server's move waits for the first's commit, then finds the position gone.
   */
  moveCursor(consumer: string, from: number | undefined, to: number): Promise<boolean>;
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
    const { rows } = await preparedRows(db, "insertEvents", events.map(eventRow), (placeholders) =>
      db.insertInto("events").values(placeholders).returning("id"),
    );
    return withIds(events, rows);
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
    const row = await this.#db
      .selectFrom("events")
      .select((eb) => eb.fn.max("id").as("max"))
      .executeTakeFirst();
    return Number(row?.max ?? 0);
  }

  async readCursor(consumer: string): Promise<number | undefined> {
    const row = await this.#db.selectFrom("event_cursors").select("last_event_id").where("consumer", "=", consumer).executeTakeFirst();
    return row && Number(row.last_event_id);
  }

  async moveCursor(consumer: string, from: number | undefined, to: number): Promise<boolean> {
    if (from === undefined) {
      const created = await this.#db
        .insertInto("event_cursors")
        .values({ consumer, last_event_id: to })
        .onConflict((oc) => oc.column("consumer").doNothing())
        .executeTakeFirst();
      return Number(created.numInsertedOrUpdatedRows ?? 0) > 0;
    }
    const moved = await this.#db
      .updateTable("event_cursors")
      .set({ last_event_id: to })
      .where("consumer", "=", consumer)
      .where("last_event_id", "=", from)
      .executeTakeFirst();
    return moved.numUpdatedRows > 0;
  }
}

/** An event as a row of `events`, without its id (the database gives it). */
export function eventRow(e: NewEvent) {
  return { type: e.type, flow_run_id: e.flowRunId, occurred_at: e.occurredAt, payload: JSON.stringify(e.payload) };
}

/** `events` with the ids that their insert returned (`rows`). */
export function withIds(events: readonly NewEvent[], rows: readonly { id: unknown }[]): StoredEvent[] {
  // Both databases number the rows of one insert in the order given, but may return them in any order.
  const ids = rows.map((r) => Number(r.id)).sort((a, b) => a - b);
  return events.map((e, i) => ({ ...e, id: ids[i]! }) as StoredEvent);
}

function eventOf(r: Selectable<EventTable>): StoredEvent {
  return { id: Number(r.id), type: r.type, flowRunId: r.flow_run_id, occurredAt: r.occurred_at, payload: JSON.parse(r.payload) } as StoredEvent;
}

import type { Selectable } from "kysely";
import type { BatonEvent } from "../contract/index.ts";
import type { EventTable } from "./schema.ts";
import { preparedRows } from "./prepared.ts";
import type { Executor } from "./storage.ts";

/** An event before the database gives it an id. */
export type NewEvent = Omit<Exclude<BatonEvent, { type: "log" }>, "id">;
/** A kept event (log lines are streamed, not kept as events). */
export type StoredEvent = Exclude<BatonEvent, { type: "log" }>;

/** Appends events in order, in one statement; returns them with their ids. */
export async function insertEvents(db: Executor, events: NewEvent[]): Promise<StoredEvent[]> {
  if (!events.length) return [];
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

/** Events after an id (for a client that reconnects with Last-Event-ID), oldest first. */
export async function listEventsAfter(db: Executor, afterId: number, flowRunId: string | undefined, limit: number): Promise<StoredEvent[]> {
  let q = db.selectFrom("events").selectAll().where("id", ">", afterId);
  if (flowRunId) q = q.where("flow_run_id", "=", flowRunId);
  const rows = await q.orderBy("id").limit(limit).execute();
  return rows.map(eventOf);
}

/** The events with these ids, in id order. */
export async function listEventsByIds(db: Executor, ids: number[]): Promise<StoredEvent[]> {
  const rows = await db.selectFrom("events").selectAll().where("id", "in", ids).orderBy("id").execute();
  return rows.map(eventOf);
}

function eventOf(r: Selectable<EventTable>): StoredEvent {
  return { id: Number(r.id), type: r.type, flowRunId: r.flow_run_id, occurredAt: r.occurred_at, payload: JSON.parse(r.payload) } as StoredEvent;
}

/** The id of the newest kept event, or 0. */
export async function latestEventId(db: Executor): Promise<number> {
  const row = await db.selectFrom("events").select((eb) => eb.fn.max("id").as("max")).executeTakeFirst();
  return Number(row?.max ?? 0);
}

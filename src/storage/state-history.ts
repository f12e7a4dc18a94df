import { type Compilable, sql } from "kysely";
import type { State } from "../contract/index.ts";
import { prepared } from "./prepared.ts";
import type { Executor } from "./sql-storage.ts";
import type { Dialect } from "./storage.ts";
import { encodeText } from "./text-codec.ts";
import { eventRow, type NewEvent, SqlEventStore, type StoredEvent, withIds } from "./events-store.ts";

/** A state kept in a run's history: of a flow run, or (with `taskRunId`) of one of its task runs. */
export interface HistoryEntry {
  flowRunId: string;
  taskRunId: string | null;
  state: State;
}

/** A write of one run's row that can say which row it wrote (`returning`). */
interface RunWrite extends Compilable<unknown> {
  returning(column: "id"): Compilable<unknown>;
}

function historyRow({ flowRunId, taskRunId, state }: HistoryEntry) {
  return {
    id: state.id,
    flow_run_id: flowRunId,
    task_run_id: taskRunId,
    type: state.type,
    name: state.name,
    timestamp: state.timestamp,
    message: encodeText(state.message),
    details: JSON.stringify(state.details),
  };
}

/**
 * Writes a run's row (`write`, built once per `key` from `values` as `prepared` does: an insert that may
 * do nothing, or a conditional update) and, if it wrote one, adds `entry` to the run's history and stores
 * `events`; resolves with the stored events, or undefined when it wrote nothing. On PostgreSQL that is one
 * statement (data-modifying CTEs): a state change is then one statement to plan and run instead of three,
 * and its events are inserted only if the guarded write was made. On SQLite, in-process, separate
 * statements cost less than one with CTEs (and SQLite has no data-modifying CTE).
 */
export async function writeWithHistory<V extends Record<string, unknown>>(
  db: Executor,
  dialect: Dialect,
  key: string,
  values: V,
  write: (placeholders: V) => RunWrite,
  entry: HistoryEntry,
  events: readonly NewEvent[] = [],
): Promise<StoredEvent[] | undefined> {
  const row = historyRow(entry);
  if (dialect !== "postgres") {
    if (!(await prepared(db, key, values, write)).numAffectedRows) return undefined;
    await prepared(db, "insertStateHistory", row, (p) => db.insertInto("flow_run_states").values(p));
    return new SqlEventStore(db).insert([...events]);
  }
  const columns = Object.keys(row) as (keyof typeof row)[];
  const eventRows = events.map(eventRow);
  const eventColumns = ["type", "flow_run_id", "occurred_at", "payload"] as const;
  const all: Record<string, unknown> = { ...values };
  for (const c of columns) all[`history:${c}`] = row[c];
  eventRows.forEach((e, i) => {
    for (const c of eventColumns) all[`event${i}:${c}`] = e[c];
  });
  const result = await prepared(db, `${key}+history+events:${events.length}`, all, (p) => {
    const own = Object.fromEntries(Object.keys(values).map((k) => [k, p[k]])) as V;
    const text = (name: string) => sql`${p[name]}::text`;
    const history = sql`insert into flow_run_states (${sql.join(columns.map((c) => sql.ref(c)))}) select ${sql.join(columns.map((c) => text(`history:${c}`)))} from written`;
    // The events are joined to `written`, so they are inserted only with the write, in the order given.
    const query = eventRows.length
      ? sql`with written as (${write(own).returning("id")}), history as (${history}) insert into events (${sql.join(eventColumns.map((c) => sql.ref(c)))}) select ${sql.join(eventColumns.map((c) => sql.ref(`e.${c}`)))} from (values ${sql.join(eventRows.map((_, i) => sql`(${sql.join(eventColumns.map((c) => text(`event${i}:${c}`)))}, ${sql.lit(i)})`))}) as e (${sql.join(eventColumns.map((c) => sql.ref(c)))}, n) cross join written order by e.n returning id`
      : sql`with written as (${write(own).returning("id")}) ${history}`;
    return { compile: () => query.compile(db) };
  });
  if (!result.numAffectedRows) return undefined;
  return withIds(events, result.rows as { id: unknown }[]);
}

/** A conditional update of one task run's row that can return the row it wrote. */
interface TaskRunWrite<R> extends Compilable<unknown> {
  returningAll(): Compilable<R>;
}

/**
 * Updates a task run's row (`write`, built once per `key` from `values` as `prepared` does: a conditional
 * update) and, if it wrote it, adds `state` to its run's history; resolves with the row as written, or
 * undefined. The row says which flow run the history entry belongs to, so the caller need not read the
 * task run first: on PostgreSQL one statement, as in `writeWithHistory`.
 */
export async function updateTaskWithHistory<V extends Record<string, unknown>, R extends { id: string; flow_run_id: string }>(
  db: Executor,
  dialect: Dialect,
  key: string,
  values: V,
  write: (placeholders: V) => TaskRunWrite<R>,
  state: State,
): Promise<R | undefined> {
  if (dialect !== "postgres") {
    const [row] = (await prepared(db, key, values, (p) => write(p).returningAll())).rows;
    if (!row) return undefined;
    const entry = historyRow({ flowRunId: row.flow_run_id, taskRunId: row.id, state });
    await prepared(db, "insertStateHistory", entry, (p) => db.insertInto("flow_run_states").values(p));
    return row;
  }
  const entry = historyRow({ flowRunId: "", taskRunId: "", state });
  const columns = Object.keys(entry) as (keyof typeof entry)[];
  const fromRow: Partial<Record<keyof typeof entry, string>> = { flow_run_id: "written.flow_run_id", task_run_id: "written.id" };
  const all: Record<string, unknown> = { ...values };
  for (const c of columns) if (!fromRow[c]) all[`history:${c}`] = entry[c];
  const { rows } = await prepared<Record<string, unknown>, R>(db, `${key}+history`, all, (p) => {
    const own = Object.fromEntries(Object.keys(values).map((k) => [k, p[k]])) as V;
    const value = (c: keyof typeof entry) => (fromRow[c] ? sql.ref(fromRow[c]) : sql`${p[`history:${c}`]}::text`);
    const query = sql<R>`with written as (${write(own).returningAll()}), history as (insert into flow_run_states (${sql.join(columns.map((c) => sql.ref(c)))}) select ${sql.join(columns.map(value))} from written) select * from written`;
    return { compile: () => query.compile(db) };
  });
  return rows[0];
}

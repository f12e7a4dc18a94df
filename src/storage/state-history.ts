import { type Compilable, sql } from "kysely";
import type { State } from "../contract/index.ts";
import { prepared } from "./prepared.ts";
import type { Executor } from "./sql-storage.ts";
import type { Dialect } from "./storage.ts";
import { encodeText } from "./text-codec.ts";

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
 * do nothing, or a conditional update) and, if it wrote one, adds `entry` to the run's history; resolves
 * with whether it wrote. On PostgreSQL that is one statement (a data-modifying CTE): a state change is
 * then one round trip, plan and execution fewer, and the pause bench makes eight of them per run. On
 * SQLite, in-process, two statements cost less than one with a CTE.
 */
export async function writeWithHistory<V extends Record<string, unknown>>(
  db: Executor,
  dialect: Dialect,
  key: string,
  values: V,
  write: (placeholders: V) => RunWrite,
  entry: HistoryEntry,
): Promise<boolean> {
  const row = historyRow(entry);
  if (dialect !== "postgres") {
    if (!(await prepared(db, key, values, write)).numAffectedRows) return false;
    await prepared(db, "insertStateHistory", row, (p) => db.insertInto("flow_run_states").values(p));
    return true;
  }
  const columns = Object.keys(row) as (keyof typeof row)[];
  const history = Object.fromEntries(columns.map((c) => [`history:${c}`, row[c]]));
  const result = await prepared(db, `${key}+history`, { ...values, ...history }, (p) => {
    const own = Object.fromEntries(Object.keys(values).map((k) => [k, p[k]])) as V;
    const query = sql`with written as (${write(own).returning("id")}) insert into flow_run_states (${sql.join(columns.map((c) => sql.ref(c)))}) select ${sql.join(columns.map((c) => sql`${p[`history:${c}`]}::text`))} from written`;
    return { compile: () => query.compile(db) };
  });
  return !!result.numAffectedRows;
}

import type { Log, LogEntry } from "../contract/index.ts";
import { prepared } from "./prepared.ts";
import { logOf } from "./rows.ts";
import type { Executor } from "./storage.ts";

/**
 * Rows per insert statement. A batch goes in chunks of this many rows, so that each chunk size is one
 * statement compiled and prepared once, instead of SQL that differs with every batch's length.
 */
const CHUNK = 32;

/** Stores a batch of log lines, in order; returns them with their ids. Run it in a transaction, so that it is all or nothing. */
export async function insertLogs(db: Executor, entries: LogEntry[]): Promise<Log[]> {
  const stored: Log[] = [];
  for (let start = 0; start < entries.length; start += CHUNK) {
    const chunk = entries.slice(start, start + CHUNK);
    const values: Record<string, string | null> = {};
    chunk.forEach((e, i) =>
      Object.assign(values, { [`run${i}`]: e.flowRunId, [`task${i}`]: e.taskRunId ?? null, [`level${i}`]: e.level, [`message${i}`]: e.message, [`at${i}`]: e.timestamp }),
    );
    const { rows } = await prepared(db, `insertLogs:${chunk.length}`, values, (p) =>
      db
        .insertInto("logs")
        .values(chunk.map((_, i) => ({ flow_run_id: p[`run${i}`]!, task_run_id: p[`task${i}`] ?? null, level: p[`level${i}`]!, message: p[`message${i}`]!, timestamp: p[`at${i}`]! })))
        .returningAll(),
    );
    // Both databases number the rows of one insert in the order given, but may return them in any order.
    stored.push(...rows.map(logOf).sort((a, b) => a.id - b.id));
  }
  return stored;
}

/** A run's log lines after an id, oldest first. */
export async function listLogs(db: Executor, flowRunId: string, afterId: number, limit: number): Promise<Log[]> {
  const rows = await db
    .selectFrom("logs")
    .selectAll()
    .where("flow_run_id", "=", flowRunId)
    .where("id", ">", afterId)
    .orderBy("id")
    .limit(limit)
    .execute();
  return rows.map(logOf);
}

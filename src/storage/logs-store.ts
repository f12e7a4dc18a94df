import type { Log, LogEntry } from "../contract/index.ts";
import { preparedRows } from "./prepared.ts";
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
    const { rows } = await preparedRows(
      db,
      "insertLogs",
      chunk.map((e) => ({ flow_run_id: e.flowRunId, task_run_id: e.taskRunId ?? null, level: e.level, message: e.message, timestamp: e.timestamp })),
      (placeholders) => db.insertInto("logs").values(placeholders).returningAll(),
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

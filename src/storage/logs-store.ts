import type { Log, LogEntry } from "../contract/index.ts";
import { logOf } from "./rows.ts";
import type { Executor } from "./storage.ts";

/** Stores a batch of log lines in one statement; returns them with their ids. */
export async function insertLogs(db: Executor, entries: LogEntry[]): Promise<Log[]> {
  const rows = await db
    .insertInto("logs")
    .values(
      entries.map((e) => ({
        flow_run_id: e.flowRunId,
        task_run_id: e.taskRunId ?? null,
        level: e.level,
        message: e.message,
        timestamp: e.timestamp,
      })),
    )
    .returningAll()
    .execute();
  return rows.map(logOf);
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

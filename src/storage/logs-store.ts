import type { Log, LogEntry } from "../contract/index.ts";
import { preparedRows } from "./prepared.ts";
import { logOf } from "./rows.ts";
import type { Executor } from "./sql-storage.ts";
import { encodeText } from "./text-codec.ts";

/**
 * Rows per insert statement. A batch goes in chunks of this many rows, so that each chunk size is one
 * statement compiled and prepared once, instead of SQL that differs with every batch's length.
 */
const CHUNK = 32;

/** Log lines of runs: `storage.logs`. */
export interface LogStore {
  /** Stores a batch of log lines, in order; returns them with their ids. Run it in a transaction, so that it is all or nothing. */
  insert(entries: LogEntry[]): Promise<Log[]>;
  /** A run's log lines after an id, oldest first. */
  list(flowRunId: string, afterId: number, limit: number): Promise<Log[]>;
}

/** `LogStore` in SQL, the same on both databases. */
export class SqlLogStore implements LogStore {
  readonly #db: Executor;
  constructor(db: Executor) {
    this.#db = db;
  }

  async insert(entries: LogEntry[]): Promise<Log[]> {
    const db = this.#db;
    const stored: Log[] = [];
    for (let start = 0; start < entries.length; start += CHUNK) {
      const chunk = entries.slice(start, start + CHUNK);
      const { rows } = await preparedRows(
        db,
        "insertLogs",
        chunk.map((e) => ({
          flow_run_id: e.flowRunId,
          task_run_id: e.taskRunId ?? null,
          level: e.level,
          message: encodeText(e.message),
          timestamp: e.timestamp,
        })),
        (placeholders) => db.insertInto("logs").values(placeholders).returningAll(),
      );
      // Both databases number the rows of one insert in the order given, but may return them in any order.
      stored.push(...rows.map(logOf).sort((a, b) => a.id - b.id));
    }
    return stored;
  }

  async list(flowRunId: string, afterId: number, limit: number): Promise<Log[]> {
    const rows = await this.#db
      .selectFrom("logs")
      .selectAll()
      .where("flow_run_id", "=", flowRunId)
      .where("id", ">", afterId)
      .orderBy("id")
      .limit(limit)
      .execute();
    return rows.map(logOf);
  }
}

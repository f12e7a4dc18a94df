import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import { DatabaseSync, type StatementSync } from "node:sqlite";
import { Worker } from "node:worker_threads";
import { Kysely, SqliteDialect, type QueryResult, type SqliteDatabase, type SqliteStatement } from "kysely";
import { executeDirectly, type DirectExecute } from "../prepared.ts";
import type { Database } from "../schema.ts";

/** Statements kept prepared, at most, least recently used dropped first. */
const CACHED_STATEMENTS = 200;
/**
 * Longer SQL is not kept: it is a batch (a log batch, an `in (...)` list) whose text changes with its
 * size, and whose compiled program takes about 300 bytes per parameter (1.5 MB for a 1,000-line log
 * batch), outside the JS heap.
 */
const MAX_CACHED_SQL_LENGTH = 2000;

/**
 * Kysely over Node's built-in `node:sqlite`, so that Baton needs no native addon. node:sqlite takes
 * parameters as separate arguments where Kysely passes an array, and knows no `reader` flag: this
 * adapter bridges both and keeps the prepared statements of short queries for reuse.
 */
function adapt(db: DatabaseSync): SqliteDatabase & { execute: DirectExecute } {
  const cache = new Map<string, SqliteStatement>();
  const adapted = {
    close: () => db.close(),
    prepare(sqlText: string): SqliteStatement {
      let stmt = cache.get(sqlText);
      if (stmt) {
        // Re-inserted, so that the Map's order is least recently used first.
        cache.delete(sqlText);
        cache.set(sqlText, stmt);
        return stmt;
      }
      const raw: StatementSync = db.prepare(sqlText);
      const params = (p: ReadonlyArray<unknown>) => p as any[];
      stmt = {
        reader: raw.columns().length > 0,
        all: (p) => raw.all(...params(p)),
        run: (p) => raw.run(...params(p)),
        iterate: (p) => raw.iterate(...params(p)) as IterableIterator<unknown>,
      };
      if (sqlText.length <= MAX_CACHED_SQL_LENGTH) {
        if (cache.size >= CACHED_STATEMENTS) cache.delete(cache.keys().next().value!);
        cache.set(sqlText, stmt);
      }
      return stmt;
    },
    // A query outside a transaction must not run while one is open, or it would read what that one has
    // not committed yet: it then waits its turn on Kysely's path.
    execute(sqlText: string, parameters: readonly unknown[], inTransaction: boolean): QueryResult<unknown> | undefined {
      if (!inTransaction && db.isTransaction) return undefined;
      const stmt = adapted.prepare(sqlText);
      if (stmt.reader) return { rows: stmt.all(parameters) as unknown[] };
      const { changes, lastInsertRowid } = stmt.run(parameters);
      return { rows: [], numAffectedRows: BigInt(changes), insertId: BigInt(lastInsertRowid) };
    },
  };
  return adapted;
}

/**
 * How often the checkpoint thread copies the write-ahead log into the database file. A checkpoint on the
 * server's own thread stops it for two fsyncs: under load, 100-250 ms every second or so on this
 * project's test machines, which was most of the answers' p99 latency.
 */
const CHECKPOINT_INTERVAL_MS = 200;
/**
 * Pages (4 KiB) of write-ahead log after which a commit checkpoints on the server's thread: the backstop,
 * should the checkpoint thread fall behind; and the rule, should it stop.
 */
const FALLBACK_AUTOCHECKPOINT_PAGES = 20_000;
/** Without the thread: 8,000 pages (up to 32 MB of WAL) stops the server less often than SQLite's 1,000. */
const AUTOCHECKPOINT_PAGES = 8000;

/** An open SQLite database; `close` also stops its checkpoint thread. */
export interface SqliteConnection {
  db: Kysely<Database>;
  close(): Promise<void>;
}

/** Opens (and creates) the SQLite database file in WAL mode, with a thread that checkpoints it. */
export function connectSqlite(file: string): SqliteConnection {
  if (file !== ":memory:") mkdirSync(dirname(file), { recursive: true });
  const raw = new DatabaseSync(file);
  raw.exec("PRAGMA journal_mode = WAL");
  // NORMAL is durable across process crashes in WAL mode; only an OS crash can lose the last commits.
  raw.exec("PRAGMA synchronous = NORMAL");
  raw.exec("PRAGMA busy_timeout = 5000");
  raw.exec("PRAGMA foreign_keys = ON");
  // The savepoints of a commit group keep their undo pages in memory, not in a temporary file each.
  raw.exec("PRAGMA temp_store = MEMORY");
  const adapted = adapt(raw);
  const db = new Kysely<Database>({ dialect: new SqliteDialect({ database: adapted }) });
  executeDirectly(db, adapted.execute);
  if (file === ":memory:") return { db, close: () => db.destroy() };
  raw.exec(`PRAGMA wal_autocheckpoint = ${FALLBACK_AUTOCHECKPOINT_PAGES}`);
  let stopping = false;
  const checkpoints = new Worker(new URL("./checkpoint-worker.js", import.meta.url), { workerData: { file, intervalMs: CHECKPOINT_INTERVAL_MS } });
  checkpoints.unref();
  const exited = new Promise((resolve) => checkpoints.once("exit", resolve));
  checkpoints.on("error", (e) =>
    process.emitWarning(`The SQLite checkpoint thread failed (${e.message}); the server checkpoints by itself from now on.`),
  );
  void exited.then(() => {
    try {
      if (!stopping) raw.exec(`PRAGMA wal_autocheckpoint = ${AUTOCHECKPOINT_PAGES}`);
    } catch {
      // The database is closed already.
    }
  });
  return {
    db,
    async close() {
      stopping = true;
      // Held while it stops: with nothing else left to do, the process would otherwise exit mid-close.
      checkpoints.ref();
      checkpoints.postMessage("stop");
      await exited;
      await db.destroy();
    },
  };
}

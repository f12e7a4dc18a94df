import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import { DatabaseSync, type StatementSync } from "node:sqlite";
import { Kysely, SqliteDialect, type SqliteDatabase, type SqliteStatement } from "kysely";
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
function adapt(db: DatabaseSync): SqliteDatabase {
  const cache = new Map<string, SqliteStatement>();
  return {
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
  };
}

/**
 * Pages (4 KiB) of write-ahead log after which a commit copies it into the database file. Each such
 * checkpoint stops the server for two fsyncs, tens to hundreds of ms on a slow disk; SQLite's default of
 * 1,000 pages did that every second or so under load. At 8,000 (a WAL of up to 32 MB) it happens a
 * few times less often and copies less in all, since a page changed many times is copied once.
 */
const AUTOCHECKPOINT_PAGES = 8000;

/** Opens (and creates) the SQLite database file in WAL mode. */
export function connectSqlite(file: string): Kysely<Database> {
  if (file !== ":memory:") mkdirSync(dirname(file), { recursive: true });
  const raw = new DatabaseSync(file);
  raw.exec("PRAGMA journal_mode = WAL");
  // NORMAL is durable across process crashes in WAL mode; only an OS crash can lose the last commits.
  raw.exec("PRAGMA synchronous = NORMAL");
  raw.exec("PRAGMA busy_timeout = 5000");
  raw.exec(`PRAGMA wal_autocheckpoint = ${AUTOCHECKPOINT_PAGES}`);
  raw.exec("PRAGMA foreign_keys = ON");
  return new Kysely<Database>({ dialect: new SqliteDialect({ database: adapt(raw) }) });
}

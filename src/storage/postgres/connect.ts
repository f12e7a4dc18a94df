import { Kysely, PostgresDialect } from "kysely";
import pg from "pg";
import type { Database } from "../schema.ts";

// Auto-increment ids are bigserial; they stay far below 2^53, so read them as numbers.
pg.types.setTypeParser(20, (v) => Number(v));

/** Connects to PostgreSQL with a small pool. */
export function connectPostgres(url: string, poolSize = 10): { db: Kysely<Database>; pool: pg.Pool; close(): Promise<void> } {
  const pool = new pg.Pool({ connectionString: url, max: poolSize });
  // An idle connection that PostgreSQL closes (restart, failover) must not crash the server: the pool
  // drops it and opens a new one on next use.
  pool.on("error", (e) => process.emitWarning(`PostgreSQL closed an idle connection: ${e.message}`));
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  return { db, pool, close: () => db.destroy() };
}

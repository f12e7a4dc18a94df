import { migrateToLatest } from "../migrations.ts";
import { SqlStorage } from "../sql-storage.ts";
import type { Storage } from "../storage.ts";
import { connectPostgres } from "./connect.ts";
import { startEventRelay } from "./event-relay.ts";
import { groupCommit } from "./group-commit.ts";

/** Connections that run commit groups at once; the rest of the pool serves reads. */
const CONCURRENT_GROUPS = 4;

/**
 * Opens a PostgreSQL database as `Storage`, migrated to the newest schema. Transactions commit in groups
 * (`group-commit.ts`); several servers may share the database, and share their events through `relayEvents`.
 */
export async function openPostgresStorage(url: string): Promise<Storage> {
  const { db, pool, close } = connectPostgres(url);
  await migrateToLatest(db, "postgres");
  return new SqlStorage(db, "postgres", {
    transaction: groupCommit(pool, CONCURRENT_GROUPS),
    close,
    relayEvents: (deliver, onError, hear) => startEventRelay(url, db, deliver, onError, hear),
  });
}

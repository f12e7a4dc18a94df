import { migrateToLatest } from "../migrations.ts";
import { SqlStorage } from "../sql-storage.ts";
import type { Storage } from "../storage.ts";
import { connectPostgres } from "./connect.ts";
import { startEventRelay } from "./event-relay.ts";

/**
 * Opens a PostgreSQL database as `Storage`, migrated to the newest schema. Transactions run at once on the
 * pool; several servers may share the database, and share their events through `relayEvents`.
 */
export async function openPostgresStorage(url: string): Promise<Storage> {
  const { db, close } = connectPostgres(url);
  await migrateToLatest(db, "postgres");
  return new SqlStorage(db, "postgres", {
    transaction: (fn) => db.transaction().execute(fn),
    close,
    relayEvents: (deliver, onError) => startEventRelay(url, db, deliver, onError),
  });
}

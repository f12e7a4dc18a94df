import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Kysely } from "kysely";
import { openStorage } from "../../src/storage/open-storage.ts";
import { connectPostgres } from "../../src/storage/postgres/connect.ts";
import type { Database } from "../../src/storage/schema.ts";
import { connectSqlite } from "../../src/storage/sqlite/connect.ts";
import type { Storage } from "../../src/storage/storage.ts";
import { createTempDatabase } from "./postgres.ts";

/** A migrated storage on a database of its own, for tests of the storage port and what uses it directly. */
export interface TempStorage {
  storage: Storage;
  /** A connection of its own to the same database, for the tests of what lies beneath the port. */
  connect(): { db: Kysely<Database>; close(): Promise<void> };
  /** Closes the storage and removes its database. */
  remove(): Promise<void>;
}

/** Opens a storage on a new SQLite file in a temporary folder, or on a new PostgreSQL database (dropped by `remove`). */
export async function openTempStorage(backend: "sqlite" | "postgres"): Promise<TempStorage> {
  if (backend === "postgres") {
    const db = await createTempDatabase();
    const storage = await openStorage({ databaseUrl: db.url, home: "" });
    return { storage, connect: () => connectPostgres(db.url), remove: () => storage.close().then(db.drop) };
  }
  const home = mkdtempSync(join(tmpdir(), "baton-storage-"));
  const storage = await openStorage({ home });
  return {
    storage,
    connect: () => connectSqlite(join(home, "baton.sqlite")),
    remove: async () => {
      await storage.close();
      rmSync(home, { recursive: true, force: true });
    },
  };
}

import { migrateToLatest } from "../migrations.ts";
import { SqlStorage } from "../sql-storage.ts";
import type { Storage } from "../storage.ts";
import { connectSqlite } from "./connect.ts";
import { groupCommit } from "./group-commit.ts";

/**
 * Opens (and creates) a SQLite database file as `Storage`, migrated to the newest schema. Its one writer
 * commits the transactions asked for together in groups; it has no relay, since one server uses a file.
 */
export async function openSqliteStorage(file: string): Promise<Storage> {
  const { db, close } = connectSqlite(file);
  await migrateToLatest(db, "sqlite");
  return new SqlStorage(db, "sqlite", { transaction: groupCommit(db), close });
}

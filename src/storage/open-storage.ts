import { join } from "node:path";
import { migrateToLatest } from "./migrations.ts";
import { connectSqlite } from "./sqlite/connect.ts";
import { groupCommit } from "./sqlite/group-commit.ts";
import type { Dialect, Storage } from "./storage.ts";

/** Where the data lives: a `postgres://` URL, or else a SQLite file. */
export interface StorageOptions {
  /** `postgres://...` for PostgreSQL; a file path (or `sqlite:` + path) for SQLite. */
  databaseUrl?: string | undefined;
  /** Used for the default SQLite file (`<home>/baton.sqlite`) when no URL is given. */
  home: string;
}

/** Opens the database the options name and applies any pending migrations. */
export async function openStorage(options: StorageOptions): Promise<Storage> {
  const url = options.databaseUrl;
  const dialect: Dialect = url && /^postgres(ql)?:\/\//.test(url) ? "postgres" : "sqlite";
  // pg is loaded only for PostgreSQL: a server on SQLite does without its memory.
  const { db, close } =
    dialect === "postgres"
      ? (await import("./postgres/connect.ts")).connectPostgres(url!)
      : connectSqlite(url ? url.replace(/^sqlite:(\/\/)?/, "") : join(options.home, "baton.sqlite"));
  await migrateToLatest(db, dialect);
  return {
    dialect,
    db,
    // PostgreSQL runs concurrent transactions on its pool; SQLite's one writer commits them in groups.
    transaction: dialect === "sqlite" ? groupCommit(db) : (fn) => db.transaction().execute(fn),
    close,
  };
}

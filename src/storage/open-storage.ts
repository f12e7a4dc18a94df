import { join } from "node:path";
import { openSqliteStorage } from "./sqlite/open.ts";
import type { Storage } from "./storage.ts";

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
  // pg is loaded only for PostgreSQL: a server on SQLite does without its memory.
  if (url && /^postgres(ql)?:\/\//.test(url)) return (await import("./postgres/open.ts")).openPostgresStorage(url);
  return openSqliteStorage(url ? url.replace(/^sqlite:(\/\/)?/, "") : join(options.home, "baton.sqlite"));
}

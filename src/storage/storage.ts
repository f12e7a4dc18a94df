import type { Kysely, Transaction } from "kysely";
import type { Database } from "./schema.ts";

/** Which database a storage talks to. */
export type Dialect = "sqlite" | "postgres";

/** Either the database or a transaction on it: every store function takes one. */
export type Executor = Kysely<Database> | Transaction<Database>;

/** An open database, migrated to the newest schema. */
export interface Storage {
  readonly dialect: Dialect;
  readonly db: Kysely<Database>;
  /** Runs `fn` in one transaction; everything it writes commits together or not at all. */
  transaction<T>(fn: (tx: Transaction<Database>) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

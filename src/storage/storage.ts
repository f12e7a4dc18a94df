import type { Kysely, Transaction } from "kysely";
import type { Database } from "./schema.ts";

/** Which database a storage talks to. */
export type Dialect = "sqlite" | "postgres";

/** Either the database or a transaction on it: every store function takes one. */
export type Executor = Kysely<Database> | Transaction<Database>;

/** How a transaction is run. */
export interface TransactionOptions {
  /**
   * Where transactions queue for the one writer (SQLite), this one goes ahead of those queued: a person's
   * answer should not wait behind a burst of reports from processes running flows.
   */
  urgent?: boolean | undefined;
}

/** An open database, migrated to the newest schema. */
export interface Storage {
  readonly dialect: Dialect;
  readonly db: Kysely<Database>;
  /** Runs `fn` in one transaction; everything it writes commits together or not at all. */
  transaction<T>(fn: (tx: Transaction<Database>) => Promise<T>, options?: TransactionOptions): Promise<T>;
  close(): Promise<void>;
}

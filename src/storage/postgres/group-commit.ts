import {
  Kysely,
  PostgresAdapter,
  PostgresIntrospector,
  PostgresQueryCompiler,
  type CompiledQuery,
  type DatabaseConnection,
  type Dialect,
  type Driver,
  type QueryResult,
} from "kysely";
import type pg from "pg";
import { executeDirectly } from "../prepared.ts";
import type { Database } from "../schema.ts";
import type { TransactionOptions } from "../storage.ts";
import { queryOn } from "./connect.ts";

interface Job {
  fn: (tx: Kysely<Database>) => Promise<unknown>;
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
}

/** Transactions in one group at most. */
const MAX_GROUP = 64;

/** Kysely over one pipelined connection, without the lock Kysely puts around a transaction's queries. */
class ConnectionDialect implements Dialect {
  readonly #connection: DatabaseConnection;
  // An adapter per connection: `prepared` then runs the connection's queries directly (and compiles each once per connection).
  readonly #adapter = new PostgresAdapter();
  constructor(client: pg.PoolClient) {
    this.#connection = {
      executeQuery: <R>(q: CompiledQuery): Promise<QueryResult<R>> => queryOn<R>(client, q.sql, q.parameters),
      streamQuery() {
        throw new Error("streaming is not supported in a commit group");
      },
    };
  }
  createAdapter = () => this.#adapter;
  createQueryCompiler = () => new PostgresQueryCompiler();
  createIntrospector = (db: Kysely<any>) => new PostgresIntrospector(db);
  createDriver(): Driver {
    const connection = this.#connection;
    const refuse = () => Promise.reject(new Error("a commit group is a transaction already"));
    return {
      init: async () => {},
      acquireConnection: async () => connection,
      releaseConnection: async () => {},
      beginTransaction: refuse,
      commitTransaction: refuse,
      rollbackTransaction: refuse,
      destroy: async () => {},
    };
  }
}

/** Each pooled connection's Kysely, made on first use. */
const kyselyOf = new WeakMap<pg.PoolClient, Kysely<Database>>();

/**
 * Transactions for PostgreSQL with group commit. The transactions asked for while every group connection
 * is busy wait, then run together in one PostgreSQL transaction on one connection, concurrently: the
 * connection is pipelined, so the first statements of all of them leave in one write and come back in one
 * read, then the second ones, and so on, and one COMMIT ends them all. Under load this turns ~6 round
 * trips and a commit per transaction into ~6 round trips and a commit per group; a lone transaction runs
 * as before. Every caller is answered only after the COMMIT, so durability is that of each transaction.
 *
 * A group has no savepoints (two more round trips each): if any of its transactions fails (an error, or a
 * guarded write that lost), the group is rolled back and each of its transactions runs again alone, so
 * that the failure is its own. Transactions must therefore have no effect outside the database, which is
 * true of the storage port's. Urgent transactions (a person's answer) go first.
 */
export function groupCommit(
  pool: pg.Pool,
  concurrentGroups: number,
): <T>(fn: (tx: Kysely<Database>) => Promise<T>, options?: TransactionOptions) => Promise<T> {
  const urgent: Job[] = [];
  const queue: Job[] = [];
  let running = 0;
  let scheduled = false;

  async function transaction(client: pg.PoolClient, jobs: Job[]): Promise<{ ok: true; values: unknown[] } | { ok: false; errors: unknown[] }> {
    let db = kyselyOf.get(client);
    if (!db) {
      kyselyOf.set(client, (db = new Kysely<Database>({ dialect: new ConnectionDialect(client) })));
      executeDirectly(db, (text, values) => queryOn(client, text, values));
    }
    // BEGIN is pipelined with the transactions' first statements; its failure fails them too.
    const begun = client.query("begin");
    const settled = await Promise.allSettled([begun, ...jobs.map((job) => job.fn(db))]);
    const failed = settled.filter((s) => s.status === "rejected").map((s) => (s as PromiseRejectedResult).reason);
    if (failed.length) {
      await client.query("rollback");
      return { ok: false, errors: settled.slice(1).map((s) => (s.status === "rejected" ? s.reason : failed[0])) };
    }
    // PostgreSQL answers COMMIT with ROLLBACK when a statement failed and its error was caught.
    const { command } = await client.query("commit");
    if (command !== "COMMIT") return { ok: false, errors: jobs.map(() => new Error("the transaction was rolled back")) };
    return { ok: true, values: settled.slice(1).map((s) => (s as PromiseFulfilledResult<unknown>).value) };
  }

  async function runGroup(jobs: Job[]): Promise<void> {
    let client: pg.PoolClient;
    try {
      client = await pool.connect();
    } catch (e) {
      for (const job of jobs) job.reject(e);
      return;
    }
    let broken: Error | undefined;
    try {
      const outcome = await transaction(client, jobs);
      if (outcome.ok) for (const [i, job] of jobs.entries()) job.resolve(outcome.values[i]);
      else if (jobs.length === 1) jobs[0]!.reject(outcome.errors[0]);
      else {
        for (const job of jobs) {
          const alone = await transaction(client, [job]);
          if (alone.ok) job.resolve(alone.values[0]);
          else job.reject(alone.errors[0]);
        }
      }
    } catch (e) {
      // The connection failed (a ROLLBACK or COMMIT did not come back): drop it, and fail what is left.
      broken = e as Error;
      for (const job of jobs) job.reject(e);
    } finally {
      client.release(broken);
    }
  }

  function schedule(): void {
    scheduled = false;
    while (running < concurrentGroups && (urgent.length || queue.length)) {
      // Urgent ones first, but at most half a group while others wait, so that a flood of answers cannot
      // starve the reports of running flows.
      const jobs = urgent.splice(0, queue.length ? MAX_GROUP / 2 : MAX_GROUP);
      jobs.push(...queue.splice(0, MAX_GROUP - jobs.length));
      running++;
      void runGroup(jobs).finally(() => {
        running--;
        schedule();
      });
    }
  }

  return <T>(fn: (tx: Kysely<Database>) => Promise<T>, options?: TransactionOptions) =>
    new Promise<T>((resolve, reject) => {
      (options?.urgent ? urgent : queue).push({ fn, resolve: resolve as (v: unknown) => void, reject });
      // Transactions asked for in this turn of the event loop (a claim's runs, a batch's reports) group.
      if (!scheduled && running < concurrentGroups) {
        scheduled = true;
        setImmediate(schedule);
      }
    });
}

import { Kysely, PostgresDialect, type QueryResult } from "kysely";
import pg from "pg";
import { executeDirectly } from "../prepared.ts";
import type { Database } from "../schema.ts";

// Auto-increment ids are bigserial; they stay far below 2^53, so read them as numbers.
pg.types.setTypeParser(20, (v) => Number(v));

/** Named statements kept per connection, at most; later new texts run unnamed. */
const NAMED_STATEMENTS = 300;
/** Longer SQL is a batch whose text changes with its size (an `in (...)` list, a log batch): not kept. */
const MAX_NAMED_SQL_LENGTH = 4000;

/**
 * Makes each parameterized query of `client` a named prepared statement, parsed and planned once per
 * connection: the queries of a state change are small, and PostgreSQL spent about as long parsing and
 * planning each as running it. Kysely sends `query(text, values)`; the name is given here.
 */
function prepareByName(client: pg.PoolClient): void {
  const names = new Map<string, string>();
  const query = client.query.bind(client) as (config: pg.QueryConfig) => Promise<pg.QueryResult>;
  client.query = ((text: unknown, values: unknown) => {
    if (typeof text === "string" && Array.isArray(values) && values.length && text.length <= MAX_NAMED_SQL_LENGTH) {
      let name = names.get(text);
      if (!name && names.size < NAMED_STATEMENTS) names.set(text, (name = `baton_${names.size}`));
      if (name) return query({ name, text, values });
    }
    return (query as (t: unknown, v: unknown) => Promise<pg.QueryResult>)(text, values);
  }) as typeof client.query;
}

/**
 * Sends what a connection writes in one turn of the event loop in one system call. node-postgres writes
 * each message of a query (parse, bind, describe, execute, sync) to the socket by itself, and corks the
 * socket around each prepared query only: one system call per statement, which under load (a commit
 * group's pipelined statements) were a third of the server's time. The socket is corked at the turn's
 * first write or cork, and uncorked once at its end.
 */
function coalesceWrites(client: pg.PoolClient): void {
  const stream = (client as unknown as { connection: { stream: import("node:net").Socket } }).connection.stream;
  const write = stream.write.bind(stream) as (...args: unknown[]) => boolean;
  const cork = stream.cork.bind(stream);
  let held = false;
  const hold = () => {
    if (held) return;
    held = true;
    cork();
    process.nextTick(() => {
      held = false;
      stream.uncork();
    });
  };
  stream.cork = () => {
    hold();
    cork();
  };
  stream.write = ((...args: unknown[]) => {
    hold();
    return write(...args);
  }) as typeof stream.write;
}

/** Runs a query on `client` and gives node-postgres's answer as Kysely's drivers give it. */
export async function queryOn<R>(client: pg.ClientBase, text: string, values: readonly unknown[]): Promise<QueryResult<R>> {
  const { command, rowCount, rows } = await client.query(text, [...values]);
  const affected = command === "INSERT" || command === "UPDATE" || command === "DELETE" || command === "MERGE";
  return { rows: rows as R[], ...(affected ? { numAffectedRows: BigInt(rowCount ?? 0) } : {}) };
}

/**
 * One connection of `pool`, kept, that the small queries run outside a transaction (`prepared`'s: reads
 * by key, logs) share. Pipelined, each with its own implicit transaction, the ones asked for in one turn
 * of the event loop leave in one write: a batch's thirty reads are one round trip, where each took a
 * connection of its own (and the pool's seven left for reads came back in waves). A connection that
 * breaks fails its queries and is replaced on next use.
 */
function sharedConnection(pool: pg.Pool): { query(text: string, values: readonly unknown[]): Promise<QueryResult<unknown>>; release(): void } {
  let current: Promise<pg.PoolClient> | undefined;
  return {
    async query(text, values) {
      if (!current) {
        const held = pool.connect();
        current = held;
        held.then(
          (client) =>
            client.once("end", () => {
              if (current !== held) return; // `release` gave it back already
              current = undefined;
              client.release(true);
            }),
          () => {
            if (current === held) current = undefined;
          },
        );
      }
      return queryOn(await current, text, values);
    },
    release() {
      const held = current;
      current = undefined;
      void held?.then(
        (client) => client.release(),
        () => {},
      );
    },
  };
}

/** Connects to PostgreSQL with a pool whose connections keep their statements prepared. */
export function connectPostgres(url: string, poolSize = 10): { db: Kysely<Database>; pool: pg.Pool; close(): Promise<void> } {
  // Pipelined: a commit group sends the statements of its transactions without waiting for each answer.
  const pool = new pg.Pool({ connectionString: url, max: poolSize, pipeline: true } as pg.PoolConfig);
  pool.on("connect", (client) => {
    prepareByName(client);
    coalesceWrites(client);
    // A connection that PostgreSQL ends while it is checked out (a commit group between two statements)
    // must not crash the server either: its queries fail, and the pool drops it when it comes back.
    client.on("error", () => {});
  });
  // An idle connection that PostgreSQL closes (restart, failover) must not crash the server: the pool
  // drops it and opens a new one on next use.
  pool.on("error", (e) => process.emitWarning(`PostgreSQL closed an idle connection: ${e.message}`));
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  // A Kysely transaction (the migrations') holds its connection: its queries take Kysely's path.
  const shared = sharedConnection(pool);
  executeDirectly(db, (text, values, inTransaction) => (inTransaction ? undefined : shared.query(text, values)));
  return {
    db,
    pool,
    close: () => {
      shared.release();
      return db.destroy();
    },
  };
}

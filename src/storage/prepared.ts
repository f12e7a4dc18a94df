import { CompiledQuery, type Compilable, type DialectAdapter, type Kysely, type QueryResult } from "kysely";
import type { Executor } from "./sql-storage.ts";

/** Marks where a named value goes in a query built once by `prepared`. */
const PLACEHOLDER = "\u0000baton:";

/** A compiled query: its SQL, and for each parameter the name of its value (or a constant). */
interface Compiled {
  sql: string;
  parameters: ({ name: string } | { constant: unknown })[];
}

/** Per database (its dialect adapter): compiled queries by key. */
const compiled = new WeakMap<DialectAdapter, Map<string, Compiled>>();

/**
 * Runs a compiled query at once, without Kysely's connection handling, or returns undefined when it
 * must not (then the query takes the usual path). `inTransaction` says whether the caller is inside a
 * Kysely transaction, and so holds the connection.
 */
export type DirectExecute = (
  sql: string,
  parameters: readonly unknown[],
  inTransaction: boolean,
) => QueryResult<unknown> | Promise<QueryResult<unknown>> | undefined;

/** Per database (its dialect adapter): how to run a query directly, for databases that can. */
const direct = new WeakMap<DialectAdapter, DirectExecute>();

/**
 * Lets `prepared` run the queries of `db` through `execute`. Kysely's path around each query (a
 * connection's acquiring and release, a mutex, several promise hops) cost more than SQLite's own work for
 * the small queries of a state change, and on PostgreSQL a third more than node-postgres's.
 */
export function executeDirectly(db: Kysely<any>, execute: DirectExecute): void {
  direct.set(db.getExecutor().adapter, execute);
}

/**
 * Runs the query that `build` makes from `values`. It is built and compiled once per `key` (and
 * dialect), with placeholders where `values` go; later calls only bind values. Building and compiling a
 * query with Kysely costs about 25-40 µs, more than SQLite takes to run a small one, so the queries every
 * state change runs use this. `key` must name the query's shape: a query whose columns or clauses
 * depend on the values needs one key per shape. Values must be ready for the column (JSON as text).
 *
 * @example
 * const { rows } = await prepared(db, "getFlowRun", { id }, (p) => db.selectFrom("flow_runs").selectAll().where("id", "=", p.id));
 */
export async function prepared<V extends Record<string, unknown>, R>(
  db: Executor,
  key: string,
  values: V,
  build: (placeholders: V) => Compilable<R>,
): Promise<QueryResult<R>> {
  const adapter = db.getExecutor().adapter;
  let byKey = compiled.get(adapter);
  if (!byKey) compiled.set(adapter, (byKey = new Map()));
  let query = byKey.get(key);
  if (!query) {
    const placeholders = Object.fromEntries(Object.keys(values).map((name) => [name, PLACEHOLDER + name])) as V;
    const c = build(placeholders).compile();
    query = {
      sql: c.sql,
      parameters: c.parameters.map((p) =>
        typeof p === "string" && p.startsWith(PLACEHOLDER) ? { name: p.slice(PLACEHOLDER.length) } : { constant: p },
      ),
    };
    byKey.set(key, query);
  }
  const parameters = query.parameters.map((p) => ("name" in p ? values[p.name] : p.constant));
  return execute<R>(db, query.sql, parameters);
}

/**
 * Runs the multi-row statement that `build` makes from `rows` (all with the same columns), built and
 * compiled once per `key` and number of rows, as `prepared` does: row i's column c is bound as `i:c`.
 *
 * @example
 * await preparedRows(db, "insertEvents", rows, (placeholders) => db.insertInto("events").values(placeholders).returning("id"));
 */
export function preparedRows<Row extends Record<string, unknown>, R>(
  db: Executor,
  key: string,
  rows: readonly Row[],
  build: (placeholders: Row[]) => Compilable<R>,
): Promise<QueryResult<R>> {
  const values: Record<string, unknown> = {};
  rows.forEach((row, i) => {
    for (const column in row) values[`${i}:${column}`] = row[column];
  });
  return prepared(db, `${key}:${rows.length}`, values, (p) =>
    build(rows.map((row, i) => Object.fromEntries(Object.keys(row).map((column) => [column, p[`${i}:${column}`]])) as Row)),
  );
}

/** Runs compiled SQL: directly where the database allows it (see `executeDirectly`), else through Kysely. */
export function execute<R>(db: Executor, sql: string, parameters: readonly unknown[] = []): Promise<QueryResult<R>> {
  const result = direct.get(db.getExecutor().adapter)?.(sql, parameters, db.isTransaction);
  return result ? (Promise.resolve(result) as Promise<QueryResult<R>>) : db.executeQuery<R>(CompiledQuery.raw(sql, [...parameters]));
}

/** The values of `values` that are not undefined, and a key naming which those are (a query's shape). */
export function defined<V extends Record<string, unknown>>(values: V): { shape: string; present: Partial<V> } {
  const present: Record<string, unknown> = {};
  let shape = "";
  for (const name in values) {
    if (values[name] === undefined) continue;
    present[name] = values[name];
    shape += shape ? `,${name}` : name;
  }
  return { shape, present: present as Partial<V> };
}

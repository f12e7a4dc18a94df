// Clones one real suspended run of the bench `count` times, straight into the database: every row the
// server wrote for it (the run, its state history, its task run, its input request, its events and log
// lines), with new ids and with every past time moved back by (count - i) seconds for clone i, so that the
// clones are spread over the past and the template stays the newest. Usage:
//   node bench/seed-suspended.ts <sqlite file | postgres://... URL> <template run id> <count>
// Prints one JSON line: { seconds, bytesBefore (the database's size before; for SQLite the file, WAL folded in),
// rowsPerRun, textPerRun (bytes of the template's columns), bytesByTable (each table with its indexes: SQLite's
// dbstat pages, PostgreSQL's pg_total_relation_size) }.
import { statSync } from "node:fs";
import { DatabaseSync, type SQLInputValue } from "node:sqlite";
import pg from "pg";
import { newId } from "../src/storage/ids.ts";

const [target, templateId, countArg] = process.argv.slice(2);
if (!target || !templateId || !countArg) throw new Error("usage: seed-suspended.ts <sqlite file | postgres URL> <template run id> <count>");
const count = Number(countArg);
/** Clones per transaction. */
const BATCH = 1000;
const SPACING_MS = 1000;

type Rec = Record<string, SQLInputValue>;

/** What differs between the two databases: reading the template, inserting a batch of clones, and sizes. */
interface Target {
  rows(table: string, where: string, id: string): Promise<Rec[]>;
  /** Inserts `rows` (each the values of `columns`) into `table`. */
  insert(table: string, columns: string[], rows: SQLInputValue[][]): Promise<void>;
  transaction(fn: () => Promise<void>): Promise<void>;
  /** The database's size in bytes, with what is written so far in it. */
  bytes(): Promise<number>;
  bytesByTable(): Promise<Record<string, number>>;
  close(): Promise<void>;
}

function sqliteTarget(file: string): Target {
  const db = new DatabaseSync(file);
  // As the server's connection (journal_mode = WAL is kept in the file); foreign keys are checked as there.
  db.exec("PRAGMA synchronous = NORMAL");
  db.exec("PRAGMA busy_timeout = 5000");
  db.exec("PRAGMA foreign_keys = ON");
  // A larger page cache than the default 2 MB only makes the inserts faster (keys such as flow_run_id in
  // the indexes of other tables touch pages all over them); it changes nothing in the file.
  db.exec("PRAGMA cache_size = -131072");
  const statements = new Map<string, ReturnType<DatabaseSync["prepare"]>>();
  return {
    rows: async (table, where, id) => db.prepare(`select * from ${table} where ${where.replace("$1", "?")}`).all(id) as Rec[],
    async insert(table, columns, rows) {
      const sql = `insert into ${table} (${columns.join(", ")}) values (${columns.map(() => "?").join(", ")})`;
      let insert = statements.get(sql);
      if (!insert) statements.set(sql, (insert = db.prepare(sql)));
      for (const row of rows) insert.run(...row);
    },
    async transaction(fn) {
      db.exec("begin immediate");
      await fn();
      db.exec("commit");
    },
    // The seeder's transactions (1,000 clones, with random ids in several indexes) leave a WAL of about 100 MB
    // that the server's own commits (a few pages each, checkpointed every 1,000 pages) never would: fold it
    // into the file and truncate it, so that the WAL measured next is the server's.
    async bytes() {
      db.exec("PRAGMA wal_checkpoint(TRUNCATE)");
      return statSync(file).size;
    },
    bytesByTable: async () =>
      Object.fromEntries(
        (
          db
            .prepare(
              "select s.tbl_name as t, sum(d.pgsize) as bytes from dbstat d join sqlite_schema s on s.name = d.name group by s.tbl_name order by bytes desc",
            )
            .all() as { t: string; bytes: number }[]
        ).map((r) => [r.t, r.bytes]),
      ),
    close: async () => db.close(),
  };
}

async function postgresTarget(url: string): Promise<Target> {
  const db = new pg.Client({ connectionString: url });
  await db.connect();
  const types = new Map<string, string>();
  for (const r of (await db.query("select table_name, column_name, data_type from information_schema.columns where table_schema = 'public'")).rows)
    types.set(`${r.table_name}.${r.column_name}`, r.data_type);
  return {
    rows: async (table, where, id) => (await db.query(`select * from ${table} where ${where}`, [id])).rows,
    // One statement per table and batch: each column's values as one array, unnested into rows.
    async insert(table, columns, rows) {
      const arrays = columns.map((_, c) => rows.map((row) => (row[c] === null ? null : String(row[c]))));
      const casts = columns.map((c, i) => `$${i + 1}::${types.get(`${table}.${c}`)}[]`);
      await db.query(`insert into ${table} (${columns.join(", ")}) select * from unnest(${casts.join(", ")})`, arrays);
    },
    async transaction(fn) {
      await db.query("begin");
      await fn();
      await db.query("commit");
    },
    bytes: async () => Number((await db.query("select pg_database_size(current_database()) as b")).rows[0].b),
    bytesByTable: async () =>
      Object.fromEntries(
        (
          await db.query(
            "select relname as t, pg_total_relation_size(c.oid) as bytes from pg_class c join pg_namespace n on n.oid = c.relnamespace where n.nspname = 'public' and c.relkind = 'r' order by bytes desc",
          )
        ).rows.map((r) => [r.t, Number(r.bytes)]),
      ),
    close: () => db.end(),
  };
}

const db = target.startsWith("postgres") ? await postgresTarget(target) : sqliteTarget(target);

/** Each table's rows of the run, in an order that satisfies the foreign keys. Auto-increment ids are left to the database. */
const tables = [
  { name: "flow_runs", where: "id = $1", omit: [] as string[] },
  { name: "flow_run_states", where: "flow_run_id = $1", omit: [] },
  { name: "task_runs", where: "flow_run_id = $1", omit: [] },
  { name: "run_inputs", where: "flow_run_id = $1", omit: [] },
  { name: "events", where: "flow_run_id = $1", omit: ["id"] },
  { name: "logs", where: "flow_run_id = $1", omit: ["id"] },
];

const rowsOf = new Map<string, Rec[]>();
for (const t of tables) rowsOf.set(t.name, await db.rows(t.name, t.where, templateId));
if (rowsOf.get("flow_runs")!.length !== 1) throw new Error(`no run ${templateId} in ${target}`);

// The ids that are the run's own (its id, its states' and its task runs' ids): each clone gets new ones.
// Other ids (its flow, its deployment, the process in a state's details) are shared, as among real runs.
const ownIds = [templateId, ...rowsOf.get("flow_run_states")!.map((r) => r.id as string), ...rowsOf.get("task_runs")!.map((r) => r.id as string)];
const idIndex = new Map(ownIds.map((id, i) => [id, i]));
const times: number[] = [];
const timeIndex = new Map<string, number>();

/** A column value as literal parts and holes for ids and times, so that a clone is a join, not a regex. */
type Part = string | { id: number } | { time: number };
const TOKEN = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z/g;
function compile(value: SQLInputValue): SQLInputValue | Part[] {
  if (typeof value !== "string") return value;
  const parts: Part[] = [];
  let last = 0;
  for (const m of value.matchAll(TOKEN)) {
    const token = m[0];
    let hole: Part | undefined;
    if (idIndex.has(token)) hole = { id: idIndex.get(token)! };
    // A time still to come (the pause's deadline) stays: moved back with the rest, the clones of a long
    // bench would be past it, and the server would fail them.
    else if (token.endsWith("Z") && Date.parse(token) <= Date.now()) {
      if (!timeIndex.has(token)) timeIndex.set(token, times.push(Date.parse(token)) - 1);
      hole = { time: timeIndex.get(token)! };
    }
    if (!hole) continue;
    parts.push(value.slice(last, m.index), hole);
    last = m.index + token.length;
  }
  if (!parts.length) return value;
  parts.push(value.slice(last));
  return parts;
}

// Per table, its columns and the template's rows compiled; each clone adds one row per template row.
const plan = tables.map((t) => {
  const rows = rowsOf.get(t.name)!;
  const columns = rows[0] ? Object.keys(rows[0]).filter((c) => !t.omit.includes(c)) : [];
  return { table: t.name, columns, rows: rows.map((row) => columns.map((c) => compile(row[c]!))) };
});

const bytesBefore = await db.bytes();
const started = process.hrtime.bigint();
for (let from = 0; from < count; from += BATCH) {
  const batch = plan.map(() => [] as SQLInputValue[][]);
  for (let i = from; i < Math.min(count, from + BATCH); i++) {
    const ids = ownIds.map(() => newId());
    const shift = (count - i) * SPACING_MS;
    const shifted = times.map((t) => new Date(t - shift).toISOString());
    const fill = (v: SQLInputValue | Part[]): SQLInputValue =>
      Array.isArray(v) ? v.map((p) => (typeof p === "string" ? p : "id" in p ? ids[p.id] : shifted[p.time])).join("") : v;
    plan.forEach((p, t) => {
      for (const row of p.rows) batch[t]!.push(row.map(fill));
    });
  }
  await db.transaction(async () => {
    for (const [t, p] of plan.entries()) if (p.rows.length) await db.insert(p.table, p.columns, batch[t]!);
  });
}
const seconds = Number(process.hrtime.bigint() - started) / 1e9;
const bytesAfter = await db.bytes();
const bytesByTable = await db.bytesByTable();
await db.close();
// The text the template run holds in each table (before SQLite's own overhead and indexes).
const textPerRun = Object.fromEntries(
  [...rowsOf].map(([t, rows]) => [
    t,
    rows.reduce((sum, r) => sum + Object.values(r).reduce<number>((n, v) => n + (typeof v === "string" ? Buffer.byteLength(v) : 8), 0), 0),
  ]),
);
console.log(
  JSON.stringify({
    seconds,
    bytesBefore,
    bytesAfter,
    rowsPerRun: Object.fromEntries([...rowsOf].map(([t, rows]) => [t, rows.length])),
    textPerRun,
    bytesByTable,
  }),
);

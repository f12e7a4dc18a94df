// Clones one real suspended run of the bench `count` times, straight into the SQLite file: every row the
// server wrote for it (the run, its state history, its task run, its input request, its events and log
// lines), with new ids and with every time moved back by (count - i) seconds for clone i, so that the
// clones are spread over the past and the template stays the newest. Usage:
//   node bench/seed-suspended.ts <sqlite file> <template run id> <count>
// Prints one JSON line: { seconds, fileBytesBefore (the file's size before, WAL folded in), rowsPerRun, textPerRun (bytes of the template's columns), bytesByTable
// (pages of each table with its indexes, from SQLite's dbstat) }.
import { statSync } from "node:fs";
import { DatabaseSync, type SQLInputValue } from "node:sqlite";
import { newId } from "../src/storage/ids.ts";

const [file, templateId, countArg] = process.argv.slice(2);
if (!file || !templateId || !countArg) throw new Error("usage: seed-suspended.ts <sqlite file> <template run id> <count>");
const count = Number(countArg);
/** Clones per transaction. */
const BATCH = 1000;
const SPACING_MS = 1000;

const db = new DatabaseSync(file);
// As the server's connection (journal_mode = WAL is kept in the file); foreign keys are checked as there.
db.exec("PRAGMA synchronous = NORMAL");
db.exec("PRAGMA busy_timeout = 5000");
db.exec("PRAGMA foreign_keys = ON");
// A larger page cache than the default 2 MB only makes the inserts faster (keys such as flow_run_id in
// the indexes of other tables touch pages all over them); it changes nothing in the file.
db.exec("PRAGMA cache_size = -131072");

/** Each table's rows of the run, in an order that satisfies the foreign keys. Auto-increment ids are left to SQLite. */
const tables = [
  { name: "flow_runs", where: "id = ?", omit: [] as string[] },
  { name: "flow_run_states", where: "flow_run_id = ?", omit: [] },
  { name: "task_runs", where: "flow_run_id = ?", omit: [] },
  { name: "run_inputs", where: "flow_run_id = ?", omit: [] },
  { name: "events", where: "flow_run_id = ?", omit: ["id"] },
  { name: "logs", where: "flow_run_id = ?", omit: ["id"] },
];

type Rec = Record<string, SQLInputValue>;
const rowsOf = new Map(tables.map((t) => [t.name, db.prepare(`select * from ${t.name} where ${t.where}`).all(templateId) as Rec[]]));
if (rowsOf.get("flow_runs")!.length !== 1) throw new Error(`no run ${templateId} in ${file}`);

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
    else if (token.endsWith("Z")) {
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

const plan = tables.flatMap((t) =>
  rowsOf.get(t.name)!.map((row) => {
    const columns = Object.keys(row).filter((c) => !t.omit.includes(c));
    return {
      insert: db.prepare(`insert into ${t.name} (${columns.join(", ")}) values (${columns.map(() => "?").join(", ")})`),
      values: columns.map((c) => compile(row[c]!)),
    };
  }),
);

// The same at the start, so that the growth of the file is what the clones take.
db.exec("PRAGMA wal_checkpoint(TRUNCATE)");
const fileBytesBefore = statSync(file).size;
const started = process.hrtime.bigint();
for (let from = 0; from < count; from += BATCH) {
  db.exec("begin immediate");
  for (let i = from; i < Math.min(count, from + BATCH); i++) {
    const ids = ownIds.map(() => newId());
    const shift = (count - i) * SPACING_MS;
    const shifted = times.map((t) => new Date(t - shift).toISOString());
    const fill = (v: SQLInputValue | Part[]): SQLInputValue =>
      Array.isArray(v) ? v.map((p) => (typeof p === "string" ? p : "id" in p ? ids[p.id] : shifted[p.time])).join("") : v;
    for (const { insert, values } of plan) insert.run(...values.map(fill));
  }
  db.exec("commit");
}
const seconds = Number(process.hrtime.bigint() - started) / 1e9;
// The seeder's transactions (1,000 clones, with random ids in several indexes) leave a WAL of about 100 MB
// that the server's own commits (a few pages each, checkpointed every 1,000 pages) never would: fold it
// into the file and truncate it, so that the WAL measured next is the server's.
db.exec("PRAGMA wal_checkpoint(TRUNCATE)");
// Where the bytes are: pages of each table with its indexes (SQLite's dbstat table).
const bytesByTable = Object.fromEntries(
  (
    db
      .prepare(
        "select s.tbl_name as t, sum(d.pgsize) as bytes from dbstat d join sqlite_schema s on s.name = d.name group by s.tbl_name order by bytes desc",
      )
      .all() as { t: string; bytes: number }[]
  ).map((r) => [r.t, r.bytes]),
);
db.close();
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
    fileBytesBefore,
    rowsPerRun: Object.fromEntries([...rowsOf].map(([t, rows]) => [t, rows.length])),
    textPerRun,
    bytesByTable,
  }),
);

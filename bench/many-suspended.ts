// Many suspended runs on PostgreSQL: BENCH_SUSPENDED_RUNS (default 100,000) runs inserted with one SQL
// statement into a fresh database made by the server's own migrations (the flow_runs rows of suspended
// runs: state PAUSED with `suspended: true` and a question, as the server keeps them), then measured:
// the plan of the inbox's first page (the query behind GET /api/flow-runs?state=PAUSED&limit=50, the list
// the UI's inbox reads), its latency through a real server, and the size of flow_runs per run.
// Only the flow_runs rows are made (no state history, inputs, events or logs): the size is the run row's.
//   BENCH_POSTGRES_URL=postgres://postgres@127.0.0.1:5432/test node bench/many-suspended.ts
import { randomBytes } from "node:crypto";
import pg from "pg";
import { startServer } from "../src/server/index.ts";
import { openStorage } from "../src/storage/open-storage.ts";
import { loadAverage, ms, percentile } from "./lib.ts";

const BASE_URL = process.env.BENCH_POSTGRES_URL ?? "postgres://postgres@127.0.0.1:5432/test";
const RUNS = Number(process.env.BENCH_SUSPENDED_RUNS ?? 100_000);
const REQUESTS = 300;

const name = `baton_bench_${randomBytes(4).toString("hex")}`;
const admin = new pg.Client({ connectionString: BASE_URL });
await admin.connect();
await admin.query(`create database ${name}`);
const url = new URL(BASE_URL);
url.pathname = `/${name}`;
const databaseUrl = url.toString();
const db = new pg.Client({ connectionString: databaseUrl });
try {
  // The schema, as a server makes it.
  await (await openStorage({ databaseUrl, home: "" })).close();
  await db.connect();
  const flowId = "01900000-0000-7000-8000-000000000001";
  await db.query("insert into flows (id, name, created_at) values ($1, 'bench-suspend', '2026-01-01T00:00:00.000Z')", [flowId]);
  const started = process.hrtime.bigint();
  // One run a second into the past from now; ids sort by time as UUIDv7 do (their first 12 hex digits are the millisecond).
  await db.query(
    `insert into flow_runs (id, name, flow_id, flow_name, parameters, state_id, state_type, state_name, state_timestamp, state_message,
       state_details, pause_timeout_at, created_at, updated_at, start_time, end_time, deployment_id, deployment_name)
     select lpad(to_hex(t), 12, '0') || '-7000-8000-' || lpad(to_hex(g), 12, '0'), 'bench-run-' || g, $1, 'bench-suspend', '{"amount":42}',
       lpad(to_hex(t), 12, '0') || '-7000-9000-' || lpad(to_hex(g), 12, '0'), 'PAUSED', 'Suspended', ts, 'Suspended: waiting for an answer',
       '{"pauseKey":"1","suspended":true,"pauseTimeout":null,"inputRequest":{"schema":{"type":"object","properties":{"approved":{"type":"boolean"},"comment":{"type":"string"}},"required":["approved","comment"]},"initialData":null,"description":"Approve the order"}}',
       null, ts, ts, ts, null, 'bench-deployment', 'bench-suspend'
     from (select g, (extract(epoch from now()) * 1000)::bigint - ($2::bigint - g) * 1000 as t from generate_series(1, $2::bigint) g) s,
       lateral (select to_char(to_timestamp(t / 1000.0) at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') as ts) x`,
    [flowId, RUNS],
  );
  await db.query("analyze flow_runs");
  const insertSeconds = ms(process.hrtime.bigint() - started) / 1000;
  const plan = (
    await db.query(`explain (analyze, buffers) select * from flow_runs where state_type in ('PAUSED') order by created_at desc, id desc limit 50`)
  ).rows
    .map((r) => r["QUERY PLAN"])
    .join("\n");
  const { rows } = await db.query(
    "select pg_total_relation_size('flow_runs') as total, pg_relation_size('flow_runs') as heap, pg_indexes_size('flow_runs') as indexes",
  );
  const size = rows[0] as { total: string; heap: string; indexes: string };

  const server = await startServer({ port: 0 }, { ...process.env, BATON_DATABASE_URL: databaseUrl, BATON_LOG_LEVEL: "error" });
  try {
    const page = `${server.apiUrl}/flow-runs?state=PAUSED&limit=50`;
    const times: number[] = [];
    for (let i = -30; i < REQUESTS; i++) {
      const t = process.hrtime.bigint();
      const res = await fetch(page);
      const body = (await res.json()) as { items: unknown[] };
      if (res.status !== 200 || body.items.length !== 50) throw new Error(`GET ${page} answered ${res.status} with ${body.items?.length} runs`);
      if (i >= 0) times.push(ms(process.hrtime.bigint() - t)); // the first 30 warm up
    }
    times.sort((a, b) => a - b);
    console.log(`load average ${loadAverage()}`);
    console.log(`${RUNS} suspended runs inserted in ${insertSeconds.toFixed(1)} s`);
    console.log(
      `inbox's first page (GET /api/flow-runs?state=PAUSED&limit=50, ${REQUESTS} requests one after another): p50 ${percentile(times, 50).toFixed(2)} ms, p99 ${percentile(times, 99).toFixed(2)} ms`,
    );
    console.log(
      `flow_runs: ${(Number(size.total) / RUNS).toFixed(0)} bytes per suspended run (row ${(Number(size.heap) / RUNS).toFixed(0)}, its indexes ${(Number(size.indexes) / RUNS).toFixed(0)}), pg_total_relation_size ${(Number(size.total) / 1e6).toFixed(1)} MB`,
    );
    console.log(`plan of the inbox's query:\n${plan}`);
  } finally {
    await server.close();
  }
} finally {
  await db.end().catch(() => {});
  await admin.query(`drop database if exists ${name} with (force)`);
  await admin.end();
}

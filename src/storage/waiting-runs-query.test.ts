import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { after, before, describe, test } from "node:test";
import { CompiledQuery, sql, type KyselyPlugin } from "kysely";
import type { FlowRun, State } from "../contract/index.ts";
import { postgresUnavailable } from "../../test/support/postgres.ts";
import { openTempStorage, type TempStorage } from "../../test/support/temp-storage.ts";
import { SqlStores } from "./sql-storage.ts";
import type { Storage } from "./storage.ts";
import type { WaitingQuery } from "./waiting-runs-query.ts";

const pgSkip = (await postgresUnavailable()) ?? false;

/** Counts the queries sent through the connection it is plugged into. */
function queryCounter(): KyselyPlugin & { count: number } {
  return {
    count: 0,
    transformQuery(args) {
      this.count++;
      return args.node;
    },
    async transformResult(args) {
      return args.result;
    },
  };
}

for (const backend of ["sqlite", "postgres"] as const) {
  describe(`the inbox's query on ${backend}`, { skip: backend === "postgres" ? pgSkip : false }, () => {
    let temp: TempStorage;
    let storage: Storage;
    let connect: TempStorage["connect"];
    before(async () => {
      temp = await openTempStorage(backend);
      ({ storage, connect } = temp);
    });
    after(() => temp?.remove());

    let n = 0;
    /** A paused run: paused `pausedMinutesAgo`, timing out in `timeoutMinutes` (null: never). */
    async function paused(o: {
      flow: string;
      deployment?: string;
      tags?: string[];
      respondents?: string[];
      pausedMinutesAgo: number;
      timeoutMinutes: number | null;
      description?: string;
      key?: string;
    }): Promise<FlowRun> {
      const base = Date.parse("2026-06-01T12:00:00.000Z");
      const at = new Date(base - o.pausedMinutesAgo * 60_000).toISOString();
      const timeout = o.timeoutMinutes === null ? null : new Date(base + o.timeoutMinutes * 60_000).toISOString();
      const flow = await storage.runs.upsertFlow(o.flow, at);
      const key = o.key ?? "approve";
      const state: State = {
        id: randomUUID(),
        type: "PAUSED",
        name: "Paused",
        timestamp: at,
        message: null,
        details: { pauseKey: key, pauseTimeout: timeout, ...(o.respondents ? { respondents: o.respondents } : {}) },
      };
      const run: FlowRun = {
        id: randomUUID(),
        name: `run-${++n}`,
        flowId: flow.id,
        flowName: flow.name,
        deploymentId: o.deployment ? "d" : null,
        deploymentName: o.deployment ?? null,
        createdBy: null,
        tags: o.tags ?? [],
        parameters: {},
        state,
        createdAt: at,
        updatedAt: at,
        startTime: at,
        endTime: null,
      };
      await storage.transaction(async (tx) => {
        await tx.runs.insert(run);
        await tx.runs.compareAndSetState(run.id, state.id, { state: { ...state, id: randomUUID() }, pauseTimeoutAt: timeout });
        await tx.inputs.insertRequest(run.id, key, o.description ? { schema: { type: "boolean" }, description: o.description } : null, at, timeout);
      });
      return (await storage.runs.get(run.id))!;
    }

    const q = (over: Partial<WaitingQuery> = {}): WaitingQuery => ({ sort: "newest", forMe: false, limit: 100, ...over });
    const names = (runs: FlowRun[]) => runs.map((r) => r.name);

    let expense: FlowRun, invoice: FlowRun, shirt: FlowRun, old: FlowRun;
    before(async () => {
      expense = await paused({
        flow: "expense",
        tags: ["finance", "urgent"],
        respondents: ["group:finance"],
        pausedMinutesAgo: 5,
        timeoutMinutes: 60,
      });
      invoice = await paused({
        flow: "invoice",
        deployment: "invoice-nightly",
        tags: ["finance"],
        pausedMinutesAgo: 50,
        timeoutMinutes: 10,
        description: "Approve the **ACME** invoice",
      });
      shirt = await paused({ flow: "shirt-order", respondents: ["alice"], pausedMinutesAgo: 20, timeoutMinutes: null, key: "pick-size" });
      old = await paused({ flow: "expense", respondents: ["bob"], pausedMinutesAgo: 90, timeoutMinutes: 120 });
      // A run that no longer waits is never listed.
      const done = await paused({ flow: "expense", tags: ["finance"], pausedMinutesAgo: 1, timeoutMinutes: null });
      await storage.runs.compareAndSetState(done.id, done.state.id, {
        state: { ...done.state, id: randomUUID(), type: "COMPLETED", name: "Completed" },
        pauseTimeoutAt: null,
      });
    });

    test("orders by the most recent pause, the longest wait, or the soonest timeout (never last)", async () => {
      assert.deepEqual(names((await storage.runs.listWaiting(q())).items), names([expense, shirt, invoice, old]));
      assert.deepEqual(names((await storage.runs.listWaiting(q({ sort: "waiting-longest" }))).items), names([old, invoice, shirt, expense]));
      assert.deepEqual(names((await storage.runs.listWaiting(q({ sort: "timeout-soonest" }))).items), names([invoice, expense, old, shirt]));
    });

    test("filters by flow, deployment and tag, and finds text in names, pause keys and descriptions, ignoring case", async () => {
      const list = async (over: Partial<WaitingQuery>) => names((await storage.runs.listWaiting(q(over))).items);
      assert.deepEqual(await list({ flowName: "expense" }), names([expense, old]));
      assert.deepEqual(await list({ deploymentName: "invoice-nightly" }), names([invoice]));
      assert.deepEqual(await list({ tag: "finance" }), names([expense, invoice]));
      assert.deepEqual(await list({ tag: "urgent" }), names([expense]));
      assert.deepEqual(await list({ text: "acme" }), names([invoice]), "in the pause's description");
      assert.deepEqual(await list({ text: "PICK-SI" }), names([shirt]), "in the pause's key");
      assert.deepEqual(await list({ text: "shirt" }), names([shirt]), "in the flow's name");
      assert.deepEqual(await list({ text: "100%_" }), [], "LIKE's wildcards are plain text");
      assert.deepEqual(await list({ tag: "finance", flowName: "invoice" }), names([invoice]));
    });

    test("pauses naming the caller, by name or group, come first, are counted, and can be the only ones", async () => {
      const alice = ["alice", "group:finance"];
      const page = await storage.runs.listWaiting(q({ me: alice, sort: "waiting-longest" }));
      assert.deepEqual(names(page.items), names([shirt, expense, old, invoice]));
      assert.deepEqual(names((await storage.runs.listWaiting(q({ me: alice, forMe: true }))).items), names([expense, shirt]));
      assert.deepEqual(names((await storage.runs.listWaiting(q({ me: ["dave"], forMe: true }))).items), []);
      assert.deepEqual(page.flows, [
        { flowName: "expense", count: 2, forMe: 1 },
        { flowName: "invoice", count: 1, forMe: 0 },
        { flowName: "shirt-order", count: 1, forMe: 1 },
      ]);
    });

    test("counts per flow ignore the flow filter but keep the others", async () => {
      const page = await storage.runs.listWaiting(q({ flowName: "expense", tag: "finance" }));
      assert.deepEqual(names(page.items), names([expense]));
      assert.deepEqual(
        page.flows.map((f) => [f.flowName, f.count]),
        [
          ["expense", 1],
          ["invoice", 1],
        ],
      );
    });

    test("each sort reads its page in order from an index and stops at the limit: the paused runs are never sorted", async () => {
      const conn = connect();
      try {
        const compiled: CompiledQuery[] = [];
        const capture: KyselyPlugin = {
          transformQuery: (args) => (compiled.push(conn.db.getExecutor().compileQuery(args.node, args.queryId)), args.node),
          transformResult: async (args) => args.result,
        };
        const stores = new SqlStores(conn.db.withPlugin(capture), backend);
        const expected = {
          newest: "flow_runs_state_since",
          "waiting-longest": "flow_runs_state_since",
          "timeout-soonest": "flow_runs_state_timeout",
        };
        for (const [sort, index] of Object.entries(expected)) {
          compiled.length = 0;
          await stores.runs.listWaiting(q({ sort: sort as WaitingQuery["sort"], limit: 50 }));
          const page = compiled.find((c) => /\blimit\b/i.test(c.sql))!;
          // PostgreSQL would rather sort a table this small than read an index: it is told not to, so that
          // only a plan that cannot avoid the sort (no usable index) sorts.
          const plan = await conn.db.transaction().execute(async (tx) => {
            if (backend === "postgres") await sql`set local enable_seqscan = off`.execute(tx);
            if (backend === "postgres") await sql`set local enable_sort = off`.execute(tx);
            const explain = backend === "postgres" ? "explain " : "explain query plan ";
            const { rows } = await tx.executeQuery(CompiledQuery.raw(explain + page.sql, [...page.parameters]));
            return rows.map((r) => String((r as Record<string, unknown>).detail ?? (r as Record<string, unknown>)["QUERY PLAN"])).join("\n");
          });
          assert.match(plan, new RegExp(index), `${sort}: ${plan}`);
          assert.doesNotMatch(plan, /TEMP B-TREE FOR ORDER BY|\bSort\b/, `${sort}: ${plan}`);
        }
      } finally {
        await conn.close();
      }
    });

    test("two queries whatever the number of runs (no query per run)", async () => {
      const conn = connect();
      try {
        const counter = queryCounter();
        const stores = new SqlStores(conn.db.withPlugin(counter), backend);
        const query = q({ me: ["alice", "group:finance"], tag: "finance", text: "e", sort: "timeout-soonest" });
        await stores.runs.listWaiting(query);
        const few = counter.count;
        for (let i = 0; i < 20; i++)
          await paused({
            flow: `bulk-${i % 3}`,
            tags: ["finance"],
            respondents: ["alice"],
            pausedMinutesAgo: i,
            timeoutMinutes: i,
            description: "more",
          });
        counter.count = 0;
        const page = await stores.runs.listWaiting(query);
        assert.ok(page.items.length >= 20);
        assert.equal(few, 2);
        assert.equal(counter.count, 2);
      } finally {
        await conn.close();
      }
    });
  });
}

import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { copyFileSync, mkdtempSync, rmSync } from "node:fs";
import { DatabaseSync } from "node:sqlite";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import type { FlowRun, State } from "../contract/index.ts";
import { createTempDatabase, postgresUnavailable } from "../../test/support/postgres.ts";
import { openTempStorage, type TempStorage } from "../../test/support/temp-storage.ts";
import type { Kysely } from "kysely";
import { migrate } from "./migrations.ts";
import { openStorage } from "./open-storage.ts";
import { connectPostgres } from "./postgres/connect.ts";
import { prepared } from "./prepared.ts";
import type { Database } from "./schema.ts";
import { connectSqlite } from "./sqlite/connect.ts";
import { SqlStores } from "./sql-storage.ts";
import type { NewEvent, Storage } from "./storage.ts";

const pgSkip = (await postgresUnavailable()) ?? false;

function state(type: State["type"], timestamp: string, details: State["details"] = {}): State {
  return { id: randomUUID(), type, name: type, timestamp, message: null, details };
}

for (const backend of ["sqlite", "postgres"] as const) {
  describe(`storage on ${backend}`, { skip: backend === "postgres" ? pgSkip : false }, () => {
    let temp: TempStorage;
    let storage: Storage;
    let connect: TempStorage["connect"];
    before(async () => {
      temp = await openTempStorage(backend);
      ({ storage, connect } = temp);
    });
    after(() => temp?.remove());

    async function newRun(createdAt: string, type: State["type"] = "RUNNING", name = `run-${createdAt}`): Promise<FlowRun> {
      const flow = await storage.runs.upsertFlow("storage-test", createdAt);
      const run: FlowRun = {
        id: randomUUID(),
        name,
        flowId: flow.id,
        flowName: flow.name,
        deploymentId: null,
        deploymentName: null,
        createdBy: null,
        tags: [],
        parameters: { n: 1 },
        state: state(type, createdAt),
        createdAt,
        updatedAt: createdAt,
        startTime: null,
        endTime: null,
      };
      await storage.runs.insert(run);
      return run;
    }

    test("two servers starting at once on a new database both migrate it without error", async () => {
      if (backend === "sqlite") {
        const home = mkdtempSync(join(tmpdir(), "baton-migrate-"));
        const first = await openStorage({ home });
        const second = await openStorage({ home }); // an existing file is left as it is
        assert.deepEqual(await second.runs.list({ limit: 1 }), []);
        await first.close();
        await second.close();
        rmSync(home, { recursive: true, force: true });
        return;
      }
      const db = await createTempDatabase();
      const both = await Promise.all([openStorage({ databaseUrl: db.url, home: "" }), openStorage({ databaseUrl: db.url, home: "" })]);
      assert.deepEqual(await both[0].runs.list({ limit: 1 }), []);
      for (const s of both) await s.close();
      await db.drop();
    });

    test("runs suspended before states said so carry suspended: true after the migration, with their question's fields in order", async () => {
      let old: { db: Kysely<Database>; close(): Promise<void> };
      let drop = async () => {};
      if (backend === "postgres") {
        const made = await createTempDatabase();
        old = connectPostgres(made.url);
        drop = made.drop;
      } else {
        const home = mkdtempSync(join(tmpdir(), "baton-migrate-"));
        old = connectSqlite(join(home, "baton.sqlite"));
        drop = async () => rmSync(home, { recursive: true, force: true });
      }
      try {
        await migrate(old.db, backend, "0003-event-cursors");
        const stores = new SqlStores(old.db, backend);
        const flow = await stores.runs.upsertFlow("old-flow", "2026-05-01T00:00:00.000Z");
        const schema = { type: "object", properties: { zeta: { type: "string" }, alpha: { type: "number" } } };
        const run = (name: string, details: State["details"]): FlowRun => ({
          id: randomUUID(),
          name: `old-${randomUUID()}`,
          flowId: flow.id,
          flowName: flow.name,
          deploymentId: "d",
          deploymentName: "d",
          parameters: {},
          state: { ...state("PAUSED", "2026-05-01T00:00:01.000Z", details), name },
          createdAt: "2026-05-01T00:00:00.000Z",
          updatedAt: "2026-05-01T00:00:01.000Z",
          startTime: null,
          endTime: null,
          createdBy: null,
          tags: [],
        });
        const suspended = run("Suspended", { pauseKey: "1", inputRequest: { schema } });
        const bare = run("Suspended", {});
        const live = run("Paused", { pauseKey: "1", inputRequest: { schema } });
        for (const r of [suspended, bare, live]) await stores.runs.insert(r);
        await migrate(old.db, backend);
        const [s, b, l] = await Promise.all([suspended, bare, live].map((r) => stores.runs.get(r.id)));
        assert.deepEqual(s!.state.details, { suspended: true, pauseKey: "1", inputRequest: { schema } });
        assert.deepEqual(Object.keys(s!.state.details.inputRequest!.schema.properties as object), ["zeta", "alpha"]);
        assert.deepEqual(b!.state.details, { suspended: true });
        assert.equal(l!.state.details.suspended, undefined);
        assert.equal((await stores.runs.listStates(suspended.id))[0]!.details.suspended, true, "the history says so too");
      } finally {
        await old.close();
        await drop();
      }
    });

    test("of two writers that read the same state, exactly one moves the run", async () => {
      const run = await newRun("2026-01-01T00:00:00.000Z");
      const proposals = [state("COMPLETED", "2026-01-01T00:00:01.000Z"), state("FAILED", "2026-01-01T00:00:01.000Z")];
      // On PostgreSQL the two go out on different connections, so either may come first.
      const eventOf = (p: State): NewEvent => ({
        type: "flow-run.state-changed",
        flowRunId: run.id,
        occurredAt: p.timestamp,
        payload: { state: p, previousType: "RUNNING", flowName: run.flowName, deploymentName: null },
      });
      const results = await Promise.all(
        proposals.map((p) =>
          storage.runs.compareAndSetState(run.id, run.state.id, { state: p, pauseTimeoutAt: null }, { events: [eventOf(p), eventOf(p)] }),
        ),
      );
      const wrote = results.map((r) => r !== undefined);
      assert.deepEqual([...wrote].sort(), [false, true]);
      const winner = proposals[wrote.indexOf(true)]!;
      assert.equal((await storage.runs.get(run.id))?.state.id, winner.id);
      // The winner's events are stored, in order, with their ids; the loser's are not.
      const stored = results.find((r) => r !== undefined)!;
      assert.equal(stored.length, 2);
      assert.ok(stored[0]!.id < stored[1]!.id);
      const kept = await storage.events.listAfter(0, { flowRunId: run.id, limit: 10 });
      assert.deepEqual(
        kept.map((e) => [e.id, (e.payload as { state: State }).state.id]),
        stored.map((e) => [e.id, winner.id]),
      );
      assert.deepEqual(
        (await storage.runs.listStates(run.id)).map((s) => s.type),
        ["RUNNING", winner.type],
      );
    });

    test("an answer is stored once: a second answer to the same pause is refused", async () => {
      const run = await newRun("2026-01-02T00:00:00.000Z");
      await storage.inputs.insertRequest(run.id, "1", { schema: { type: "object" } }, "2026-01-02T00:00:01.000Z", null);
      const r = { respondedAt: "2026-01-02T00:00:02.000Z", channel: "api" as const, respondedBy: "ann", onBehalfOf: null };
      assert.equal(await storage.inputs.storeResponse(run.id, "1", { ...r, value: { a: 1 } }), true);
      assert.equal(await storage.inputs.storeResponse(run.id, "1", { ...r, value: { a: 2 } }), false);
      assert.deepEqual((await storage.inputs.get(run.id, "1"))?.response, { a: 1 });
    });

    test("refused answers are kept per pause in the order refused, with their value, messages and who sent them", async () => {
      const run = await newRun("2026-01-02T12:00:00.000Z");
      await storage.inputs.insertRequest(run.id, "1", { schema: { type: "object" } }, "2026-01-02T12:00:01.000Z", null);
      const refusal = (n: number) => ({
        value: { color: "green", n },
        errors: [{ path: "/color", message: `refused ${n}` }],
        respondedBy: n === 1 ? "ann" : null,
        onBehalfOf: null,
        channel: "ui" as const,
        refusedAt: `2026-01-02T12:00:0${n + 1}.000Z`,
      });
      await storage.inputs.addRefusal(run.id, "1", refusal(1));
      await storage.inputs.addRefusal(run.id, "1", refusal(2));
      await storage.inputs.addRefusal(run.id, "other", refusal(3));
      const byKey = await storage.inputs.listRefusals(run.id);
      assert.deepEqual(byKey.get("1"), [refusal(1), refusal(2)]);
      assert.deepEqual(byKey.get("other"), [refusal(3)]);
      assert.equal((await storage.inputs.listRefusals("no-such-run")).size, 0);
    });

    test("a pause asked again replaces its question only while unanswered; a renamed pause keeps its answer and frees its key", async () => {
      const run = await newRun("2026-01-03T00:00:00.000Z");
      await storage.inputs.insertRequest(run.id, "1", { schema: { type: "object" } }, "2026-01-03T00:00:01.000Z", "2026-01-03T01:00:01.000Z");
      await storage.inputs.insertRequest(run.id, "1", { schema: { type: "string" } }, "2026-01-04T00:00:01.000Z", null);
      const reasked = await storage.inputs.get(run.id, "1");
      assert.deepEqual([reasked?.schema, reasked?.requestedAt, reasked?.timeoutAt], [{ type: "string" }, "2026-01-04T00:00:01.000Z", null]);
      const r = { respondedAt: "2026-01-04T00:00:02.000Z", channel: "api" as const, respondedBy: null, onBehalfOf: null, value: "no" };
      await storage.inputs.storeResponse(run.id, "1", r);
      await storage.inputs.insertRequest(run.id, "1", { schema: { type: "object" } }, "2026-01-05T00:00:01.000Z", null);
      assert.deepEqual((await storage.inputs.get(run.id, "1"))?.schema, { type: "string" }, "an answered pause is left as it is");

      await storage.inputs.rename(run.id, "1", "1-rejected-1");
      assert.equal(await storage.inputs.get(run.id, "1"), undefined);
      assert.equal((await storage.inputs.get(run.id, "1-rejected-1"))?.response, "no");
      await storage.inputs.insertRequest(run.id, "1", { schema: { type: "string" } }, "2026-01-05T00:00:01.000Z", null);
      assert.deepEqual(
        (await storage.inputs.list(run.id)).map((i) => [i.key, i.respondedAt !== null]),
        [
          ["1-rejected-1", true],
          ["1", false],
        ],
      );
    });

    test("runs list newest first and pages with a cursor position, filtered by state", async () => {
      const base = Date.parse("2026-02-01T00:00:00.000Z");
      const made: FlowRun[] = [];
      for (let i = 0; i < 7; i++) made.push(await newRun(new Date(base + i * 1000).toISOString(), i % 2 ? "PAUSED" : "RUNNING"));
      const page1 = await storage.runs.list({ limit: 3, createdAfter: "2026-02-01T00:00:00.000Z" });
      assert.deepEqual(
        page1.map((r) => r.id),
        made
          .slice(-3)
          .reverse()
          .map((r) => r.id),
      );
      const last = page1.at(-1)!;
      const page2 = await storage.runs.list({
        limit: 3,
        createdAfter: "2026-02-01T00:00:00.000Z",
        before: { createdAt: last.createdAt, id: last.id },
      });
      assert.deepEqual(
        page2.map((r) => r.id),
        made
          .slice(1, 4)
          .reverse()
          .map((r) => r.id),
      );
      const paused = await storage.runs.list({ limit: 50, state: ["PAUSED"], createdAfter: "2026-02-01T00:00:00.000Z" });
      assert.equal(paused.length, 3);
    });

    test("a name search finds runs whose name contains the text in any case, and takes % and _ literally", async () => {
      const at = (s: number) => new Date(Date.parse("2026-02-10T00:00:00.000Z") + s * 1000).toISOString();
      const since = { createdAfter: at(0), limit: 50 };
      const [order, orderOld, percent, underscore] = [
        await newRun(at(1), "RUNNING", "Shirt-Order-17"),
        await newRun(at(2), "PAUSED", "old shirt-order"),
        await newRun(at(3), "RUNNING", "100% done"),
        await newRun(at(4), "RUNNING", "snake_case"),
      ];
      await newRun(at(5), "RUNNING", "100 percent; snakeXcase");
      const names = async (name: string, extra: { state?: State["type"][] } = {}) =>
        (await storage.runs.list({ ...since, ...extra, name })).map((r) => r.id);
      assert.deepEqual(await names("SHIRT-order"), [orderOld.id, order.id]);
      assert.deepEqual(await names("shirt", { state: ["PAUSED"] }), [orderOld.id]);
      assert.deepEqual(await names("0%"), [percent.id]);
      assert.deepEqual(await names("e_c"), [underscore.id]);
      assert.deepEqual(await names("nothing like it"), []);
    });

    test("due pauses are found by their timeout, and leave the list once the run moves on", async () => {
      const run = await newRun("2026-03-01T00:00:00.000Z");
      const paused = state("PAUSED", "2026-03-01T00:00:01.000Z", { pauseKey: "1", pauseTimeout: "2026-03-01T00:00:02.000Z" });
      await storage.runs.compareAndSetState(run.id, run.state.id, { state: paused, pauseTimeoutAt: "2026-03-01T00:00:02.000Z" });
      const due = await storage.runs.findExpiredPauses("2026-03-01T00:00:03.000Z", 100);
      assert.ok(due.some((r) => r.id === run.id));
      await storage.runs.compareAndSetState(run.id, paused.id, { state: state("RUNNING", "2026-03-01T00:00:01.500Z"), pauseTimeoutAt: null });
      assert.ok(!(await storage.runs.findExpiredPauses("2026-03-01T00:00:03.000Z", 100)).some((r) => r.id === run.id));
    });

    test("concurrent transactions each commit or roll back alone, and a failing one loses only its own writes", async () => {
      const runs = await Promise.all([1, 2, 3].map((i) => newRun(`2026-01-03T00:00:0${i}.000Z`)));
      const moved = () => state("COMPLETED", "2026-01-03T00:01:00.000Z");
      const results = await Promise.allSettled(
        runs.map((run, i) =>
          storage.transaction(async (tx) => {
            assert.ok(await tx.runs.compareAndSetState(run.id, run.state.id, { state: moved(), pauseTimeoutAt: null }));
            if (i === 1) throw new Error("the second one fails after writing");
            return run.id;
          }),
        ),
      );
      assert.deepEqual(
        results.map((r) => r.status),
        ["fulfilled", "rejected", "fulfilled"],
      );
      assert.match(String((results[1] as PromiseRejectedResult).reason), /the second one fails/);
      const after = await Promise.all(runs.map((r) => storage.runs.get(r.id)));
      assert.deepEqual(
        after.map((r) => r!.state.type),
        ["COMPLETED", "RUNNING", "COMPLETED"],
      );
      assert.equal((await storage.runs.listStates(runs[1]!.id)).length, 1, "the failed transaction's history row is gone too");
    });

    test("a statement the database refuses fails only its own transaction, even when it is caught, and of two guarded writes at once one wins", async () => {
      const runs = await Promise.all([1, 2, 3].map((i) => newRun(`2026-01-04T00:00:0${i}.000Z`)));
      const done = state("COMPLETED", "2026-01-04T00:01:00.000Z");
      const results = await Promise.allSettled([
        storage.transaction((tx) => tx.runs.compareAndSetState(runs[0]!.id, runs[0]!.state.id, { state: done })),
        // The same state id twice: the history's primary key refuses the second insert.
        storage.transaction((tx) => tx.runs.compareAndSetState(runs[1]!.id, runs[1]!.state.id, { state: runs[1]!.state })),
        storage.transaction(async (tx) => {
          await tx.runs.compareAndSetState(runs[2]!.id, runs[2]!.state.id, { state: runs[2]!.state }).catch(() => {});
          return "caught";
        }),
        ...[1, 2].map(() => storage.transaction((tx) => tx.runs.compareAndSetState(runs[0]!.id, runs[0]!.state.id, { state: done }))),
      ]);
      assert.equal(results[0]!.status, "fulfilled");
      assert.equal(results[1]!.status, "rejected");
      // SQLite rolls back the statement alone; PostgreSQL aborts the whole transaction, which then fails.
      if (backend === "postgres") assert.equal(results[2]!.status, "rejected");
      assert.deepEqual(
        results.slice(3).map((r) => (r as PromiseFulfilledResult<unknown>).value),
        [undefined, undefined],
        "the first write won",
      );
      const after = await Promise.all(runs.map((r) => storage.runs.get(r.id)));
      assert.deepEqual(
        after.map((r) => r!.state.type),
        ["COMPLETED", "RUNNING", "RUNNING"],
      );
    });

    test("a read outside a transaction sees the state before it, not a write the transaction has not committed", async () => {
      const run = await newRun("2026-01-05T00:00:00.000Z");
      let wrote!: () => void;
      let release!: () => void;
      const written = new Promise<void>((r) => (wrote = r));
      const held = new Promise<void>((r) => (release = r));
      const tx = storage.transaction(async (t) => {
        await t.runs.compareAndSetState(run.id, run.state.id, { state: state("COMPLETED", "2026-01-05T00:01:00.000Z"), pauseTimeoutAt: null });
        wrote();
        await held;
        throw new Error("rolled back");
      });
      await written;
      const during = storage.runs.get(run.id);
      // On SQLite the read waits for the transaction to end; on PostgreSQL it reads the last commit at once.
      release();
      await assert.rejects(tx, /rolled back/);
      assert.equal((await during)!.state.type, "RUNNING");
      assert.equal((await storage.runs.get(run.id))!.state.type, "RUNNING");
    });

    test("a prepared query compiled once binds each call's own values, and keeps constants written into it", async () => {
      const runs = await Promise.all([1, 2, 3].map((i) => newRun(`2026-01-04T00:00:0${i}.000Z`, "RUNNING", `prepared-${i}`)));
      const { db, close } = connect();
      try {
        const names = [];
        for (const run of runs) {
          const { rows } = await prepared(db, "test:name-by-id", { id: run.id }, (p) =>
            db.selectFrom("flow_runs").select("name").where("id", "=", p.id).where("flow_name", "=", "storage-test").limit(1),
          );
          names.push(rows[0]?.name);
        }
        assert.deepEqual(names, ["prepared-1", "prepared-2", "prepared-3"]);
        const updated = await prepared(db, "test:rename", { id: runs[0]!.id, name: "renamed" }, ({ id, name }) =>
          db.updateTable("flow_runs").set({ name }).where("id", "=", id),
        );
        assert.equal(updated.numAffectedRows, 1n);
      } finally {
        await close();
      }
      assert.equal((await storage.runs.get(runs[0]!.id))!.name, "renamed");
    });

    test("a batch of log lines longer than one insert is stored whole and in order", async () => {
      const run = await newRun("2026-04-02T00:00:00.000Z");
      const entries = Array.from({ length: 70 }, (_, i) => ({
        flowRunId: run.id,
        level: "info" as const,
        message: `line ${i}`,
        timestamp: `2026-04-02T00:00:01.${String(i).padStart(3, "0")}Z`,
      }));
      const stored = await storage.transaction((tx) => tx.logs.insert(entries));
      assert.deepEqual(
        stored.map((l) => l.message),
        entries.map((e) => e.message),
      );
      assert.ok(
        stored.every((l, i) => i === 0 || l.id > stored[i - 1]!.id),
        "ids rise in the order given",
      );
      assert.deepEqual(
        (await storage.logs.list(run.id, 0, 100)).map((l) => [l.id, l.message]),
        stored.map((l) => [l.id, l.message]),
      );
    });

    test("a consumer's position is created once, and moves only from where it was read: of two moves from one position, one wins", async () => {
      assert.equal(await storage.events.readCursor("storage-test"), undefined);
      const created = await Promise.all([3, 7].map((to) => storage.events.moveCursor("storage-test", undefined, to)));
      assert.deepEqual([...created].sort(), [false, true]);
      const at = (await storage.events.readCursor("storage-test"))!;
      assert.equal(at, created[0] ? 3 : 7);
      // On PostgreSQL the two go out on different connections, and the second waits for the first's commit.
      const moved = await Promise.all([10, 20].map((to) => storage.transaction((tx) => tx.events.moveCursor("storage-test", at, to))));
      assert.deepEqual([...moved].sort(), [false, true]);
      assert.equal(await storage.events.readCursor("storage-test"), moved[0] ? 10 : 20);
      assert.equal(await storage.events.moveCursor("storage-test", at, 30), false, "a move from a position already left is refused");
    });

    test("of two servers claiming due deliveries at once, each delivery goes to one; an outcome from a lapsed claim is refused", async () => {
      const at = "2026-05-01T00:00:00.000Z";
      const deliveries = Array.from({ length: 40 }, (_, i) => ({
        id: randomUUID(),
        action: "notify",
        channelId: null,
        channelName: "c",
        automationId: null,
        automationName: null,
        flowRunId: null,
        event: "test",
        status: "PENDING" as const,
        attempts: 0,
        maxAttempts: 3,
        nextAttemptAt: at,
        lastError: null,
        createdAt: at,
        deliveredAt: null,
        payload: { n: i },
      }));
      await storage.deliveries.insert(deliveries);
      const later = "2026-05-01T00:01:00.000Z";
      const claims = await Promise.all([0, 1].map(() => storage.deliveries.claim(at, later, 30)));
      // A claimer that read rows the other took first gets fewer; the rest waits for the next look.
      claims.push(await storage.deliveries.claim(at, later, 30));
      const ids = claims.flat().map((d) => d.id);
      assert.equal(ids.length, 40, `claimed ${claims.map((c) => c.length).join(" + ")}`);
      assert.ok(claims[0]!.length + claims[1]!.length >= 30);
      assert.equal(new Set(ids).size, 40, "no delivery was claimed twice");
      assert.ok(claims.flat().every((d) => d.status === "SENDING" && d.attempts === 1));
      assert.deepEqual(await storage.deliveries.claim(at, later, 100), [], "claimed ones are not due until their claim lapses");

      const [first] = claims.flat();
      const reclaimed = (await storage.deliveries.claim(later, "2026-05-01T00:02:00.000Z", 100)).find((d) => d.id === first!.id)!;
      assert.equal(reclaimed.attempts, 2, "a lapsed claim is taken again, as the next attempt");
      assert.equal(await storage.deliveries.finish(first!.id, 1, { status: "DELIVERED", at: later }), false, "the first claim's outcome is refused");
      assert.equal(await storage.deliveries.finish(first!.id, 2, { status: "PENDING", error: "HTTP 500", nextAttemptAt: later }), true);
      const [listed] = await storage.deliveries.list({ status: "PENDING", limit: 10 });
      assert.deepEqual([listed!.id, listed!.lastError, listed!.attempts], [first!.id, "HTTP 500", 2]);
    });

    test("a timer fires once, however many servers try; a setting keeps the value stored first", async () => {
      const timer = { automationId: "a1", flowRunId: "r1", stayKey: "pause:1", dueAt: "2026-05-02T00:00:00.000Z" };
      await storage.automations.armTimers([timer]);
      await storage.automations.armTimers([{ ...timer, dueAt: "2026-06-01T00:00:00.000Z" }]);
      assert.deepEqual(await storage.automations.dueTimers("2026-05-02T00:00:00.000Z", 10), [timer], "arming again keeps the first due time");
      const fired = await Promise.all([0, 1].map(() => storage.transaction((tx) => tx.automations.fireTimer(timer))));
      assert.deepEqual([...fired].sort(), [false, true]);
      assert.deepEqual(await storage.automations.dueTimers("2026-07-01T00:00:00.000Z", 10), []);
      const values = await Promise.all(["first", "second"].map((v) => storage.channels.setting("storage-test-secret", v)));
      assert.equal(values[0], values[1]);
    });

    test("a result in the result store keeps every byte, is replaced by a later upload, and goes with its task run", async () => {
      const run = await newRun("2026-04-02T00:00:00.000Z");
      const taskRun = {
        id: randomUUID(),
        flowRunId: run.id,
        name: "big",
        taskKey: "#1",
        state: state("RUNNING", "2026-04-02T00:00:01.000Z"),
        attempts: 1,
        createdAt: "2026-04-02T00:00:01.000Z",
        startTime: "2026-04-02T00:00:01.000Z",
        endTime: null,
      };
      await storage.tasks.insert(taskRun);
      assert.equal(await storage.tasks.resultBytes(taskRun.id), undefined);
      const bytes = new Uint8Array(3 * 1024 * 1024).map((_, i) => (i * 7919) % 256); // NULs, and no valid UTF-8 on the whole
      await storage.transaction((tx) => tx.tasks.putResult(taskRun.id, new Uint8Array([1, 2, 3])));
      await storage.transaction((tx) => tx.tasks.putResult(taskRun.id, bytes));
      assert.equal(await storage.tasks.resultBytes(taskRun.id), bytes.byteLength);
      assert.ok(Buffer.from((await storage.tasks.getResult(taskRun.id))!).equals(bytes));
      await storage.transaction((tx) =>
        tx.tasks.updateState(taskRun.id, state("COMPLETED", "2026-04-02T00:00:02.000Z"), { resultBytes: bytes.byteLength }),
      );
      assert.deepEqual((await storage.tasks.get(taskRun.id))!.storedResult, { bytes: bytes.byteLength });
      const { db, close } = connect();
      try {
        await db.deleteFrom("task_runs").where("id", "=", taskRun.id).execute();
      } finally {
        await close();
      }
      assert.equal(await storage.tasks.getResult(taskRun.id), undefined, "deleted with its task run");
    });

    test("events come back in id order after a given id, optionally for one run", async () => {
      const run = await newRun("2026-04-01T00:00:00.000Z");
      const [e1, e2] = await storage.events.insert([
        {
          type: "flow-run.input-submitted",
          flowRunId: run.id,
          occurredAt: "2026-04-01T00:00:01.000Z",
          payload: { key: "1", input: 1, channel: "api", respondedBy: null },
        },
        {
          type: "flow-run.input-submitted",
          flowRunId: run.id,
          occurredAt: "2026-04-01T00:00:02.000Z",
          payload: { key: "2", input: 2, channel: "cli", respondedBy: "bo" },
        },
      ]);
      assert.ok(e2!.id > e1!.id);
      const after1 = await storage.events.listAfter(e1!.id, { flowRunId: run.id, limit: 10 });
      assert.deepEqual(
        after1.map((e) => e.id),
        [e2!.id],
      );
      assert.deepEqual(after1[0]!.payload, { key: "2", input: 2, channel: "cli", respondedBy: "bo" });
    });
  });
}

describe("SQLite checkpoints", () => {
  test("a write reaches the database file itself within a second, copied from the WAL by the checkpoint thread", async () => {
    const home = mkdtempSync(join(tmpdir(), "baton-checkpoint-"));
    const storage = await openStorage({ home });
    try {
      await storage.runs.upsertFlow("checkpointed-flow", "2026-01-05T00:00:00.000Z");
      // The file alone, without its WAL, holds only what a checkpoint copied into it.
      const fileOnly = () => {
        const copy = join(home, `copy-${Date.now()}.sqlite`);
        copyFileSync(join(home, "baton.sqlite"), copy);
        const db = new DatabaseSync(copy, { readOnly: true });
        try {
          return db.prepare("select count(*) as n from flows where name = 'checkpointed-flow'").get()!.n;
        } catch {
          return 0; // no tables yet (all still in the WAL), or a copy taken mid-checkpoint
        } finally {
          db.close();
        }
      };
      const deadline = Date.now() + 3000;
      while (fileOnly() !== 1 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
      assert.equal(fileOnly(), 1);
    } finally {
      await storage.close();
      rmSync(home, { recursive: true, force: true });
    }
  });
});

describe("SQLite group commit", () => {
  test("an urgent transaction runs in the next group, ahead of a long queue of others, and a flood of urgent ones does not starve the others", async () => {
    const home = mkdtempSync(join(tmpdir(), "baton-urgent-"));
    const storage = await openStorage({ home });
    try {
      const order: string[] = [];
      const job = (name: string) => async () => {
        order.push(name);
      };
      const queued = Array.from({ length: 200 }, (_, i) => storage.transaction(job(`queued-${i}`)));
      const urgent = storage.transaction(job("urgent"), { urgent: true });
      await Promise.all([...queued, urgent]);
      assert.ok(order.indexOf("urgent") < 64, `the urgent one ran as number ${order.indexOf("urgent") + 1} of ${order.length}`);

      order.length = 0;
      const flood = Array.from({ length: 200 }, (_, i) => storage.transaction(job(`urgent-${i}`), { urgent: true }));
      const report = storage.transaction(job("report"));
      await Promise.all([...flood, report]);
      assert.ok(order.indexOf("report") < 64, `the other one ran as number ${order.indexOf("report") + 1} of ${order.length}`);
    } finally {
      await storage.close();
      rmSync(home, { recursive: true, force: true });
    }
  });
});

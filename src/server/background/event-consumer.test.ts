import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { createTempDatabase, postgresUnavailable } from "../../../test/support/postgres.ts";
import { openStorage } from "../../storage/open-storage.ts";
import type { NewEvent, Storage, StoredEvent } from "../../storage/storage.ts";
import { startEventConsumer, type EventConsumerOptions } from "./event-consumer.ts";

const pgSkip = (await postgresUnavailable()) ?? false;

let made = 0;
/** `n` answer events of a run of their own. */
function events(n: number): NewEvent[] {
  const flowRunId = `consumer-test-${++made}`;
  return Array.from({ length: n }, (_, i) => ({
    type: "flow-run.input-submitted" as const,
    flowRunId,
    occurredAt: new Date().toISOString(),
    payload: { key: String(i + 1), input: i, channel: "api" as const, respondedBy: null },
  }));
}

/** A consumer that only moves when polled, and notes what it handled (in memory, and as a log line written in its transaction). */
function consumer(storage: Storage, name: string, handled: number[], options: Partial<EventConsumerOptions> = {}) {
  return startEventConsumer(storage, {
    name,
    intervalMs: 60_000,
    onError: (e) => assert.fail(e as Error),
    async handle(batch: StoredEvent[], tx) {
      handled.push(...batch.map((e) => e.id));
      await tx.logs.insert(batch.map((e) => ({ flowRunId: name, level: "info" as const, message: `handled ${e.id}`, timestamp: e.occurredAt })));
    },
    ...options,
  });
}

/** A transaction that inserts one event and stays open until `end()`, then commits or rolls back. */
function held(storage: Storage, outcome: "commit" | "roll back") {
  let inserted!: () => void;
  let end!: () => void;
  const insertedPromise = new Promise<void>((r) => (inserted = r));
  const ended = new Promise<void>((r) => (end = r));
  const done = storage.transaction(async (tx) => {
    const [e] = await tx.events.insert(events(1));
    inserted();
    await ended;
    if (outcome === "roll back") throw new Error("rolled back");
    return e!;
  });
  return { inserted: insertedPromise, end, done };
}

for (const backend of ["sqlite", "postgres"] as const) {
  describe(`an event consumer on ${backend}`, { skip: backend === "postgres" ? pgSkip : false }, () => {
    /** Two servers' storages on one database (on SQLite, where one server uses a file, the same one twice). */
    let servers: [Storage, Storage];
    let cleanup: () => Promise<void>;
    before(async () => {
      if (backend === "postgres") {
        const db = await createTempDatabase();
        servers = [await openStorage({ databaseUrl: db.url, home: "" }), await openStorage({ databaseUrl: db.url, home: "" })];
        cleanup = async () => {
          for (const s of servers) await s.close();
          await db.drop();
        };
      } else {
        const home = mkdtempSync(join(tmpdir(), "baton-consumer-"));
        const storage = await openStorage({ home });
        servers = [storage, storage];
        cleanup = async () => {
          await storage.close();
          rmSync(home, { recursive: true, force: true });
        };
      }
    });
    after(() => cleanup?.());

    test("run by two servers, a consumer acts on each event once, starting after the events kept before it first ran", async () => {
      const [a, b] = servers;
      await a.events.insert(events(3)); // before the consumer: not for it
      const handled: number[] = [];
      const consumers = [consumer(a, "audit", handled), consumer(b, "audit", handled)];
      await Promise.all(consumers.map((c) => c.poll()));
      const written: StoredEvent[] = [];
      for (let i = 0; i < 8; i++) written.push(...(await (i % 2 ? b : a).events.insert(events(5))));
      const last = Math.max(...written.map((e) => e.id));
      const deadline = Date.now() + 10_000;
      while ((await a.events.readCursor("audit")) !== last && Date.now() < deadline) await Promise.all(consumers.map((c) => c.poll()));
      await Promise.all(consumers.map((c) => c.stop()));
      assert.deepEqual(
        handled,
        written.map((e) => e.id).sort((x, y) => x - y),
        "each new event once, in id order",
      );
      const lines = await a.logs.list("audit", 0, 1000);
      assert.deepEqual(
        lines.map((l) => l.message),
        handled.map((id) => `handled ${id}`),
        "what the handler wrote, once per event",
      );
    });

    test("a consumer told to start at the first event acts on those kept before it too", async () => {
      const [a] = servers;
      const handled: number[] = [];
      const c = consumer(a, "from-start", handled, { from: "start" });
      await c.poll();
      await c.stop();
      assert.ok(handled.length >= 3, `it handled ${handled.length} events`);
      assert.equal(handled[0], (await a.events.listAfter(0, { limit: 1 }))[0]!.id);
    });

    // On SQLite one writer commits ids in order, so only PostgreSQL can show a gap.
    if (backend === "postgres")
      test("an event whose transaction commits after a later one is not stepped over, and a gap left by a rollback is, once it has lasted", async () => {
        const [a, b] = servers;
        const handled: number[] = [];
        const c = consumer(a, "gaps", handled, { gapTimeoutMs: 300 });
        await c.poll();
        const late = held(a, "commit");
        await late.inserted;
        const [next] = await b.events.insert(events(1));
        assert.equal(await c.poll(), 0, "it waits at the missing id");
        late.end();
        const first = await late.done;
        assert.equal(await c.poll(), 2);
        assert.deepEqual(handled, [first.id, next!.id]);

        const doomed = held(a, "roll back");
        await doomed.inserted;
        const [after] = await b.events.insert(events(1));
        doomed.end();
        await assert.rejects(doomed.done, /rolled back/);
        assert.equal(await c.poll(), 0, "a new gap may still fill");
        await new Promise((r) => setTimeout(r, 350));
        assert.equal(await c.poll(), 1, "an old one is taken for a rollback");
        assert.deepEqual(handled.at(-1), after!.id);
        await c.stop();
      });
  });
}

import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";
import { after, before, describe, test } from "node:test";
import pg from "pg";
import { createClient, type BatonClient } from "../src/client/index.ts";
import { ForbiddenError } from "../src/contract/errors.ts";
import { pausedRun, waitUntil } from "./support/api.ts";
import { makePeople } from "./support/people.ts";
import { createTempDatabase } from "./support/postgres.ts";
import { backends, runBaton, startTestServer, type TestServer } from "./support/processes.ts";

for (const { backend, skip } of await backends()) {
  describe(`the audit log (${backend})`, { skip }, () => {
    const home = mkdtempSync(join(tmpdir(), "baton-audit-"));
    let db: { url: string; drop: () => Promise<void> } | undefined;
    let server: TestServer;
    let admin: BatonClient;
    let alice: BatonClient;
    let local: Record<string, string>;
    let adminToken: string;
    /** Runs one SQL statement on the server's database, as someone with access to its files would. */
    let tamper: (statement: string) => Promise<void>;
    /** Counts the rows of a table of the server's database. */
    let count: (table: string) => Promise<number>;
    before(async () => {
      db = backend === "postgres" ? await createTempDatabase() : undefined;
      local = { BATON_HOME: home, ...(db ? { BATON_DATABASE_URL: db.url } : {}) };
      const tokens = await makePeople({ home, databaseUrl: db?.url }, [
        { name: "ada", role: "admin" },
        { name: "alice", role: "responder" },
      ]);
      adminToken = tokens.ada!;
      server = await startTestServer(backend, local);
      admin = createClient({ apiUrl: server.apiUrl, apiKey: tokens.ada });
      alice = createClient({ apiUrl: server.apiUrl, apiKey: tokens.alice });
      tamper = async (statement) => {
        if (db) {
          const client = new pg.Client({ connectionString: db.url });
          await client.connect();
          await client.query(statement);
          await client.end();
        } else {
          const sqlite = new DatabaseSync(join(home, "baton.sqlite"));
          sqlite.exec("PRAGMA busy_timeout = 5000");
          sqlite.exec(statement);
          sqlite.close();
        }
      };
      count = async (table) => {
        if (db) {
          const client = new pg.Client({ connectionString: db.url });
          await client.connect();
          const { rows } = await client.query(`SELECT count(*)::int AS n FROM ${table}`);
          await client.end();
          return rows[0].n;
        }
        const sqlite = new DatabaseSync(join(home, "baton.sqlite"), { readOnly: true });
        const row = sqlite.prepare(`SELECT count(*) AS n FROM ${table}`).get() as { n: number };
        sqlite.close();
        return row.n;
      };
    });
    after(async () => {
      await admin.close();
      await alice.close();
      await server.close();
      await db?.drop();
      rmSync(home, { recursive: true, force: true });
    });

    test("answers, refusals, cancels, forced states, users and keys are recorded, chained, with who did them", async () => {
      const answered = await pausedRun(admin);
      await alice.resume(answered.id, {});
      await assert.rejects(alice.cancel(answered.id), ForbiddenError);
      const cancelled = await pausedRun(admin);
      await admin.cancel(cancelled.id, "not needed");
      const forced = await pausedRun(admin);
      await admin.setFlowRunState(forced.id, { type: "COMPLETED" }, { force: true });
      await admin.createUser({ name: "bob", role: "viewer" });
      const key = await admin.createApiKey({ name: "bob-key", role: "viewer", userName: "bob" });
      await admin.revokeApiKey(key.apiKey.id);
      const entries = await admin.listAudit({ limit: 1000 });
      const seen = entries.map((e) => `${e.actor} ${e.action} ${e.target}`);
      for (const expected of [
        "local:test user.add user/ada",
        `alice flow-run.answer flow-run/${answered.id}`,
        `alice refused POST /api/flow-runs/${answered.id}/cancel`,
        `ada flow-run.cancel flow-run/${cancelled.id}`,
        `ada flow-run.force-state flow-run/${forced.id}`,
        "ada user.add user/bob",
        `ada api-key.create api-key/${key.apiKey.id}`,
        `ada api-key.revoke api-key/${key.apiKey.id}`,
      ])
        assert.ok(seen.includes(expected), `${expected} in:\n${seen.join("\n")}`);
      assert.deepEqual(
        entries.map((e) => e.seq),
        entries.map((_, i) => i + 1),
      );
      for (let i = 1; i < entries.length; i++) assert.equal(entries[i]!.prevHash, entries[i - 1]!.hash);
      assert.equal(
        entries.find((e) => e.action === "refused")!.details.reason,
        "alice has the role responder; this needs the role operator or above.",
      );
      const ls = await runBaton(["audit", "ls", "--target", `flow-run/${cancelled.id}`], { BATON_API_URL: server.apiUrl, BATON_API_KEY: adminToken });
      assert.equal(ls.code, 0, ls.stderr);
      assert.match(ls.stdout, /ada\s+flow-run\.cancel/);
      const ok = await runBaton(["audit", "verify"], local);
      assert.equal(ok.code, 0, ok.stderr);
      assert.match(ok.stdout, new RegExp(`The audit log is whole: ${entries.length} entries`));
    });

    test("answers given at once are each recorded once, in one unbroken chain, soon without anyone reading", async () => {
      const runs = await Promise.all(Array.from({ length: 24 }, () => pausedRun(admin)));
      await Promise.all(runs.map((r) => alice.resume(r.id, {})));
      // Entries are recorded unchained by each answer and chained by the server within a second.
      await waitUntil("the server to chain the answers' entries", async () => (await count("audit_pending")) === 0, 5000);
      const entries = await admin.listAudit({ limit: 1000 });
      const answered = entries.filter((e) => e.action === "flow-run.answer" && runs.some((r) => e.target === `flow-run/${r.id}`));
      assert.equal(answered.length, 24);
      assert.deepEqual(
        entries.map((e) => e.seq),
        entries.map((_, i) => i + 1),
      );
      assert.equal((await admin.verifyAudit()).ok, true);
    });

    test("baton audit verify finds the newest entries cut off, an entry edited, and one deleted in the database", async () => {
      const { entries } = await admin.verifyAudit();
      await tamper(`DELETE FROM audit_log WHERE seq = ${entries}`);
      const cut = await runBaton(["audit", "verify"], local);
      assert.equal(cut.code, 1);
      assert.match(cut.stderr, new RegExp(`the log ends at entry ${entries - 1}, but ${entries} were written: the newest entries were removed`));
      await tamper(`UPDATE audit_log SET details = '{"role":"viewer","groups":[],"password":false,"channel":"cli"}' WHERE seq = 2`);
      const edited = await runBaton(["audit", "verify"], local);
      assert.equal(edited.code, 1);
      assert.match(edited.stderr, /entry 2 \(api-key\.create api-key\/\w+\) was changed after it was written/);
      await tamper("DELETE FROM audit_log WHERE seq = 1");
      const deleted = await admin.verifyAudit();
      assert.deepEqual([deleted.ok, deleted.entries], [false, 0]);
      assert.match(deleted.problem ?? "", /entry 1 is missing \(the next is 2\): deleted from the database/);
    });
  });
}

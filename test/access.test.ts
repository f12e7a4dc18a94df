import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { createClient } from "../src/client/index.ts";
import { ForbiddenError, UnauthenticatedError } from "../src/contract/errors.ts";
import { request, waitUntil } from "./support/api.ts";
import { createTempDatabase } from "./support/postgres.ts";
import { backends, runBaton, spawnNode, startTestServer, type TestServer } from "./support/processes.ts";

for (const { backend, skip } of await backends()) {
  describe(`users and API keys (${backend})`, { skip }, () => {
    const home = mkdtempSync(join(tmpdir(), "baton-access-"));
    let db: { url: string; drop: () => Promise<void> } | undefined;
    let local: Record<string, string>;
    let server: TestServer;
    let adminToken: string;
    before(async () => {
      db = backend === "postgres" ? await createTempDatabase() : undefined;
      local = { BATON_HOME: home, ...(db ? { BATON_DATABASE_URL: db.url } : {}) };
    });
    after(async () => {
      await server?.close();
      await db?.drop();
      rmSync(home, { recursive: true, force: true });
    });

    test("the first admin and their key are made on the database itself, before any server runs", async () => {
      const added = await runBaton(["user", "add", "ada", "--role", "admin", "--group", "ops", "--password-stdin"], local, "correct horse battery\n");
      assert.equal(added.code, 0, added.stderr);
      assert.match(added.stdout, /Added ada \(admin, groups ops\)/);
      const short = await runBaton(["user", "add", "eve", "--role", "admin", "--password-stdin"], local, "short\n");
      assert.equal(short.code, 1);
      assert.match(short.stderr, /password: use at least 8 characters/);
      const key = await runBaton(["api-key", "create", "--name", "ada-cli", "--role", "admin", "--user", "ada"], local);
      assert.equal(key.code, 0, key.stderr);
      assert.match(key.stderr, /only time it is shown/);
      adminToken = key.stdout.trim();
      assert.match(adminToken, /^baton_[0-9a-f]{16}_[\w-]{43}$/);
      const listed = await runBaton(["api-key", "ls", "--json"], local);
      assert.doesNotMatch(listed.stdout, new RegExp(adminToken.slice(-20)), "no secret is ever listed");
    });

    test("with a user defined, the server requires a key: none or a wrong one is 401, a valid one acts as its user", async () => {
      server = await startTestServer(backend, local);
      const anonymous = await request(server, "GET", "/flow-runs");
      assert.equal(anonymous.status, 401);
      assert.equal(anonymous.body.code, "UNAUTHENTICATED");
      assert.match(anonymous.body.message, /BATON_API_KEY/);
      for (const authorization of ["Bearer nonsense", `Bearer ${adminToken.slice(0, -1)}x`, adminToken])
        assert.equal((await request(server, "GET", "/flow-runs", undefined, { headers: { authorization } })).status, 401, authorization);
      const admin = createClient({ apiUrl: server.apiUrl, apiKey: adminToken });
      assert.deepEqual(await admin.me(), { kind: "user", name: "ada", role: "admin", groups: ["ops"] });
      assert.deepEqual((await admin.listFlowRuns()).items, []);
      // BATON_API_KEY is what clients read when given no key.
      process.env.BATON_API_KEY = adminToken;
      try {
        assert.equal((await createClient({ apiUrl: server.apiUrl }).me()).name, "ada");
      } finally {
        delete process.env.BATON_API_KEY;
      }
      await assert.rejects(createClient({ apiUrl: server.apiUrl }).listFlowRuns(), UnauthenticatedError);
    });

    test("an admin's key manages people over the API, from the CLI; a key's role limits it, revoking it stops it at once", async () => {
      const remote = { BATON_API_URL: server.apiUrl, BATON_API_KEY: adminToken };
      assert.equal((await runBaton(["user", "add", "bob", "--role", "viewer"], remote)).code, 0);
      const tooMuch = await runBaton(["api-key", "create", "--name", "bob", "--role", "operator", "--user", "bob"], remote);
      assert.equal(tooMuch.code, 1);
      assert.match(tooMuch.stderr, /more rights than they have \(viewer\)/);
      const made = await runBaton(["api-key", "create", "--name", "bob", "--role", "viewer", "--user", "bob"], remote);
      assert.equal(made.code, 0, made.stderr);
      const bob = createClient({ apiUrl: server.apiUrl, apiKey: made.stdout.trim() });
      await bob.listFlowRuns();
      const refused = await bob.createFlowRun({ flowName: "x" }).catch((e: unknown) => e);
      assert.ok(refused instanceof ForbiddenError);
      assert.match(refused.message, /bob has the role viewer; this needs the role operator/);
      const ls = await runBaton(["user", "ls"], remote);
      assert.match(ls.stdout, /ada\s+admin\s+ops/);
      assert.match(ls.stdout, /bob\s+viewer/);
      const keyId = (await createClient({ apiUrl: server.apiUrl, apiKey: adminToken }).listApiKeys()).find((k) => k.name === "bob")!.id;
      assert.equal((await runBaton(["api-key", "revoke", keyId], remote)).code, 0);
      await assert.rejects(bob.listFlowRuns(), UnauthenticatedError);
      // Removing a user revokes their keys.
      const again = await runBaton(["api-key", "create", "--name", "bob2", "--role", "viewer", "--user", "bob"], remote);
      assert.equal((await runBaton(["user", "rm", "bob"], remote)).code, 0);
      await assert.rejects(createClient({ apiUrl: server.apiUrl, apiKey: again.stdout.trim() }).listFlowRuns(), UnauthenticatedError);
    });

    test("failed attempts from one address are limited: after 10 in a minute, 429 even for a valid key", async () => {
      let status = 0;
      for (let i = 0; i < 11 && status !== 429; i++)
        status = (await request(server, "GET", "/health", undefined, { headers: { authorization: "Bearer baton_0000000000000000_x" } })).status;
      assert.equal(status, 429);
      const valid = await request(server, "GET", "/health", undefined, { headers: { authorization: `Bearer ${adminToken}` } });
      assert.ok(valid.status === 200 || valid.status === 429, "a key verified before may still pass from its cache");
    });
  });
}

describe("open local mode", () => {
  test("with no user, a loopback server is open, and the first user added (even on the database itself) closes it", async () => {
    const home = mkdtempSync(join(tmpdir(), "baton-open-"));
    const server = await startTestServer("sqlite", { BATON_HOME: home });
    try {
      assert.equal((await request(server, "GET", "/me")).body.kind, "open");
      assert.equal((await request(server, "POST", "/flow-runs", { flowName: "f" })).status, 201);
      assert.equal((await runBaton(["user", "add", "ada", "--role", "admin"], { BATON_HOME: home })).code, 0);
      await waitUntil("the server requires sign-in", async () => (await request(server, "GET", "/flow-runs")).status === 401, 5000);
    } finally {
      await server.close();
      rmSync(home, { recursive: true, force: true });
    }
  });

  test("on a non-loopback address with no user, the server refuses to start and says how to add one; --insecure-no-auth starts it, loudly", async () => {
    const home = mkdtempSync(join(tmpdir(), "baton-open-"));
    try {
      const refused = await runBaton(["server", "start", "--host", "0.0.0.0", "--port", "0"], { BATON_HOME: home });
      assert.equal(refused.code, 1);
      assert.match(refused.stderr, /No user is defined, and 0\.0\.0\.0 is not a loopback address.*baton user add NAME --role admin/);
      const child = spawnNode(["src/cli/main.ts", "server", "start", "--host", "0.0.0.0", "--port", "0", "--insecure-no-auth"], { BATON_HOME: home });
      await child.waitForOutput(/WARNING: --insecure-no-auth: 0\.0\.0\.0 is served WITHOUT AUTHENTICATION/);
      child.kill("SIGTERM");
      await child.exited;
      const localOne = spawnNode(["src/cli/main.ts", "server", "start", "--port", "0"], { BATON_HOME: join(home, "other") });
      await localOne.waitForOutput(/Open local mode: no users/);
      localOne.kill("SIGTERM");
      await localOne.exited;
    } finally {
      rmSync(home, { recursive: true, force: true });
    }
  });
});

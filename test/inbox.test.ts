// The inbox's API on a real server, on SQLite and PostgreSQL: run tags, filters and counts, pauses that
// name the caller first, bulk answers with an outcome per run, and a comment kept with an answer.
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { z } from "zod";
import { createClient, type BatonClient } from "../src/client/index.ts";
import type { FlowRun, PauseBody } from "../src/contract/index.ts";
import { toInputRequest } from "../src/sdk/run-input.ts";
import { request } from "./support/api.ts";
import { makePeople } from "./support/people.ts";
import { createTempDatabase } from "./support/postgres.ts";
import { backends, spawnNode, startTestServer, type TestServer } from "./support/processes.ts";

const YesNo = toInputRequest(z.boolean());
const Approval = toInputRequest(z.object({ approved: z.boolean() }));
const Size = toInputRequest(z.object({ size: z.enum(["S", "M", "L"]), note: z.string().optional() }));

for (const { backend, skip } of await backends()) {
  describe(`the inbox's API (${backend})`, { skip }, () => {
    const home = mkdtempSync(join(tmpdir(), "baton-inbox-api-"));
    let db: { url: string; drop: () => Promise<void> } | undefined;
    let server: TestServer;
    let tokens: Record<string, string>;
    const as: Record<string, BatonClient> = {};
    before(async () => {
      db = backend === "postgres" ? await createTempDatabase() : undefined;
      const database = { home, ...(db ? { databaseUrl: db.url } : {}) };
      tokens = await makePeople(database, [
        { name: "olga", role: "operator" },
        { name: "alice", role: "responder", groups: ["finance"] },
        { name: "dave", role: "responder" },
      ]);
      server = await startTestServer(backend, { BATON_HOME: home, ...(db ? { BATON_DATABASE_URL: db.url } : {}) });
      for (const [name, token] of Object.entries(tokens)) as[name] = createClient({ apiUrl: server.apiUrl, apiKey: token });
    });
    after(async () => {
      for (const c of Object.values(as)) await c.close();
      await server?.close();
      await db?.drop();
      rmSync(home, { recursive: true, force: true });
    });

    const get = (who: string, path: string) => request(server, "GET", path, undefined, { headers: { authorization: `Bearer ${tokens[who]}` } });
    const post = (who: string, path: string, body: unknown) =>
      request(server, "POST", path, body, { headers: { authorization: `Bearer ${tokens[who]}` } });

    async function paused(flowName: string, pause: Partial<PauseBody>, tags?: string[]): Promise<FlowRun> {
      const run = await as.olga!.createFlowRun({ flowName, state: { type: "RUNNING" }, ...(tags ? { tags } : {}) });
      const result = await as.olga!.pause(run.id, { key: "approve", timeoutSeconds: 3600, inputRequest: null, ...pause });
      assert.equal(result.status, "PAUSED");
      return run;
    }

    test("a run keeps its tags (each once), lists filter by tag and deployment, and a bad tag is refused saying what a tag is", async () => {
      const run = await as.olga!.createFlowRun({ flowName: "tagged", tags: ["urgent", "team:finance", "urgent"] });
      assert.deepEqual(run.tags, ["urgent", "team:finance"]);
      assert.deepEqual((await as.olga!.getFlowRun(run.id)).tags, ["urgent", "team:finance"]);
      await as.olga!.createFlowRun({ flowName: "tagged" });
      assert.deepEqual(
        (await as.olga!.listFlowRuns({ tag: "team:finance" })).items.map((r) => r.id),
        [run.id],
      );
      const bad = await post("olga", "/flow-runs", { flowName: "tagged", tags: ["two words"] });
      assert.equal(bad.status, 400);
      assert.match(bad.body.message, /tags\/0/);
      assert.match(bad.body.message, /letters, digits/);

      await as.olga!.registerDeployment({ name: "tagged-nightly", flowName: "tagged", tags: ["nightly"] });
      const scheduled = await as.olga!.runDeployment("tagged-nightly", {}, { tags: ["vip"] });
      assert.deepEqual(scheduled.tags, ["nightly", "vip"], "the deployment's tags, then the run's own");
      assert.deepEqual(
        (await as.olga!.listFlowRuns({ deploymentName: "tagged-nightly" })).items.map((r) => r.id),
        [scheduled.id],
      );
    });

    test("flow({ tags }) and a call's own tags are the run's tags, found by the filter", async () => {
      const child = spawnNode(["test/fixtures/flows.ts", "tagged"], { ...server.env, BATON_API_KEY: tokens.olga! });
      assert.equal(await child.exited, 0, child.output());
      assert.match(child.output(), /tags billing,vip/);
      const [run] = (await as.olga!.listFlowRuns({ tag: "vip" })).items;
      assert.equal(run?.flowName, "tagged-flow");
      assert.deepEqual(run?.tags, ["billing", "vip"]);
    });

    test("the inbox filters, searches, sorts, counts per flow, and puts what names the caller first", async () => {
      const forFinance = await paused("inbox-expense", { respondents: ["group:finance"], inputRequest: YesNo }, ["finance"]);
      const forBob = await paused("inbox-expense", { respondents: ["bob"], inputRequest: YesNo, timeoutSeconds: 60 }, ["finance"]);
      const anyone = await paused("inbox-invoice", {
        inputRequest: { ...Approval, description: "Approve the **ACME** invoice" },
        timeoutSeconds: null,
      });

      const mine = (await get("alice", "/inbox?tag=finance")).body;
      assert.deepEqual(
        mine.items.map((r: FlowRun) => r.id),
        [forFinance.id, forBob.id],
        "alice's group first, though paused earlier",
      );
      assert.equal(mine.total, 2);
      assert.equal(mine.forMe, 1);
      const onlyMine = (await get("alice", "/inbox?forMe=true")).body;
      assert.ok(onlyMine.items.some((r: FlowRun) => r.id === forFinance.id));
      assert.ok(!onlyMine.items.some((r: FlowRun) => r.id === forBob.id || r.id === anyone.id));
      assert.deepEqual((await get("dave", "/inbox?tag=finance")).body.forMe, 0);

      const found = (await get("dave", "/inbox?q=acme")).body;
      assert.deepEqual(
        found.items.map((r: FlowRun) => r.id),
        [anyone.id],
        "found in the pause's description",
      );
      const soonest = (await get("dave", "/inbox?sort=timeout-soonest&q=inbox-")).body.items.map((r: FlowRun) => r.id);
      assert.equal(soonest[0], forBob.id);
      assert.equal(soonest.at(-1), anyone.id, "no timeout comes last");
      const counts = (await get("dave", "/inbox?flowName=inbox-invoice")).body;
      assert.equal(counts.total, 1);
      assert.deepEqual(
        counts.flows.filter((f: { flowName: string }) => f.flowName.startsWith("inbox-")),
        [
          { flowName: "inbox-expense", count: 2 },
          { flowName: "inbox-invoice", count: 1 },
        ],
        "counts per flow ignore the flow filter",
      );
      const wrong = await get("dave", "/inbox?sort=oldest");
      assert.equal(wrong.status, 400);
      assert.match(wrong.body.message, /newest.*waiting-longest.*timeout-soonest/);
    });

    test("bulk approve answers yes/no pauses and refuses, run by run, what the caller may not answer or what asks more", async () => {
      const bare = await paused("bulk", { inputRequest: YesNo }, ["bulk"]);
      const field = await paused("bulk", { inputRequest: Approval }, ["bulk"]);
      const nothing = await paused("bulk", {}, ["bulk"]);
      const notHers = await paused("bulk", { inputRequest: YesNo, respondents: ["bob"] }, ["bulk"]);
      const more = await paused("bulk", { inputRequest: Size }, ["bulk"]);
      const res = await post("alice", "/inbox/bulk", {
        action: "approve",
        ids: [bare.id, field.id, nothing.id, notHers.id, more.id, "no-such-run"],
        comment: "Checked the receipts",
      });
      assert.equal(res.status, 200);
      const byId = new Map(res.body.results.map((r: { id: string }) => [r.id, r]));
      for (const ok of [bare, field, nothing]) assert.equal((byId.get(ok.id) as { ok: boolean }).ok, true, ok.id);
      assert.deepEqual((({ ok, code }) => ({ ok, code }))(byId.get(notHers.id) as { ok: boolean; code: string }), { ok: false, code: "FORBIDDEN" });
      assert.match((byId.get(notHers.id) as { message: string }).message, /alice is not among who may answer/);
      assert.equal((byId.get(more.id) as { code: string }).code, "NOT_YES_NO");
      assert.match((byId.get(more.id) as { message: string }).message, /asks for more than a yes or no/);
      assert.equal((byId.get("no-such-run") as { code: string }).code, "FLOW_RUN_NOT_FOUND");

      const [b] = await as.olga!.listRunInputs(bare.id);
      assert.equal(b!.response, true);
      assert.equal(b!.comment, "Checked the receipts");
      assert.equal(b!.respondedBy, "alice");
      assert.deepEqual((await as.olga!.listRunInputs(field.id))[0]!.response, { approved: true });
      assert.equal((await as.olga!.getFlowRun(notHers.id)).state.type, "PAUSED", "the refused ones still wait");
      assert.equal((await as.olga!.getFlowRun(more.id)).state.type, "PAUSED");

      const reject = await post("dave", "/inbox/bulk", { action: "reject", ids: [notHers.id] });
      assert.equal(reject.body.results[0].code, "FORBIDDEN");
      const rejectNothing = await paused("bulk", {}, ["bulk"]);
      const r2 = await post("dave", "/inbox/bulk", { action: "reject", ids: [rejectNothing.id] });
      assert.equal(r2.body.results[0].code, "NOT_YES_NO");
      assert.match(r2.body.results[0].message, /asks nothing, so it cannot be rejected/);

      const cancelByResponder = await post("dave", "/inbox/bulk", { action: "cancel", ids: [more.id] });
      assert.equal(cancelByResponder.status, 403, "cancelling needs an operator");
      const cancelled = await post("olga", "/inbox/bulk", { action: "cancel", ids: [more.id, rejectNothing.id], comment: "Out of stock" });
      assert.deepEqual(
        cancelled.body.results.map((r: { ok: boolean; run: FlowRun }) => [r.ok, r.run.state.type, r.run.state.message]),
        [
          [true, "CANCELLED", "Out of stock"],
          [true, "CANCELLED", "Out of stock"],
        ],
      );
    });

    test("a comment is kept with the answer, bounded, and shown in the history", async () => {
      const run = await paused("commented", { inputRequest: Approval });
      const long = await post("dave", `/flow-runs/${run.id}/resume`, { input: { approved: false }, comment: "x".repeat(2001) });
      assert.equal(long.status, 400);
      assert.match(long.body.message, /comment/);
      assert.equal((await as.olga!.getFlowRun(run.id)).state.type, "PAUSED");
      await as.dave!.resume(run.id, { input: { approved: false }, comment: "Too expensive: **ask again** in May" });
      const [input] = await as.olga!.listRunInputs(run.id);
      assert.equal(input!.comment, "Too expensive: **ask again** in May");
      const plain = await paused("commented", { inputRequest: Approval });
      await as.dave!.resume(plain.id, { input: { approved: true } });
      assert.equal((await as.olga!.listRunInputs(plain.id))[0]!.comment, null);
    });
  });
}

import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { z } from "zod";
import { createClient, type BatonClient } from "../src/client/index.ts";
import { ForbiddenError, NotPausedError } from "../src/contract/errors.ts";
import type { FlowRun, PauseBody } from "../src/contract/index.ts";
import { toInputRequest } from "../src/sdk/run-input.ts";
import { pausedFlowProcess, request, waitForState } from "./support/api.ts";
import { makePeople } from "./support/people.ts";
import { spawnNode, startTestServer, type TestServer } from "./support/processes.ts";

const Approval = toInputRequest(z.object({ approved: z.boolean() }));

describe("who may answer a pause", () => {
  const home = mkdtempSync(join(tmpdir(), "baton-respondents-"));
  let server: TestServer;
  let tokens: Record<string, string>;
  const as: Record<string, BatonClient> = {};
  before(async () => {
    tokens = await makePeople({ home }, [
      { name: "ada", role: "admin" },
      { name: "olga", role: "operator", groups: ["finance"] },
      { name: "alice", role: "responder", groups: ["finance"] },
      { name: "bob", role: "responder", groups: ["finance"] },
      { name: "carol", role: "responder", groups: ["finance"] },
      { name: "dave", role: "responder" },
    ]);
    server = await startTestServer("sqlite", { BATON_HOME: home });
    for (const [name, token] of Object.entries(tokens)) as[name] = createClient({ apiUrl: server.apiUrl, apiKey: token });
  });
  after(async () => {
    for (const c of Object.values(as)) await c.close();
    await server.close();
    rmSync(home, { recursive: true, force: true });
  });

  /** A run olga starts and pauses, asking as `who` says. */
  async function paused(who: Partial<PauseBody> = {}): Promise<FlowRun> {
    const run = await as.olga!.createFlowRun({ flowName: "respondents-test", state: { type: "RUNNING" } });
    const result = await as.olga!.pause(run.id, { key: "1", timeoutSeconds: 3600, inputRequest: Approval, ...who });
    assert.equal(result.status, "PAUSED");
    return run;
  }

  test("who answered comes from the key, never from the body; only an admin answers on someone's behalf, recorded as such", async () => {
    const run = await paused();
    assert.equal(run.createdBy, "olga");
    const claimed = await request(
      server,
      "POST",
      `/flow-runs/${run.id}/resume`,
      { input: { approved: true }, respondedBy: "ceo@example.com", channel: "ui" },
      {
        headers: { authorization: `Bearer ${tokens.alice}` },
      },
    );
    assert.equal(claimed.status, 403);
    assert.equal(claimed.body.code, "FORBIDDEN");
    assert.match(claimed.body.message, /only an admin may answer on someone else's behalf/);
    assert.equal((await as.ada!.getFlowRun(run.id)).state.type, "PAUSED");
    const answered = await request(
      server,
      "POST",
      `/flow-runs/${run.id}/resume`,
      { input: { approved: true }, channel: "ui" },
      {
        headers: { authorization: `Bearer ${tokens.alice}`, "x-baton-channel": "cli" },
      },
    );
    assert.equal(answered.status, 200);
    const input = await as.ada!.getRunInput(run.id, "1");
    assert.deepEqual([input.respondedBy, input.onBehalfOf, input.channel], ["alice", null, "cli"]);

    const forBob = await paused();
    await as.ada!.resume(forBob.id, { input: { approved: false }, respondedBy: "bob" });
    const recorded = await as.ada!.getRunInput(forBob.id, "1");
    assert.deepEqual([recorded.respondedBy, recorded.onBehalfOf, recorded.channel], ["ada", "bob", "api"]);
  });

  test("respondents: someone not named, nor in a named group, gets 403 saying who may, and nothing changes", async () => {
    const run = await paused({ respondents: ["group:finance", "dave-not"] });
    const refused = await as.dave!.resume(run.id, { input: { approved: true } }).catch((e: unknown) => e);
    assert.ok(refused instanceof ForbiddenError);
    assert.match(refused.message, /dave is not among who may answer this pause \(group:finance, dave-not\)/);
    const input = await as.ada!.getRunInput(run.id, "1");
    assert.equal(input.respondedAt, null);
    assert.deepEqual(input.answers, []);
    // An admin may not answer for dave either, but may for a member of the group.
    await assert.rejects(as.ada!.resume(run.id, { input: { approved: true }, respondedBy: "dave" }), ForbiddenError);
    assert.equal((await as.alice!.resume(run.id, { input: { approved: true } })).state.type, "RUNNING");
  });

  test("excludeRunCreator: the one who started the run may not approve it", async () => {
    const run = await paused({ respondents: ["group:finance"], excludeRunCreator: true });
    const refused = await as.olga!.resume(run.id, { input: { approved: true } }).catch((e: unknown) => e);
    assert.ok(refused instanceof ForbiddenError);
    assert.match(refused.message, /olga started this run/);
    assert.equal((await as.bob!.resume(run.id, { input: { approved: true } })).state.type, "RUNNING");
  });

  test("a quorum of 2 out of a group of 3: the first answer waits, the same person twice is refused, the second resumes with both", async () => {
    const run = await paused({ respondents: ["group:finance"], required: 2 });
    assert.equal((await as.alice!.resume(run.id, { input: { approved: true } })).state.type, "PAUSED");
    const twice = await as.alice!.resume(run.id, { input: { approved: false } }).catch((e: unknown) => e);
    assert.ok(twice instanceof ForbiddenError);
    assert.match(twice.message, /alice has answered this pause already; it needs 2 different people \(1 so far\)/);
    const waiting = await as.ada!.getRunInput(run.id, "1");
    assert.deepEqual(
      waiting.answers.map((a) => [a.respondedBy, a.input]),
      [["alice", { approved: true }]],
    );
    assert.equal((await as.bob!.resume(run.id, { input: { approved: false } })).state.type, "RUNNING");
    const done = await as.ada!.getRunInput(run.id, "1");
    assert.deepEqual(
      (done.response as { respondedBy: string; input: unknown }[]).map((a) => [a.respondedBy, a.input]),
      [
        ["alice", { approved: true }],
        ["bob", { approved: false }],
      ],
    );
    await assert.rejects(as.carol!.resume(run.id, { input: { approved: true } }), NotPausedError);
  });

  test("two people answering a quorum pause at the same moment both count", async () => {
    const run = await paused({ respondents: ["group:finance"], required: 3 });
    await Promise.all([as.alice!.resume(run.id, { input: { approved: true } }), as.bob!.resume(run.id, { input: { approved: true } })]);
    assert.equal((await as.ada!.getRunInput(run.id, "1")).answers.length, 2);
    assert.equal((await as.carol!.resume(run.id, { input: { approved: true } })).state.type, "RUNNING");
  });

  test("in a flow: pauseFlowRun({ respondents, excludeRunCreator, required: 2 }) returns every answer, typed, with who gave it", async () => {
    const flow = spawnNode(["test/fixtures/flows.ts", "quorum"], { ...server.env, BATON_API_KEY: tokens.olga! });
    const id = await pausedFlowProcess(as.ada!, flow);
    const run = await as.ada!.getFlowRun(id);
    assert.deepEqual([run.createdBy, run.state.details.respondents, run.state.details.required], ["olga", ["group:finance"], 2]);
    await assert.rejects(as.olga!.resume(id, { input: { approved: true } }), ForbiddenError);
    await as.carol!.resume(id, { input: { approved: true } });
    await as.alice!.resume(id, { input: { approved: false } });
    await flow.waitForOutput(/answers \[\["carol","api",2\],\["alice","api",2\]\]/);
    await waitForState(as.ada!, id, "COMPLETED");
  });
});

// The test kit used as a user's test would use it: flows called in this process, a real embedded server.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { afterEach, beforeEach, test } from "node:test";
import { z } from "zod";
import { InvalidInputError, PauseTimeoutError } from "../contract/errors.ts";
import { flow, getRunContext, pauseFlowRun, RunInput } from "../sdk/index.ts";
import { advanceClock } from "../server/clock.ts";
import { pushed } from "../../test/support/pushed.ts";
import {
  RunEndedBeforePauseError,
  RuntimeClosedError,
  startTestServer,
  TestServerClosedError,
  TestServerOpenError,
  WaitForPauseTimeoutError,
  type TestServer,
} from "./index.ts";

const ROOT = new URL("../../", import.meta.url).pathname;

const Approval = RunInput.from(z.object({ approved: z.boolean() })).withInitialData({}, { description: "Approve **this** expense?" });

const approve = flow({ name: "approve", parameters: z.object({ amount: z.number().positive() }) }, async ({ amount }) => {
  const { approved } = await pauseFlowRun({ waitForInput: Approval, timeout: "7d" });
  return approved ? `paid ${amount}` : "refused";
});

/** Pauses twice, under the keys "details" and "confirm". */
const twoSteps = flow("two-steps", async () => {
  const name = await pauseFlowRun({ waitForInput: z.string(), key: "details" });
  await pauseFlowRun({ key: "confirm" });
  return `confirmed ${name}`;
});

/** A gate a flow waits at until the test opens it, and the id of the run that reached it. */
function gate() {
  let open!: () => void;
  let reached!: (runId: string) => void;
  return {
    opened: new Promise<void>((r) => (open = r)),
    reachedBy: new Promise<string>((r) => (reached = r)),
    open: () => open(),
    reach: (runId: string) => reached(runId),
  };
}

let server: TestServer;
beforeEach(async () => {
  server = await startTestServer({ checkResponses: true });
});
afterEach(() => server.close());

test("a flow paused and answered through the kit returns its value, and the answer is recorded as given", async () => {
  const done = approve({ amount: 120 });
  const pause = await server.waitForPause({ flowName: "approve" });
  assert.equal(pause.key, "1");
  assert.equal(pause.flowRun.flowName, "approve");
  assert.equal(pause.flowRun.state.type, "PAUSED");
  assert.deepEqual(pause.flowRun.parameters, { amount: 120 });
  assert.equal((pause.schema as { properties: Record<string, unknown> }).properties.approved !== undefined, true);
  assert.equal(pause.description, "Approve **this** expense?");
  assert.deepEqual(pause.initialData, {});
  assert.ok(pause.timeoutAt && Date.parse(pause.timeoutAt) > Date.now() + 6.9 * 86400_000, `${pause.timeoutAt} is seven days ahead`);
  assert.equal(pause.suspended, false);

  const resumed = await server.answer(pause.flowRun.id, { approved: true }, { respondedBy: "test" });
  assert.equal(resumed.state.type, "RUNNING");
  assert.equal(await pushed(done, "the answered flow's end"), "paid 120");
  const [answer] = await server.client.listRunInputs(pause.flowRun.id);
  assert.deepEqual([answer!.response, answer!.channel, answer!.respondedBy], [{ approved: true }, "api", "test"]);
  assert.equal((await server.client.getFlowRun(pause.flowRun.id)).state.type, "COMPLETED");
});

test("the server's address serves the API under /api, and the SDK of this process reports to it", async () => {
  assert.match(server.url, /^http:\/\/127\.0\.0\.1:\d+$/);
  assert.equal(server.apiUrl, `${server.url}/api`);
  assert.equal(process.env.BATON_API_URL, server.apiUrl);
  const health = await (await fetch(`${server.url}/api/health`)).json();
  assert.deepEqual(health, { status: "ok", database: "sqlite" });
});

test("waitForPause by run id and by flow name resolves for a run paused before the call, and waits for a later key", async () => {
  const done = twoSteps();
  const first = await server.waitForPause({ flowName: "two-steps" });
  assert.equal(first.key, "details");
  // Already paused when these are called: each resolves from the state it reads, not from an event.
  const byId = await server.waitForPause(first.flowRun.id);
  const byFlow = await server.waitForPause({ flowName: "two-steps" }, { key: "details" });
  assert.deepEqual([byId.key, byId.flowRun.id, byFlow.flowRun.id], ["details", first.flowRun.id, first.flowRun.id]);
  assert.deepEqual(byId.schema, { $schema: "https://json-schema.org/draft/2020-12/schema", type: "string" });

  const confirm = server.waitForPause(first.flowRun.id, { key: "confirm" });
  await server.answer(first.flowRun.id, "Ada");
  const second = await confirm;
  assert.equal(second.key, "confirm");
  assert.equal(second.schema, null, "a pause that asks for nothing");
  await server.answer(second.flowRun.id);
  assert.equal(await done, "confirmed Ada");
});

test("waitForPause by flow name waits for a run started after the call", async () => {
  const waiting = server.waitForPause({ flowName: "approve" });
  await new Promise((r) => setTimeout(r, 100));
  const done = approve({ amount: 5 });
  const pause = await waiting;
  await server.answer(pause.flowRun.id, { approved: false });
  assert.equal(await done, "refused");
});

test("a wrong answer rejects with InvalidInputError naming the field, and the run stays paused for a right one", async () => {
  const done = approve({ amount: 120 });
  const pause = await server.waitForPause({ flowName: "approve" });
  await assert.rejects(server.answer(pause.flowRun.id, { approved: "yes" }), (e: unknown) => {
    assert.ok(e instanceof InvalidInputError, String(e));
    assert.deepEqual(
      e.errors.map((f) => f.path),
      ["/approved"],
    );
    return true;
  });
  assert.equal((await server.client.getFlowRun(pause.flowRun.id)).state.type, "PAUSED");
  const again = await server.waitForPause(pause.flowRun.id);
  assert.equal(again.key, "1");
  await server.answer(pause.flowRun.id, { approved: true });
  assert.equal(await done, "paid 120");
});

test("a run that fails without pausing makes waitForPause by run id reject at once with its state and message", async () => {
  const g = gate();
  const failing = flow("fails-early", async () => {
    g.reach(getRunContext().flowRun.id);
    await g.opened;
    throw new Error("no budget left");
  });
  // Asserted from the start: a rejection that nothing handles yet fails a node:test test.
  const failed = assert.rejects(failing(), /no budget left/);
  const runId = await g.reachedBy;
  const waiting = server.waitForPause(runId, { timeout: 5 });
  await new Promise((r) => setTimeout(r, 200)); // so that the wait learns the end from the event stream
  g.open();
  await assert.rejects(waiting, (e: unknown) => {
    assert.ok(e instanceof RunEndedBeforePauseError, String(e));
    assert.match(e.message, new RegExp(`Flow run ${runId} of flow "fails-early" ended Failed without pausing: no budget left`));
    assert.equal(e.state.type, "FAILED");
    return true;
  });
  await failed;
  // Called once the run has ended: no waiting at all.
  const started = Date.now();
  await assert.rejects(server.waitForPause(runId), /has already ended Failed, so it will not pause again: no budget left/);
  assert.ok(Date.now() - started < 1000);
});

test("a run that fails without pausing makes waitForPause by flow name reject with its message", async () => {
  const failing = flow("fails-at-once", async () => {
    throw new Error("the amount is missing");
  });
  const waiting = server.waitForPause({ flowName: "fails-at-once" }, { timeout: 5 });
  const failed = assert.rejects(failing(), /the amount is missing/);
  await assert.rejects(
    waiting,
    (e: unknown) => e instanceof RunEndedBeforePauseError && /ended Failed without pausing: the amount is missing/.test(e.message),
  );
  await failed;
});

test("waitForPause by flow name is not turned away by a run that paused, was answered and completed meanwhile", async () => {
  const first = approve({ amount: 1 });
  const pause = await server.waitForPause({ flowName: "approve" });
  const next = server.waitForPause({ flowName: "approve" }, { timeout: 5 });
  await server.answer(pause.flowRun.id, { approved: true });
  assert.equal(await first, "paid 1");
  const second = approve({ amount: 2 });
  const secondPause = await next;
  assert.notEqual(secondPause.flowRun.id, pause.flowRun.id);
  await server.answer(secondPause.flowRun.id, { approved: true });
  assert.equal(await second, "paid 2");
});

test("waitForPause times out saying what the run is doing", async () => {
  const done = twoSteps();
  const pause = await server.waitForPause({ flowName: "two-steps" });
  const started = Date.now();
  await assert.rejects(server.waitForPause(pause.flowRun.id, { key: "confirm", timeout: 0.3 }), (e: unknown) => {
    assert.ok(e instanceof WaitForPauseTimeoutError, String(e));
    assert.match(
      e.message,
      new RegExp(`waited 0.3 s for flow run ${pause.flowRun.id} to pause at "confirm", in vain: it is Paused at "details": Waiting for input`),
    );
    return true;
  });
  assert.ok(Date.now() - started < 2000);
  await assert.rejects(server.waitForPause({ flowName: "nobody" }, { timeout: "200ms" }), /no run of flow "nobody" exists on this server/);
  await server.answer(pause.flowRun.id, "Ada");
  await server.answer((await server.waitForPause(pause.flowRun.id, { key: "confirm" })).flowRun.id);
  await done;
});

test('advanceTime("7d") makes a pauseFlowRun({ timeout: "7d" }) throw PauseTimeoutError within a second, and not before its time', async () => {
  const timedOut = assert.rejects(approve({ amount: 120 }), PauseTimeoutError);
  const pause = await server.waitForPause({ flowName: "approve" });
  await server.advanceTime("6d");
  assert.equal((await server.client.getFlowRun(pause.flowRun.id)).state.type, "PAUSED", "six days are not seven");
  const started = Date.now();
  await server.advanceTime(86400);
  const run = await server.client.getFlowRun(pause.flowRun.id);
  assert.equal(run.state.type, "FAILED", "failed by the time advanceTime resolves, not at the next sweep");
  assert.match(run.state.message ?? "", /timed out/);
  await timedOut;
  assert.ok(Date.now() - started < 1000, `took ${Date.now() - started} ms`);
  // Times the server writes now are on its moved clock.
  assert.ok(Date.parse(run.state.timestamp) > Date.now() + 6.9 * 86400_000);
});

test("an answer that comes after the pause timed out on the moved clock, before any sweep, is refused", async () => {
  const timedOut = assert.rejects(approve({ amount: 120 }), PauseTimeoutError);
  const pause = await server.waitForPause({ flowName: "approve" });
  advanceClock(7 * 86400_000); // the seam advanceTime uses, without its sweep
  await assert.rejects(server.answer(pause.flowRun.id, { approved: true }), PauseTimeoutError);
  await timedOut;
});

test("advanceTime reaches a flow waiting in a child process", async () => {
  const child = spawn(process.execPath, ["test/fixtures/week-long-pause.ts"], { cwd: ROOT, stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  child.stdout.on("data", (d) => (output += d));
  child.stderr.on("data", (d) => (output += d));
  const exited = new Promise<number | null>((resolve) => child.on("exit", resolve));
  const deadline = setTimeout(() => child.kill("SIGKILL"), 20_000); // a broken kit must not leave it running
  try {
    await server.waitForPause({ flowName: "week-long" }, { timeout: 15 });
    await server.advanceTime("7d");
    assert.equal(await exited, 0, output);
    assert.match(output, /ended with PauseTimeoutError/);
  } finally {
    clearTimeout(deadline);
    child.kill("SIGKILL");
  }
});

test("a second server started after the first closed gets the flows of this process", async () => {
  const first = server;
  await assert.rejects(startTestServer(), TestServerOpenError);
  const done = approve({ amount: 1 });
  await first.answer((await first.waitForPause({ flowName: "approve" })).flowRun.id, { approved: true });
  assert.equal(await done, "paid 1");
  await first.advanceTime("1d");
  await first.close();
  await assert.rejects(first.answer("any", {}), TestServerClosedError);
  await assert.rejects(first.waitForPause({ flowName: "approve" }), TestServerClosedError);

  server = await startTestServer();
  assert.notEqual(server.url, first.url);
  assert.equal(process.env.BATON_API_URL, server.apiUrl);
  const again = approve({ amount: 2 });
  const pause = await server.waitForPause({ flowName: "approve" });
  assert.ok(Math.abs(Date.parse(pause.flowRun.createdAt) - Date.now()) < 60_000, "the clock moved for the first server is back in step");
  await server.answer(pause.flowRun.id, { approved: true });
  assert.equal(await again, "paid 2");
  assert.equal((await server.client.listFlowRuns({ flowName: "approve" })).items.length, 1, "only the run started after it");
});

test("close() ends a flow still waiting here with RuntimeClosedError", async () => {
  const ended = assert.rejects(approve({ amount: 3 }), RuntimeClosedError);
  await server.waitForPause({ flowName: "approve" });
  await server.close();
  await ended;
  server = await startTestServer(); // for afterEach
});

test("after close() nothing keeps the process alive: a script that uses two servers in turn exits by itself", async () => {
  const child = spawn(process.execPath, ["test/fixtures/test-server-lifecycle.ts"], { cwd: ROOT, stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  let closedAt = Infinity;
  child.stdout.on("data", (d) => {
    output += d;
    if (/^closed$/m.test(output)) closedAt = Math.min(closedAt, Date.now());
  });
  child.stderr.on("data", (d) => (output += d));
  const exited = new Promise<number | null>((resolve) => child.on("exit", resolve));
  const deadline = setTimeout(() => child.kill("SIGKILL"), 15_000);
  try {
    const code = await exited;
    assert.equal(code, 0, `the script did not exit by itself:\n${output}`);
  } finally {
    clearTimeout(deadline);
  }
  assert.ok(Date.now() - closedAt < 1500, `it exited ${Date.now() - closedAt} ms after its last line`);
  assert.match(output, /round 1: 42\n/);
  assert.match(output, /round 2: 42\n/);
  assert.match(output, /round 2: left flow RuntimeClosedError/);
  assert.match(output, /round 2: pending wait TestServerClosedError/);
  assert.match(output, /closed\n/);
});

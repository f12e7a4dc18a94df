import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { createClient, type BatonClient } from "../src/client/index.ts";
import { InvalidInputError, NotPausedError } from "../src/contract/errors.ts";
import type { BatonEvent, FlowRun } from "../src/contract/index.ts";
import { waitUntil } from "./support/api.ts";
import { startHttpReceiver } from "./support/receivers.ts";
import { backends, spawnNode, startTestServer, type Child, type TestServer } from "./support/processes.ts";

/** The server's bound on a check in these tests: short, so that the hanging rule outlasts it quickly. */
const BOUND_SECONDS = 1;

/** Polls the run until `check` holds (the tests' only waiting; the product itself is pushed); generous, for a loaded machine. */
const until = (client: BatonClient, id: string, check: (r: FlowRun) => boolean, what: string) =>
  waitUntil(
    what,
    async () => {
      const run = await client.getFlowRun(id);
      return check(run) ? run : undefined;
    },
    60_000,
  );

const pausedAt = (key: string, suspended?: boolean) => (r: FlowRun) =>
  r.state.type === "PAUSED" && r.state.details.pauseKey === key && (suspended === undefined || !!r.state.details.suspended === suspended);

/** The 422 of a refused answer. */
async function refusal(p: Promise<unknown>): Promise<InvalidInputError> {
  const e = await p.then(
    () => assert.fail("the answer was accepted"),
    (e: unknown) => e,
  );
  assert.ok(e instanceof InvalidInputError, `expected INVALID_INPUT, got ${String(e)}`);
  return e;
}

for (const { backend, skip } of await backends()) {
  describe(`answers checked by the flow's own schema before the run resumes, on ${backend}`, { skip }, () => {
    let server: TestServer;
    let client: BatonClient;
    const children: Child[] = [];
    const serveFlows = () => {
      const child = spawnNode(["test/fixtures/validate-flows.ts"], { ...server.env, SLOW_CHECK_MS: "8000" });
      children.push(child);
      return child;
    };
    const logsOf = async (id: string) => (await client.listLogs(id)).map((l) => l.message);
    /** Waits for a log line of the run (a flow's log lines are shipped in batches, after its state changes). */
    const logLine = async (id: string, match: (line: string) => boolean) => {
      const deadline = Date.now() + 30_000;
      for (let logs = await logsOf(id); !logs.some(match); logs = await logsOf(id)) {
        if (Date.now() > deadline) assert.fail(`no such log line in:\n${logs.join("\n")}`);
        await new Promise((r) => setTimeout(r, 50));
      }
    };
    let serving: Child;

    before(async () => {
      server = await startTestServer(backend, { BATON_INPUT_CHECK_TIMEOUT_SECONDS: String(BOUND_SECONDS), BATON_LOG_LEVEL: "warn" });
      client = createClient({ apiUrl: server.apiUrl });
      serving = serveFlows();
      await serving.waitForOutput("Serving live-order", 60_000);
    });
    after(async () => {
      for (const c of children) c.kill("SIGKILL");
      await server?.close();
    });

    test("the paused process refuses an answer its refine rejects: 422 on the field, the run stays paused, the refusal is kept and announced", async () => {
      const run = await client.runDeployment("live-order");
      await until(client, run.id, pausedAt("1", false), "the live pause");
      const rejected: BatonEvent[] = [];
      const stream = client.events({ flowRunId: run.id, types: ["flow-run.input-rejected"] }, (e) => rejected.push(e));
      await stream.ready;

      const e = await refusal(client.resume(run.id, { input: { size: "small", color: "green", pin: "1234" }, respondedBy: "ada" }));
      assert.deepEqual(e.errors, [{ path: "/color", message: "green is not made in small" }]);
      const still = await client.getFlowRun(run.id);
      assert.ok(pausedAt("1", false)(still), `still paused at "1": ${still.state.name}`);

      const [input] = await client.listRunInputs(run.id);
      assert.equal(input!.respondedAt, null);
      assert.equal(input!.refusals?.length, 1);
      const kept = input!.refusals![0]!;
      assert.deepEqual(kept.errors, [{ path: "/color", message: "green is not made in small" }]);
      assert.equal(kept.respondedBy, "ada");
      assert.equal(kept.channel, "api");
      // A sensitive field stays hidden to everyone but the flow.
      assert.deepEqual(kept.value, { size: "small", color: "green", pin: "[sensitive]" });

      const deadline = Date.now() + 5000;
      while (!rejected.length && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      stream.close();
      assert.equal(rejected[0]?.type, "flow-run.input-rejected");

      const ok = await client.resume(run.id, { input: { size: "medium", color: "green" } });
      assert.equal(ok.validatedBy, "flow");
      await until(client, run.id, (r) => r.state.type === "COMPLETED", "completion");
      await logLine(run.id, (l) => l === "Order: medium green -");
      assert.ok(!(await logsOf(run.id)).some((l) => l.startsWith("Invalid order")), "the flow never saw the refused answer");
    });

    test("an automation on flow-run.input-rejected notifies a webhook of the refusal", async () => {
      const hooks = await startHttpReceiver();
      await client.createChannel({ name: `hooks-${backend}`, type: "webhook", url: hooks.url });
      const automation = await client.createAutomation({
        name: "tell me of refused answers",
        trigger: { type: "event", events: ["flow-run.input-rejected"], flowName: ["live-order"] },
        actions: [{ type: "notify", channel: `hooks-${backend}` }],
      });
      try {
        const run = await client.runDeployment("live-order");
        await until(client, run.id, pausedAt("1", false), "the live pause");
        await refusal(client.resume(run.id, { input: { size: "small", color: "green" } }));
        const hit = await waitUntil("the webhook is called", () => hooks.received.find((r) => r.body?.flowRun?.id === run.id), 30_000);
        assert.equal(hit.body.event, "flow-run.input-rejected");
        assert.equal(hit.body.flowRun.state.type, "PAUSED");
        await client.resume(run.id, { input: { size: "large", color: "green" } });
        await until(client, run.id, (r) => r.state.type === "COMPLETED", "completion");
      } finally {
        await client.deleteAutomation(automation.id);
        await hooks.close();
      }
    });

    test("an async refinement (an order number looked up) refuses before resume, and accepts a known one", async () => {
      const run = await client.runDeployment("live-order");
      await until(client, run.id, pausedAt("1", false), "the live pause");
      const e = await refusal(client.resume(run.id, { input: { size: "large", color: "red", order: "Z-9" } }));
      assert.deepEqual(e.errors, [{ path: "/order", message: "no such order" }]);
      assert.equal((await client.resume(run.id, { input: { size: "large", color: "red", order: "A-2" } })).validatedBy, "flow");
      await until(client, run.id, (r) => r.state.type === "COMPLETED", "completion");
      await logLine(run.id, (l) => l === "Order: large red A-2");
    });

    test("a suspended run is checked by a serving process that never saw it pause, from the schema its flow declares", async () => {
      const run = await client.runDeployment("suspended-order");
      await until(client, run.id, pausedAt("1", true), "the suspend");
      // A new serving process: nothing of the run's execution is in its memory.
      serving.kill("SIGTERM");
      await serving.exited;
      serving = serveFlows();
      await serving.waitForOutput("Serving live-order", 60_000);

      const e = await refusal(client.resume(run.id, { input: { size: "small", color: "green" } }));
      assert.deepEqual(e.errors, [{ path: "/color", message: "green is not made in small" }]);
      assert.ok(pausedAt("1", true)(await client.getFlowRun(run.id)), "still suspended at 1");
      const ok = await client.resume(run.id, { input: { size: "small", color: "blue" } });
      assert.equal(ok.validatedBy, "flow");
      await until(client, run.id, (r) => r.state.type === "COMPLETED", "completion after replay");
      await logLine(run.id, (l) => l === "Order: small blue -");
    });

    test("with no process holding the code, the answer is taken on its JSON Schema and the flow's retry loop refuses it after resuming", async () => {
      const run = await client.runDeployment("suspended-order");
      await until(client, run.id, pausedAt("1", true), "the suspend");
      serving.kill("SIGTERM");
      await serving.exited;

      const ok = await client.resume(run.id, { input: { size: "small", color: "green" } });
      assert.equal(ok.validatedBy, "schema");
      serving = serveFlows();
      await serving.waitForOutput("Serving live-order", 60_000);
      await until(client, run.id, pausedAt("2", true), "the flow to ask again after RunInputValidationError");
      await logLine(run.id, (l) => l.startsWith("Invalid order") && l.includes("green is not made in small"));
      assert.equal((await client.resume(run.id, { input: { size: "large", color: "green" } })).validatedBy, "flow");
      await until(client, run.id, (r) => r.state.type === "COMPLETED", "completion");
    });

    test("a rule that throws something other than a validation error does not refuse: the answer is taken on its JSON Schema", async () => {
      const run = await client.runDeployment("live-order");
      await until(client, run.id, pausedAt("1", false), "the live pause");
      const ok = await client.resume(run.id, { input: { size: "large", color: "red", note: "boom" } });
      assert.equal(ok.validatedBy, "schema");
      assert.equal((await client.listRunInputs(run.id))[0]!.refusals?.length, 0);
      // The flow meets the same error when it parses the answer: as before this feature, it fails the run.
      const done = await until(client, run.id, (r) => r.state.type === "FAILED", "the run to fail on the thrown error");
      assert.match(done.state.message ?? "", /order service is down/);
    });

    test("a rule slower than the bound: the answer is taken on its JSON Schema when the bound passes, and the flow refuses it after resuming", async () => {
      const run = await client.runDeployment("live-order");
      await until(client, run.id, pausedAt("1", false), "the live pause");
      const started = Date.now();
      const ok = await client.resume(run.id, { input: { size: "small", color: "green", note: "slow" } });
      const took = Date.now() - started;
      assert.equal(ok.validatedBy, "schema");
      assert.ok(took >= BOUND_SECONDS * 1000 - 50 && took < 6000, `answered after ${took} ms`);
      await until(client, run.id, pausedAt("2", false), "the retry loop to ask again");
      assert.equal((await client.resume(run.id, { input: { size: "small", color: "red" } })).validatedBy, "flow");
      await until(client, run.id, (r) => r.state.type === "COMPLETED", "completion");
    });

    test("two answers at once, the first refused and the second accepted: the second wins, applied once", async () => {
      const run = await client.runDeployment("live-order");
      await until(client, run.id, pausedAt("1", false), "the live pause");
      const [bad, good] = await Promise.allSettled([
        client.resume(run.id, { input: { size: "small", color: "green" } }),
        client.resume(run.id, { input: { size: "small", color: "red" } }),
      ]);
      assert.equal(bad.status, "rejected");
      assert.ok((bad as PromiseRejectedResult).reason instanceof InvalidInputError);
      assert.equal(good.status, "fulfilled");
      assert.equal((good as PromiseFulfilledResult<{ validatedBy?: string | null }>).value.validatedBy, "flow");
      await until(client, run.id, (r) => r.state.type === "COMPLETED", "completion");
      const inputs = await client.listRunInputs(run.id);
      assert.equal(inputs.length, 1);
      assert.deepEqual(inputs[0]!.response, { size: "small", color: "red" });
      assert.equal(inputs[0]!.refusals?.length, 1);
      await logLine(run.id, (l) => l === "Order: small red -");
      const logs = await logsOf(run.id);
      assert.equal(logs.filter((l) => l.startsWith("Order:")).length, 1);
      assert.ok(!logs.some((l) => l.startsWith("Invalid order")));
    });

    test("two servers: an answer through the server the process is not connected to is checked through the relay, and races as on one", {
      skip: backend !== "postgres" && "one server on SQLite",
    }, async () => {
      const other = await startTestServer("postgres", {
        BATON_DATABASE_URL: server.databaseUrl!,
        BATON_INPUT_CHECK_TIMEOUT_SECONDS: String(BOUND_SECONDS),
      });
      try {
        const viaOther = createClient({ apiUrl: other.apiUrl });
        const run = await client.runDeployment("live-order");
        await until(client, run.id, pausedAt("1", false), "the live pause");
        // The process is connected to the first server: the second reaches it through PostgreSQL.
        const e = await refusal(viaOther.resume(run.id, { input: { size: "small", color: "green" } }));
        assert.deepEqual(e.errors, [{ path: "/color", message: "green is not made in small" }]);
        // At once through both: whichever comes first, the good answer wins and the bad one is not applied
        // (refused by the flow, or 409 if the good one had already resumed the run).
        const [bad, good] = await Promise.allSettled([
          viaOther.resume(run.id, { input: { size: "small", color: "green" } }),
          client.resume(run.id, { input: { size: "medium", color: "blue" } }),
        ]);
        assert.equal(bad.status, "rejected", "the bad answer is never accepted");
        const reason = (bad as PromiseRejectedResult).reason;
        assert.ok(reason instanceof InvalidInputError || reason instanceof NotPausedError, String(reason));
        assert.equal(good.status, "fulfilled");
        await until(client, run.id, (r) => r.state.type === "COMPLETED", "completion");
        await logLine(run.id, (l) => l === "Order: medium blue -");
        const [input] = await viaOther.listRunInputs(run.id);
        assert.deepEqual(input!.response, { size: "medium", color: "blue" });
        assert.ok(!(await logsOf(run.id)).some((l) => l.startsWith("Invalid order")));
      } finally {
        await other.stop();
      }
    });
  });
}

import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { createClient, type BatonClient } from "../src/client/index.ts";
import { ParametersValidationError } from "../src/contract/errors.ts";
import type { FlowRun } from "../src/contract/index.ts";
import { backends, spawnNode, startTestServer, type Child, type TestServer } from "./support/processes.ts";

const FAST_HEARTBEATS = { BATON_HEARTBEAT_INTERVAL_SECONDS: "0.3" };
/**
 * For the processes killed with -9: a heartbeat sent just before the kill but handled after the closed
 * stream is a sign of life, which would leave the run to the 30 s heartbeat timeout.
 */
const SLOW_HEARTBEATS = { BATON_HEARTBEAT_INTERVAL_SECONDS: "10" };
/** The server's default grace after a process's event stream closes. */
const GRACE_MS = 2000;

/** Polls the run until `check` holds (the tests' only waiting; the product itself is pushed). */
async function until(client: BatonClient, id: string, check: (r: FlowRun) => boolean, what: string, timeoutMs = 15_000): Promise<FlowRun> {
  const deadline = Date.now() + timeoutMs;
  let run = await client.getFlowRun(id);
  while (!check(run)) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; run is ${run.state.name} (${run.state.message})`);
    await new Promise((r) => setTimeout(r, 50));
    run = await client.getFlowRun(id);
  }
  return run;
}

const isSuspended = (r: FlowRun) => r.state.type === "PAUSED" && r.state.details.suspended === true;

for (const { backend, skip } of await backends()) {
  describe(`suspend, replay and serving processes on ${backend}`, { skip }, () => {
    let server: TestServer;
    let client: BatonClient;
    let dir: string;
    const children: Child[] = [];
    const serveFlows = (extra: Record<string, string> = {}) => {
      const child = spawnNode(["test/fixtures/serve-flows.ts"], {
        ...server.env,
        ...FAST_HEARTBEATS,
        SIDE_EFFECTS_FILE: join(dir, "effects.log"),
        ...extra,
      });
      children.push(child);
      return child;
    };
    const effects = () => readFileSync(join(dir, "effects.log"), "utf8").trim().split("\n").filter(Boolean);
    const logsOf = async (id: string) => (await client.listLogs(id)).map((l) => l.message);

    before(async () => {
      // Heartbeats are the backstop (30 s): a dead process is noticed by its closed event stream.
      server = await startTestServer(backend, { BATON_HEARTBEAT_TIMEOUT_SECONDS: "30" });
      client = createClient({ apiUrl: server.apiUrl });
      dir = mkdtempSync(join(tmpdir(), "baton-suspend-"));
      writeFileSync(join(dir, "effects.log"), "");
    });
    after(async () => {
      for (const c of children) c.kill("SIGKILL");
      await server?.close();
    });

    test("a suspended run is resumed by a new serving process after a restart, and its completed task does not run again", async () => {
      const first = serveFlows();
      await first.waitForOutput("Serving expense");
      const run = await client.runDeployment("expense", { amount: 42 });
      assert.equal(run.state.type, "SCHEDULED");
      await until(client, run.id, isSuspended, "the run to suspend");
      first.kill("SIGTERM");
      assert.equal(await first.exited, 0, first.output());

      await client.resume(run.id, { input: { approved: true, by: "Ada" } });
      assert.equal((await client.getFlowRun(run.id)).state.name, "Resuming");
      const second = serveFlows();
      const done = await until(client, run.id, (r) => r.state.type === "COMPLETED", "completion on the second process");
      assert.equal(done.state.type, "COMPLETED");
      second.kill("SIGTERM");
      await second.exited;

      const mine = effects().filter((l) => l.startsWith(run.id));
      assert.deepEqual(mine, [`${run.id} amount 42`, `${run.id} decided true`], "each task ran exactly once");
      const logs = await logsOf(run.id);
      assert.ok(logs.includes("Decision: approved by Ada"), logs.join("\n"));
      // The replayed task returned its kept result with its types intact.
      assert.equal(logs.filter((m) => m === "kept result is a Date, bigint, Set").length, 2, logs.join("\n"));
      // A claim sets the run Running: the serving process starts it at once.
      const states = await client.listFlowRunStates(run.id);
      assert.deepEqual(
        states.map((s) => s.name),
        ["Scheduled", "Running", "Suspended", "Resuming", "Running", "Completed"],
      );
      assert.equal(states[1]!.message, "Claimed by a serving process");
    });

    test("parameters that do not fit the flow's schema are refused with a field error, and no run is created", async () => {
      const before = (await client.listFlowRuns({ flowName: "expense", limit: 1000 })).items.length;
      await assert.rejects(
        client.runDeployment("expense", { amount: -5 }),
        (e: unknown) => e instanceof ParametersValidationError && /\/amount/.test(e.message),
      );
      await assert.rejects(client.runDeployment("expense", { amount: "x" }), ParametersValidationError);
      assert.equal((await client.listFlowRuns({ flowName: "expense", limit: 1000 })).items.length, before);
      await assert.rejects(client.runDeployment("no-such-flow"), /No deployment is named "no-such-flow"/);
    });

    test("a live pause with suspendAfter turns into a suspend, and the answer still completes the run", async () => {
      const serving = serveFlows({ SUSPEND_AFTER: "500ms" });
      await serving.waitForOutput("Serving");
      const run = await client.runDeployment("hot-cold");
      await until(client, run.id, (r) => r.state.type === "PAUSED" && !r.state.details.suspended, "the live pause");
      await until(client, run.id, isSuspended, "the switch to a suspend");
      await client.resume(run.id, { input: "cold answer" });
      await until(client, run.id, (r) => r.state.type === "COMPLETED", "completion");
      assert.ok((await logsOf(run.id)).includes("Answer: cold answer"));
      assert.equal(effects().filter((l) => l.startsWith(run.id)).length, 1, "the task before the pause ran once");
      serving.kill("SIGTERM");
      await serving.exited;
    });

    test("an answer given during the live part of suspendAfter resumes the waiting process at once", async () => {
      const serving = serveFlows({ SUSPEND_AFTER: "1h" });
      await serving.waitForOutput("Serving");
      const run = await client.runDeployment("hot-cold");
      await until(client, run.id, (r) => r.state.type === "PAUSED" && !r.state.details.suspended, "the live pause");
      await client.resume(run.id, { input: "hot answer" });
      await until(client, run.id, (r) => r.state.type === "COMPLETED", "completion");
      assert.deepEqual((await client.listFlowRunStates(run.id)).map((s) => s.name).slice(-3), ["Paused", "Running", "Completed"]);
      serving.kill("SIGTERM");
      await serving.exited;
    });

    test("after kill -9 of a process waiting in a pause, the pause becomes a suspend within the 2 s grace, and another process completes the run", async () => {
      const doomed = serveFlows(SLOW_HEARTBEATS);
      await doomed.waitForOutput("Serving");
      const run = await client.runDeployment("live-pause");
      await until(client, run.id, (r) => r.state.type === "PAUSED" && !r.state.details.suspended, "the live pause");
      const killedAt = Date.now();
      doomed.kill("SIGKILL");
      await doomed.exited;
      const suspended = await until(client, run.id, isSuspended, "the server to notice the dead process", 10_000);
      // The heartbeat timeout is 30 s here: noticed this fast, it was the process's closed event stream.
      assert.ok(Date.now() - killedAt < GRACE_MS + 2500, `suspended ${Date.now() - killedAt} ms after the kill`);
      assert.match(suspended.state.message ?? "", /connection closed and it did not come back within 2 s/);
      const metrics = await (await fetch(`${server.apiUrl}/metrics`)).text();
      assert.match(metrics, /^baton_recovered_runs_total\{cause="disconnect",outcome="suspended"\} [1-9]/m);
      assert.match(metrics, /^baton_claims_total [1-9]/m);
      await client.resume(run.id, { input: 7 });
      const rescuer = serveFlows();
      await until(client, run.id, (r) => r.state.type === "COMPLETED", "completion on another process");
      assert.ok((await logsOf(run.id)).includes("Got 7"));
      assert.deepEqual(
        effects().filter((l) => l.startsWith(run.id)),
        [`${run.id} before`, `${run.id} answered 7`],
      );
      rescuer.kill("SIGTERM");
      await rescuer.exited;
    });

    test("after kill -9 of a process running a deployment run, the run is rescheduled within the grace and replayed elsewhere", async () => {
      const doomed = serveFlows(SLOW_HEARTBEATS);
      await doomed.waitForOutput("Serving");
      const run = await client.runDeployment("long-task");
      await doomed.waitForOutput(`working on ${run.id}`);
      const killedAt = Date.now();
      doomed.kill("SIGKILL");
      await doomed.exited;
      const rescheduled = await until(client, run.id, (r) => r.state.type === "SCHEDULED", "the run to be rescheduled", 10_000);
      assert.ok(Date.now() - killedAt < GRACE_MS + 2500, `rescheduled ${Date.now() - killedAt} ms after the kill`);
      assert.equal(rescheduled.state.name, "Rescheduled");
      assert.match(rescheduled.state.message ?? "", /connection closed and it did not come back within 2 s/);
      const rescuer = serveFlows({ LONG_TASK_MS: "10" });
      await until(client, run.id, (r) => r.state.type === "COMPLETED", "completion on another process");
      // The task that completed before the kill kept its result; the one cut short ran again, with the same idempotency key.
      const mine = effects().filter((l) => l.startsWith(run.id));
      const key = (await client.listTaskRuns(run.id)).find((t) => t.name === "work")!.id;
      assert.deepEqual(mine, [`${run.id} before`, `${run.id} work key ${key}`, `${run.id} work key ${key}`, `${run.id} after`]);
      rescuer.kill("SIGTERM");
      await rescuer.exited;
    });

    test("a serving process stopped with SIGTERM lets a run finish within its grace, and hands back one that does not", async () => {
      const serving = serveFlows({ SHUTDOWN_GRACE_SECONDS: "1", LONG_TASK_MS: "3600000" });
      await serving.waitForOutput("Serving");
      const long = await client.runDeployment("long-task");
      await serving.waitForOutput(`working on ${long.id}`);
      const stoppedAt = Date.now();
      serving.kill("SIGTERM");
      assert.equal(await serving.exited, 0, serving.output());
      const elapsed = Date.now() - stoppedAt;
      assert.ok(elapsed >= 900 && elapsed < 5000, `it exited ${elapsed} ms after SIGTERM, with a grace of 1 s`);
      const handedBack = await client.getFlowRun(long.id);
      assert.equal(handedBack.state.name, "Rescheduled");
      assert.match(handedBack.state.message ?? "", /serving process stopped before it finished/);

      const patient = serveFlows({ SHUTDOWN_GRACE_SECONDS: "20", LONG_TASK_MS: "1500" });
      await patient.waitForOutput(`working on ${long.id}`);
      patient.kill("SIGTERM");
      assert.equal(await patient.exited, 0, patient.output());
      const done = await client.getFlowRun(long.id);
      assert.equal(done.state.type, "COMPLETED", "it finished within the grace, on the process that was stopping");
      const key = (await client.listTaskRuns(long.id)).find((t) => t.name === "work")!.id;
      assert.deepEqual(
        effects().filter((l) => l.startsWith(long.id)),
        [`${long.id} before`, `${long.id} work key ${key}`, `${long.id} work key ${key}`, `${long.id} after`],
      );
    });

    test("after kill -9 of a flow called directly while it waits, the run is marked Crashed with the reason within the grace", async () => {
      const flow = spawnNode(["test/fixtures/direct-pause.ts"], server.env);
      children.push(flow);
      await flow.waitForOutput("waiting for input");
      const [run] = (await client.listFlowRuns({ flowName: "direct", state: "PAUSED" })).items;
      const killedAt = Date.now();
      flow.kill("SIGKILL");
      const crashed = await until(client, run!.id, (r) => r.state.type === "CRASHED", "the run to be marked Crashed", 10_000);
      assert.ok(Date.now() - killedAt < GRACE_MS + 2500, `crashed ${Date.now() - killedAt} ms after the kill`);
      assert.match(crashed.state.message ?? "", /connection closed/);
    });

    test("a server that was down longer than the heartbeat timeout does not declare the waiting processes dead", async () => {
      // A server of its own with a 2 s heartbeat timeout; heartbeats every 1.5 s: after the restart, the
      // server's first check comes before the next one.
      const own = await startTestServer(backend, { BATON_HEARTBEAT_TIMEOUT_SECONDS: "2" });
      try {
        const flow = spawnNode(["test/fixtures/direct-pause.ts"], { ...own.env, BATON_HEARTBEAT_INTERVAL_SECONDS: "1.5" });
        children.push(flow);
        await flow.waitForOutput("waiting for input");
        let ownClient = createClient({ apiUrl: own.apiUrl });
        const [run] = (await ownClient.listFlowRuns({ flowName: "direct", state: "PAUSED" })).items;
        await own.stop();
        await new Promise((r) => setTimeout(r, 3000)); // longer than the 2 s timeout, and than the stream's grace
        await own.restart();
        ownClient = createClient({ apiUrl: own.apiUrl });
        await new Promise((r) => setTimeout(r, 3000)); // past the monitor's grace: heartbeats have resumed meanwhile
        assert.equal((await ownClient.getFlowRun(run!.id)).state.name, "Paused");
        await ownClient.resume(run!.id, { input: 5 });
        assert.equal(await flow.exited, 0, flow.output());
        assert.equal((await ownClient.getFlowRun(run!.id)).state.type, "COMPLETED");
      } finally {
        await own.close();
      }
    });

    test("suspendFlowRun in a flow called directly fails with an error that says what to do", async () => {
      const flow = spawnNode(["test/fixtures/direct-pause.ts", "suspend"], server.env);
      children.push(flow);
      assert.notEqual(await flow.exited, 0);
      assert.match(flow.output(), /needs a run of a deployment/);
      assert.match(flow.output(), /serve\(myFlow\)/);
    });

    test("a suspended run whose timeout passes is failed by the server, with no process involved", async () => {
      const serving = serveFlows({ SUSPEND_TIMEOUT: "1" });
      await serving.waitForOutput("Serving");
      const run = await client.runDeployment("expense", { amount: 1 });
      await until(client, run.id, isSuspended, "the suspend");
      serving.kill("SIGTERM");
      await serving.exited;
      const failed = await until(client, run.id, (r) => r.state.type === "FAILED", "the expiry", 10_000);
      assert.match(failed.state.message ?? "", /timed out/);
    });

    test("a replay that calls a different task than the recorded history fails the run, naming both tasks", async () => {
      const serving = serveFlows();
      await serving.waitForOutput("Serving");
      const run = await client.runDeployment("diverge");
      await until(client, run.id, isSuspended, "the suspend");
      await client.resume(run.id);
      const failed = await until(client, run.id, (r) => r.state.type === "FAILED", "the divergence");
      assert.match(failed.state.message ?? "", /history has task "step-a" there, but this execution called "step-b"/);
      serving.kill("SIGTERM");
      await serving.exited;
    });

    test("two serving processes never run the same run twice", async () => {
      const a = serveFlows({ SERVE_LIMIT: "4" });
      const b = serveFlows({ SERVE_LIMIT: "4" });
      await Promise.all([a.waitForOutput("Serving"), b.waitForOutput("Serving")]);
      const runs = await Promise.all(Array.from({ length: 40 }, () => client.runDeployment("once")));
      for (const run of runs) await until(client, run.id, (r) => r.state.type === "COMPLETED", `run ${run.id}`, 30_000);
      const ran = effects()
        .filter((l) => l.endsWith(" ran"))
        .map((l) => l.split(" ")[0]);
      for (const run of runs) assert.equal(ran.filter((id) => id === run.id).length, 1, `run ${run.id} ran once`);
      a.kill("SIGTERM");
      b.kill("SIGTERM");
      await Promise.all([a.exited, b.exited]);
    });
  });
}

// Run controls across real processes, on each backend: expired pauses, keyless pauses, pauses that hold a
// run's tasks, suspending from outside, retrying a finished run, flow timeouts and retries, and results.
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { z } from "zod";
import { createClient, type BatonClient } from "../src/client/index.ts";
import { PauseExpiredError } from "../src/contract/errors.ts";
import { pausedFlowProcess, pausedRun, request, waitForState, waitUntil } from "./support/api.ts";
import { backends, spawnNode, startTestServer, type TestServer } from "./support/processes.ts";

const FAST_HEARTBEATS = { BATON_HEARTBEAT_INTERVAL_SECONDS: "0.3" };

/** Runs `baton <args>` in a child process and waits for it to end. */
async function baton(server: TestServer, args: string[]): Promise<{ code: number | null; output: string }> {
  const child = spawnNode(["src/cli/main.ts", ...args], server.env);
  const code = await child.exited;
  return { code, output: child.output() };
}

for (const { backend, skip } of await backends()) {
  describe(`run controls on ${backend}`, { skip }, () => {
    let server: TestServer;
    let client: BatonClient;
    let effectsFile: string;
    /** Runs a scenario of test/fixtures/run-controls-flows.ts in its own process. */
    const runFlow = (scenario: string, env: Record<string, string> = {}) =>
      spawnNode(["test/fixtures/run-controls-flows.ts", scenario], { ...server.env, SIDE_EFFECTS_FILE: effectsFile, ...env });
    /** The side effects run `id` recorded, as [what, epoch ms]. */
    const effectsOf = (id: string) =>
      readFileSync(effectsFile, "utf8")
        .split("\n")
        .filter((l) => l.startsWith(`${id} `))
        .map((l) => {
          const parts = l.slice(id.length + 1).split(" ");
          return [parts.slice(0, -1).join(" "), Number(parts.at(-1))] as const;
        });
    before(async () => {
      // Off: the retry tests need an answer the flow refuses after resuming (validate-before-resume.test.ts tests the check).
      server = await startTestServer(backend, { BATON_INPUT_CHECK_TIMEOUT_SECONDS: "0" });
      client = createClient({ apiUrl: server.apiUrl });
      effectsFile = join(mkdtempSync(join(tmpdir(), "baton-run-controls-")), "effects.log");
      writeFileSync(effectsFile, "");
    });
    after(() => server?.close());

    test("a task called while its run is paused starts only once the pause is answered, and its task run says it waits", async () => {
      const child = runFlow("side-task");
      const id = await pausedFlowProcess(client, child);
      await sleep(1500);
      assert.deepEqual(effectsOf(id), [], "the side task has not run during the pause");
      const [waiting] = await client.listTaskRuns(id);
      assert.equal(waiting?.state.type, "PENDING");
      assert.equal(waiting?.state.name, "AwaitingResume");
      assert.match(waiting?.state.message ?? "", /pause "1"/);
      assert.equal(waiting?.startTime, null);

      const answeredAt = Date.now();
      await client.resume(id, { input: "go" });
      assert.equal(await child.exited, 0, child.output());
      const effects = effectsOf(id);
      assert.deepEqual(
        effects.map(([what]) => what),
        ["side task", "answered go"],
      );
      assert.ok(effects[0]![1] >= answeredAt, "the side task ran after the answer");
      const tasks = await client.listTaskRuns(id);
      assert.deepEqual(
        tasks.map((t) => [t.state.type, t.attempts]),
        [
          ["COMPLETED", 1],
          ["COMPLETED", 1],
        ],
      );
      assert.equal((await client.getFlowRun(id)).state.type, "COMPLETED");
    });

    test("a task called while its run is paused never starts when the run is cancelled instead; its task run is cancelled", async () => {
      const child = runFlow("side-task");
      const id = await pausedFlowProcess(client, child);
      await waitUntil("the side task waits", async () => (await client.listTaskRuns(id)).length === 1);
      await client.cancel(id, "not needed");
      assert.equal(await child.exited, 1, child.output());
      assert.deepEqual(effectsOf(id), []);
      const [task] = await client.listTaskRuns(id);
      assert.equal(task?.state.type, "CANCELLED");
    });

    test("an answer to a pause that timed out gets 409 PAUSE_EXPIRED saying when, and what the run is; the client throws PauseExpiredError; the CLI says it in one line", async () => {
      const run = await pausedRun(client, { waitForInput: z.object({ name: z.string() }), timeoutSeconds: 0.3, key: "approval" });
      await waitForState(client, run.id, "FAILED", 5000);
      const res = await request(server, "POST", `/flow-runs/${run.id}/resume`, { input: { name: "late" } });
      assert.equal(res.status, 409);
      assert.equal(res.body.code, "PAUSE_EXPIRED");
      assert.deepEqual(res.body.details, {
        flowRunId: run.id,
        pauseKey: "approval",
        timeoutAt: run.state.details.pauseTimeout,
        stateType: "FAILED",
        stateName: "Failed",
      });
      assert.match(
        res.body.message,
        /^The pause "approval" of flow run \S+ timed out at \S+ and can no longer be answered; the run is Failed \(FAILED\)\./,
      );

      await assert.rejects(client.resume(run.id, { input: { name: "late" } }), (e) => {
        assert.ok(e instanceof PauseExpiredError, String(e));
        assert.equal(e.details.timeoutAt, run.state.details.pauseTimeout);
        return true;
      });
      const cli = await baton(server, ["flow-run", "resume", run.id, "--input", '{"name":"late"}']);
      assert.equal(cli.code, 1, cli.output);
      assert.equal(cli.output.trim().split("\n").length, 1, cli.output);
      assert.match(cli.output, /^error: The pause "approval" .* timed out at .* and can no longer be answered; the run is Failed/);
    });

    test("a running deployment run suspended from the CLI stops at its next task, and an answer resumes it on another serving process, which replays what completed", async () => {
      const first = runFlow("serve", FAST_HEARTBEATS);
      await first.waitForOutput("Serving steps");
      const { id } = await client.runDeployment("steps", {});
      await waitUntil("step 1 ran and the gate waits", () => effectsOf(id).length === 1 && effectsOf(id)[0]![0].startsWith("step 1"));

      const cli = await baton(server, ["flow-run", "suspend", id, "--reason", "pausing for the night"]);
      assert.equal(cli.code, 0, cli.output);
      assert.match(cli.output, /suspends at its next task or pause/);
      const suspending = await client.getFlowRun(id);
      assert.equal(suspending.state.type, "RUNNING");
      assert.equal(suspending.state.name, "Suspending");
      assert.equal(suspending.state.details.suspendRequested, true);
      assert.equal(suspending.state.message, "pausing for the night");
      writeFileSync(`${effectsFile}.${id}.go`, ""); // the gate task finishes; step 2 is the next boundary

      const suspended = await waitUntil("the run is suspended", async () => {
        const run = await client.getFlowRun(id);
        return run.state.type === "PAUSED" && run.state.details.suspended ? run : undefined;
      });
      assert.match(suspended.state.details.pauseKey ?? "", /^suspend-/);
      assert.equal(suspended.state.details.inputRequest, null);
      assert.deepEqual(
        effectsOf(id).map(([what]) => what.replace(/ by \d+$/, "")),
        ["step 1", "gate passed"],
        "nothing after the boundary ran",
      );
      first.kill("SIGTERM");
      assert.equal(await first.exited, 0, first.output());

      await client.resume(id);
      const second = runFlow("serve", FAST_HEARTBEATS);
      await waitForState(client, id, "COMPLETED", 15_000);
      second.kill("SIGTERM");
      await second.exited;
      const effects = effectsOf(id).map(([what]) => what);
      assert.deepEqual(
        effects.map((w) => w.replace(/ by \d+$/, "")),
        ["step 1", "gate passed", "step 2", "step 3"],
        "each step ran once",
      );
      assert.equal(effects[2], `step 2 by ${second.process.pid}`);
    });

    test("a run that failed on a rejected answer, retried from the CLI, replays its completed task and asks the pause again instead of reusing the rejected answer", async () => {
      const worker = runFlow("serve", FAST_HEARTBEATS);
      await worker.waitForOutput("Serving steps, order");
      const { id } = await client.runDeployment("order", {});
      await waitForState(client, id, "PAUSED");
      await client.resume(id, { input: { quantity: 3 } }); // passes the JSON Schema, fails the flow's refine
      const failed = await waitForState(client, id, "FAILED");
      assert.equal(failed.state.details.error?.code, "RUN_INPUT_VALIDATION");
      assert.equal(failed.state.details.pauseKey, "1");

      const cli = await baton(server, ["flow-run", "retry", id]);
      assert.equal(cli.code, 0, cli.output);
      assert.match(cli.output, /is scheduled again/);
      const asked = await waitUntil("the retried run asks again", async () => {
        const run = await client.getFlowRun(id);
        return run.state.type === "PAUSED" ? run : undefined;
      });
      assert.equal(asked.state.details.pauseKey, "1");
      assert.equal(asked.endTime, null, "a retried run is not finished");
      const states = (await client.listFlowRunStates(id)).map((s) => s.name);
      assert.deepEqual(states.slice(-4), ["Failed", "AwaitingRetry", "Running", "Paused"]);

      await client.resume(id, { input: { quantity: 4 } });
      await waitForState(client, id, "COMPLETED");
      worker.kill("SIGTERM");
      await worker.exited;
      assert.deepEqual(
        effectsOf(id).map(([what]) => what),
        ["prepared", "ordered 4"],
        "the completed task ran once; the flow went on with the second answer",
      );
      const inputs = await client.listRunInputs(id);
      assert.deepEqual(
        inputs.map((i) => [i.key, i.response]),
        [
          ["1-rejected-1", { quantity: 3 }],
          ["1", { quantity: 4 }],
        ],
      );
    });

    test("retrying a run that has not finished, completed, or was not started from a deployment is refused with 409 saying why", async () => {
      const direct = await client.createFlowRun({ flowName: "direct", state: { type: "RUNNING" } });
      const running = await request(server, "POST", `/flow-runs/${direct.id}/retry`);
      assert.equal(running.status, 409);
      assert.match(running.body.message, /only a failed, crashed or cancelled run can be retried; this one is Running/);
      await client.setFlowRunState(direct.id, { type: "FAILED" });
      const notDeployed = await request(server, "POST", `/flow-runs/${direct.id}/retry`);
      assert.equal(notDeployed.status, 409);
      assert.match(notDeployed.body.message, /only a run of a deployment can be retried/);
      const cli = await baton(server, ["flow-run", "retry", direct.id]);
      assert.equal(cli.code, 1);
      assert.match(cli.output, /^error: .*only a run of a deployment can be retried/);
    });

    test("suspending a run that was not started from a deployment, or that has finished, is refused with 409 saying why", async () => {
      const direct = await client.createFlowRun({ flowName: "direct", state: { type: "RUNNING" } });
      const res = await request(server, "POST", `/flow-runs/${direct.id}/suspend`, {});
      assert.equal(res.status, 409);
      assert.match(res.body.message, /only a run of a deployment can suspend/);
      await client.setFlowRunState(direct.id, { type: "COMPLETED" });
      const done = await request(server, "POST", `/flow-runs/${direct.id}/suspend`);
      assert.equal(done.status, 409);
      assert.match(done.body.message, /only a running or paused run can suspend; this one is Completed/);
    });

    test("a flow timeout cuts its pause's timeout to the run's deadline; when it passes, the run and its pause fail with FlowTimeoutError", async () => {
      const child = runFlow("hasty-approval");
      const id = await pausedFlowProcess(client, child);
      const paused = await client.getFlowRun(id);
      const deadline = Date.parse(paused.startTime!) + 1500;
      assert.equal(paused.state.details.flowTimeoutAt, paused.state.details.pauseTimeout, "the pause times out with the run");
      assert.ok(Math.abs(Date.parse(paused.state.details.pauseTimeout!) - deadline) < 500, "at the run's deadline, not in an hour");
      assert.equal(await child.exited, 1, child.output());
      assert.match(child.output(), /flow threw FlowTimeoutError: Flow run \S+ passed its flow's timeout/);
      const failed = await client.getFlowRun(id);
      assert.equal(failed.state.type, "FAILED");
      assert.equal(failed.state.details.error?.code, "FLOW_TIMEOUT");
      assert.equal(failed.state.details.pauseKey, "1");
      await assert.rejects(client.resume(id, { input: true }), PauseExpiredError);
      assert.deepEqual(effectsOf(id), []);
    });

    test("a flow that runs past its timeout fails with FlowTimeoutError at the deadline, and its next task never starts", async () => {
      const child = runFlow("hasty-work");
      const started = Date.now();
      assert.equal(await child.exited, 1, child.output());
      assert.match(child.output(), /flow threw FlowTimeoutError/);
      const id = /run-id (\S+)/.exec(child.output())![1]!;
      const failed = await client.getFlowRun(id);
      assert.equal(failed.state.details.error?.code, "FLOW_TIMEOUT");
      assert.ok(Date.parse(failed.state.timestamp) - Date.parse(failed.startTime!) < 2500, "failed at the deadline, not after the 3 s task");
      await sleep(3000 - (Date.now() - started)); // the slow task ends; the step after it must not run
      assert.deepEqual(effectsOf(id), []);
    });

    test("a flow with retries runs again after a failure, replaying its completed task and its answered pause from the database", async () => {
      const child = runFlow("fails-once");
      const id = await pausedFlowProcess(client, child);
      await client.resume(id, { input: "Ada" });
      assert.equal(await child.exited, 0, child.output());
      assert.deepEqual(
        effectsOf(id).map(([what]) => what),
        ["step 1", "done Ada"],
        "the task before the failure ran once, and the answer was not asked again",
      );
      const names = (await client.listFlowRunStates(id)).map((s) => s.name);
      assert.deepEqual(names, ["Running", "Paused", "Running", "Retrying", "Completed"]);
      assert.equal((await client.listRunInputs(id)).length, 1);
      const logs = (await client.listLogs(id)).map((l) => l.message);
      assert.ok(
        logs.some((m) => /Attempt 1 failed: Error: the printer jammed; retrying in 0.2s/.test(m)),
        logs.join("\n"),
      );
    });

    test("a flow retry after an answer the flow rejected asks that pause again, keeping the rejected answer aside", async () => {
      const child = runFlow("retried-order");
      const id = await pausedFlowProcess(client, child);
      await client.resume(id, { input: { quantity: 3 } });
      await waitUntil("the pause is asked again", async () => {
        const run = await client.getFlowRun(id);
        const inputs = await client.listRunInputs(id);
        return run.state.type === "PAUSED" && inputs.length === 2;
      });
      await client.resume(id, { input: { quantity: 4 } });
      assert.equal(await child.exited, 0, child.output());
      assert.deepEqual(
        effectsOf(id).map(([what]) => what),
        ["prepared", "ordered 4"],
      );
      assert.deepEqual(
        (await client.listRunInputs(id)).map((i) => [i.key, i.response]),
        [
          ["1-rejected-1", { quantity: 3 }],
          ["1", { quantity: 4 }],
        ],
      );
    });

    test("a direct run keeps no task results, so a class instance and a 5 MB string are returned without failing it", async () => {
      const child = runFlow("big-results");
      assert.equal(await child.exited, 0, child.output());
      assert.match(child.output(), /got Money 12 and 5242880 characters/);
      const id = /run-id (\S+)/.exec(child.output())![1]!;
      assert.equal((await client.getFlowRun(id)).state.type, "COMPLETED");
      const tasks = await client.listTaskRuns(id);
      assert.deepEqual(
        tasks.map((t) => [t.name, t.state.type, "result" in t]),
        [
          ["instance", "COMPLETED", false],
          ["huge", "COMPLETED", false],
        ],
      );
    });

    test("a task with its own serializer keeps a class instance across a suspend: the replay gets it back without running the task again", async () => {
      const worker = runFlow("serve", FAST_HEARTBEATS);
      await worker.waitForOutput("Serving");
      const { id } = await client.runDeployment("quote", {});
      const suspended = await waitUntil("the run suspends", async () => {
        const run = await client.getFlowRun(id);
        return run.state.type === "PAUSED" ? run : undefined;
      });
      assert.equal(suspended.state.details.suspended, true);
      const [priced] = await client.listTaskRuns(id);
      assert.deepEqual(priced?.result, { $baton: "Serialized", value: "12 EUR" });
      await client.resume(id);
      await waitForState(client, id, "COMPLETED");
      worker.kill("SIGTERM");
      await worker.exited;
      assert.deepEqual(
        effectsOf(id).map(([what]) => what),
        ["priced"],
      );
      const logs = (await client.listLogs(id)).map((l) => l.message);
      assert.ok(logs.includes("quoted a Money of 12 EUR"), logs.join("\n"));
    });

    test("a pause asked without a key is numbered by the server after the run's highest numbered key, as the SDK numbers", async () => {
      const run = await client.createFlowRun({ flowName: "keyless", state: { type: "RUNNING" } });
      const pause = (body: object) => request(server, "POST", `/flow-runs/${run.id}/pause`, { timeoutSeconds: 60, ...body });
      const first = await pause({});
      assert.equal(first.status, 201, JSON.stringify(first.body));
      assert.equal(first.body.flowRun.state.details.pauseKey, "1");
      await client.resume(run.id);
      assert.equal((await pause({ key: "approval" })).status, 201);
      await client.resume(run.id);
      const third = await pause({});
      assert.equal(third.body.flowRun.state.details.pauseKey, "2");
      assert.equal((await pause({})).status, 409, "a run already paused cannot pause again");
      await client.resume(run.id);
      assert.deepEqual(
        (await client.listRunInputs(run.id)).map((i) => i.key),
        ["1", "approval", "2"],
      );
    });
  });
}

// The SDK as a flow author sees it: flows run as real child processes against a real server on each backend.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { z } from "zod";
import { createClient, type BatonClient } from "../src/client/index.ts";
import { getRunContext, getRunLogger, MissingContextError, pauseFlowRun, task } from "../src/sdk/index.ts";
import { collectEvents, describeEvent, pausedFlowProcess, pausedRun, waitForState, waitUntil } from "./support/api.ts";
import { backends, spawnNode, startTestServer, type Child, type TestServer } from "./support/processes.ts";
import { PUSHED_MS } from "./support/pushed.ts";

for (const { backend, skip } of await backends()) {
  describe(`SDK on ${backend}`, { skip }, () => {
    let server: TestServer;
    let client: BatonClient;
    before(async () => {
      // A dead process's runs are recovered 10 s after its stream closes, not 2: the pause timeouts here are shorter.
      // Answers are checked by their JSON Schema alone here (no hand-over to the flow's process), so that the
      // flow's own check after resuming is what these tests see; the hand-over is test/validate-before-resume.test.ts's.
      server = await startTestServer(backend, { BATON_DISCONNECT_GRACE_SECONDS: "10", BATON_INPUT_CHECK_TIMEOUT_SECONDS: "0" });
      client = createClient({ apiUrl: server.apiUrl });
    });
    after(() => server?.close());

    const runFlow = (scenario: string, argument?: string): Child =>
      spawnNode(["test/fixtures/flows.ts", scenario, ...(argument === undefined ? [] : [argument])], server.env);

    /** Runs operations through resumeFlowRun / cancelFlowRun in a separate program; one result per operation. */
    async function sdkClient(operations: object[]): Promise<any[]> {
      const child = spawnNode(["test/fixtures/sdk-client.ts", JSON.stringify(operations)], server.env);
      assert.equal(await child.exited, 0, child.output());
      return child
        .output()
        .trim()
        .split("\n")
        .map((l) => JSON.parse(l));
    }

    async function logMessages(id: string): Promise<string[]> {
      return (await client.listLogs(id)).map((l) => l.message);
    }

    test("a flow waiting for input gets the answer given through the API, and the run completes", async () => {
      const flow = runFlow("wait");
      const id = await pausedFlowProcess(client, flow);
      await client.resume(id, { input: { name: "Grace" } });
      await flow.waitForOutput('after pause {"name":"Grace"}', PUSHED_MS);
      assert.equal(await flow.exited, 0, flow.output());
      assert.equal((await client.getFlowRun(id)).state.type, "COMPLETED");
      assert.deepEqual(
        (await client.listFlowRunStates(id)).map((s) => s.type),
        ["RUNNING", "PAUSED", "RUNNING", "COMPLETED"],
      );
    });

    test("the event stream shows a flow's run paused, the answer submitted, then running and completed", async () => {
      const flow = runFlow("wait");
      const id = await pausedFlowProcess(client, flow);
      const events = await collectEvents(client, { flowRunId: id, after: 0 });
      await client.resume(id, { input: { name: "Edsger" } });
      await events.until("the run completes", (e) => e.some((x) => x.type === "flow-run.state-changed" && x.payload.state.type === "COMPLETED"));
      events.close();
      const kept = events.events.filter((e) => e.type !== "log").map(describeEvent);
      assert.deepEqual(kept, ["state RUNNING", "state PAUSED", "input 1", "state RUNNING", "state COMPLETED"]);
      const logs = events.events.filter((e) => e.type === "log").map(describeEvent);
      assert.ok(logs.includes('log Resumed at "1".'), JSON.stringify(logs));
      assert.equal(await flow.exited, 0);
    });

    test("resumeFlowRun from another program wakes the flow, and the answer is recorded as given through the SDK by the named person", async () => {
      const flow = runFlow("wait");
      const id = await pausedFlowProcess(client, flow);
      const [result] = await sdkClient([{ op: "resume", id, input: { name: "Barbara" }, respondedBy: "barbara@example.com" }]);
      assert.deepEqual(result, { ok: true, state: "RUNNING" });
      await flow.waitForOutput('after pause {"name":"Barbara"}');
      assert.equal(await flow.exited, 0, flow.output());
      const [answer] = await client.listRunInputs(id);
      assert.equal(answer!.channel, "sdk");
      assert.equal(answer!.respondedBy, "barbara@example.com");
      assert.ok(answer!.respondedAt);
    });

    test("resumeFlowRun throws the error class matching each HTTP refusal: unknown run, bad input, not paused", async () => {
      const run = await pausedRun(client, { waitForInput: z.object({ name: z.string() }) });
      const running = await client.createFlowRun({ flowName: "sdk-test", state: { type: "RUNNING" } });
      const [unknown, invalid, ok, twice, notPaused] = await sdkClient([
        { op: "resume", id: "no-such-run", input: {} },
        { op: "resume", id: run.id, input: { name: 7 } },
        { op: "resume", id: run.id, input: { name: "Ken" } },
        { op: "resume", id: run.id, input: { name: "Ken" } },
        { op: "resume", id: running.id },
      ]);
      assert.equal(unknown.instanceOf, "FlowRunNotFoundError");
      assert.equal(invalid.instanceOf, "InvalidInputError");
      assert.deepEqual(
        invalid.details.errors.map((e: { path: string }) => e.path),
        ["/name"],
      );
      assert.deepEqual(ok, { ok: true, state: "RUNNING" });
      assert.equal(twice.instanceOf, "NotPausedError");
      assert.match(twice.message, /it is Running/);
      assert.equal(notPaused.instanceOf, "NotPausedError");
    });

    test("resumeFlowRun refuses an answer over 1 MiB with PayloadTooLargeError, and says how to start a server when none answers", async () => {
      const run = await pausedRun(client, { waitForInput: z.object({ name: z.string() }) });
      const [tooLarge] = await sdkClient([{ op: "resume", id: run.id, nameOfLength: 1024 * 1024 + 1 }]);
      assert.equal(tooLarge.instanceOf, "PayloadTooLargeError");
      assert.equal((await client.getFlowRun(run.id)).state.type, "PAUSED");

      const child = spawnNode(["test/fixtures/sdk-client.ts", JSON.stringify([{ op: "resume", id: run.id, input: { name: "x" } }])], {
        BATON_API_URL: "http://127.0.0.1:9/api",
      });
      assert.equal(await child.exited, 0, child.output());
      const unreachable = JSON.parse(child.output().trim());
      assert.equal(unreachable.instanceOf, "ServerUnreachableError");
      assert.match(unreachable.message, /No Baton server answers at http:\/\/127\.0\.0\.1:9\/api\. Start one with/);
    });

    test("cancelling a paused flow's run through the API ends it Cancelled; the waiting pause throws FlowRunCancelledError and nothing after it runs", async () => {
      const flow = runFlow("wait");
      const id = await pausedFlowProcess(client, flow);
      const res = await fetch(`${server.apiUrl}/flow-runs/${id}/cancel`, { method: "POST" });
      assert.equal(res.status, 200);
      assert.equal(await flow.exited, 1);
      assert.match(flow.output(), /pause threw FlowRunCancelledError/);
      assert.doesNotMatch(flow.output(), /after pause|flow finished/);
      const run = await client.getFlowRun(id);
      assert.equal(run.state.type, "CANCELLED");
      assert.deepEqual(
        (await client.listFlowRunStates(id)).map((s) => s.type),
        ["RUNNING", "PAUSED", "CANCELLED"],
      );
    });

    test("cancelFlowRun from another program cancels a paused flow the same way", async () => {
      const flow = runFlow("wait");
      const id = await pausedFlowProcess(client, flow);
      const [cancelled, again] = await sdkClient([
        { op: "cancel", id, reason: "changed our minds" },
        { op: "cancel", id },
      ]);
      assert.deepEqual(cancelled, { ok: true, state: "CANCELLED" });
      assert.equal(again.instanceOf, "InvalidTransitionError");
      assert.equal(await flow.exited, 1);
      assert.match(flow.output(), /pause threw FlowRunCancelledError/);
      assert.match(flow.output(), /changed our minds/);
      assert.doesNotMatch(flow.output(), /after pause/);
      const run = await client.getFlowRun(id);
      assert.equal(run.state.type, "CANCELLED");
      assert.equal(run.state.message, "changed our minds");
    });

    test("a run cancelled while its flow is busy in a task makes the flow's next pause throw FlowRunCancelledError", async () => {
      const flow = runFlow("busy-then-pause");
      await flow.waitForOutput("slow step started");
      const id = /run-id (\S+)/.exec(flow.output())![1]!;
      await client.cancel(id, "stop at once");
      assert.equal(await flow.exited, 1);
      assert.match(flow.output(), /pause threw FlowRunCancelledError/);
      assert.match(flow.output(), /flow threw FlowRunCancelledError: Flow run \S+ was cancelled: stop at once/);
      assert.doesNotMatch(flow.output(), /after pause|Flow run failed/);
      assert.equal((await client.getFlowRun(id)).state.type, "CANCELLED");
    });

    test("a process whose run was given to another stops at its next task: that task does not start, and nothing it reports is kept", async () => {
      const flow = runFlow("busy-then-task");
      await flow.waitForOutput("slow step started");
      const id = /run-id (\S+)/.exec(flow.output())![1]!;
      // What the server does when this process seems gone and another takes the run.
      await client.setFlowRunState(id, { type: "RUNNING" }, { force: true, workerId: "another-process" });
      assert.equal(await flow.exited, 1);
      assert.match(flow.output(), /was given to another process by the server/);
      assert.doesNotMatch(flow.output(), /second step ran/);
      assert.deepEqual(
        (await client.listTaskRuns(id)).map((t) => [t.name, t.state.type]),
        [["slow-step", "RUNNING"]],
        "the slow step's COMPLETED was refused, and the second step was never created",
      );
      assert.equal((await client.getFlowRun(id)).state.type, "RUNNING");
    });

    test("a paused flow keeps waiting while the server restarts, and wakes when answered afterwards", async () => {
      const flow = runFlow("wait");
      const id = await pausedFlowProcess(client, flow);
      await server.stop();
      await server.restart();
      await client.resume(id, { input: { name: "Margaret" } });
      // The SDK's event stream reconnects by itself (backing off up to 5 s) and re-reads the run on reconnecting.
      await flow.waitForOutput('after pause {"name":"Margaret"}', 15_000);
      assert.equal(await flow.exited, 0, flow.output());
      assert.equal((await client.getFlowRun(id)).state.type, "COMPLETED");
    });

    test("a flow started when no server answers fails with ServerUnreachableError saying how to start one", async () => {
      const flow = spawnNode(["test/fixtures/flows.ts", "wait"], { ...server.env, BATON_API_URL: "http://127.0.0.1:9/api" });
      assert.equal(await flow.exited, 1);
      assert.match(flow.output(), /flow threw ServerUnreachableError: No Baton server answers at http:\/\/127\.0\.0\.1:9\/api/);
    });

    test("a pause key with capitals or spaces, and a timeout that is not a duration, throw ConfigError and the run never pauses", async () => {
      const flow = runFlow("bad-options");
      assert.equal(await flow.exited, 0, flow.output());
      assert.match(flow.output(), /key threw ConfigError: The pause key "Needs Approval!" is not valid: use lowercase letters, digits and dashes/);
      assert.match(flow.output(), /timeout threw ConfigError: The timeout "soon" is not a duration; write it like "90s", "15m"/);
      assert.match(flow.output(), /negative threw ConfigError: The timeout must be a positive number of seconds; got -5\./);
      const id = /run-id (\S+)/.exec(flow.output())![1]!;
      assert.deepEqual(
        (await client.listFlowRunStates(id)).map((s) => s.type),
        ["RUNNING", "COMPLETED"],
      );
    });

    test("a pause with a one-second timeout throws PauseTimeoutError when nobody answers, and the run fails saying so", async () => {
      const started = Date.now();
      const flow = runFlow("wait", "1");
      const id = await pausedFlowProcess(client, flow);
      assert.equal(await flow.exited, 1);
      assert.match(flow.output(), /pause threw PauseTimeoutError/);
      assert.doesNotMatch(flow.output(), /after pause/);
      assert.ok(Date.now() - started < 8000, `took ${Date.now() - started} ms`);
      const run = await waitForState(client, id, "FAILED");
      assert.match(run.state.message ?? "", /pause "1" of flow run .* timed out/);
      assert.equal(run.state.details.error?.code, "PAUSE_TIMEOUT");
      assert.equal((await client.listFlowRunStates(id)).filter((s) => s.type === "FAILED").length, 1);
    });

    test("when a paused flow's process is killed, the server fails its run once the pause times out", async () => {
      const flow = runFlow("wait", "2");
      const id = await pausedFlowProcess(client, flow);
      flow.kill("SIGKILL");
      await flow.exited;
      assert.equal((await client.getFlowRun(id)).state.type, "PAUSED");
      const run = await waitForState(client, id, "FAILED", 8000);
      assert.match(run.state.message ?? "", /timed out .*without an answer; the run is failed/);
      assert.deepEqual(
        (await client.listFlowRunStates(id)).map((s) => s.type),
        ["RUNNING", "PAUSED", "FAILED"],
      );
    });

    test("timeouts are taken in seconds or as durations like 15m and 7d, and default to one hour", async () => {
      const cases = [
        { argument: "15m", seconds: 15 * 60 },
        { argument: "7d", seconds: 7 * 86400 },
        { argument: undefined, seconds: 3600 },
        { argument: "90", seconds: 90 },
      ];
      const flows = cases.map((c) => runFlow("wait", c.argument));
      const ids = await Promise.all(flows.map((f) => pausedFlowProcess(client, f)));
      for (const [i, id] of ids.entries()) {
        const { state } = await client.getFlowRun(id);
        const seconds = (Date.parse(state.details.pauseTimeout!) - Date.parse(state.timestamp)) / 1000;
        assert.equal(seconds, cases[i]!.seconds, `timeout ${cases[i]!.argument}`);
        assert.match(flows[i]!.output(), /times out in/);
        await client.cancel(id);
      }
      await Promise.all(flows.map((f) => f.exited));
    });

    test("a pause may wait longer than a timer can (30 days): the flow keeps waiting and takes the answer", async () => {
      const flow = runFlow("wait", "30d");
      const id = await pausedFlowProcess(client, flow);
      const { state } = await client.getFlowRun(id);
      assert.equal((Date.parse(state.details.pauseTimeout!) - Date.parse(state.timestamp)) / 1000, 30 * 86400);
      await new Promise((r) => setTimeout(r, 500));
      assert.doesNotMatch(flow.output(), /pause threw/);
      assert.equal((await client.getFlowRun(id)).state.type, "PAUSED");
      await client.resume(id, { input: { name: "Frances" } });
      await flow.waitForOutput('after pause {"name":"Frances"}');
      assert.equal(await flow.exited, 0, flow.output());
    });

    for (const [kind, answer, printed] of [
      ["number", 42, "answer 42 number"],
      ["string", "yes", 'answer "yes" string'],
      ["boolean", false, "answer false boolean"],
      ["enum", "reject", 'answer "reject" string'],
    ] as const) {
      test(`a pause for a bare ${kind} is answered with the bare value and returns it as is`, async () => {
        const flow = runFlow("primitive", kind);
        const id = await pausedFlowProcess(client, flow);
        await client.resume(id, { input: answer });
        await flow.waitForOutput(printed);
        assert.equal(await flow.exited, 0, flow.output());
        assert.equal((await client.getRunInput(id, "1")).response, answer);
      });
    }

    test("a pause under a key answered earlier in the run returns that answer at once; unnamed pauses are still numbered from 1", async () => {
      const flow = runFlow("keyed");
      const id = await pausedFlowProcess(client, flow);
      assert.equal((await client.getFlowRun(id)).state.details.pauseKey, "approval");
      await client.resume(id, { input: { approved: true } });
      await flow.waitForOutput('again {"approved":true}');
      const numbered = await waitUntil("the flow pauses under key 1", async () => {
        const run = await client.getFlowRun(id);
        return run.state.type === "PAUSED" && run.state.details.pauseKey === "1" ? run : undefined;
      });
      assert.equal(numbered.state.details.inputRequest?.schema.type, "string");
      await client.resume(id, { input: "go" });
      await flow.waitForOutput('numbered "go"');
      assert.equal(await flow.exited, 0, flow.output());
      assert.deepEqual(
        (await client.listRunInputs(id)).map((i) => [i.key, i.response]),
        [
          ["approval", { approved: true }],
          ["1", "go"],
        ],
      );
      // The repeated key did not pause the run a second time.
      assert.equal((await client.listFlowRunStates(id)).filter((s) => s.type === "PAUSED").length, 2);
    });

    test("a pause inside a task pauses the task's flow run, and the task's result is kept once answered", async () => {
      const flow = runFlow("in-task");
      const id = await pausedFlowProcess(client, flow);
      const [waiting] = await client.listTaskRuns(id);
      assert.equal(waiting!.name, "ask-for-approval");
      assert.equal(waiting!.state.type, "RUNNING");
      await client.resume(id, { input: { approved: true } });
      await flow.waitForOutput('task returned {"what":"deploy","approved":true}');
      assert.equal(await flow.exited, 0, flow.output());
      const [done] = await client.listTaskRuns(id);
      assert.equal(done!.state.type, "COMPLETED");
      assert.deepEqual(done!.result, { what: "deploy", approved: true });
      const taskLine = (await client.listLogs(id)).find((l) => l.message === "the task was told true");
      assert.equal(taskLine?.taskRunId, done!.id);
    });

    test("an answer that fails the schema's own check (superRefine) makes the pause throw RunInputValidationError with the Zod issues, and the run fails", async () => {
      const flow = runFlow("refine");
      const id = await pausedFlowProcess(client, flow);
      await client.resume(id, { input: { quantity: 3 } });
      assert.equal(await flow.exited, 1);
      const issues = JSON.parse(/issues (.*)/.exec(flow.output())![1]!);
      assert.deepEqual(issues, [{ code: "custom", message: "Shirts come in pairs; order an even number.", path: ["quantity"] }]);
      const run = await waitForState(client, id, "FAILED");
      assert.equal(run.state.details.error?.name, "RunInputValidationError");
      assert.match(run.state.message ?? "", /quantity: Shirts come in pairs/);
    });

    test("a flow that asks again under the same key after a refused answer gets a fresh answer, and its new pause says why the last was refused", async () => {
      const flow = runFlow("refine-again");
      const id = await pausedFlowProcess(client, flow);
      const first = await client.getFlowRun(id);
      assert.equal(first.state.details.rejected, undefined);
      await client.resume(id, { input: { quantity: 3 } });
      const again = await waitUntil("the run pauses again", async () => {
        const run = await client.getFlowRun(id);
        return run.state.type === "PAUSED" && run.state.id !== first.state.id ? run : undefined;
      });
      assert.equal(again.state.details.pauseKey, "order");
      assert.deepEqual(again.state.details.rejected, {
        pauseKey: "order",
        issues: [{ path: ["quantity"], message: "Shirts come in pairs; order an even number." }],
      });
      await client.resume(id, { input: { quantity: 4 } });
      assert.equal(await flow.exited, 0, flow.output());
      assert.match(flow.output(), /order 4/);
      // Both answers are kept: the refused one set aside, the accepted one under the key.
      const inputs = await client.listRunInputs(id);
      assert.deepEqual(inputs.map((i) => [i.key, i.response]).sort(), [
        ["order", { quantity: 4 }],
        ["order-rejected-1", { quantity: 3 }],
      ]);
    });

    test("parameters that fail the flow's schema throw ParametersValidationError before any run is created", async () => {
      const before = (await client.listFlowRuns({ flowName: "with-parameters" })).items.length;
      const flow = runFlow("parameters", JSON.stringify({ count: 0, label: 5 }));
      assert.equal(await flow.exited, 1);
      assert.match(flow.output(), /flow threw ParametersValidationError: The parameters of flow "with-parameters" are not valid/);
      const details = JSON.parse(/ParametersValidationError: .*? (\{.*\})$/m.exec(flow.output())![1]!);
      assert.deepEqual(details.errors.map((e: { path: string }) => e.path).sort(), ["/count", "/label"]);
      assert.doesNotMatch(flow.output(), /run-id/);
      assert.equal((await client.listFlowRuns({ flowName: "with-parameters" })).items.length, before);
    });

    test("valid parameters reach the flow with the schema's defaults filled in, and the run keeps what was passed", async () => {
      const flow = runFlow("parameters", JSON.stringify({ count: 2 }));
      assert.equal(await flow.exited, 0, flow.output());
      assert.match(flow.output(), /parameters \{"count":2,"label":"items"\}/);
      const id = /run-id (\S+)/.exec(flow.output())![1]!;
      const run = await client.getFlowRun(id);
      assert.deepEqual(run.parameters, { count: 2 });
      assert.equal(run.flowName, "with-parameters");
      assert.equal(run.state.type, "COMPLETED");
    });

    test("a task is retried as configured and its result is kept; a task that fails every attempt is failed", async () => {
      const flow = runFlow("retries");
      assert.equal(await flow.exited, 0, flow.output());
      assert.match(flow.output(), /flaky returned \{"value":42,"calls":3\}/);
      assert.match(flow.output(), /hopeless threw never works/);
      const id = /run-id (\S+)/.exec(flow.output())![1]!;
      const [flaky, hopeless] = await client.listTaskRuns(id);
      assert.equal(flaky!.name, "flaky");
      assert.equal(flaky!.state.type, "COMPLETED");
      assert.equal(flaky!.attempts, 3);
      assert.deepEqual(flaky!.result, { value: 42, calls: 3 });
      assert.equal(hopeless!.name, "hopeless");
      assert.equal(hopeless!.state.type, "FAILED");
      assert.equal(hopeless!.attempts, 2);
      assert.equal(hopeless!.state.message, "never works");
      assert.equal(hopeless!.result, undefined);
      const logs = await logMessages(id);
      assert.ok(logs.includes("Attempt 1 failed (attempt 1 failed); retrying in 0.1s."), JSON.stringify(logs));
      assert.ok(logs.some((m) => /Task failed after 2 attempts: Error: never works/.test(m)));
      assert.equal((await client.getFlowRun(id)).state.type, "COMPLETED");
    });

    test("fifty flow runs paused at once in one process are all answered and all complete", async () => {
      const count = 50;
      const started = new Date(Date.now() - 1000).toISOString();
      const flow = runFlow("many", String(count));
      const paused = await waitUntil(
        `${count} runs are paused`,
        async () => {
          const { items } = await client.listFlowRuns({ flowName: "many-at-once", state: "PAUSED", createdAfter: started, limit: 100 });
          return items.length === count ? items : undefined;
        },
        30_000,
      );
      await Promise.all(paused.map((run) => client.resume(run.id, { input: { n: Number(run.parameters.index) } })));
      await flow.waitForOutput(`all ${count} done, sum ${(count * (count - 1)) / 2}`, 30_000);
      assert.equal(await flow.exited, 0, flow.output());
      const { items } = await client.listFlowRuns({ flowName: "many-at-once", createdAfter: started, limit: 100 });
      assert.equal(items.length, count);
      assert.ok(
        items.every((r) => r.state.type === "COMPLETED"),
        "every run completed",
      );
      const some = paused[7]!;
      assert.ok((await logMessages(some.id)).includes(`run ${String(some.parameters.index)} was given ${String(some.parameters.index)}`));
    });

    test("getRunContext names the current run, and the run logger's lines reach the server (with their level and task) and the console", async () => {
      const flow = runFlow("context");
      assert.equal(await flow.exited, 0, flow.output());
      const [, id, name] = /context (\S+) (\S+)/.exec(flow.output())!;
      const run = await client.getFlowRun(id!);
      assert.equal(run.name, name);
      assert.equal(run.flowName, "run-context");
      assert.match(flow.output(), new RegExp(`task context ${id} inner`));
      const logs = await client.listLogs(id!);
      const byMessage = new Map(logs.map((l) => [l.message, l]));
      assert.equal(byMessage.get("a line from the flow")?.level, "info");
      assert.equal(byMessage.get("a warning from the flow")?.level, "warning");
      assert.equal(byMessage.get("an error from the flow")?.level, "error");
      assert.equal(byMessage.get("a line from the flow")?.taskRunId, null);
      const [inner] = await client.listTaskRuns(id!);
      assert.equal(byMessage.get("a line from the task")?.taskRunId, inner!.id);
      assert.match(flow.output(), new RegExp(`INFO +\\| ${name} - a line from the flow`));
      assert.match(flow.output(), new RegExp(`INFO +\\| ${name} / inner - a line from the task`));
    });

    test("a flow that keeps logging while earlier lines are still being sent finishes, and every line reaches the server in order", async () => {
      const flow = spawnNode(["test/fixtures/flows.ts", "chatty", "1234"], { ...server.env, BATON_LOG_TO_CONSOLE: "false" });
      assert.equal(await flow.exited, 0, flow.output());
      assert.match(flow.output(), /flow finished/);
      const id = /run-id (\S+)/.exec(flow.output())![1]!;
      assert.equal((await client.getFlowRun(id)).state.type, "COMPLETED");
      const lines = await client.listLogs(id, { limit: 5000 });
      assert.equal(lines.length, 1234);
      assert.deepEqual(
        lines.map((l) => l.message),
        Array.from({ length: 1234 }, (_, i) => `line ${i + 1}`),
      );
    });

    test("pauseFlowRun, getRunContext and getRunLogger called outside a flow run throw MissingContextError saying where to call them; a task there is a plain call", async () => {
      await assert.rejects(pauseFlowRun({ waitForInput: z.object({ name: z.string() }) }), (e: unknown) => {
        assert.ok(e instanceof MissingContextError);
        assert.equal(e.code, "MISSING_CONTEXT");
        assert.match(e.message, /pauseFlowRun\(\) can only be called inside a flow run\. Call it from the function given to `flow\(\)`/);
        return true;
      });
      assert.throws(() => getRunContext(), MissingContextError);
      assert.throws(() => getRunLogger(), /getRunLogger\(\) can only be called inside a flow run/);
      const double = task("double", (n: number) => n * 2);
      assert.equal(await double(21), 42);
    });
  });
}

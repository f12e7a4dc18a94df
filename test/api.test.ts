// The HTTP API as a caller sees it: a real server process on each backend, answered with plain fetch.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { z } from "zod";
import { createClient, type BatonClient } from "../src/client/index.ts";
import { PauseNotFoundError } from "../src/contract/errors.ts";
import { collectEvents, describeEvent, pausedRun, request, waitForState, waitUntil } from "./support/api.ts";
import { createTempDatabase, postgresUnavailable } from "./support/postgres.ts";
import { backends, startTestServer, type TestServer } from "./support/processes.ts";

const Person = z.object({
  name: z.string().min(1),
  age: z.number().int().min(0),
  address: z.object({ city: z.string() }),
});

for (const { backend, skip } of await backends()) {
  describe(`API on ${backend}`, { skip }, () => {
    let server: TestServer;
    let client: BatonClient;
    before(async () => {
      server = await startTestServer(backend);
      client = createClient({ apiUrl: server.apiUrl });
    });
    after(() => server?.close());

    const resume = (id: string, body?: unknown, options?: Parameters<typeof request>[4]) =>
      request(server, "POST", `/flow-runs/${id}/resume`, body, options);

    test("GET /api/health answers ok and names the database in use", async () => {
      const res = await request(server, "GET", "/health");
      assert.equal(res.status, 200);
      assert.deepEqual(res.body, { status: "ok", database: backend });
    });

    test("GET /api/openapi.json describes the API, including the resume route and its body", async () => {
      const res = await request(server, "GET", "/openapi.json");
      assert.equal(res.status, 200);
      assert.match(res.body.openapi, /^3\./);
      const resumeOp = res.body.paths["/api/flow-runs/{id}/resume"]?.post;
      assert.ok(resumeOp, "the resume route is described");
      assert.match(resumeOp.description, /422/);
      for (const path of ["/api/flow-runs", "/api/flow-runs/{id}/cancel", "/api/flow-runs/{id}/inputs", "/api/events", "/api/logs"])
        assert.ok(res.body.paths[path], `${path} is described`);
    });

    test("resuming a run that does not exist answers 404 naming the id", async () => {
      const res = await resume("no-such-run", { input: { name: "x" } });
      assert.equal(res.status, 404);
      assert.equal(res.body.code, "FLOW_RUN_NOT_FOUND");
      assert.match(res.body.message, /no-such-run/);
    });

    test("asking for a pause a run does not have answers 404 PAUSE_NOT_FOUND, which the client throws as PauseNotFoundError", async () => {
      const run = await pausedRun(client);
      const res = await request(server, "GET", `/flow-runs/${run.id}/inputs/no-such-key`);
      assert.equal(res.status, 404);
      assert.deepEqual(res.body.details, { flowRunId: run.id, pauseKey: "no-such-key" });
      await assert.rejects(client.getRunInput(run.id, "no-such-key"), (e) => {
        assert.ok(e instanceof PauseNotFoundError);
        assert.equal(e.code, "PAUSE_NOT_FOUND");
        assert.equal(e.details.pauseKey, "no-such-key");
        return true;
      });
    });

    test("a path the API does not have answers 404 ROUTE_NOT_FOUND naming the method and path", async () => {
      const res = await request(server, "POST", "/no-such-route");
      assert.equal(res.status, 404);
      assert.equal(res.body.code, "ROUTE_NOT_FOUND");
      assert.match(res.body.message, /^No route POST \/api\/no-such-route; the API is described at \/api\/openapi\.json\.$/);
    });

    test("resuming a run that is running answers 409 saying it is Running", async () => {
      const run = await client.createFlowRun({ flowName: "api-test", state: { type: "RUNNING" } });
      const res = await resume(run.id, {});
      assert.equal(res.status, 409);
      assert.equal(res.body.code, "NOT_PAUSED");
      assert.match(res.body.message, /is not paused: it is Running/);
      assert.equal(res.body.details.stateType, "RUNNING");
    });

    test("a process that lost its run cannot report on it: its state reports and pauses get 409 RUN_TAKEN_OVER and change nothing", async () => {
      const run = await client.createFlowRun({ flowName: "api-test", state: { type: "RUNNING" }, workerId: "process-a" });
      const setState = (workerId: string, state: object) => request(server, "POST", `/flow-runs/${run.id}/set-state`, { state, workerId });
      const pause = (workerId: string, key: string) =>
        request(server, "POST", `/flow-runs/${run.id}/pause`, { key, timeoutSeconds: null, inputRequest: null, workerId });
      // Process b takes the run over (as a retry does) and pauses it.
      assert.equal(
        (await request(server, "POST", `/flow-runs/${run.id}/set-state`, { state: { type: "RUNNING" }, force: true, workerId: "process-b" })).status,
        200,
      );
      assert.equal((await pause("process-b", "1")).status, 201);
      // Process a, which has not heard, fails the run and then pauses it: both are refused.
      const failed = await setState("process-a", { type: "FAILED", message: "gave up" });
      assert.equal(failed.status, 409);
      assert.equal(failed.body.code, "RUN_TAKEN_OVER");
      assert.match(failed.body.message, /not run by process process-a any more/);
      for (const key of ["1", "2"]) {
        const paused = await pause("process-a", key);
        assert.equal(paused.status, 409, `pause ${key}`);
        assert.equal(paused.body.code, "RUN_TAKEN_OVER");
      }
      assert.equal((await client.getFlowRun(run.id)).state.type, "PAUSED");
      await client.resume(run.id);
      // The owner's report goes through, and so does one that names no process (an operator's, a script's).
      assert.equal((await setState("process-b", { type: "COMPLETED" })).status, 200);
      const other = await client.createFlowRun({ flowName: "api-test", state: { type: "RUNNING" }, workerId: "process-a" });
      await client.setFlowRunState(other.id, { type: "COMPLETED" });
      assert.equal((await client.getFlowRun(other.id)).state.type, "COMPLETED");
    });

    test("a process that lost its run cannot report on its tasks: creates and state reports get 409 RUN_TAKEN_OVER and change nothing", async () => {
      const run = await client.createFlowRun({ flowName: "api-test", state: { type: "RUNNING" }, workerId: "process-a" });
      const create = (workerId: string | undefined, taskKey: string) =>
        request(server, "POST", "/task-runs", { flowRunId: run.id, name: "t", taskKey, state: { type: "RUNNING" }, workerId });
      const complete = (workerId: string | undefined, id: string) =>
        request(server, "POST", `/task-runs/${id}/set-state`, { state: { type: "COMPLETED" }, result: workerId ?? "operator", workerId });
      const first = await create("process-a", "#1");
      assert.equal(first.status, 201);
      // Process b takes the run over (as after a recovery); process a has not heard.
      await client.setFlowRunState(run.id, { type: "RUNNING" }, { force: true, workerId: "process-b" });
      const refusedCreate = await create("process-a", "#2");
      assert.equal(refusedCreate.status, 409);
      assert.equal(refusedCreate.body.code, "RUN_TAKEN_OVER");
      assert.deepEqual(refusedCreate.body.details, { flowRunId: run.id, workerId: "process-a" });
      const refusedReport = await complete("process-a", first.body.id);
      assert.equal(refusedReport.status, 409);
      assert.equal(refusedReport.body.code, "RUN_TAKEN_OVER");
      let tasks = await client.listTaskRuns(run.id);
      assert.deepEqual(
        tasks.map((t) => [t.taskKey, t.state.type]),
        [["#1", "RUNNING"]],
        "nothing process a sent was kept",
      );
      // The owner's reports go through, and so do those that name no process (an operator's, a script's).
      assert.equal((await complete("process-b", first.body.id)).status, 200);
      assert.equal((await create("process-b", "#2")).status, 201);
      assert.equal((await create(undefined, "#3")).status, 201);
      // Once the run belongs to no process (finished here; suspended alike), a late report is kept: a task
      // the flow did not wait for, or a result that a replay can use.
      await client.setFlowRunState(run.id, { type: "COMPLETED" }, { workerId: "process-b" });
      const late = (await client.listTaskRuns(run.id)).find((t) => t.taskKey === "#3")!;
      assert.equal((await complete("process-a", late.id)).status, 200);
      tasks = await client.listTaskRuns(run.id);
      assert.deepEqual(
        tasks.map((t) => [t.taskKey, t.state.type, t.result]),
        [
          ["#1", "COMPLETED", "process-b"],
          ["#2", "RUNNING", undefined],
          ["#3", "COMPLETED", "process-a"],
        ],
      );
    });

    test("resuming a completed run answers 409 saying it is Completed", async () => {
      const run = await pausedRun(client, { waitForInput: Person });
      const answer = { name: "Ada", age: 36, address: { city: "London" } };
      assert.equal((await resume(run.id, { input: answer })).status, 200);
      await client.setFlowRunState(run.id, { type: "COMPLETED" });
      const res = await resume(run.id, { input: answer });
      assert.equal(res.status, 409);
      assert.match(res.body.message, /it is Completed \(COMPLETED\)/);
    });

    test("cancelling a paused run ends it Cancelled, and a later answer gets 409 saying it is Cancelled", async () => {
      const run = await pausedRun(client, { waitForInput: Person });
      const cancelled = await request(server, "POST", `/flow-runs/${run.id}/cancel`, { reason: "no longer needed" });
      assert.equal(cancelled.status, 200);
      assert.equal(cancelled.body.state.type, "CANCELLED");
      assert.equal(cancelled.body.state.message, "no longer needed");
      const res = await resume(run.id, { input: { name: "Ada", age: 36, address: { city: "London" } } });
      assert.equal(res.status, 409);
      assert.match(res.body.message, /it is Cancelled \(CANCELLED\)/);
      assert.equal((await client.listRunInputs(run.id))[0]!.respondedAt, null);
    });

    test("cancelling a run that already finished answers 409", async () => {
      const run = await client.createFlowRun({ flowName: "api-test", state: { type: "RUNNING" } });
      await client.setFlowRunState(run.id, { type: "COMPLETED" });
      const res = await request(server, "POST", `/flow-runs/${run.id}/cancel`);
      assert.equal(res.status, 409);
      assert.match(res.body.message, /already finished \(Completed\)/);
    });

    test("an answer with missing and mistyped fields is refused with 422, one error per field at its JSON pointer; the run stays paused and a valid answer then resumes it", async () => {
      const run = await pausedRun(client, { waitForInput: Person });
      const res = await resume(run.id, { input: { age: "thirty", address: {} } });
      assert.equal(res.status, 422);
      assert.equal(res.body.code, "INVALID_INPUT");
      const errors = res.body.details.errors as { path: string; message: string }[];
      assert.deepEqual(errors.map((e) => e.path).sort(), ["/address/city", "/age", "/name"]);
      assert.deepEqual(
        errors.find((e) => e.path === "/name"),
        { path: "/name", message: "name is required" },
      );
      assert.match(res.body.message, /stays paused/);

      const still = await client.getFlowRun(run.id);
      assert.equal(still.state.type, "PAUSED");
      assert.equal(still.state.id, run.state.id, "the paused state is untouched");
      assert.equal((await client.listRunInputs(run.id))[0]!.respondedAt, null);

      const ok = await resume(run.id, { input: { name: "Ada", age: 36, address: { city: "London" } } });
      assert.equal(ok.status, 200);
      assert.equal(ok.body.state.type, "RUNNING");
    });

    test("an answer with a field the form does not have is refused when the schema is strict", async () => {
      const run = await pausedRun(client, { waitForInput: z.strictObject({ ok: z.boolean() }) });
      const res = await resume(run.id, { input: { ok: true, extra: 1 } });
      assert.equal(res.status, 422);
      assert.deepEqual(res.body.details.errors, [{ path: "/extra", message: '"extra" is not a field of this form' }]);
    });

    test("a pause for a bare number takes 42 as the answer, and refuses an object with 422 at the root", async () => {
      const run = await pausedRun(client, { waitForInput: z.number() });
      const wrong = await resume(run.id, { input: { value: 42 } });
      assert.equal(wrong.status, 422);
      assert.deepEqual(
        wrong.body.details.errors.map((e: { path: string }) => e.path),
        [""],
      );
      const missing = await resume(run.id, {});
      assert.equal(missing.status, 422);
      assert.equal(missing.body.details.errors[0].path, "");
      assert.equal((await resume(run.id, { input: 42 })).status, 200);
      assert.equal((await client.getRunInput(run.id, "1")).response, 42);
    });

    test("a pause for one of a set of words refuses a word outside it, listing the allowed ones", async () => {
      const run = await pausedRun(client, { waitForInput: z.enum(["approve", "reject"]) });
      const res = await resume(run.id, { input: "maybe" });
      assert.equal(res.status, 422);
      assert.equal(res.body.details.errors[0].message, "The answer must be one of: approve, reject");
      assert.equal((await resume(run.id, { input: "reject" })).status, 200);
      assert.equal((await client.getRunInput(run.id, "1")).response, "reject");
    });

    test("omitting input resumes a pause whose fields all have defaults, and the defaults are stored as the answer", async () => {
      const run = await pausedRun(client, { waitForInput: z.object({ approved: z.boolean().default(false), note: z.string().default("none") }) });
      const res = await resume(run.id, {});
      assert.equal(res.status, 200);
      assert.deepEqual((await client.getRunInput(run.id, "1")).response, { approved: false, note: "none" });
    });

    test("a POST with no body at all resumes a pause that asked for nothing", async () => {
      const run = await pausedRun(client);
      const res = await resume(run.id);
      assert.equal(res.status, 200);
      assert.equal(res.body.state.type, "RUNNING");
      assert.ok((await client.getRunInput(run.id, "1")).respondedAt);
    });

    test("omitting input when a field is required is refused with 422 naming that field", async () => {
      const run = await pausedRun(client, { waitForInput: z.object({ name: z.string() }) });
      const res = await resume(run.id, {});
      assert.equal(res.status, 422);
      assert.deepEqual(res.body.details.errors, [{ path: "/name", message: "name is required" }]);
    });

    test("an answer over 1 MiB is refused with 413 and the run stays paused", async () => {
      const run = await pausedRun(client, { waitForInput: z.object({ name: z.string() }) });
      const res = await resume(run.id, { input: { name: "x".repeat(1024 * 1024 + 10) } });
      assert.equal(res.status, 413);
      assert.equal(res.body.code, "PAYLOAD_TOO_LARGE");
      assert.equal((await client.getFlowRun(run.id)).state.type, "PAUSED");
      // A text of 512 Ki characters (the longest one a body may hold) is fine.
      assert.equal((await resume(run.id, { input: { name: "x".repeat(512 * 1024) } })).status, 200);
    });

    test("a body that is not valid JSON is refused with 400 and the run stays paused", async () => {
      const run = await pausedRun(client, { waitForInput: z.object({ name: z.string() }) });
      const res = await resume(run.id, undefined, { rawBody: '{"input": {"name": ' });
      assert.equal(res.status, 400);
      assert.equal(res.body.code, "BAD_REQUEST");
      assert.match(res.body.message, /not valid JSON/);
      assert.equal((await client.getFlowRun(run.id)).state.type, "PAUSED");
    });

    test("a task run is refused for a run that does not exist (404) or was cancelled (409), and none is kept", async () => {
      const task = (flowRunId: string) => request(server, "POST", "/task-runs", { flowRunId, name: "t", taskKey: "#1", state: { type: "RUNNING" } });
      const missing = await task("01900000-0000-7000-8000-00000000beef");
      assert.equal(missing.status, 404);
      assert.equal(missing.body.code, "FLOW_RUN_NOT_FOUND");
      const run = await client.createFlowRun({ flowName: "api-test", state: { type: "RUNNING" } });
      await client.cancel(run.id, "stop");
      const cancelled = await task(run.id);
      assert.equal(cancelled.status, 409);
      assert.equal(cancelled.body.code, "FLOW_RUN_CANCELLED");
      assert.deepEqual(await client.listTaskRuns(run.id), []);
    });

    test("a task run's state report answers with the task run as written: its first start kept, its end and result set; a completed one refuses more (409), an unknown one is 404", async () => {
      const run = await client.createFlowRun({ flowName: "api-test", state: { type: "RUNNING" } });
      const task = await client.createTaskRun({ flowRunId: run.id, name: "t", taskKey: "#1", state: { type: "RUNNING" } });
      const report = (body: object, id = task.id) => request(server, "POST", `/task-runs/${id}/set-state`, body);
      const failed = await report({ state: { type: "FAILED", message: "flaky" }, attempts: 1 });
      assert.equal(failed.status, 200);
      assert.equal(failed.body.startTime, task.startTime);
      assert.ok(failed.body.endTime);
      const retried = await report({ state: { type: "RUNNING", name: "Retrying" }, attempts: 2 });
      assert.equal(retried.body.startTime, task.startTime, "a retry keeps the first start");
      const done = await report({ state: { type: "COMPLETED" }, attempts: 2, result: { total: 42 } });
      assert.equal(done.status, 200);
      assert.deepEqual(
        [done.body.state.type, done.body.attempts, done.body.result, done.body.startTime, done.body.flowRunId],
        ["COMPLETED", 2, { total: 42 }, task.startTime, run.id],
      );
      assert.ok(done.body.endTime >= failed.body.endTime);
      assert.deepEqual((await request(server, "GET", `/task-runs/${task.id}`)).body, done.body);
      const again = await report({ state: { type: "FAILED" } });
      assert.equal(again.status, 409);
      assert.equal(again.body.code, "INVALID_TRANSITION");
      assert.match(again.body.message, /a completed task run keeps its result/);
      const unknown = await report({ state: { type: "COMPLETED" } }, "01900000-0000-7000-8000-00000000cafe");
      assert.equal(unknown.status, 404);
      assert.equal(unknown.body.code, "TASK_RUN_NOT_FOUND");
      assert.equal((await client.listTaskRuns(run.id))[0]!.state.type, "COMPLETED");
    });

    test("ten concurrent creates of one task key (a retried request) all get the same single task run", async () => {
      const run = await client.createFlowRun({ flowName: "api-test", state: { type: "RUNNING" } });
      const got = await Promise.all(
        Array.from({ length: 10 }, () => client.createTaskRun({ flowRunId: run.id, name: "a", taskKey: "#1", state: { type: "RUNNING" } })),
      );
      assert.equal(new Set(got.map((t) => t.id)).size, 1);
      assert.equal((await client.listTaskRuns(run.id)).length, 1);
    });

    test("POST /api/batch carries out each write as its own endpoint would, and a bad one fails alone", async () => {
      const run = await client.createFlowRun({ flowName: "api-test", state: { type: "RUNNING" } });
      const paused = await pausedRun(client);
      const res = await request(server, "POST", "/batch", {
        operations: [
          { op: "createTaskRun", body: { flowRunId: run.id, name: "kept", taskKey: "#1", state: { type: "RUNNING" } } },
          { op: "setFlowRunState", id: "no-such-run", body: { state: { type: "COMPLETED" } } },
          { op: "createTaskRun", body: { flowRunId: run.id, name: "x".repeat(201), taskKey: "#2", state: { type: "RUNNING" } } },
          { op: "setFlowRunState", id: paused.id, body: { state: { type: "RUNNING" } } },
          { op: "setFlowRunState", id: run.id, body: { state: { type: "COMPLETED" } } },
        ],
      });
      assert.equal(res.status, 200);
      const results = res.body.results as { status: number; body: any }[];
      assert.deepEqual(
        results.map((r) => r.status),
        [201, 404, 400, 409, 200],
      );
      assert.equal(results[0]!.body.name, "kept");
      assert.equal(results[1]!.body.code, "FLOW_RUN_NOT_FOUND");
      assert.match(results[2]!.body.message, /createTaskRun operation is not valid: \/body\/name/);
      assert.match(results[3]!.body.message, /resume/, "a paused run goes on only when answered");
      assert.equal(results[4]!.body.state.type, "COMPLETED");
      assert.deepEqual(
        (await client.listTaskRuns(run.id)).map((t) => t.name),
        ["kept"],
      );
      assert.equal((await client.getFlowRun(paused.id)).state.type, "PAUSED");
    });

    test("POST /api/batch refuses an unknown operation or more than 100 with 400", async () => {
      const unknown = await request(server, "POST", "/batch", { operations: [{ op: "dropTable", body: {} }] });
      assert.equal(unknown.status, 400);
      assert.match(unknown.body.message, /op/);
      const many = Array.from({ length: 101 }, () => ({ op: "setFlowRunState", id: "x", body: { state: { type: "COMPLETED" } } }));
      assert.equal((await request(server, "POST", "/batch", { operations: many })).status, 400);
    });

    test("the client sends writes made at the same moment together, and each caller gets its own result or error class", async () => {
      const run = await client.createFlowRun({ flowName: "api-test", state: { type: "RUNNING" } });
      const paused = await pausedRun(client);
      const [missing, created, refused] = await Promise.allSettled([
        client.setFlowRunState("no-such-run", { type: "COMPLETED" }),
        client.createTaskRun({ flowRunId: run.id, name: "t", taskKey: "#1", state: { type: "RUNNING" } }),
        client.setFlowRunState(paused.id, { type: "RUNNING" }),
      ]);
      assert.equal(missing.status === "rejected" && missing.reason.name, "FlowRunNotFoundError");
      assert.equal(created.status === "fulfilled" && created.value.name, "t");
      assert.equal(refused.status === "rejected" && refused.reason.name, "InvalidTransitionError");
    });

    test("an empty body sent as JSON answers a pause that asks for nothing, and is refused where an answer is needed", async () => {
      const bare = await pausedRun(client);
      assert.equal((await resume(bare.id, undefined, { rawBody: "" })).status, 200);
      assert.equal((await client.getFlowRun(bare.id)).state.type, "RUNNING");
      const asking = await pausedRun(client, { waitForInput: z.object({ name: z.string() }) });
      const res = await resume(asking.id, undefined, { rawBody: "" });
      assert.equal(res.status, 422);
      assert.deepEqual(res.body.details.errors, [{ path: "/name", message: "name is required" }]);
    });

    test("a body of the wrong shape is refused with 400 naming the field", async () => {
      const run = await pausedRun(client, { waitForInput: z.object({ name: z.string() }) });
      const res = await resume(run.id, { input: { name: "x" }, channel: "carrier-pigeon" });
      assert.equal(res.status, 400);
      assert.match(res.body.message, /channel/);
    });

    test("of ten answers sent at once to one pause exactly one is taken (200), the other nine get 409, and one answer is stored", async () => {
      const run = await pausedRun(client, { waitForInput: z.object({ name: z.string() }) });
      const results = await Promise.all(
        Array.from({ length: 10 }, (_, i) => resume(run.id, { input: { name: `person-${i}` }, respondedBy: `person-${i}` })),
      );
      const statuses = results.map((r) => r.status).sort();
      assert.deepEqual(statuses, [200, ...Array(9).fill(409)]);
      for (const r of results.filter((r) => r.status === 409)) assert.equal(r.body.code, "NOT_PAUSED");
      const winner = results.findIndex((r) => r.status === 200);
      const inputs = await client.listRunInputs(run.id);
      assert.equal(inputs.length, 1);
      assert.deepEqual(inputs[0]!.response, { name: `person-${winner}` });
      assert.equal(inputs[0]!.respondedBy, `person-${winner}`);
      const states = await client.listFlowRunStates(run.id);
      assert.deepEqual(
        states.map((s) => s.type),
        ["RUNNING", "PAUSED", "RUNNING"],
      );
    });

    test("each answer is stored with when it came, through which channel, and who gave it", async () => {
      const run = await pausedRun(client, { waitForInput: z.object({ ok: z.boolean() }) });
      const sent = new Date().toISOString();
      assert.equal((await resume(run.id, { input: { ok: true }, respondedBy: "alice@example.com" })).status, 200);
      const [answer] = await client.listRunInputs(run.id);
      assert.equal(answer!.channel, "api");
      assert.equal(answer!.respondedBy, "alice@example.com");
      assert.ok(answer!.respondedAt! >= sent.slice(0, 19), `${answer!.respondedAt} is not before the request`);

      const viaCli = await pausedRun(client, { waitForInput: z.object({ ok: z.boolean() }) });
      await createClient({ apiUrl: server.apiUrl, channel: "cli" }).resume(viaCli.id, { input: { ok: false } });
      const [cliAnswer] = await client.listRunInputs(viaCli.id);
      assert.equal(cliAnswer!.channel, "cli");
      assert.equal(cliAnswer!.respondedBy, null);

      const viaHeader = await pausedRun(client);
      await resume(viaHeader.id, {}, { headers: { "x-baton-channel": "cli" } });
      assert.equal((await client.getRunInput(viaHeader.id, "1")).channel, "cli");
    });

    test("a paused run whose timeout passes is failed by the server, with a message saying the pause timed out", async () => {
      const run = await pausedRun(client, { waitForInput: z.object({ name: z.string() }), timeoutSeconds: 0.5, key: "approval" });
      assert.ok(run.state.details.pauseTimeout);
      const failed = await waitForState(client, run.id, "FAILED", 5000);
      assert.match(failed.state.message ?? "", /The pause "approval" of flow run .* timed out at .* without an answer; the run is failed/);
      assert.equal(failed.state.details.error?.code, "PAUSE_TIMEOUT");
      const states = await client.listFlowRunStates(run.id);
      assert.deepEqual(
        states.map((s) => s.type),
        ["RUNNING", "PAUSED", "FAILED"],
      );
      const late = await resume(run.id, { input: { name: "too late" } });
      assert.equal(late.status, 409);
      assert.equal(late.body.code, "PAUSE_EXPIRED");
      assert.match(late.body.message, /timed out at .* and can no longer be answered; the run is Failed/);
    });

    test("a body sent as something other than JSON is refused with 400 saying to send JSON", async () => {
      const run = await pausedRun(client, { waitForInput: z.object({ name: z.string() }) });
      const res = await resume(run.id, undefined, { rawBody: "name=Ada", headers: { "content-type": "application/x-www-form-urlencoded" } });
      assert.equal(res.status, 400);
      assert.match(res.body.message, /Content-Type: application\/json/);
      assert.equal((await client.getFlowRun(run.id)).state.type, "PAUSED");
    });

    test("the event stream of one run shows it paused, the answer submitted, then running and completed, in order", async () => {
      const run = await client.createFlowRun({ flowName: "api-events", state: { type: "RUNNING" } });
      const live = await collectEvents(client, { flowRunId: run.id });
      const all = await collectEvents(client, {});
      const paused = await client.pause(run.id, { key: "1", timeoutSeconds: 60, inputRequest: null });
      assert.equal(paused.status, "PAUSED");
      await client.resume(run.id, { respondedBy: "bob" });
      await client.setFlowRunState(run.id, { type: "COMPLETED" });
      const expected = ["state PAUSED", "input 1", "state RUNNING", "state COMPLETED"];
      await live.until("the run's stream has four events", (e) => e.length >= 4);
      await all.until("the all-runs stream has the run's four events", (e) => e.filter((x) => x.flowRunId === run.id).length >= 4);
      live.close();
      all.close();
      assert.deepEqual(live.events.map(describeEvent), expected);
      assert.deepEqual(all.events.filter((e) => e.flowRunId === run.id).map(describeEvent), expected);
      const submitted = live.events[1]!;
      assert.equal(submitted.type, "flow-run.input-submitted");
      if (submitted.type === "flow-run.input-submitted") {
        assert.equal(submitted.payload.channel, "api");
        assert.equal(submitted.payload.respondedBy, "bob");
      }

      // A client that reconnects from an earlier position gets the kept events again, from its creation on.
      const replay = await collectEvents(client, { flowRunId: run.id, after: 0 });
      await replay.until("the replay has five events", (e) => e.length >= 5);
      replay.close();
      assert.deepEqual(replay.events.map(describeEvent), ["state RUNNING", ...expected]);
    });

    test("the event stream answers as server-sent events and can be narrowed by event type", async () => {
      const controller = new AbortController();
      const res = await fetch(`${server.apiUrl}/events?types=flow-run.state-changed`, { signal: controller.signal });
      assert.equal(res.status, 200);
      assert.match(res.headers.get("content-type") ?? "", /^text\/event-stream/);
      controller.abort();
      const bad = await request(server, "GET", "/events?types=nonsense");
      assert.equal(bad.status, 400);
    });
  });
}

for (const { backend, skip } of await backends()) {
  describe(`a server whose expiry service has not swept yet, on ${backend}`, { skip }, () => {
    let server: TestServer;
    before(async () => (server = await startTestServer(backend, { BATON_EXPIRY_INTERVAL_SECONDS: "3600" })));
    after(() => server?.close());

    test("an answer that comes after the pause timed out is refused with 409 PAUSE_EXPIRED, and the run is failed then and there", async () => {
      const client = createClient({ apiUrl: server.apiUrl });
      const run = await pausedRun(client, { waitForInput: z.object({ name: z.string() }), timeoutSeconds: 0.2 });
      await new Promise((r) => setTimeout(r, 400));
      assert.equal((await client.getFlowRun(run.id)).state.type, "PAUSED", "nothing has swept it yet");
      const res = await request(server, "POST", `/flow-runs/${run.id}/resume`, { input: { name: "late" } });
      assert.equal(res.status, 409);
      assert.equal(res.body.code, "PAUSE_EXPIRED");
      assert.match(res.body.message, /timed out at .* and can no longer be answered; the run is Failed \(FAILED\)/);
      assert.equal(res.body.details.timeoutAt, run.state.details.pauseTimeout);
      const failed = await client.getFlowRun(run.id);
      assert.equal(failed.state.type, "FAILED");
      assert.equal((await client.getRunInput(run.id, "1")).respondedAt, null);
    });
  });
}

describe("two servers sharing one PostgreSQL, both running the expiry service", { skip: (await postgresUnavailable()) ?? false }, () => {
  let db: Awaited<ReturnType<typeof createTempDatabase>>;
  let a: TestServer;
  let b: TestServer;
  before(async () => {
    db = await createTempDatabase();
    a = await startTestServer("postgres", { BATON_DATABASE_URL: db.url, BATON_EXPIRY_INTERVAL_SECONDS: "0.1" });
    b = await startTestServer("postgres", { BATON_DATABASE_URL: db.url, BATON_EXPIRY_INTERVAL_SECONDS: "0.1" });
  });
  after(async () => {
    await b?.close();
    await a?.close();
    await db?.drop();
  });

  test("each expired pause is failed exactly once, and neither server logs an error", async () => {
    const viaA = createClient({ apiUrl: a.apiUrl });
    const viaB = createClient({ apiUrl: b.apiUrl });
    const runs = await Promise.all(
      Array.from({ length: 60 }, (_, i) => pausedRun(i % 2 ? viaA : viaB, { flowName: "expiry-race", timeoutSeconds: 1.5 })),
    );
    await waitUntil(
      "every run is failed",
      async () => (await viaA.listFlowRuns({ flowName: "expiry-race", state: "FAILED", limit: 100 })).items.length === runs.length,
      15_000,
    );
    for (const run of runs) {
      const states = await viaB.listFlowRunStates(run.id);
      assert.deepEqual(
        states.map((s) => s.type),
        ["RUNNING", "PAUSED", "FAILED"],
        `run ${run.id}`,
      );
    }
    const logs = a.child.output() + b.child.output();
    assert.doesNotMatch(logs, /expiry sweep failed/);
  });
});

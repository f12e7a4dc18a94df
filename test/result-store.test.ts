// Results too large for a task run's row, on each backend, with real processes: kept in the result store,
// they survive a server restart and come back whole to a replay on another serving process or a retry,
// without the task running again; one over BATON_RESULT_MAX_BYTES fails its task with the limit named.
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { createClient, type BatonClient } from "../src/client/index.ts";
import { request, waitForState, waitUntil } from "./support/api.ts";
import { backends, spawnNode, startTestServer, type TestServer } from "./support/processes.ts";

const MAX = 8 * 1024 * 1024;
const FIVE_MB = 5 * 1024 * 1024;
const digest = (text: string) => createHash("sha256").update(text).digest("hex");

for (const { backend, skip } of await backends()) {
  describe(`the result store on ${backend}`, { skip }, () => {
    let server: TestServer;
    let client: BatonClient;
    let effectsFile: string;
    const runFixture = (scenario: string) =>
      spawnNode(["test/fixtures/result-store-flows.ts", scenario], {
        ...server.env,
        SIDE_EFFECTS_FILE: effectsFile,
        BATON_HEARTBEAT_INTERVAL_SECONDS: "0.3",
      });
    /** The digests of the reports run `id` computed, one per execution of its task. */
    const computed = (id: string) =>
      readFileSync(effectsFile, "utf8")
        .split("\n")
        .filter((l) => l.startsWith(`${id} computed `))
        .map((l) => l.split(" ")[2]!);
    const serving = async () => {
      const worker = runFixture("serve");
      await worker.waitForOutput("Serving");
      return worker;
    };
    before(async () => {
      server = await startTestServer(backend, { BATON_RESULT_MAX_BYTES: String(MAX) });
      client = createClient({ apiUrl: server.apiUrl });
      effectsFile = join(mkdtempSync(join(tmpdir(), "baton-result-store-")), "effects.log");
      writeFileSync(effectsFile, "");
    });
    after(async () => {
      await client?.close();
      await server?.close();
    });

    test("a 5 MB result of a deployment run survives a server restart and is replayed whole on another serving process, the task not run again", async () => {
      const first = await serving();
      const { id } = await client.runDeployment("big-report", { chars: FIVE_MB });
      await waitUntil("the run suspends", async () => (await client.getFlowRun(id)).state.details.suspended === true, 20_000);
      const [made] = computed(id);
      assert.ok(made);
      const [taskRun] = await client.listTaskRuns(id);
      assert.equal(taskRun?.state.type, "COMPLETED");
      assert.equal("result" in taskRun!, false, "the row keeps a reference, not the 5 MB");
      assert.deepEqual(taskRun?.storedResult, { bytes: FIVE_MB + 2 });
      const stored = await fetch(`${server.apiUrl}/task-runs/${taskRun!.id}/result`);
      assert.equal(stored.headers.get("content-type"), "application/json; charset=utf-8");
      assert.equal(digest(JSON.parse(await stored.text())), made);
      first.kill("SIGTERM");
      await first.exited;

      await server.stop();
      await server.restart();
      const second = await serving();
      await client.resume(id);
      await waitForState(client, id, "COMPLETED", 20_000);
      second.kill("SIGTERM");
      await second.exited;
      const logs = (await client.listLogs(id)).map((l) => l.message);
      assert.ok(logs.includes(`replayed ${made} ${FIVE_MB} by ${second.process.pid}`), logs.join("\n"));
      assert.deepEqual(computed(id), [made], "the task ran once");
    });

    test("a flow's retry gets its 5 MB task result back from the result store, the task not run again", async () => {
      const child = runFixture("retried-report");
      assert.equal(await child.exited, 0, child.output());
      const id = /run-id (\S+)/.exec(child.output())![1]!;
      const made = computed(id);
      assert.equal(made.length, 1, "the task ran once");
      assert.match(child.output(), new RegExp(`got ${made[0]} ${FIVE_MB}`));
      assert.equal((await client.getFlowRun(id)).state.type, "COMPLETED");
    });

    test("a result over BATON_RESULT_MAX_BYTES fails its task and run with an error naming the limit and the variable", async () => {
      const worker = await serving();
      const { id } = await client.runDeployment("big-report", { chars: MAX + 1024 });
      const failed = await waitForState(client, id, "FAILED", 20_000);
      worker.kill("SIGTERM");
      await worker.exited;
      const expected = new RegExp(
        `The result of task "make-report" is at least ${MAX + 1026} bytes as JSON; the server keeps results up to ${MAX} bytes \\(BATON_RESULT_MAX_BYTES\\)`,
      );
      assert.match(failed.state.message ?? "", expected);
      assert.equal((failed.state.details.error as { code?: string }).code, "RESULT_TOO_LARGE");
      const [taskRun] = await client.listTaskRuns(id);
      assert.equal(taskRun?.state.type, "FAILED");
      assert.match(taskRun?.state.message ?? "", expected);
      assert.equal(taskRun?.storedResult, undefined);
    });

    test("the API: upload, then complete with resultUploaded; what it refuses, and why", async () => {
      const run = await client.createFlowRun({ flowName: "uploads", state: { type: "RUNNING" } });
      const taskRun = await client.createTaskRun({ flowRunId: run.id, name: "t", taskKey: "#1", state: { type: "RUNNING" } });
      const path = `/task-runs/${taskRun.id}`;
      const put = (body: string, contentType = "application/octet-stream") =>
        request(server, "PUT", `${path}/result`, undefined, { rawBody: body, headers: { "content-type": contentType } });

      assert.equal((await request(server, "GET", `${path}/result`)).body.code, "TASK_RESULT_NOT_FOUND");
      const early = await request(server, "POST", `${path}/set-state`, { state: { type: "COMPLETED" }, resultUploaded: true });
      assert.equal(early.status, 400);
      assert.match(early.body.message, /no uploaded result: PUT \/api\/task-runs\/.*\/result first/);
      const json = await put(JSON.stringify({ a: 1 }), "application/json");
      assert.equal(json.status, 400);
      assert.match(json.body.message, /application\/octet-stream/);
      const inline = await request(server, "POST", `${path}/set-state`, {
        state: { type: "COMPLETED" },
        result: ["x".repeat(300 * 1024), "y".repeat(300 * 1024)],
      });
      assert.equal(inline.status, 400, "the 1 MiB JSON body limit and the row's 512 KiB stay");
      assert.match(inline.body.message, /PUT \/api\/task-runs\/.*\/result/);

      // Sent in chunks with no content-length: refused, since its size could only be known by reading it all.
      let sentChunks = 0;
      const chunked = await fetch(`${server.apiUrl}${path}/result`, {
        method: "PUT",
        headers: { "content-type": "application/octet-stream" },
        body: new ReadableStream({
          pull(controller) {
            if (++sentChunks > 9) controller.close();
            else controller.enqueue(new Uint8Array(1024 * 1024).fill(0x61));
          },
        }),
        duplex: "half",
      } as RequestInit);
      assert.equal(chunked.status, 400);
      assert.match(((await chunked.json()) as { message: string }).message, /a content-length/);
      assert.equal((await request(server, "GET", `${path}/result`)).status, 404, "nothing kept");

      const text = JSON.stringify("é".repeat(400 * 1024));
      assert.deepEqual(await put(text), { status: 200, body: { bytes: Buffer.byteLength(text) } });
      const done = await request(server, "POST", `${path}/set-state`, { state: { type: "COMPLETED" }, resultUploaded: true });
      assert.equal(done.status, 200);
      assert.deepEqual(done.body.storedResult, { bytes: Buffer.byteLength(text) });
      assert.deepEqual(await request(server, "GET", `${path}/result`), { status: 200, body: JSON.parse(text) });
      const again = await put(JSON.stringify("other"));
      assert.equal(again.status, 409, "a completed task run keeps its result");
      assert.deepEqual((await request(server, "GET", `${path}/result`)).body, JSON.parse(text));
    });
  });
}

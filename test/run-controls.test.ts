// Run controls across real processes, on each backend: expired pauses, keyless pauses, pauses that hold a
// run's tasks, suspending from outside, retrying a finished run, flow timeouts and retries, and results.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { z } from "zod";
import { createClient, type BatonClient } from "../src/client/index.ts";
import { PauseExpiredError } from "../src/contract/errors.ts";
import { pausedRun, request, waitForState } from "./support/api.ts";
import { backends, spawnNode, startTestServer, type TestServer } from "./support/processes.ts";

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
    before(async () => {
      server = await startTestServer(backend);
      client = createClient({ apiUrl: server.apiUrl });
    });
    after(() => server?.close());

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

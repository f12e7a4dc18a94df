import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { createClient } from "../src/client/index.ts";
import { backends, spawnNode, startTestServer, type TestServer } from "./support/processes.ts";
import { pushed } from "./support/pushed.ts";

for (const { backend, skip } of await backends()) {
  describe(`greet-user example on ${backend}`, { skip }, () => {
    let server: TestServer;
    before(async () => (server = await startTestServer(backend)));
    after(() => server?.close());

    test("a person's answer through the API resumes the flow, which greets them by name", async () => {
      const flow = spawnNode(["examples/greet-user.ts"], server.env);
      await flow.waitForOutput("waiting for input");
      const client = createClient({ apiUrl: server.apiUrl });
      const { items } = await client.listFlowRuns({ state: "PAUSED", flowName: "greet-user" });
      assert.equal(items.length, 1);
      const run = items[0]!;
      assert.equal(run.state.name, "Paused");
      assert.equal(run.state.details.pauseKey, "1");
      assert.deepEqual((run.state.details.inputRequest!.schema as { required: string[] }).required, ["name"]);

      await client.resume(run.id, { input: { name: "Marvin" } });
      assert.equal(await pushed(flow.exited, "the answered flow's end"), 0, flow.output());
      assert.match(flow.output(), /Hello, Marvin!/);
      const logs = await client.listLogs(run.id);
      assert.ok(logs.some((l) => l.message === "Hello, Marvin!"));
      assert.equal((await client.getFlowRun(run.id)).state.type, "COMPLETED");
      const [answer] = await client.listRunInputs(run.id);
      assert.deepEqual(answer?.response, { name: "Marvin" });
      assert.equal(answer?.channel, "api");
    });
  });
}

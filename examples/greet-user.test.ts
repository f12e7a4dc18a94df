// A test of the greet-user example as you would write one for your own flow: `node --test examples/greet-user.test.ts`.
import assert from "node:assert/strict";
import { afterEach, beforeEach, test } from "node:test";
import { InvalidInputError } from "baton";
import { startTestServer, type TestServer } from "baton/testing";
import { greetUser } from "./greet-user.ts";

let server: TestServer;
beforeEach(async () => {
  server = await startTestServer();
});
afterEach(() => server.close());

test("greet-user asks for a name and greets the person by it", async () => {
  const done = greetUser();
  const pause = await server.waitForPause({ flowName: "greet-user" });
  const schema = pause.schema as { properties: { name: { description: string } }; required: string[] };
  assert.deepEqual(schema.required, ["name"]);
  assert.equal(schema.properties.name.description, "Your name");

  await server.answer(pause.flowRun.id, { name: "Ada" }, { respondedBy: "test" });
  await done;
  const logs = await server.client.listLogs(pause.flowRun.id);
  assert.ok(
    logs.some((l) => l.message === "Hello, Ada!"),
    logs.map((l) => l.message).join("\n"),
  );
});

test("greet-user refuses an empty name and keeps waiting for a real one", async () => {
  const done = greetUser();
  const pause = await server.waitForPause({ flowName: "greet-user" });
  await assert.rejects(server.answer(pause.flowRun.id, { name: "" }), InvalidInputError);
  assert.equal((await server.client.getFlowRun(pause.flowRun.id)).state.type, "PAUSED");

  await server.answer(pause.flowRun.id, { name: "Grace" });
  await done;
  assert.equal((await server.client.getFlowRun(pause.flowRun.id)).state.type, "COMPLETED");
});

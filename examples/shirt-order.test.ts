// A test of the shirt-order example as you would write one for your own flow: `node --test examples/shirt-order.test.ts`.
import assert from "node:assert/strict";
import { afterEach, beforeEach, test } from "node:test";
import { InvalidInputError } from "baton";
import { startTestServer, type TestServer } from "baton/testing";
import { shirtOrder } from "./shirt-order.ts";

let server: TestServer;
beforeEach(async () => {
  server = await startTestServer();
});
afterEach(() => server.close());

test("shirt-order takes an order of a stocked shirt and logs it", async () => {
  const done = shirtOrder();
  const pause = await server.waitForPause({ flowName: "shirt-order" });
  await server.answer(pause.flowRun.id, { size: "medium", color: "green" });
  await done;
  const logs = await server.client.listLogs(pause.flowRun.id);
  assert.ok(
    logs.some((l) => l.message === "Shirt order: medium, green"),
    logs.map((l) => l.message).join("\n"),
  );
});

test("shirt-order refuses a size that is not on the form, and the run keeps waiting", async () => {
  const done = shirtOrder();
  const pause = await server.waitForPause({ flowName: "shirt-order" });
  await assert.rejects(server.answer(pause.flowRun.id, { size: "tiny", color: "red" }), (e: unknown) => {
    assert.ok(e instanceof InvalidInputError);
    assert.deepEqual(
      e.errors.map((f) => f.path),
      ["/size"],
    );
    return true;
  });
  await server.answer(pause.flowRun.id, { size: "large", color: "red" });
  await done;
});

test("a small green shirt is refused before the run resumes, with the flow's own message on the color field", async () => {
  const done = shirtOrder();
  const pause = await server.waitForPause({ flowName: "shirt-order" });
  // The form's JSON Schema cannot say it; the waiting flow checks the answer with its Zod schema first.
  await assert.rejects(server.answer(pause.flowRun.id, { size: "small", color: "green" }), (e: unknown) => {
    assert.ok(e instanceof InvalidInputError);
    assert.deepEqual(e.errors, [{ path: "/color", message: "Green is only in-stock for medium, large, and XL sizes." }]);
    return true;
  });
  assert.equal((await server.client.getFlowRun(pause.flowRun.id)).state.type, "PAUSED");
  await server.answer(pause.flowRun.id, { size: "medium", color: "green" });
  await done;
});

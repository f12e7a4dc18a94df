// onTimeout as a flow uses it: what pauseFlowRun returns or throws when nobody answers, on a real embedded server.
import assert from "node:assert/strict";
import { afterEach, beforeEach, test } from "node:test";
import { z } from "zod";
import { ConfigError, FlowRunCancelledError, PauseTimeoutError } from "../contract/errors.ts";
import { startTestServer, type TestServer } from "../testing/index.ts";
import { flow, pauseFlowRun, RunInput } from "./index.ts";

const Approval = RunInput.from(z.object({ approved: z.boolean(), note: z.string().default("") }));

const approval = flow(
  { name: "on-timeout", parameters: z.object({ onTimeout: z.any().optional() }) },
  async ({ onTimeout }) => await pauseFlowRun({ waitForInput: Approval, timeout: "4h", onTimeout }),
);

let server: TestServer;
beforeEach(async () => {
  server = await startTestServer();
});
afterEach(() => server.close());

test("onTimeout { answer } goes on with that answer, recorded with the channel timeout", async () => {
  const done = approval({ onTimeout: { answer: { approved: false, note: "nobody answered" } } });
  const pause = await server.waitForPause({ flowName: "on-timeout" });
  await server.advanceTime("4h");
  assert.deepEqual(await done, { approved: false, note: "nobody answered" });
  const [input] = await server.client.listRunInputs(pause.flowRun.id);
  assert.equal(input!.channel, "timeout");
  assert.equal((await server.client.getFlowRun(pause.flowRun.id)).state.type, "COMPLETED");
});

test('onTimeout "cancel" cancels the run; "fail" (the default) fails it as before', async () => {
  const cancelled = assert.rejects(approval({ onTimeout: "cancel" }), FlowRunCancelledError);
  await server.waitForPause({ flowName: "on-timeout" });
  await server.advanceTime("4h");
  await cancelled;
  const failed = assert.rejects(approval({}), PauseTimeoutError);
  await server.waitForPause({ flowName: "on-timeout" });
  await server.advanceTime("4h");
  await failed;
});

test("an onTimeout answer that does not fit the schema is refused before the run pauses", async () => {
  await assert.rejects(approval({ onTimeout: { answer: { approved: "maybe" } } }), (e: Error) => {
    assert.ok(e instanceof ConfigError);
    assert.match(e.message, /onTimeout answer of pause "1" does not fit its input: approved:/);
    return true;
  });
});

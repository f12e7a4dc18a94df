// `npm test`: runs the approval against a test server (in this process, on a temporary database) and
// answers it as a person would.
import assert from "node:assert/strict";
import { after, test } from "node:test";
import { startTestServer } from "baton/testing";
import { approve } from "./approve.ts";

const server = await startTestServer();
after(() => server.close());

test("an approved expense returns the approver's decision", async () => {
  const done = approve({ amount: 120 });
  const pause = await server.waitForPause({ flowName: "approve" });
  await server.answer(pause.flowRun.id, { approved: true, comment: "ok" }, { respondedBy: "test" });
  assert.deepEqual(await done, { amount: 120, approved: true, comment: "ok" });
});

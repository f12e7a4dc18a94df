import assert from "node:assert/strict";
import { test } from "node:test";
import type { InputCheck } from "../contract/index.ts";
import { InputChecks } from "./input-checks.ts";
import { serverCaller } from "./request-caller.ts";

const SDK = serverCaller("test", "sdk");
const question = { flowRunId: "run-1", key: "1", input: { color: "green" }, schemaId: "sha256-x" };

test("a check goes to the process waiting in the live pause, not to one serving a deployment, and its verdict settles it", async () => {
  const checks = new InputChecks();
  const sent: string[] = [];
  checks.attach({ workerId: "w1", livePauses: false, deployments: new Set(["orders"]), send: () => sent.push("serving") });
  checks.attach({
    workerId: "w1",
    livePauses: true,
    deployments: new Set(),
    send: (c) => {
      sent.push("live");
      checks.reply(SDK, c.flowRunId, c.checkId, { outcome: "refused", errors: [{ path: "/color", message: "no" }] });
    },
  });
  assert.deepEqual(await checks.ask({ workerId: "w1" }, question, 1000), { outcome: "refused", errors: [{ path: "/color", message: "no" }] });
  assert.deepEqual(sent, ["live"]);
});

test("with no process to ask, and no other server, the answer is left to the JSON Schema at once", async () => {
  const started = Date.now();
  assert.equal(await new InputChecks().ask({ deploymentName: "orders" }, question, 5000), undefined);
  assert.ok(Date.now() - started < 100);
});

test("a process that does not answer within the bound leaves it to the JSON Schema; a verdict for another run, or a late one, changes nothing", async () => {
  const checks = new InputChecks();
  let check: InputCheck | undefined;
  checks.attach({ workerId: undefined, livePauses: false, deployments: new Set(["orders"]), send: (c) => (check = c) });
  const asked = checks.ask({ deploymentName: "orders" }, question, 100);
  checks.reply(SDK, "run-2", check!.checkId, { outcome: "accepted" });
  assert.equal(await asked, undefined);
  checks.reply(SDK, "run-1", check!.checkId, { outcome: "accepted" }); // too late: ignored
});

test("across servers: a check for a process connected to the other one goes through the relay, and so does its verdict", async () => {
  const a = new InputChecks();
  const b = new InputChecks();
  a.tell = (m) => (b.hear(JSON.parse(JSON.stringify(m))), true);
  b.tell = (m) => (a.hear(JSON.parse(JSON.stringify(m))), true);
  b.attach({ workerId: "w9", livePauses: true, deployments: new Set(), send: (c) => b.reply(SDK, c.flowRunId, c.checkId, { outcome: "accepted" }) });
  assert.deepEqual(await a.ask({ workerId: "w9" }, question, 1000), { outcome: "accepted" });
  // A message too large for the relay: nothing to wait for.
  a.tell = () => false;
  assert.equal(await a.ask({ workerId: "w9" }, question, 5000), undefined);
});

test("a stream that closes is no longer asked", async () => {
  const checks = new InputChecks();
  const detach = checks.attach({ workerId: "w1", livePauses: true, deployments: new Set(), send: () => assert.fail("asked after closing") });
  detach();
  assert.equal(await checks.ask({ workerId: "w1" }, question, 1000), undefined);
});

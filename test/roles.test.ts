// Every role against every route of the OpenAPI document: a caller below the route's least role gets
// 403 FORBIDDEN (401 UNAUTHENTICATED without a key) and changes nothing; one at or above it gets past
// authorization (whatever the route then answers).
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { after, before, describe, test } from "node:test";
import { createClient, type BatonClient } from "../src/client/index.ts";
import type { CreateAutomationBody, Role } from "../src/contract/index.ts";
import { pausedRun, request } from "./support/api.ts";
import { makePeople } from "./support/people.ts";
import { startTestServer, type TestServer } from "./support/processes.ts";

type Caller = "anonymous" | Role;
const CALLERS: readonly Caller[] = ["anonymous", "viewer", "responder", "operator", "admin"];

/** What each route needs: its least caller, and a request that is valid for it (so that only authorization can refuse it). */
interface Fixture {
  runId: string;
  pausedId: string;
  taskRunId: string;
  userName: string;
  keyId: string;
  channel: string;
  automationId: string;
  deliveryId: string;
  n: number;
}
interface RouteCase {
  least: Caller;
  path?: (f: Fixture) => string;
  body?: (f: Fixture) => unknown;
}

const state = { type: "RUNNING" };
const ROUTES: Record<string, RouteCase> = {
  "GET /api/health": { least: "anonymous" },
  "GET /api/me": { least: "anonymous" },
  "GET /api/flows": { least: "viewer" },
  "POST /api/flow-runs": { least: "operator", body: () => ({ flowName: "made-by-role-test" }) },
  "GET /api/flow-runs": { least: "viewer" },
  "GET /api/flow-runs/{id}": { least: "viewer" },
  "GET /api/flow-runs/{id}/states": { least: "viewer" },
  "POST /api/flow-runs/{id}/set-state": { least: "operator", body: () => ({ state: { type: "COMPLETED" }, force: true }) },
  "POST /api/flow-runs/{id}/cancel": { least: "operator", body: () => ({}) },
  "POST /api/flow-runs/{id}/pause": { least: "operator", body: (f) => ({ key: `k${f.n}`, timeoutSeconds: 60 }) },
  "POST /api/flow-runs/{id}/resume": { least: "responder", path: (f) => `/flow-runs/${f.pausedId}/resume`, body: () => ({}) },
  "POST /api/flow-runs/{id}/retry": { least: "operator" },
  // A verdict nobody waits for is ignored: 204 to whoever may give one.
  "POST /api/flow-runs/{id}/input-checks/{checkId}": {
    least: "operator",
    path: (f) => `/flow-runs/${f.pausedId}/input-checks/check-${f.n}`,
    body: () => ({ outcome: "accepted" }),
  },
  "POST /api/flow-runs/{id}/suspend": { least: "operator", path: (f) => `/flow-runs/${f.pausedId}/suspend`, body: () => ({ key: "1" }) },
  "GET /api/flow-runs/{id}/inputs": { least: "viewer", path: (f) => `/flow-runs/${f.pausedId}/inputs` },
  "GET /api/flow-runs/{id}/inputs/{key}": { least: "viewer", path: (f) => `/flow-runs/${f.pausedId}/inputs/1` },
  "GET /api/inbox": { least: "viewer" },
  "POST /api/inbox/bulk": { least: "responder", body: (f) => ({ action: "approve", ids: [f.pausedId] }) },
  // Sending a message is answering a run outside a pause; taking messages, declaring what a run receives and
  // deleting its inputs are the flow's own doing. Each run of the fixture keeps an input "kept".
  "POST /api/flow-runs/{id}/messages": { least: "responder", body: () => ({ value: 1, key: "role" }) },
  "GET /api/flow-runs/{id}/messages": { least: "viewer" },
  "POST /api/flow-runs/{id}/messages/receive": { least: "operator", body: () => ({ receiver: "1", from: 1, keyPrefix: "kept" }) },
  "POST /api/flow-runs/{id}/messages/release": { least: "operator", body: () => ({ keys: ["kept"] }) },
  "PUT /api/flow-runs/{id}/messages/{key}": {
    least: "responder",
    path: (f) => `/flow-runs/${f.runId}/messages/made-${f.n}`,
    body: () => ({ value: 1 }),
  },
  "GET /api/flow-runs/{id}/messages/{key}": { least: "viewer", path: (f) => `/flow-runs/${f.runId}/messages/kept` },
  "DELETE /api/flow-runs/{id}/messages/{key}": { least: "operator", path: (f) => `/flow-runs/${f.runId}/messages/kept` },
  "POST /api/flow-runs/{id}/messages/{key}/refuse": {
    least: "operator",
    path: (f) => `/flow-runs/${f.runId}/messages/kept/refuse`,
    body: () => ({ errors: [{ path: "", message: "not taken" }] }),
  },
  "PUT /api/flow-runs/{id}/receivers": { least: "operator", body: () => ({ keyPrefix: "role", schema: { type: "number" }, description: null }) },
  "GET /api/flow-runs/{id}/receivers": { least: "viewer" },
  "POST /api/task-runs": { least: "operator", body: (f) => ({ flowRunId: f.runId, name: "t", taskKey: `t-${f.n}`, state }) },
  "GET /api/task-runs/{id}": { least: "viewer", path: (f) => `/task-runs/${f.taskRunId}` },
  "POST /api/task-runs/{id}/set-state": {
    least: "operator",
    path: (f) => `/task-runs/${f.taskRunId}/set-state`,
    body: () => ({ state: { type: "COMPLETED" } }),
  },
  "GET /api/flow-runs/{id}/task-runs": { least: "viewer" },
  // A result the store does not hold is a 404 to whoever may read it; below viewer, the refusal comes first.
  "GET /api/task-runs/{id}/result": { least: "viewer", path: (f) => `/task-runs/${f.taskRunId}/result` },
  // Sent as JSON here, not as the raw body the route takes: allowed callers get 400, the others their refusal first.
  "PUT /api/task-runs/{id}/result": { least: "operator", path: (f) => `/task-runs/${f.taskRunId}/result`, body: () => ({}) },
  "POST /api/logs": {
    least: "operator",
    body: (f) => [{ flowRunId: f.runId, level: "info", message: "from the role test", timestamp: new Date().toISOString() }],
  },
  "GET /api/flow-runs/{id}/logs": { least: "viewer" },
  "GET /api/events": { least: "viewer" },
  "POST /api/deployments": { least: "operator", body: (f) => ({ name: `dep-${f.n}`, flowName: "role-test" }) },
  "GET /api/deployments": { least: "viewer" },
  "GET /api/deployments/{name}": { least: "viewer", path: () => "/deployments/role-dep" },
  "POST /api/deployments/{name}/runs": { least: "operator", path: () => "/deployments/role-dep/runs", body: () => ({ parameters: {} }) },
  "POST /api/workers/claim": { least: "operator", body: () => ({ workerId: "w", deployments: ["role-dep"], limit: 1 }) },
  "POST /api/workers/heartbeat": { least: "operator", body: () => ({ workerId: "w", flowRunIds: [] }) },
  "POST /api/batch": {
    least: "operator",
    body: (f) => ({ operations: [{ op: "setFlowRunState", id: f.runId, body: { state: { type: "COMPLETED" } } }] }),
  },
  "GET /api/users": { least: "admin" },
  "POST /api/users": { least: "admin", body: (f) => ({ name: `made-${f.n}`, role: "viewer" }) },
  "DELETE /api/users/{name}": { least: "admin", path: (f) => `/users/${f.userName}` },
  "POST /api/users/{name}/password": { least: "admin", path: (f) => `/users/${f.userName}/password`, body: () => ({ password: "long enough" }) },
  "GET /api/api-keys": { least: "admin" },
  "POST /api/api-keys": { least: "admin", body: (f) => ({ name: `made-${f.n}`, role: "viewer" }) },
  "DELETE /api/api-keys/{id}": { least: "admin", path: (f) => `/api-keys/${f.keyId}` },
  "GET /api/audit": { least: "admin" },
  "GET /api/audit/verify": { least: "admin" },
  "POST /api/session": { least: "anonymous", body: () => ({ name: "viewer", password: "viewer's password" }) },
  "GET /api/session": { least: "viewer" },
  "DELETE /api/session": { least: "anonymous" },
  "GET /api/metrics": { least: "viewer" },
  // A channel's configuration is its endpoint (a Slack URL is a credential to post there): operators read it.
  "GET /api/channels": { least: "operator" },
  "GET /api/channels/{name}": { least: "operator", path: (f) => `/channels/${f.channel}` },
  "POST /api/channels": { least: "admin", body: (f) => ({ name: `made-${f.n}`, type: "webhook", url: "http://127.0.0.1:9/nowhere" }) },
  "DELETE /api/channels/{name}": { least: "admin", path: (f) => `/channels/${f.channel}` },
  "POST /api/channels/{name}/test": { least: "admin", path: (f) => `/channels/${f.channel}/test` },
  "GET /api/automations": { least: "viewer" },
  "GET /api/automations/{id}": { least: "viewer", path: (f) => `/automations/${f.automationId}` },
  "POST /api/automations": { least: "admin", body: (f) => automation(`made-${f.n}`) },
  "PUT /api/automations/{id}": { least: "admin", path: (f) => `/automations/${f.automationId}`, body: (f) => automation(`renamed-${f.n}`) },
  "POST /api/automations/{id}/enable": { least: "admin", path: (f) => `/automations/${f.automationId}/enable` },
  "POST /api/automations/{id}/disable": { least: "admin", path: (f) => `/automations/${f.automationId}/disable` },
  "DELETE /api/automations/{id}": { least: "admin", path: (f) => `/automations/${f.automationId}` },
  "GET /api/deliveries": { least: "viewer" },
  "GET /api/deliveries/{id}": { least: "viewer", path: (f) => `/deliveries/${f.deliveryId}` },
  // Answer links (outside /api): the signed token is the credential, whoever holds it (test/notifications.test.ts).
  "GET /answer/{token}": { least: "anonymous" },
  "POST /answer/{token}": { least: "anonymous" },
};

/** An automation that never acts here (no run of its flow is made). */
function automation(name: string) {
  return {
    name,
    enabled: false,
    trigger: { type: "event", events: ["flow-run.completed"], flowName: ["never-run"] },
    actions: [{ type: "cancel-run" }],
  };
}

describe("roles on every route", () => {
  const home = mkdtempSync(`${tmpdir()}/baton-roles-`);
  const tokens: Partial<Record<Caller, string>> = {};
  let server: TestServer;
  let admin: BatonClient;
  let n = 0;
  before(async () => {
    const roles = ["viewer", "responder", "operator", "admin"] as const;
    Object.assign(
      tokens,
      await makePeople(
        { home },
        roles.map((role) => ({ name: role, role, password: `${role}'s password` })),
      ),
    );
    // The channels' test messages go nowhere: one try each.
    server = await startTestServer("sqlite", { BATON_HOME: home, BATON_DELIVERY_MAX_ATTEMPTS: "1" });
    admin = createClient({ apiUrl: server.apiUrl, apiKey: tokens.admin });
    await admin.registerDeployment({ name: "role-dep", flowName: "role-test" });
  });
  after(async () => {
    await admin.close();
    await server.close();
    rmSync(home, { recursive: true, force: true });
  });

  /** Fresh things for one attempt to act on. */
  async function fixture(): Promise<Fixture> {
    const run = await admin.createFlowRun({ flowName: "role-test", state: { type: "RUNNING" } });
    const paused = await pausedRun(admin, { flowName: "role-test" });
    const task = await admin.createTaskRun({ flowRunId: run.id, name: "t", taskKey: "t", state: { type: "RUNNING" } });
    await admin.createRunInput(run.id, "kept", { n: 1 });
    const user = await admin.createUser({ name: `victim-${++n}`, role: "viewer" });
    const key = await admin.createApiKey({ name: `victim-${n}`, role: "viewer" });
    const channel = await admin.createChannel({ name: `victim-${n}`, type: "webhook", url: "http://127.0.0.1:9/nowhere" });
    const made = await admin.createAutomation(automation(`victim-${n}`) as CreateAutomationBody);
    const delivery = await admin.testChannel(channel.name);
    return {
      runId: run.id,
      pausedId: paused.id,
      taskRunId: task.id,
      userName: user.name,
      keyId: key.apiKey.id,
      channel: channel.name,
      automationId: made.id,
      deliveryId: delivery.id,
      n,
    };
  }

  /** What a forbidden request must leave as it was. */
  async function snapshot(f: Fixture): Promise<string> {
    const [runs, inputs, messages, receivers, tasks, logs, users, keys, deployments, channels, automations] = await Promise.all([
      admin.listFlowRuns({ limit: 1000 }),
      admin.listRunInputs(f.pausedId),
      admin.listMessages(f.runId),
      admin.listReceivers(f.runId),
      admin.listTaskRuns(f.runId),
      admin.listLogs(f.runId),
      admin.listUsers(),
      admin.listApiKeys(),
      admin.listDeployments(),
      admin.listChannels(),
      admin.listAutomations(),
    ]);
    return JSON.stringify({
      runs: runs.items,
      inputs,
      messages,
      receivers,
      tasks,
      logs,
      users,
      keys,
      deployments: deployments.map((d) => ({ ...d, lastServedAt: null })),
      channels,
      automations,
    });
  }

  async function call(operation: string, route: RouteCase, f: Fixture, caller: Caller): Promise<{ status: number; code?: string }> {
    const [method, template] = operation.split(" ") as [string, string];
    const path =
      route.path?.(f) ??
      template
        .replace(/^\/api/, "")
        .replace("{id}", f.runId)
        .replace("{token}", "not-a-signed-token");
    const headers: Record<string, string> = tokens[caller] ? { authorization: `Bearer ${tokens[caller]}` } : {};
    if (path.startsWith("/answer/")) {
      const res = await fetch(`${new URL(server.apiUrl).origin}${path}`, { method, headers });
      return { status: res.status };
    }
    if (path === "/events") {
      const controller = new AbortController();
      const res = await fetch(`${server.apiUrl}${path}`, { headers, signal: controller.signal });
      const code = res.ok ? undefined : ((await res.json()) as { code: string }).code;
      controller.abort();
      return { status: res.status, code };
    }
    const res = await request(server, method, path, route.body?.(f), { headers });
    // A batch answers 200 and carries each operation's own status.
    if (path === "/batch" && res.status === 200) return { status: res.body.results[0].status, code: res.body.results[0].body?.code };
    return { status: res.status, code: res.body?.code };
  }

  test("the table covers every operation of the OpenAPI document", async () => {
    const doc = (await request(server, "GET", "/openapi.json")).body as { paths: Record<string, Record<string, unknown>> };
    const operations = Object.entries(doc.paths).flatMap(([path, ops]) => Object.keys(ops).map((m) => `${m.toUpperCase()} ${path}`));
    assert.deepEqual([...operations].sort(), Object.keys(ROUTES).sort());
  });

  for (const [operation, route] of Object.entries(ROUTES)) {
    test(`${operation}: below ${route.least} refused and nothing changed; ${route.least} and above let through`, async () => {
      const least = CALLERS.indexOf(route.least);
      for (const caller of CALLERS.slice(0, least)) {
        const f = await fixture();
        const before = await snapshot(f);
        const res = await call(operation, route, f, caller);
        const expected = caller === "anonymous" ? { status: 401, code: "UNAUTHENTICATED" } : { status: 403, code: "FORBIDDEN" };
        assert.deepEqual(res, expected, `${caller}: ${JSON.stringify(res)}`);
        assert.equal(await snapshot(f), before, `${caller} changed something`);
      }
      for (const caller of CALLERS.slice(least)) {
        const res = await call(operation, route, await fixture(), caller);
        assert.ok(![401, 403].includes(res.status), `${caller} was refused: ${JSON.stringify(res)}`);
        assert.ok(res.status < 500, `${caller}: ${JSON.stringify(res)}`);
      }
    });
  }
});

// Every background job once across servers: two servers on one PostgreSQL both run pause expiry, the
// heartbeat monitor, the automations and the delivery loop. Each item is handled by one of them, once; and
// with no leader, when one is killed -9 the other carries on with everything, what the dead one queued included.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { createClient, type BatonClient } from "../src/client/index.ts";
import type { FlowRun } from "../src/contract/index.ts";
import { pausedRun, waitUntil } from "./support/api.ts";
import { postgresUnavailable } from "./support/postgres.ts";
import { startTestServer, type TestServer } from "./support/processes.ts";
import { startHttpReceiver, type HttpReceiver } from "./support/receivers.ts";

const skip = (await postgresUnavailable()) ?? false;
/** Runs of each kind in each phase. */
const N = 100;

describe("background jobs on two servers sharing one PostgreSQL", { skip }, () => {
  let a: TestServer;
  let b: TestServer;
  let viaA: BatonClient;
  let viaB: BatonClient;
  let hooks: HttpReceiver;
  before(async () => {
    const env = { BATON_HEARTBEAT_TIMEOUT_SECONDS: "3", BATON_EXPIRY_INTERVAL_SECONDS: "0.2", BATON_LOG_LEVEL: "error" };
    a = await startTestServer("postgres", env);
    b = await startTestServer("postgres", { ...env, BATON_DATABASE_URL: a.databaseUrl! });
    viaA = createClient({ apiUrl: a.apiUrl });
    viaB = createClient({ apiUrl: b.apiUrl });
    hooks = await startHttpReceiver();
  });
  after(async () => {
    await hooks?.close();
    await b?.stop();
    await a?.close();
  });

  test("pauses expire, silent runs are recovered, automations fire and webhooks are sent once each; after a kill -9 of one server the other does it all", async () => {
    await viaA.createChannel({ name: "hooks", type: "webhook", url: hooks.url });
    await viaA.createAutomation({
      name: "tell the hook",
      trigger: { type: "event", events: ["flow-run.paused"], flowName: ["expiring"] },
      actions: [{ type: "notify", channel: "hooks" }],
    });
    /** `n` runs paused for `timeoutSeconds`, created through both servers, or `only` one. */
    const pause = (n: number, timeoutSeconds: number, only?: BatonClient) =>
      batches(n, (i) => pausedRun(only ?? (i % 2 ? viaB : viaA), { flowName: "expiring", timeoutSeconds }));
    /** `n` runs whose process (a worker id no process holds) never sends a heartbeat. */
    const ghosts = (n: number, only?: BatonClient) =>
      batches(n, (i) =>
        (only ?? (i % 2 ? viaB : viaA)).createFlowRun({ flowName: "ghost", state: { type: "RUNNING" }, workerId: `ghost-${i}-${Date.now()}` }),
      );

    // Phase 1, both servers up: each pause's webhook arrives, then the server that queued it is killed
    // before the pauses time out and the silent runs are recovered.
    const first = await pause(N, 6);
    const firstGhosts = await ghosts(N);
    // Recorded as delivered too: a delivery that the killed server had sent but not yet recorded would be
    // sent again once its claim lapsed (at least once, as README says), which is not what this test is about.
    await waitUntil(
      "every webhook sent and recorded",
      async () => (await viaB.listDeliveries({ status: "DELIVERED", limit: 500 })).length >= N,
      30_000,
    );
    a.child.kill("SIGKILL");
    await a.child.exited;

    // Phase 2, server B alone.
    const second = await pause(N, 1, viaB);
    const secondGhosts = await ghosts(N, viaB);
    const expiring = [...first, ...second];
    const silent = [...firstGhosts, ...secondGhosts];
    await waitUntil("every pause timed out", async () => (await countIn(viaB, "expiring", "FAILED")) === expiring.length, 120_000).catch(
      async (e) => {
        const states = await Promise.all(expiring.map(async (r) => (await viaB.getFlowRun(r.id)).state));
        const left = states.filter((s) => s.type !== "FAILED");
        throw new Error(
          `${(e as Error).message}: ${left.length} not failed, e.g. ${JSON.stringify(left.slice(0, 2))}; server B said:\n${b.child.output().slice(-3000)}`,
        );
      },
    );
    await waitUntil("every silent run recovered", async () => (await countIn(viaB, "ghost", "CRASHED")) === silent.length, 120_000);
    await waitUntil("a webhook for every paused run", () => new Set(hooks.received.map((r) => r.body?.flowRun?.id)).size >= expiring.length, 30_000);

    // Once each: one state per expiry or recovery in each run's history, one audit entry per expiry, one
    // delivery per paused event, and one request per delivery.
    for (const run of expiring) {
      const states = (await viaB.listFlowRunStates(run.id)).map((s) => s.type);
      assert.deepEqual(states.slice(-2), ["PAUSED", "FAILED"], `run ${run.id}: ${states.join(" → ")}`);
      assert.equal(states.filter((s) => s === "FAILED").length, 1, `run ${run.id} failed once: ${states.join(" → ")}`);
      const entries = await viaB.listAudit({ target: `flow-run/${run.id}` });
      assert.deepEqual(
        entries.map((e) => `${e.actor} ${e.action}`),
        ["timeout flow-run.fail"],
        `the audit entries of run ${run.id}`,
      );
      const deliveries = await viaB.listDeliveries({ flowRunId: run.id });
      assert.equal(deliveries.length, 1, `run ${run.id} has ${deliveries.length} deliveries`);
      assert.equal(deliveries[0]!.status, "DELIVERED");
      assert.equal(deliveries[0]!.attempts, 1);
    }
    for (const run of silent) {
      const states = (await viaB.listFlowRunStates(run.id)).map((s) => s.type);
      assert.deepEqual(states, ["RUNNING", "CRASHED"], `run ${run.id}: ${states.join(" → ")}`);
    }
    const perRun = new Map<string, string[]>();
    for (const r of hooks.received) perRun.set(r.body.flowRun.id, [...(perRun.get(r.body.flowRun.id) ?? []), String(r.headers["baton-delivery"])]);
    for (const run of expiring) assert.equal(perRun.get(run.id)?.length, 1, `webhook requests about run ${run.id}: ${perRun.get(run.id)}`);
    assert.equal(hooks.received.length, expiring.length, "no request about anything else, and none twice");
  });
});

/** Makes `n` things, 20 at a time. */
async function batches<T>(n: number, make: (i: number) => Promise<T>): Promise<T[]> {
  const made: T[] = [];
  for (let i = 0; i < n; i += 20) made.push(...(await Promise.all(Array.from({ length: Math.min(20, n - i) }, (_, j) => make(i + j)))));
  return made;
}

/** How many runs of `flowName` are in state `type`. */
async function countIn(client: BatonClient, flowName: string, type: FlowRun["state"]["type"]): Promise<number> {
  let count = 0;
  let cursor: string | undefined;
  do {
    const page = await client.listFlowRuns({ flowName, state: type, limit: 200, ...(cursor ? { cursor } : {}) });
    count += page.items.length;
    cursor = page.nextCursor ?? undefined;
  } while (cursor);
  return count;
}

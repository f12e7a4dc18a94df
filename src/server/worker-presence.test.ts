import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { after, before, describe, test } from "node:test";
import type { FastifyInstance } from "fastify";
import { postgresUnavailable } from "../../test/support/postgres.ts";
import { openTempStorage, type TempStorage } from "../../test/support/temp-storage.ts";
import type { FlowRun } from "../contract/index.ts";
import type { Storage } from "../storage/storage.ts";
import { createApp } from "./app.ts";
import { resolveServerConfig } from "./config.ts";
import type { RequestCaller } from "./request-caller.ts";
import type { WorkerPresence } from "./worker-presence.ts";

const pgSkip = (await postgresUnavailable()) ?? false;
const GRACE_SECONDS = 0.3;
// The caller of an open server (local mode, no users), where every process may hold a stream as itself.
const caller: RequestCaller = { kind: "open", channel: "sdk" };
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

for (const backend of ["sqlite", "postgres"] as const) {
  describe(`a process's closed event stream on ${backend}`, { skip: backend === "postgres" ? pgSkip : false }, () => {
    let temp: TempStorage;
    let storage: Storage;
    /** Two servers on one database (on SQLite, two apps on one storage): a process may come back to either. */
    const servers: { app: FastifyInstance; presence: WorkerPresence }[] = [];

    before(async () => {
      temp = await openTempStorage(backend);
      storage = temp.storage;
      const config = resolveServerConfig({ logLevel: "silent", heartbeatTimeoutSeconds: 30, disconnectGraceSeconds: GRACE_SECONDS }, {});
      for (let i = 0; i < 2; i++) servers.push(await createApp(storage, config));
      await post(servers[0]!.app, "/api/deployments", { name: "presence", flowName: "presence" });
    });
    after(async () => {
      for (const s of servers) {
        s.presence.stop();
        await s.app.close();
      }
      await temp?.remove();
    });

    async function post(app: FastifyInstance, url: string, body: unknown): Promise<any> {
      const res = await app.inject({ method: "POST", url, payload: body as object });
      assert.ok(res.statusCode < 300, `${url}: ${res.statusCode} ${res.body}`);
      return res.json();
    }
    const get = async (id: string): Promise<FlowRun> => (await servers[0]!.app.inject({ url: `/api/flow-runs/${id}` })).json();

    /** A deployment run claimed by process `workerId`, paused live in it. */
    async function pausedIn(workerId: string): Promise<FlowRun> {
      const { app } = servers[0]!;
      const run = await post(app, "/api/deployments/presence/runs", { parameters: {} });
      const claimed = await post(app, "/api/workers/claim", { workerId, deployments: ["presence"], limit: 10 });
      assert.ok(claimed.items.some((r: FlowRun) => r.id === run.id));
      return (await post(app, `/api/flow-runs/${run.id}/pause`, { key: "approve", timeoutSeconds: 3600 })).flowRun;
    }

    test("a paused deployment run is suspended once the grace has passed, and a running direct call is left to heartbeats", async () => {
      const worker = randomUUID();
      const paused = await pausedIn(worker);
      const direct = await post(servers[0]!.app, "/api/flow-runs", {
        flowName: "direct",
        parameters: {},
        state: { type: "RUNNING" },
        workerId: worker,
      });
      const closed = servers[0]!.presence.connected(caller, worker);
      await sleep(50);
      closed();
      await sleep(GRACE_SECONDS * 500);
      assert.equal((await get(paused.id)).state.name, "Paused", "not before the grace is over");
      await sleep(GRACE_SECONDS * 500 + 400);
      const after = await get(paused.id);
      assert.equal(after.state.name, "Suspended");
      assert.match(after.state.message ?? "", /connection closed and it did not come back within 0.3 s/);
      assert.equal((await get(direct.id)).state.type, "RUNNING", "a run executing outside a pause is judged by its heartbeats");
    });

    test("a process that comes back within the grace, to this server or another, keeps its runs", async () => {
      for (const back of [0, 1]) {
        const worker = randomUUID();
        const paused = await pausedIn(worker);
        servers[0]!.presence.connected(caller, worker)();
        await sleep(GRACE_SECONDS * 300);
        const closeAgain = servers[back]!.presence.connected(caller, worker);
        await sleep(GRACE_SECONDS * 1000 + 400);
        assert.equal((await get(paused.id)).state.name, "Paused", `came back to server ${back}`);
        closeAgain();
      }
    });

    test("one of two streams of a process closing is no sign of death", async () => {
      const worker = randomUUID();
      const paused = await pausedIn(worker);
      const first = servers[0]!.presence.connected(caller, worker);
      servers[0]!.presence.connected(caller, worker)();
      await sleep(GRACE_SECONDS * 1000 + 400);
      assert.equal((await get(paused.id)).state.name, "Paused");
      first();
    });
  });
}

// Durability on PostgreSQL: an answer acknowledged with a 200 is kept when PostgreSQL itself is killed -9,
// with answers committing in groups. A cluster of the test's own (Debian's binaries, its own port).
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { createClient, type BatonClient } from "../src/client/index.ts";
import type { FlowRun } from "../src/contract/index.ts";
import { pausedRun, waitUntil } from "./support/api.ts";
import { privatePostgresUnavailable, PrivatePostgres } from "./support/private-postgres.ts";
import { startTestServer, type TestServer } from "./support/processes.ts";

const RUNS = 300;
const SENDERS = 16;

describe("PostgreSQL killed -9 while answers are committing", { skip: privatePostgresUnavailable() ?? false }, () => {
  let cluster: PrivatePostgres;
  let server: TestServer;
  let client: BatonClient;
  before(async () => {
    cluster = await PrivatePostgres.create();
    server = await startTestServer("postgres", { BATON_DATABASE_URL: cluster.url, BATON_LOG_LEVEL: "fatal" });
    client = createClient({ apiUrl: server.apiUrl });
  });
  after(async () => {
    await server?.stop();
    await cluster?.destroy();
  });

  test("every answer acknowledged with a 200 is there after PostgreSQL restarts; the others can be given again", async () => {
    const runs: FlowRun[] = [];
    for (let i = 0; i < RUNS; i++) runs.push(await pausedRun(client, { flowName: "crash-test" }));
    const acknowledged: string[] = [];
    const refused: string[] = [];
    const queue = [...runs];
    let killed: Promise<void> | undefined;
    await Promise.all(
      Array.from({ length: SENDERS }, async () => {
        for (let run = queue.pop(); run; run = queue.pop()) {
          // The kill lands while answers are in flight, after a third of them.
          if (!killed && acknowledged.length >= RUNS / 3) killed = cluster.kill();
          try {
            await client.resume(run.id);
            acknowledged.push(run.id);
          } catch {
            refused.push(run.id);
          }
        }
      }),
    );
    await killed;
    assert.ok(acknowledged.length >= RUNS / 3 && refused.length > 0, `${acknowledged.length} acknowledged, ${refused.length} refused`);

    await cluster.start();
    // The server's pool reconnects by itself.
    await waitUntil(
      "the server to reach PostgreSQL again",
      () =>
        client.health().then(
          () => true,
          () => false,
        ),
      20_000,
    ).catch((e) => {
      throw new Error(`${(e as Error).message}; the server's output:\n${server.child.output().slice(-3000)}`);
    });
    for (const id of acknowledged) {
      const run = await client.getFlowRun(id);
      assert.equal(run.state.type, "RUNNING", `run ${id} was answered with a 200 but is ${run.state.type}`);
      const [input] = await client.listRunInputs(id);
      assert.ok(input?.respondedAt, `the answer to run ${id} was kept`);
    }
    // A refused answer was not half-kept: the run is still paused, or resumed with its answer stored.
    for (const id of refused) {
      const run = await client.getFlowRun(id);
      const [input] = await client.listRunInputs(id);
      if (run.state.type === "PAUSED") {
        assert.equal(input?.respondedAt, null);
        await client.resume(id);
      } else assert.ok(run.state.type === "RUNNING" && input?.respondedAt, `run ${id} is ${run.state.type}, answered at ${input?.respondedAt}`);
    }
  });
});

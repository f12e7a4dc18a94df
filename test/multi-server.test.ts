import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { createClient } from "../src/client/index.ts";
import { postgresUnavailable } from "./support/postgres.ts";
import { spawnNode, startTestServer, type TestServer } from "./support/processes.ts";

const skip = (await postgresUnavailable()) ?? false;

describe("two servers sharing one PostgreSQL", { skip }, () => {
  let a: TestServer;
  let b: TestServer;
  const flows: ReturnType<typeof spawnNode>[] = [];
  const runFlow = () => {
    const f = spawnNode(["examples/greet-user.ts"], a.env);
    flows.push(f);
    return f;
  };
  before(async () => {
    a = await startTestServer("postgres");
    b = await startTestServer("postgres", { BATON_DATABASE_URL: a.databaseUrl! });
  });
  after(async () => {
    for (const f of flows) f.kill("SIGKILL");
    await b?.stop();
    await a?.close();
  });

  test("an answer given through one server wakes a flow connected to the other at once", async () => {
    const flow = runFlow();
    await flow.waitForOutput("waiting for input");
    const viaB = createClient({ apiUrl: b.apiUrl });
    const [run] = (await viaB.listFlowRuns({ state: "PAUSED" })).items;
    assert.ok(run, "the paused run is visible through the other server");
    const sent = Date.now();
    await viaB.resume(run.id, { input: { name: "Grace" } });
    await flow.waitForOutput("Hello, Grace!", 5000);
    // Pushed, not found by the SDK's 30-second safety check.
    assert.ok(Date.now() - sent < 2000, `woke after ${Date.now() - sent} ms`);
    assert.equal(await flow.exited, 0);
  });

  test("log lines written through one server stream live from the other", async () => {
    const flow = runFlow();
    await flow.waitForOutput("waiting for input");
    const viaB = createClient({ apiUrl: b.apiUrl });
    const run = (await viaB.listFlowRuns({ state: "PAUSED" })).items[0]!;
    const seen: string[] = [];
    const stream = viaB.events({ flowRunId: run.id, types: ["log"] }, (e) => e.type === "log" && seen.push(e.payload.message));
    await stream.ready;
    await createClient({ apiUrl: a.apiUrl }).resume(run.id, { input: { name: "Linus" } });
    await flow.exited;
    const deadline = Date.now() + 5000;
    while (!seen.includes("Hello, Linus!") && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    stream.close();
    assert.ok(seen.includes("Hello, Linus!"), `saw ${JSON.stringify(seen)}`);
  });
});

import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { createClient, type BatonClient } from "../src/client/index.ts";
import { collectEvents, pausedFlowProcess, waitForState } from "./support/api.ts";
import { makePeople } from "./support/people.ts";
import { spawnNode, startTestServer, type TestServer } from "./support/processes.ts";

const SECRET = "hunter2-correct-horse";

describe("sensitive fields", () => {
  const home = mkdtempSync(join(tmpdir(), "baton-sensitive-"));
  let server: TestServer;
  let tokens: Record<string, string>;
  const as: Record<string, BatonClient> = {};
  before(async () => {
    tokens = await makePeople({ home }, [
      { name: "olga", role: "operator" },
      { name: "ada", role: "admin" },
      { name: "alice", role: "responder" },
    ]);
    server = await startTestServer("sqlite", { BATON_HOME: home, BATON_LOG_LEVEL: "info" });
    for (const [name, token] of Object.entries(tokens)) as[name] = createClient({ apiUrl: server.apiUrl, apiKey: token });
  });
  after(async () => {
    for (const c of Object.values(as)) await c.close();
    await server.close();
    rmSync(home, { recursive: true, force: true });
  });

  test("a field marked .meta({ sensitive: true }) reaches the flow, and is shown back nowhere: API reads, event streams, the CLI, the server's log", async () => {
    const flow = spawnNode(["test/fixtures/flows.ts", "sensitive"], { ...server.env, BATON_API_KEY: tokens.olga! });
    const id = await pausedFlowProcess(as.ada!, flow);
    const schema = (await as.ada!.getFlowRun(id)).state.details.inputRequest?.schema as { properties: { password: { sensitive?: boolean } } };
    assert.equal(schema.properties.password.sensitive, true);
    const streams = await Promise.all([collectEvents(as.alice!, { flowRunId: id }), collectEvents(as.ada!, { flowRunId: id })]);

    await as.alice!.resume(id, { input: { user: "ann", password: SECRET } });
    await flow.waitForOutput(`flow got ann ${SECRET}`);
    await waitForState(as.ada!, id, "COMPLETED");

    for (const stream of streams) {
      await stream.until("the answer", (events) => events.some((e) => e.type === "flow-run.input-submitted"));
      const answer = stream.events.find((e) => e.type === "flow-run.input-submitted")!;
      assert.deepEqual(answer.payload.input, { user: "ann", password: "[sensitive]" });
      stream.close();
    }
    // A stream that replays what it missed, and every read, gets the same.
    const replayed = await collectEvents(as.ada!, { flowRunId: id, after: 0 });
    await replayed.until("the replayed answer", (events) => events.some((e) => e.type === "flow-run.input-submitted"));
    assert.doesNotMatch(JSON.stringify(replayed.events), new RegExp(SECRET));
    replayed.close();
    for (const who of ["alice", "ada", "olga"]) {
      const inputs = await as[who]!.listRunInputs(id);
      assert.deepEqual(inputs[0]!.response, { user: "ann", password: "[sensitive]" }, who);
      assert.doesNotMatch(JSON.stringify(await as[who]!.getRunInput(id, "1")), new RegExp(SECRET));
    }
    const inspect = spawnNode(["src/cli/main.ts", "flow-run", "inspect", id], { BATON_API_URL: server.apiUrl, BATON_API_KEY: tokens.ada! });
    assert.equal(await inspect.exited, 0);
    assert.match(inspect.output(), /\[sensitive\]/);
    assert.doesNotMatch(inspect.output(), new RegExp(SECRET));
    assert.doesNotMatch(server.child.output(), new RegExp(SECRET));
    assert.doesNotMatch(JSON.stringify(await as.ada!.listAudit({ limit: 1000 })), new RegExp(SECRET));
  });
});

// Messages into running flows (sendInput / receiveInput / respond) and run inputs by key, with a real
// server, flows in processes of their own, and serving processes killed with -9.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { createClient, type BatonClient } from "../src/client/index.ts";
import { InvalidInputError, MessageExistsError, MessageNotFoundError, RunNotReceivingError } from "../src/contract/errors.ts";
import type { Message } from "../src/contract/index.ts";
import { NAMES } from "../examples/greeter.ts";
import { request, waitForState, waitUntil } from "./support/api.ts";
import { backends, runBaton, spawnNode, startTestServer, type Child, type TestServer } from "./support/processes.ts";

/**
 * For the process killed with -9: a heartbeat sent just before the kill but handled after the closed
 * stream is a sign of life, which would leave the run to the 30 s heartbeat timeout.
 */
const SLOW_HEARTBEATS = { BATON_HEARTBEAT_INTERVAL_SECONDS: "10" };

for (const { backend, skip } of await backends()) {
  describe(`messages between runs on ${backend}`, { skip }, () => {
    let server: TestServer;
    let client: BatonClient;
    const children: Child[] = [];
    const spawn = (args: string[]) => {
      const child = spawnNode(args, { ...server.env, ...SLOW_HEARTBEATS });
      children.push(child);
      return child;
    };
    before(async () => {
      server = await startTestServer(backend, { BATON_HEARTBEAT_TIMEOUT_SECONDS: "30" });
      client = createClient({ apiUrl: server.apiUrl });
    });
    after(async () => {
      for (const c of children) c.kill("SIGKILL");
      await client?.close();
      await server?.close();
    });

    test("the greeter pair: ten round trips through respond, the greeter's serving process killed -9 in the middle; nothing lost, nothing read twice", async () => {
      const first = spawn(["test/fixtures/greeter.ts", "serve"]);
      await first.waitForOutput("Serving greeter", 60_000);
      const greeterRun = await client.runDeployment("greeter");
      const talker = spawn(["test/fixtures/greeter.ts", "client", greeterRun.id]);
      await talker.waitForOutput("Hello, Barbara!", 60_000).catch((e: Error) => {
        throw new Error(`${e.message}\nThe greeter's serving process printed:\n${first.output()}`);
      });
      first.kill("SIGKILL");
      await first.exited;
      // The run is rescheduled once the dead process's stream has been closed for the grace (2 s); a new
      // serving process replays it: the names it had read come back from their receive steps, its answers
      // to them are not sent again, and it reads on.
      spawn(["test/fixtures/greeter.ts", "serve"]);
      const out = await talker.waitForOutput("GREETINGS", 60_000);
      const greetings = JSON.parse(out.slice(out.indexOf("GREETINGS ") + 10).split("\n")[0]!);
      assert.deepEqual(
        greetings,
        NAMES.map((n) => `Hello, ${n}!`),
      );
      const done = await waitForState(client, greeterRun.id, "COMPLETED", 15_000);
      assert.ok(done.state.type === "COMPLETED");

      const sent = await client.listMessages(greeterRun.id);
      assert.deepEqual(
        sent.map((m) => m.value),
        [...NAMES, "stop"],
      );
      assert.ok(
        sent.every((m) => m.consumedAt && !m.refusal),
        "every name was read",
      );
      const talkerRun = sent[0]!.sender!.slice("flow-run:".length);
      const answers = await client.listMessages(talkerRun);
      assert.deepEqual(
        answers.map((m) => m.value),
        NAMES.map((n) => `Hello, ${n}!`),
        "each name answered once: the replay did not answer again",
      );
      assert.ok(answers.every((m) => m.sender === `flow-run:${greeterRun.id}` && m.consumedAt));
    });

    test("a message sent before its receiver starts waits for it; a wrong one is refused with 422 at send time once the receiver declared what it takes, or by the receiver itself; keyPrefix and excludeKeys choose", async () => {
      // The deployment is known, but nothing serves it yet: the run waits SCHEDULED.
      await client.registerDeployment({ name: "collector", flowName: "collector" });
      const run = await client.runDeployment("collector");
      await client.sendMessage(run.id, { value: { n: 1 }, key: "item" });
      await client.createRunInput(run.id, "item-skip", { n: 99 });
      await client.sendMessage(run.id, { value: { n: 5 }, key: "other" });
      // No receiver has said what it takes yet: kept, and refused by the flow's own schema when it reads it.
      await client.sendMessage(run.id, { value: { n: "one" }, key: "item" });
      spawn(["test/fixtures/message-flows.ts"]);
      await waitUntil("the receiver to declare what it takes", async () => (await client.listReceivers(run.id)).length > 0, 60_000);
      const [receiver] = await client.listReceivers(run.id);
      assert.equal(receiver!.keyPrefix, "item");

      const refused = await request(server, "POST", `/flow-runs/${run.id}/messages`, { value: { n: "two" }, key: "item" });
      assert.equal(refused.status, 422);
      assert.equal(refused.body.code, "INVALID_INPUT");
      assert.deepEqual(
        refused.body.details.errors.map((e: { path: string }) => e.path),
        ["/n"],
      );
      await assert.rejects(client.sendMessage(run.id, { value: {}, key: "item" }), InvalidInputError);
      // Passes the JSON Schema, fails the Zod refinement: the receiver refuses it.
      await client.sendMessage(run.id, { value: { n: 13 }, key: "item" });
      await client.sendMessage(run.id, { value: { n: 2 }, key: "item" });
      await client.sendMessage(run.id, { value: { n: 0 }, key: "item" });
      await waitForState(client, run.id, "COMPLETED", 60_000);
      const logs = (await client.listLogs(run.id)).map((l) => l.message);
      assert.ok(logs.includes("Collected [1,2,0]"), logs.join("\n"));

      const byValue = new Map((await client.listMessages(run.id)).map((m) => [JSON.stringify(m.value), m] as [string, Message]));
      assert.equal(byValue.size, 7, "the two messages refused at send time were not kept");
      assert.equal(byValue.get('{"n":99}')!.consumedAt, null, "excludeKeys left item-skip");
      assert.equal(byValue.get('{"n":5}')!.consumedAt, null, "another key prefix is not read");
      assert.deepEqual(
        byValue.get('{"n":"one"}')!.refusal!.map((e) => e.path),
        ["/n"],
      );
      assert.deepEqual(byValue.get('{"n":13}')!.refusal, [{ path: "/n", message: "13 is not taken" }]);
      assert.ok(byValue.get('{"n":2}')!.consumedAt && !byValue.get('{"n":2}')!.refusal);
      const listed = await runBaton(["flow-run", "messages", run.id], server.env);
      assert.equal(listed.code, 0, listed.stderr);
      assert.match(listed.stdout, /item-skip .*not yet/);
      assert.match(listed.stdout, /refused \(n: 13 is not taken\)/);

      // A run that finished receives no more.
      await assert.rejects(client.sendMessage(run.id, { value: { n: 3 }, key: "item" }), RunNotReceivingError);
      const cli = await runBaton(["flow-run", "send", run.id, "--input", '{"n":3}', "--key", "item"], server.env);
      assert.equal(cli.code, 1);
      assert.match(cli.stderr, /receives no more messages/);
    });

    test("run inputs by key: create, read, delete and filter through the SDK, the API and the CLI", async () => {
      const run = await client.createFlowRun({ flowName: "inputs-by-key", state: { type: "RUNNING" } });
      const sdk = spawn(["test/fixtures/run-inputs-sdk.ts", run.id]);
      await sdk.exited;
      assert.deepEqual(JSON.parse(sdk.output().trim().split("\n").at(-1)!), {
        duplicate: "MESSAGE_EXISTS",
        read: { color: "blue" },
        filtered: [["color-1", "script"]],
        afterDelete: null,
      });

      const created = await request(server, "PUT", `/flow-runs/${run.id}/messages/approved-by`, { value: { name: "Ada" } });
      assert.equal(created.status, 201);
      assert.equal((await request(server, "PUT", `/flow-runs/${run.id}/messages/approved-by`, { value: {} })).status, 409);
      assert.deepEqual((await request(server, "GET", `/flow-runs/${run.id}/messages/approved-by`)).body.value, { name: "Ada" });
      const filtered = await request(server, "GET", `/flow-runs/${run.id}/messages?keyPrefix=color&excludeKeys=color-9&limit=5`);
      assert.deepEqual(
        filtered.body.map((m: Message) => m.key),
        ["color-2"],
      );
      assert.equal((await request(server, "GET", `/flow-runs/${run.id}/messages?keyPrefix=Color`)).status, 400);
      assert.equal((await request(server, "DELETE", `/flow-runs/${run.id}/messages/approved-by`)).status, 204);
      assert.equal((await request(server, "DELETE", `/flow-runs/${run.id}/messages/approved-by`)).body.code, "MESSAGE_NOT_FOUND");

      const env = server.env;
      assert.equal((await runBaton(["flow-run", "input", "create", run.id, "note", "--input", '"hi"'], env)).code, 0);
      const read = await runBaton(["flow-run", "input", "read", run.id, "note"], env);
      assert.equal(read.stdout.trim(), '"hi"');
      const again = await runBaton(["flow-run", "input", "create", run.id, "note", "--input", "1"], env);
      assert.equal(again.code, 1);
      assert.match(again.stderr, /already has an input under the key "note"/);
      assert.equal((await runBaton(["flow-run", "input", "delete", run.id, "note"], env)).code, 0);
      await assert.rejects(client.readRunInput(run.id, "note"), MessageNotFoundError);
      const sent = await runBaton(["flow-run", "send", run.id, "--input", '{"a":1}', "--key", "note"], env);
      assert.equal(sent.code, 0, sent.stderr);
      const [message] = await client.listMessages(run.id, { keyPrefix: "note-" });
      assert.equal(message!.channel, "cli");
      assert.deepEqual(message!.value, { a: 1 });
      await assert.rejects(client.createRunInput(run.id, "size-1", 1), MessageExistsError);
    });
  });
}

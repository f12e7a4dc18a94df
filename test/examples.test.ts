// Each example in examples/ runs as a real flow process and is answered through the API, as a person would.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { createClient, type BatonClient } from "../src/client/index.ts";
import { InvalidInputError } from "../src/contract/errors.ts";
import type { FlowRun } from "../src/contract/index.ts";
import { waitForState, waitUntil } from "./support/api.ts";
import { backends, spawnNode, startTestServer, type Child, type TestServer } from "./support/processes.ts";
import { pushed } from "./support/pushed.ts";

for (const { backend, skip } of await backends()) {
  describe(`examples on ${backend}`, { skip }, () => {
    let server: TestServer;
    let client: BatonClient;
    before(async () => {
      // A short bound on the hand-over of an answer to the flow's process, for the test that stops the process.
      server = await startTestServer(backend, { BATON_INPUT_CHECK_TIMEOUT_SECONDS: "1" });
      client = createClient({ apiUrl: server.apiUrl });
    });
    after(() => server?.close());

    /** Starts `examples/<name>.ts` and waits until its run is paused under `key`. */
    async function startExample(name: string): Promise<{ flow: Child; run: FlowRun }> {
      const flow = spawnNode([`examples/${name}.ts`], server.env);
      await flow.waitForOutput("waiting for input");
      const { items } = await client.listFlowRuns({ state: "PAUSED", flowName: name });
      assert.equal(items.length, 1, `one paused ${name} run`);
      return { flow, run: items[0]! };
    }

    async function logMessages(id: string): Promise<string[]> {
      return (await client.listLogs(id)).map((l) => l.message);
    }

    test("greet-with-initial-data asks with the initial name as the form's default and its Markdown description", async () => {
      const { flow, run } = await startExample("greet-with-initial-data");
      const [asked] = await client.listRunInputs(run.id);
      const schema = asked!.schema as { properties: { name: { default: unknown } }; required?: string[] };
      assert.equal(schema.properties.name.default, "anonymous");
      assert.ok(!schema.required?.includes("name"), "a field with a starting value is not required");
      assert.deepEqual(asked!.initialData, { name: "anonymous" });
      assert.match(asked!.description ?? "", /\*\*Who are you\?\*\*/);
      assert.deepEqual(run.state.details.inputRequest?.initialData, { name: "anonymous" });

      // Resuming without input takes the form's starting value.
      await client.resume(run.id, {});
      assert.equal(await flow.exited, 0, flow.output());
      assert.match(flow.output(), /Hello, stranger!/);
      assert.ok((await logMessages(run.id)).includes("Hello, stranger!"));
      const [answer] = await client.listRunInputs(run.id);
      assert.deepEqual(answer!.response, { name: "anonymous" });
      assert.equal((await client.getFlowRun(run.id)).state.type, "COMPLETED");
    });

    test("greet-with-initial-data greets a person who gives their name by that name", async () => {
      const { flow, run } = await startExample("greet-with-initial-data");
      await client.resume(run.id, { input: { name: "Ada" } });
      assert.equal(await pushed(flow.exited, "the answered flow's end"), 0, flow.output());
      assert.ok((await logMessages(run.id)).includes("Hello, Ada!"));
      assert.doesNotMatch(flow.output(), /stranger/);
    });

    test("shirt-order logs the order it was given", async () => {
      const { flow, run } = await startExample("shirt-order");
      const schema = run.state.details.inputRequest!.schema as { properties: Record<string, { enum: string[] }> };
      assert.deepEqual(schema.properties.size!.enum, ["small", "medium", "large", "xlarge"]);
      assert.deepEqual(schema.properties.color!.enum, ["red", "green", "black"]);
      await client.resume(run.id, { input: { size: "medium", color: "green" } });
      assert.equal(await flow.exited, 0, flow.output());
      assert.ok((await logMessages(run.id)).includes("Shirt order: medium, green"));
      assert.equal((await client.getFlowRun(run.id)).state.type, "COMPLETED");
    });

    test("shirt-order refuses a size that is not offered with 422, and the run stays paused until a valid answer", async () => {
      const { flow, run } = await startExample("shirt-order");
      await assert.rejects(client.resume(run.id, { input: { size: "xxl", color: "red" } }), (e: unknown) => {
        assert.ok(e instanceof InvalidInputError);
        assert.deepEqual(
          e.errors.map((x) => x.path),
          ["/size"],
        );
        return true;
      });
      assert.equal((await client.getFlowRun(run.id)).state.type, "PAUSED");
      await client.resume(run.id, { input: { size: "xlarge", color: "black" } });
      assert.equal(await flow.exited, 0, flow.output());
      assert.ok((await logMessages(run.id)).includes("Shirt order: xlarge, black"));
    });

    test("shirt-order refuses a green small shirt before the run resumes, with the flow's own message on the color field", async () => {
      const { flow, run } = await startExample("shirt-order");
      // The JSON Schema cannot see the refine: the waiting flow process checks the answer before the server takes it.
      await assert.rejects(client.resume(run.id, { input: { size: "small", color: "green" } }), (e: unknown) => {
        assert.ok(e instanceof InvalidInputError);
        assert.deepEqual(e.errors, [{ path: "/color", message: "Green is only in-stock for medium, large, and XL sizes." }]);
        return true;
      });
      const still = await client.getFlowRun(run.id);
      assert.equal(still.state.type, "PAUSED");
      assert.equal(still.state.details.pauseKey, "1");
      assert.equal((await client.resume(run.id, { input: { size: "medium", color: "green" } })).validatedBy, "flow");
      assert.equal(await flow.exited, 0, flow.output());
      assert.ok((await logMessages(run.id)).includes("Shirt order: medium, green"));
    });

    test("shirt-order-retry: refused before resume while its process answers; with the process stopped past the bound, the answer goes on its JSON Schema and the retry loop asks again under key 2", async () => {
      const { flow, run } = await startExample("shirt-order-retry");
      assert.equal(run.state.details.pauseKey, "1");
      await assert.rejects(client.resume(run.id, { input: { size: "small", color: "green" } }), InvalidInputError);
      // A process that cannot answer in time (stopped here): the server takes the answer on its JSON Schema.
      flow.process.kill("SIGSTOP");
      let accepted: Awaited<ReturnType<BatonClient["resume"]>>;
      try {
        accepted = await client.resume(run.id, { input: { size: "small", color: "green" } });
      } finally {
        flow.process.kill("SIGCONT");
      }
      assert.equal(accepted.validatedBy, "schema");

      const again = await waitUntil("the flow pauses again under key 2", async () => {
        const r = await client.getFlowRun(run.id);
        return r.state.type === "PAUSED" && r.state.details.pauseKey === "2" ? r : undefined;
      });
      assert.equal(again.state.details.inputRequest?.schema.type, "object");
      const logs = await waitUntil("the error is logged", async () => {
        const messages = await logMessages(run.id);
        return messages.some((m) => m.startsWith("Invalid size and color combination:")) ? messages : undefined;
      });
      assert.ok(logs.some((m) => /Invalid size and color combination: .*Green is only in-stock for medium, large, and XL sizes\./.test(m)));

      await client.resume(run.id, { input: { size: "large", color: "green" } });
      assert.equal(await flow.exited, 0, flow.output());
      assert.ok((await logMessages(run.id)).includes("Shirt order: large, green"));
      assert.equal((await client.getFlowRun(run.id)).state.type, "COMPLETED");
      const inputs = await client.listRunInputs(run.id);
      assert.deepEqual(
        inputs.map((i) => [i.key, i.response, i.refusals?.length]),
        [
          ["1", { size: "small", color: "green" }, 1],
          ["2", { size: "large", color: "green" }, 0],
        ],
      );
    });
  });
}

import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { createClient, type BatonClient } from "../src/client/index.ts";
import type { FlowRun } from "../src/contract/index.ts";
import { validateInput } from "../src/server/input-validation.ts";
import { waitForState } from "./support/api.ts";
import { backends, runBaton, spawnNode, startTestServer, type Child, type TestServer } from "./support/processes.ts";
import { pushed } from "./support/pushed.ts";
import { DOWN, ERASE, hasScript, inTerminal } from "./support/terminal.ts";

/** Starts a flow file and resolves once its run waits at a pause. */
async function pausedFlow(server: TestServer, client: BatonClient, file: string, flowName: string): Promise<{ flow: Child; run: FlowRun }> {
  const flow = spawnNode([file], server.env);
  for (let i = 0; i < 300; i++) {
    const { items } = await client.listFlowRuns({ state: "PAUSED", flowName });
    if (items.length > 0) return { flow, run: await waitForState(client, items[0]!.id, "PAUSED") };
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${file} did not pause:\n${flow.output()}`);
}

for (const { backend, skip } of await backends()) {
  describe(`baton flow-run in a terminal on ${backend}`, { skip }, () => {
    let server: TestServer;
    let client: BatonClient;
    before(async () => {
      server = await startTestServer(backend);
      client = createClient({ apiUrl: server.apiUrl });
    });
    after(() => server?.close());

    test("resume asks a nested form field by field: a group, a list of groups with add and remove, a choice, a date with its form, a kept default; a refused list is the only thing asked again", {
      skip: !hasScript && "`script` (util-linux) is not installed",
      timeout: 180_000,
    }, async () => {
      const { flow, run } = await pausedFlow(server, client, "test/fixtures/nested-order.ts", "nested-order");
      const t = inTerminal(["flow-run", "resume", run.id, "--by", "prompter"], server.env);
      try {
        await t.expect("Customer › Name");
        t.type("Ada\r");
        await t.expect("Customer › Email");
        t.type("ada@\r");
        // Checked as typed, in the server's words; what was typed stays on the line to be corrected.
        await t.expect("Customer › Email must be a valid email address");
        t.type("example.com\r");

        await t.expect("Lines: 0 items");
        await t.expect("(at least 1 needed)");
        t.type("\r"); // add
        await t.expect("Lines › item 1 › Item");
        t.type(`${DOWN}\r`); // mug
        await t.expect("Lines › item 1 › Quantity");
        t.type(`${ERASE}2\r`);
        await t.expect("Lines: 1 item");
        await t.expect('1. {"item":"mug","qty":2}');
        t.type("\r"); // add
        await t.expect("Lines › item 2 › Item");
        t.type("\r"); // shirt
        await t.expect("Lines › item 2 › Quantity");
        t.type("\r"); // the default, 1
        await t.expect("Lines: 2 items");
        t.type(`${DOWN}\r`); // remove
        await t.expect("Remove which item of Lines?");
        t.type("\r"); // the mug
        await t.expect("Lines: 1 item");
        await t.expect('1. {"item":"shirt","qty":1}');
        t.type(`${DOWN}${DOWN}\r`); // done

        await t.expect("Tags: 0 items");
        t.type("\r");
        await t.expect("Tags › item 1");
        t.type("red\r");
        await t.expect("Tags: 1 item");
        t.type("\r");
        await t.expect("Tags › item 2");
        t.type("red\r");
        await t.expect("Tags: 2 items");
        t.type(`${DOWN}${DOWN}\r`);

        await t.expect("Delivery date (YYYY-MM-DD)");
        t.type("2026-02-30\r");
        await t.expect("Delivery date must be a valid date (YYYY-MM-DD)");
        t.type(`${ERASE.repeat(10)}2026-03-02\r`);
        await t.expect("Gift wrap (Y/n)"); // started at the pause's initial data
        t.type("\r");

        await t.expect("The answer does not fit the form yet:");
        await t.expect("Tags must not list the same item twice (items 1 and 2 are the same)");
        await t.expect("Asking again only what was refused");
        const again = t.offset;
        await t.expect("Tags: 2 items");
        t.type(`${DOWN}\r`);
        await t.expect("Remove which item of Tags?");
        t.type(`${DOWN}\r`);
        await t.expect("Tags: 1 item");
        t.type(`${DOWN}${DOWN}\r`);
        await t.expect(`Resumed flow run ${run.id}`);
        assert.equal(await t.closed, 0, t.output());
        // Nothing but the refused list was asked again.
        assert.doesNotMatch(t.since(again), /Customer|Lines|Delivery date|Gift wrap/);
      } finally {
        t.kill();
      }
      const answer = {
        customer: { name: "Ada", email: "ada@example.com" },
        lines: [{ item: "shirt", qty: 1 }],
        tags: ["red"],
        deliverOn: "2026-03-02",
        gift: true,
      };
      assert.equal(await pushed(flow.exited, "the answered flow's end"), 0, flow.output());
      assert.match(flow.output(), new RegExp(`answer ${JSON.stringify(answer).replace(/[{}[\]]/g, "\\$&")}`));
      const [input] = await client.listRunInputs(run.id);
      assert.deepEqual(input!.response, answer);
      assert.equal(input!.respondedBy, "prompter");
    });

    test("inspect lists nested fields, and for each example flow its suggested --input answer fits the schema and resumes the run", {
      timeout: 180_000,
    }, async () => {
      const flows: [string, string][] = [
        ["examples/greet-user.ts", "greet-user"],
        ["examples/greet-with-initial-data.ts", "greet-with-initial-data"],
        ["examples/shirt-order.ts", "shirt-order"],
        ["examples/shirt-order-retry.ts", "shirt-order-retry"],
        ["test/fixtures/nested-order.ts", "nested-order"],
      ];
      for (const [file, flowName] of flows) {
        const { flow, run } = await pausedFlow(server, client, file, flowName);
        const inspected = await runBaton(["flow-run", "inspect", run.id], server.env);
        assert.equal(inspected.code, 0, inspected.stderr);
        if (flowName === "nested-order") {
          assert.match(inspected.stdout, /^\s+customer\s+object\s+yes\s+Customer$/m);
          assert.match(inspected.stdout, /^\s+ {2}customer\.email\s+string\s+yes\s+email\s+Email$/m);
          assert.match(inspected.stdout, /^\s+ {2}lines\[\]\.item\s+string\s+yes\s+"shirt", "mug", "cap"\s+Item$/m);
          assert.match(inspected.stdout, /^\s+ {2}lines\[\]\.qty\s+integer\s+no\s+1\s+>= 1\s+Quantity$/m);
        }
        const line = /or: .* --input '(.*)'$/m.exec(inspected.stdout);
        assert.ok(line, `${flowName}: no example answer in\n${inspected.stdout}`);
        const example = JSON.parse(line[1]!.replaceAll(`'\\''`, "'"));
        const checked = validateInput(run.state.details.inputRequest!.schema, example);
        assert.ok(checked.ok, `${flowName}: ${JSON.stringify(example)} is refused: ${JSON.stringify(checked)}`);
        const resumed = await runBaton(["flow-run", "resume", run.id, "--input", JSON.stringify(example)], server.env);
        assert.equal(resumed.code, 0, `${flowName}: ${resumed.stderr}`);
        flow.kill();
        await flow.exited;
      }
    });
  });
}

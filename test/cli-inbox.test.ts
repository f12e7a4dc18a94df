// The CLI's side of tags, comments and time zones, run as a person runs it: `baton flow-run ls --tag`,
// `resume --comment`, and times printed with their UTC offset.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { z } from "zod";
import { createClient, type BatonClient } from "../src/client/index.ts";
import { toInputRequest } from "../src/sdk/run-input.ts";
import { backends, runBaton, startTestServer, type TestServer } from "./support/processes.ts";

const Approval = toInputRequest(z.object({ approved: z.boolean() }));

for (const { backend, skip } of await backends()) {
  describe(`baton flow-run with tags and comments (${backend})`, { skip }, () => {
    let server: TestServer;
    let client: BatonClient;
    let env: Record<string, string>;
    before(async () => {
      server = await startTestServer(backend);
      client = createClient({ apiUrl: server.apiUrl });
      env = { BATON_API_URL: server.apiUrl, TZ: "America/New_York" };
    });
    after(async () => {
      await client?.close();
      await server?.close();
    });

    test("ls --tag lists only the runs with that tag", async () => {
      const tagged = await client.createFlowRun({ flowName: "cli-tags", tags: ["team:finance"] });
      const other = await client.createFlowRun({ flowName: "cli-tags" });
      const out = await runBaton(["flow-run", "ls", "--tag", "team:finance"], env);
      assert.equal(out.code, 0, out.stderr);
      assert.match(out.stdout, new RegExp(tagged.id));
      assert.doesNotMatch(out.stdout, new RegExp(other.id));
      const none = await runBaton(["flow-run", "ls", "--tag", "nobody-uses-this"], env);
      assert.equal(none.stdout.trim(), "No flow runs match.");
    });

    test("resume --comment keeps the comment with the answer; inspect shows it, the tags, and times with their offset", async () => {
      const run = await client.createFlowRun({ flowName: "cli-comment", state: { type: "RUNNING" }, tags: ["urgent"] });
      await client.pause(run.id, { key: "approve", timeoutSeconds: 3600, inputRequest: Approval });
      const resumed = await runBaton(
        ["flow-run", "resume", run.id, "--input", '{"approved":false}', "--comment", "Too expensive; ask again in May", "--wait", "0"],
        env,
      );
      assert.equal(resumed.code, 0, resumed.stderr);
      assert.equal((await client.listRunInputs(run.id))[0]!.comment, "Too expensive; ask again in May");

      const inspect = await runBaton(["flow-run", "inspect", run.id], env);
      assert.equal(inspect.code, 0, inspect.stderr);
      assert.match(inspect.stdout, /^Tags {8}urgent$/m);
      assert.match(inspect.stdout, /approve, .* wrote:\n\s+Too expensive; ask again in May/);
      // November in New York: five hours behind UTC.
      assert.match(inspect.stdout, /^Created {5}\d{4}-\d\d-\d\d \d\d:\d\d:\d\d -05:00$/m);
      const hours = (iso: string) => new Date(Date.parse(iso) - 5 * 3600_000).toISOString().slice(11, 16);
      assert.match(inspect.stdout, new RegExp(`Created {5}\\S+ ${hours(run.createdAt)}`), "the creation time, in New York's hours");

      const tooLong = await runBaton(["flow-run", "resume", run.id, "--comment", "x".repeat(2001)], env);
      assert.equal(tooLong.code, 1);
      assert.match(tooLong.stderr, /comment/);
    });
  });
}

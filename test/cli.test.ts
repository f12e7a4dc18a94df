import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { z } from "zod";
import { createClient, type BatonClient } from "../src/client/index.ts";
import type { FlowRun } from "../src/contract/index.ts";
import { RunInput, toInputRequest, toJsonSchema, type WaitForInput } from "../src/sdk/run-input.ts";
import { waitForState } from "./support/api.ts";
import { createTempDatabase } from "./support/postgres.ts";
import { backends, spawnNode, startTestServer, type Child, type TestServer } from "./support/processes.ts";
import { pushed } from "./support/pushed.ts";
import { DOWN, ERASE, hasScript, inTerminal } from "./support/terminal.ts";

/** What a finished CLI process printed, apart, and how it exited. */
interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Collects a child's stdout and stderr apart; `closed` waits for both streams to end, not just the exit. */
function collect(child: Child): { readonly stdout: string; readonly stderr: string; closed: Promise<number | null> } {
  let stdout = "";
  let stderr = "";
  child.process.stdout!.on("data", (d: Buffer) => (stdout += d.toString()));
  child.process.stderr!.on("data", (d: Buffer) => (stderr += d.toString()));
  const closed = new Promise<number | null>((resolve) => child.process.on("close", (code) => resolve(code)));
  return {
    get stdout() {
      return stdout;
    },
    get stderr() {
      return stderr;
    },
    closed,
  };
}

/** Runs `baton <args>` as a person would, in a child process, and waits for it to end. */
async function baton(args: string[], env: Record<string, string>): Promise<CliResult> {
  const out = collect(spawnNode(["src/cli/main.ts", ...args], env));
  const code = await out.closed;
  return { code, stdout: out.stdout, stderr: out.stderr };
}

/** Asserts that an error came out as one line of stderr, without a stack trace. */
function assertOneLine(result: CliResult, pattern: RegExp): void {
  assert.equal(result.stderr.trim().split("\n").length, 1, `expected one line on stderr, got:\n${result.stderr}`);
  assert.match(result.stderr, pattern);
  assert.doesNotMatch(result.stderr, /^\s+at /m);
}

/** A run paused through the API as the SDK pauses one, with no flow process behind it. */
async function pausedRun(client: BatonClient, flowName: string, waitForInput?: WaitForInput, key = "1"): Promise<FlowRun> {
  const run = await client.createFlowRun({ flowName, state: { type: "RUNNING" } });
  const result = await client.pause(run.id, { key, timeoutSeconds: 3600, inputRequest: waitForInput ? toInputRequest(waitForInput) : null });
  assert.equal(result.status, "PAUSED");
  return (result as { flowRun: FlowRun }).flowRun;
}

/** Starts examples/greet-user.ts and resolves once its run waits for a name. */
async function startGreetUser(server: TestServer, client: BatonClient, seen: Set<string>): Promise<{ flow: Child; run: FlowRun }> {
  const flow = spawnNode(["examples/greet-user.ts"], server.env);
  await flow.waitForOutput("waiting for input");
  const { items } = await client.listFlowRuns({ state: "PAUSED", flowName: "greet-user" });
  const fresh = items.filter((r) => !seen.has(r.id));
  assert.equal(fresh.length, 1);
  seen.add(fresh[0]!.id);
  return { flow, run: fresh[0]! };
}

/** Splits a command line printed for a POSIX shell into its words (single quotes only, as the CLI prints them). */
function shellWords(line: string): string[] {
  return [...line.matchAll(/'((?:[^']|'\\'')*)'|(\S+)/g)].map((m) => (m[1] !== undefined ? m[1].replaceAll(`'\\''`, "'") : m[2]!));
}

const ShirtOrder = RunInput.from(
  z.object({
    name: z.string().min(1).describe("Your name"),
    size: z.enum(["small", "medium", "large"]),
    quantity: z.number().int().min(1).max(10),
    gift: z.boolean().default(false),
    note: z.string().optional(),
  }),
).withInitialData({ quantity: 1 }, { description: "**Which shirt?** Green is out of stock." });

for (const { backend, skip } of await backends()) {
  describe(`baton flow-run on ${backend}`, { skip }, () => {
    let server: TestServer;
    let client: BatonClient;
    const seen = new Set<string>();
    before(async () => {
      server = await startTestServer(backend);
      client = createClient({ apiUrl: server.apiUrl });
    });
    after(() => server?.close());

    test("ls prints a table of runs, --json the API objects, and --state keeps only the runs in that state", async () => {
      const paused = await pausedRun(client, "ls-paused", ShirtOrder);
      const done = await client.createFlowRun({ flowName: "ls-done", state: { type: "RUNNING" } });
      await client.setFlowRunState(done.id, { type: "COMPLETED" });

      const table = await baton(["flow-run", "ls"], server.env);
      assert.equal(table.code, 0, table.stderr);
      assert.match(table.stdout, /^ID\s+NAME\s+FLOW\s+STATE\s+CREATED\s+SINCE$/m);
      assert.match(table.stdout, new RegExp(`^${paused.id}\\s+${paused.name}\\s+ls-paused\\s+Paused\\s`, "m"));
      assert.match(table.stdout, new RegExp(`^${done.id}\\s+${done.name}\\s+ls-done\\s+Completed\\s`, "m"));

      const json = await baton(["flow-run", "ls", "--json"], server.env);
      assert.equal(json.code, 0, json.stderr);
      const runs = JSON.parse(json.stdout) as FlowRun[];
      assert.deepEqual(new Set(runs.map((r) => r.id)), new Set([paused.id, done.id]));
      assert.equal(runs.find((r) => r.id === paused.id)!.state.details.pauseKey, "1");

      const onlyPaused = await baton(["flow-run", "ls", "--state", "paused", "--json"], server.env);
      assert.deepEqual(
        (JSON.parse(onlyPaused.stdout) as FlowRun[]).map((r) => r.id),
        [paused.id],
      );
      const byFlow = await baton(["flow-run", "ls", "--flow", "ls-done"], server.env);
      assert.match(byFlow.stdout, new RegExp(done.id));
      assert.doesNotMatch(byFlow.stdout, new RegExp(paused.id));
      await client.cancel(paused.id);
    });

    test("inspect of a paused run shows its pause key, when it times out, each field of its schema, and its description", async () => {
      const run = await pausedRun(client, "inspect-me", ShirtOrder, "shirt");
      const result = await baton(["flow-run", "inspect", run.id], server.env);
      assert.equal(result.code, 0, result.stderr);
      const out = result.stdout;
      assert.match(out, /State\s+Paused \(PAUSED\)/);
      assert.match(out, /Waiting at pause "shirt"; times out \d{4}-\d\d-\d\d \d\d:\d\d:\d\d [+-]\d\d:\d\d \(in (59m|1h)\)/);
      assert.match(out, /\*\*Which shirt\?\*\* Green is out of stock\./);
      assert.match(out, /^\s+name\s+string\s+yes\s+min length 1\s+Your name$/m);
      assert.match(out, /^\s+size\s+string\s+yes\s+"small", "medium", "large"$/m);
      assert.match(out, /^\s+quantity\s+integer\s+no\s+1\s+>= 1, <= 10$/m);
      assert.match(out, /^\s+gift\s+boolean\s+no\s+false$/m);
      assert.match(out, /^\s+shirt\s+\S+ \S+ [+-]\d\d:\d\d\s+-\s+-\s+-\s+\(waiting\)$/m);
      assert.match(out, new RegExp(`flow-run resume ${run.id} --input '\\{"name":"<name>","size":"small","quantity":1,"gift":false\\}'`));

      const json = JSON.parse((await baton(["flow-run", "inspect", run.id, "--json"], server.env)).stdout);
      assert.equal(json.flowRun.id, run.id);
      assert.equal(json.inputs[0].key, "shirt");
      await client.cancel(run.id);
    });

    test("resume --input answers the greet-user flow, which greets the person by name; inspect shows the answer", async () => {
      const { flow, run } = await startGreetUser(server, client, seen);
      const result = await baton(["flow-run", "resume", run.id, "--input", '{"name":"Ada"}', "--by", "ada"], server.env);
      assert.equal(result.code, 0, result.stderr);
      assert.match(result.stdout, new RegExp(`Resumed flow run ${run.id}`));
      assert.match(result.stdout, new RegExp(`^Flow run ${run.id} completed\\.$`, "m"), "it follows the run to its end");
      assert.equal(await pushed(flow.exited, "the answered flow's end"), 0, flow.output());
      assert.match(flow.output(), /Hello, Ada!/);

      const inspected = await baton(["flow-run", "inspect", run.id], server.env);
      assert.match(inspected.stdout, /State\s+Completed \(COMPLETED\)/);
      assert.match(inspected.stdout, /^\s+1\s+.+\s+cli\s+ada\s+\{"name":"Ada"\}$/m);
    });

    test("resume with bad JSON or an answer the schema refuses exits 1 with a clear message, and the run stays paused", async () => {
      const { flow, run } = await startGreetUser(server, client, seen);
      const badJson = await baton(["flow-run", "resume", run.id, "--input", "{name: Ada}"], server.env);
      assert.equal(badJson.code, 1);
      assertOneLine(badJson, /^error: --input is not valid JSON \(.+\)\. Quote the answer as JSON/);

      const refused = await baton(["flow-run", "resume", run.id, "--input", '{"name":""}'], server.env);
      assert.equal(refused.code, 1);
      assert.equal(
        refused.stderr,
        `error: The answer does not match what the pause asks for; flow run ${run.id} is still paused.\n  name must not be empty\n`,
      );
      const missing = await baton(["flow-run", "resume", run.id], server.env);
      assert.equal(missing.code, 1);
      assert.match(missing.stderr, /^ {2}name is required$/m);
      assert.equal((await client.getFlowRun(run.id)).state.type, "PAUSED");
      assert.deepEqual(await client.listRunInputs(run.id).then((i) => i.map((x) => x.respondedAt)), [null]);

      // Still paused, and still answerable.
      assert.equal((await baton(["flow-run", "resume", run.id, "--input", '{"name":"Bob"}'], server.env)).code, 0);
      assert.equal(await flow.exited, 0, flow.output());
      assert.match(flow.output(), /Hello, Bob!/);
    });

    test("a pause whose schema the server refuses fails its flow at once, and inspect says why; an answer past the limits is one line", async () => {
      const flow = spawnNode(["test/fixtures/flows.ts", "unusable-schema"], server.env);
      assert.equal(await flow.exited, 1, flow.output());
      assert.match(flow.output(), /flow threw BadRequestError: The input schema of pause "1" cannot be used to check answers: a pattern uses syntax/);
      const id = /run-id (\S+)/.exec(flow.output())![1]!;
      const inspect = await baton(["flow-run", "inspect", id], server.env);
      assert.equal(inspect.code, 0, inspect.stderr);
      assert.match(inspect.stdout, /Failed/);
      assert.match(inspect.stdout, /the linear-time engine \(RE2\) does not support.*lookahead, lookbehind and backreferences are not available/);

      const run = await pausedRun(client, "cli-limits", z.object({ v: z.unknown() }));
      const deep = await baton(["flow-run", "resume", run.id, "--input", `{"v":${"[".repeat(100)}${"]".repeat(100)}}`], server.env);
      assert.equal(deep.code, 1);
      assertOneLine(deep, /^error: The request body at \/input\/v\/0\/.* is nested deeper than 64 levels; the limits are in the README/);
      assert.equal((await client.getFlowRun(run.id)).state.type, "PAUSED");
    });

    test("resume of an unknown id exits 1 with one line naming the id", async () => {
      const result = await baton(["flow-run", "resume", "no-such-run", "--input", "{}"], server.env);
      assert.equal(result.code, 1);
      assertOneLine(result, /^error: No flow run has the id no-such-run; list runs with `baton flow-run ls`\.$/m);
    });

    test("a second answer to the same pause exits 1 saying the run is no longer paused", async () => {
      const run = await pausedRun(client, "answered-twice");
      // No process runs it (--wait 0: nothing to follow).
      assert.equal((await baton(["flow-run", "resume", run.id, "--wait", "0"], server.env)).code, 0);
      const again = await baton(["flow-run", "resume", run.id], server.env);
      assert.equal(again.code, 1);
      assertOneLine(again, new RegExp(`^error: Flow run ${run.id} is not paused: it is Running`));
    });

    test("cancel of a paused run ends the flow process without running the code after the pause", async () => {
      const { flow, run } = await startGreetUser(server, client, seen);
      const result = await baton(["flow-run", "cancel", run.id, "--reason", "nobody is there"], server.env);
      assert.equal(result.code, 0, result.stderr);
      assert.match(result.stdout, new RegExp(`Cancelled flow run ${run.id}`));
      assert.notEqual(await flow.exited, 0);
      assert.doesNotMatch(flow.output(), /Hello,/);
      const after = await client.getFlowRun(run.id);
      assert.equal(after.state.type, "CANCELLED");
      assert.equal(after.state.message, "nobody is there");

      const again = await baton(["flow-run", "cancel", run.id], server.env);
      assert.equal(again.code, 1);
      assertOneLine(again, /cannot go from CANCELLED to CANCELLED/);
    });

    test("logs --follow prints the lines so far, then the greeting, and exits 0 when the run completes", async () => {
      const { flow, run } = await startGreetUser(server, client, seen);
      const child = spawnNode(["src/cli/main.ts", "flow-run", "logs", run.id, "--follow"], server.env);
      const out = collect(child);
      await child.waitForOutput('Paused at "1"');
      await client.resume(run.id, { input: { name: "Grace" } });
      assert.equal(await out.closed, 0, child.output());
      assert.match(out.stdout, /\| INFO {4}\| Paused at "1"; waiting for input/);
      assert.match(out.stdout, /\| INFO {4}\| Hello, Grace!\n$/);
      assert.equal(out.stdout.match(/Hello, Grace!/g)!.length, 1);
      assert.match(out.stderr, new RegExp(`Flow run ${run.id} ended: Completed\\.`));
      assert.equal(await flow.exited, 0);

      const once = await baton(["flow-run", "logs", run.id], server.env);
      assert.equal(once.code, 0);
      assert.equal(once.stdout, out.stdout);
    });

    test("resume in a terminal asks field by field: text, a select, a bounded number, a confirm, an optional field", {
      skip: !hasScript && "`script` (util-linux) is not installed",
    }, async () => {
      const run = await pausedRun(client, "order-by-prompt", ShirtOrder);
      const t = inTerminal(["flow-run", "resume", run.id, "--by", "prompter", "--wait", "0"], server.env);
      try {
        await t.expect("name (Your name)");
        t.type("Ada\r");
        await t.expect("size");
        t.type(`${DOWN}\r`); // down to "medium"
        await t.expect("quantity (≥ 1, ≤ 10)");
        t.type(`${ERASE}3\r`); // erase the default 1, type 3
        await t.expect("gift");
        t.type("y\r");
        await t.expect("note");
        t.type("\r"); // left out
        assert.equal(await t.closed, 0, t.output());
      } finally {
        t.kill();
      }
      const output = t.output();
      assert.match(output, /\*\*Which shirt\?\*\*/);
      assert.match(output, new RegExp(`Resumed flow run ${run.id}`));
      const [input] = await client.listRunInputs(run.id);
      assert.deepEqual(input!.response, { name: "Ada", size: "medium", quantity: 3, gift: true });
      assert.equal(input!.channel, "cli");
      assert.equal(input!.respondedBy, "prompter");
    });

    test("resume without --input and without a terminal sends no input, which a form of defaults accepts", async () => {
      const run = await pausedRun(client, "all-defaults", RunInput.from(z.object({ ok: z.boolean().default(true) })));
      const result = await baton(["flow-run", "resume", run.id, "--wait", "0"], server.env);
      assert.equal(result.code, 0, result.stderr);
      assert.deepEqual((await client.listRunInputs(run.id))[0]!.response, { ok: true });
    });

    test("a wrong command line exits 2, and an unreachable server exits 1, each with one line", async () => {
      const badLimit = await baton(["flow-run", "ls", "--limit", "0"], server.env);
      assert.equal(badLimit.code, 2);
      assertOneLine(badLimit, /--limit <n>.*whole number from 1 to 1000/);
      const badState = await baton(["flow-run", "ls", "--state", "SLEEPING"], server.env);
      assert.equal(badState.code, 2);
      assertOneLine(badState, /"SLEEPING" is not a state/);
      const noId = await baton(["flow-run", "inspect"], server.env);
      assert.equal(noId.code, 2);
      assertOneLine(noId, /missing required argument 'id'/);

      const unreachable = await baton(["--api-url", "http://127.0.0.1:9/api", "flow-run", "ls"], server.env);
      assert.equal(unreachable.code, 1);
      assertOneLine(unreachable, /^error: No Baton server answers at http:\/\/127\.0\.0\.1:9\/api\./);
    });
  });

  // The input check off: the flow's own rules then run after the run resumed, as they do when no process
  // holding the code answers the check in time.
  describe(`baton flow-run resume follows the run it answered, on ${backend}`, { skip }, () => {
    let server: TestServer;
    before(async () => {
      server = await startTestServer(backend, { BATON_INPUT_CHECK_TIMEOUT_SECONDS: "0" });
    });
    after(() => server?.close());

    /** Starts a scenario of test/fixtures/flows.ts; resolves once its run pauses. */
    async function pausedScenario(scenario: string): Promise<{ flow: Child; id: string }> {
      const flow = spawnNode(["test/fixtures/flows.ts", scenario], server.env);
      const id = /run-id (\S+)/.exec(await flow.waitForOutput(/run-id \S+/))![1]!;
      await waitForState(createClient({ apiUrl: server.apiUrl }), id, "PAUSED");
      return { flow, id };
    }

    test("an answer the flow refuses after resuming exits 1 with the flow's reason; the next answer completes the run, and it says so", async () => {
      const { flow, id } = await pausedScenario("refine-again");
      const refused = await baton(["flow-run", "resume", id, "--input", '{"quantity":3}'], server.env);
      assert.equal(refused.code, 1, refused.stdout);
      assert.match(refused.stdout, new RegExp(`^Resumed flow run ${id} \\(.+\\); it is Running now\\.$`, "m"));
      assert.equal(
        refused.stderr,
        `error: The flow refused the answer; flow run ${id} asks again at pause "order". Answer again with \`baton flow-run resume ${id}\`.\n` +
          "  quantity: Shirts come in pairs; order an even number.\n",
      );
      const accepted = await baton(["flow-run", "resume", id, "--input", '{"quantity":4}'], server.env);
      assert.equal(accepted.code, 0, accepted.stderr);
      assert.match(accepted.stdout, new RegExp(`^Flow run ${id} completed\\.$`, "m"));
      assert.equal(await flow.exited, 0, flow.output());
      assert.match(flow.output(), /order 4/);
    });

    test("a run that fails after its answer is told as failed, with the failure's message, not as a success", async () => {
      const { flow, id } = await pausedScenario("refine");
      const result = await baton(["flow-run", "resume", id, "--input", '{"quantity":3}'], server.env);
      assert.equal(result.code, 0, result.stderr);
      assert.match(
        result.stdout,
        new RegExp(`^Flow run ${id} ended Failed: .*Shirts come in pairs.*; see why with \`baton flow-run logs ${id}\`\\.$`, "m"),
      );
      await flow.exited;
    });

    test("a run still going when --wait runs out is told so, with the way to follow it", async () => {
      const run = await pausedRun(createClient({ apiUrl: server.apiUrl }), "nobody-runs-it");
      const result = await baton(["flow-run", "resume", run.id, "--wait", "0.5"], server.env);
      assert.equal(result.code, 0, result.stderr);
      assert.match(
        result.stdout,
        new RegExp(`^Flow run ${run.id} is Running 0.5 s after the answer; follow it with \`baton flow-run logs ${run.id} --follow\`\\.$`, "m"),
      );
      const badWait = await baton(["flow-run", "resume", run.id, "--wait", "soon"], server.env);
      assert.equal(badWait.code, 2);
      assert.match(badWait.stderr, /--wait <seconds>.*use a number of seconds from 0 to 3600/);
    });

    test("asked in a terminal, an answer the flow refuses after resuming is told and only the refused field is asked again", {
      skip: !hasScript && "`script` (util-linux) is not installed",
    }, async () => {
      const { flow, id } = await pausedScenario("refine-again");
      const t = inTerminal(["flow-run", "resume", id], server.env);
      try {
        await t.expect("quantity");
        t.type("3\r");
        await t.expect("Shirts come in pairs; order an even number.");
        await t.expect("Asking again only what was refused");
        await t.expect("quantity");
        t.type(`${ERASE}4\r`);
        assert.equal(await t.closed, 0, t.output());
      } finally {
        t.kill();
      }
      assert.match(t.output(), new RegExp(`Flow run ${id} completed\\.`));
      assert.equal(await flow.exited, 0, flow.output());
      assert.match(flow.output(), /order 4/);
    });
  });

  describe(`baton deployment on ${backend}`, { skip }, () => {
    let server: TestServer;
    let client: BatonClient;
    let examples: Child;
    before(async () => {
      server = await startTestServer(backend);
      client = createClient({ apiUrl: server.apiUrl });
      examples = spawnNode(["examples/serve-examples.ts"], server.env);
      await examples.waitForOutput("Serving greet-user, greet-with-initial-data, shirt-order, shirt-order-retry");
      // A deployment whose flow declares parameters, with no process serving it: runs of it stay scheduled.
      await client.registerDeployment({
        name: "expense",
        flowName: "expense",
        description: "Approves an expense.\nAsks a manager first.",
        parameterSchema: toJsonSchema(z.object({ amount: z.number().positive().describe("In euros"), note: z.string().optional() })),
      });
    });
    after(async () => {
      examples?.kill("SIGTERM");
      await examples?.exited;
      await server?.close();
    });

    /** Runs `baton deployment run ...` and returns the id of the run it started. */
    async function startRun(args: string[]): Promise<string> {
      const result = await baton(["deployment", "run", ...args], server.env);
      assert.equal(result.code, 0, result.stderr);
      const id = /^Started flow run (\S+) \(\S+\) of deployment \S+; it is Scheduled\.$/m.exec(result.stdout)?.[1];
      assert.ok(id, result.stdout);
      assert.match(result.stdout, new RegExp(`^Follow it: baton flow-run logs ${id} --follow$`, "m"));
      return id;
    }

    test("ls lists each served example with its flow, parameters and when it was last served; --json the API objects", async () => {
      const [table, json] = await Promise.all([baton(["deployment", "ls"], server.env), baton(["deployment", "ls", "--json"], server.env)]);
      assert.equal(table.code, 0, table.stderr);
      assert.match(table.stdout, /^NAME\s+FLOW\s+DESCRIPTION\s+PARAMETERS\s+LAST SERVED$/m);
      for (const name of ["greet-user", "greet-with-initial-data", "shirt-order", "shirt-order-retry"])
        assert.match(table.stdout, new RegExp(`^${name}\\s+${name}\\s+-\\s+\\d+s ago$`, "m"));
      assert.match(table.stdout, /^expense\s+expense\s+Approves an expense\.\s+amount, note\?\s+\d+s ago$/m);

      const names = (JSON.parse(json.stdout) as { name: string }[]).map((d) => d.name).sort();
      assert.deepEqual(names, ["expense", "greet-user", "greet-with-initial-data", "shirt-order", "shirt-order-retry"]);
    });

    test("inspect shows the parameters as a field table and how to start a run", async () => {
      const [result, greet] = await Promise.all([
        baton(["deployment", "inspect", "expense"], server.env),
        baton(["deployment", "inspect", "greet-user", "--json"], server.env),
      ]);
      assert.equal(result.code, 0, result.stderr);
      assert.match(result.stdout, /^Description {2}Approves an expense\.\n {13}Asks a manager first\.$/m);
      assert.match(result.stdout, /^\s+amount\s+number\s+yes\s+> 0\s+In euros$/m);
      assert.match(result.stdout, /^\s+note\s+string\s+no$/m);
      assert.match(result.stdout, /^Start a run: baton deployment run expense --param amount=1$/m);
      assert.equal(JSON.parse(greet.stdout).flowName, "greet-user");
    });

    test("run --param starts a run that the serving process executes; answered with flow-run resume, its logs greet by name", async () => {
      const id = await startRun(["greet-user", "--param", "who=Ada Lovelace", "--param", "tries=3", "--param", 'tag="7"']);
      assert.deepEqual((await client.getFlowRun(id)).parameters, { who: "Ada Lovelace", tries: 3, tag: "7" });
      await waitForState(client, id, "PAUSED");
      const answered = await baton(["flow-run", "resume", id, "--input", '{"name":"Ada"}'], server.env);
      assert.equal(answered.code, 0, answered.stderr);
      await waitForState(client, id, "COMPLETED");
      const logs = await baton(["flow-run", "logs", id], server.env);
      assert.match(logs.stdout, /\| INFO {4}\| Hello, Ada!$/m);
    });

    test("run --watch follows the run's logs, says how to answer it, and exits 0 once it ends", async () => {
      const child = spawnNode(["src/cli/main.ts", "deployment", "run", "greet-user", "--watch"], server.env);
      const out = collect(child);
      const printed = await child.waitForOutput(/waits for an answer: baton flow-run resume \S+\n/);
      const id = /waits for an answer: baton flow-run resume (\S+)\n/.exec(printed)![1]!;
      await client.resume(id, { input: { name: "Grace" } });
      assert.equal(await out.closed, 0, child.output());
      assert.match(out.stdout, /\| INFO {4}\| Hello, Grace!\n$/);
      assert.match(out.stderr, new RegExp(`Flow run ${id} ended: Completed\\.`));
    });

    test("run with parameters the schema refuses exits 1 with one line per field, and creates no run; --param wins over --params", async () => {
      const refused = await baton(["deployment", "run", "expense", "--param", "amount=-5", "--param", "extra=1"], server.env);
      assert.equal(refused.code, 1);
      assert.match(refused.stderr, /^error: The parameters do not fit what deployment expense takes; no run was created\.\n/);
      assert.match(refused.stderr, /^ {2}amount must be more than 0$/m);
      assert.match(refused.stderr, /^ {2}"extra" is not a field of this form$/m);
      assert.equal(refused.stderr.trim().split("\n").length, 3, refused.stderr);
      assert.deepEqual((await client.listFlowRuns({ flowName: "expense" })).items, []);

      const id = await startRun(["expense", "--params", '{"amount":12.5,"note":"taxi"}', "--param", "note=lunch"]);
      assert.deepEqual((await client.getFlowRun(id)).parameters, { amount: 12.5, note: "lunch" });
      await client.cancel(id);
    });

    test("an unknown deployment, --params that is no JSON object, and --param without = are each refused with one line", async () => {
      // Independent commands, run at once to keep the test short.
      const [unknown, inspected, notObject, notJson, noValue] = await Promise.all([
        baton(["deployment", "run", "no-such-flow"], server.env),
        baton(["deployment", "inspect", "no-such-flow"], server.env),
        baton(["deployment", "run", "expense", "--params", "[1]"], server.env),
        baton(["deployment", "run", "expense", "--params", "{amount: 1}"], server.env),
        baton(["deployment", "run", "expense", "--param", "amount"], server.env),
      ]);
      assert.equal(unknown.code, 1);
      assertOneLine(unknown, /^error: No deployment is named "no-such-flow"; list them with `baton deployment ls`\./);
      assert.equal(inspected.code, 1);
      assertOneLine(inspected, /^error: No deployment is named "no-such-flow"/);

      assert.equal(notObject.code, 1);
      assertOneLine(notObject, /^error: --params is not a JSON object \(it is an array\)\./);
      assert.equal(notJson.code, 1);
      assertOneLine(notJson, /^error: --params is not a JSON object \(.+\)\./);
      assert.equal(noValue.code, 2);
      assertOneLine(noValue, /"amount" is not key=value/);
      assert.deepEqual((await client.listFlowRuns({ flowName: "expense", state: ["SCHEDULED", "PENDING", "RUNNING"] })).items, []);
    });
  });

  describe(`baton server start on ${backend}`, { skip }, () => {
    let home: string;
    let db: { url: string; drop: () => Promise<void> } | undefined;
    const env = () => ({ BATON_HOME: home, BATON_DATABASE_URL: db?.url ?? "" });
    before(async () => {
      home = mkdtempSync(join(tmpdir(), "baton-cli-test-"));
      if (backend === "postgres") db = await createTempDatabase();
    });
    after(async () => {
      await db?.drop();
      rmSync(home, { recursive: true, force: true });
    });

    test("a port already in use gives one clear line and a non-zero exit", async () => {
      const taken = createServer();
      await new Promise<void>((resolve) => taken.listen(0, "127.0.0.1", resolve));
      const port = (taken.address() as { port: number }).port;
      try {
        const result = await baton(["server", "start", "--port", String(port)], env());
        assert.equal(result.code, 1);
        assertOneLine(result, new RegExp(`^error: Port ${port} on 127\\.0\\.0\\.1 is already in use`));
      } finally {
        taken.close();
      }
    });

    test("--with-examples serves the examples and starts a paused greet-user run that the printed command answers; Ctrl+C stops it all", async () => {
      const server = spawnNode(["src/cli/main.ts", "server", "start", "--port", "0", "--with-examples"], env());
      try {
        const database = backend === "postgres" ? "PostgreSQL \\S+/baton_test_\\w+" : `SQLite ${home}/baton\\.sqlite`;
        await server.waitForOutput(
          new RegExp(
            `Baton server at http://127\\.0\\.0\\.1:\\d+ \\(open it in a browser to answer runs; API at http://127\\.0\\.0\\.1:\\d+/api\\), database ${database}\\. Paused runs: `,
          ),
        );
        const answerIt = /Answer it: (.+) \(or leave out --input to be asked\)\.\n/;
        const startOne =
          /Start a run of any example \(greet-user, greet-with-initial-data, shirt-order, shirt-order-retry\): (.+ deployment run <name>.*); list them: (.+)\.\n/;
        await server.waitForOutput(startOne);
        const words = shellWords(answerIt.exec(server.output())![1]!);
        const args = words.slice(words.indexOf("flow-run"));
        assert.deepEqual(args.slice(0, 2), ["flow-run", "resume"]);
        const runId = args[2]!;
        const [servingProcess] = execFileSync("pgrep", ["-P", String(server.process.pid)], { encoding: "utf8" })
          .trim()
          .split("\n")
          .map(Number);
        assert.ok(servingProcess);

        const answered = await baton(args, {});
        assert.equal(answered.code, 0, answered.stderr);
        await server.waitForOutput(/\[examples\] .*Hello, Ada!/);

        // The printed command starts any example; this run is left waiting when the server stops.
        const runWords = shellWords(startOne.exec(server.output())![1]!.replace("<name>", "greet-with-initial-data"));
        const started = await baton(runWords.slice(runWords.indexOf("deployment")), {});
        assert.equal(started.code, 0, started.stderr);
        const apiUrl = /API at (\S+)\)/.exec(server.output())![1]!;
        const client = createClient({ apiUrl });
        const waiting = /Started flow run (\S+)/.exec(started.stdout)![1]!;
        await waitForState(client, waiting, "PAUSED");
        assert.equal((await client.getFlowRun(runId)).state.type, "COMPLETED");

        server.kill("SIGINT");
        assert.equal(await server.exited, 0, server.output());
        assert.match(server.output(), /Stopped\.\n$/);
        assert.doesNotMatch(server.output(), /\[examples\] exited/);
        assert.throws(() => process.kill(servingProcess!, 0), { code: "ESRCH" }, "the serving process is gone");
      } finally {
        server.kill("SIGKILL");
      }
    });
  });
}

// `baton serve FILE...` across real processes: a server, the CLI serving modules from a project
// directory, and runs started and answered through the API.
import assert from "node:assert/strict";
import { cpSync, symlinkSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { createClient, type BatonClient } from "../src/client/index.ts";
import { DeploymentNotFoundError } from "../src/contract/errors.ts";
import { waitForState, waitUntil } from "./support/api.ts";
import { spawnNode, startTestServer, type Child, type TestServer } from "./support/processes.ts";
import { PUSHED_MS } from "./support/pushed.ts";
import { tempProject } from "./support/temp-project.ts";

const ROOT = new URL("../", import.meta.url).pathname;
const CLI = join(ROOT, "src/cli/main.ts");

/** A pausing flow in a module of its own, named `name`, written in JavaScript. */
function pausingFlow(name: string, sdk = "baton"): string {
  return `import { z } from "zod";
import { flow, getRunLogger, pauseFlowRun } from "${sdk}";
export const waiting = flow("${name}", async () => {
  const answer = await pauseFlowRun({ waitForInput: z.string() });
  getRunLogger().info("${name} got " + answer);
});
`;
}

const project = tempProject({
  "package.json": JSON.stringify({ name: "serve-test", private: true, type: "module" }),
  "flows/expense.ts": `import { z } from "zod";
import { flow, getRunLogger, pauseFlowRun, RunInput } from "baton";

const Approval = RunInput.from(z.object({ approved: z.boolean(), comment: z.string() }));
interface Expense {
  amount: number;
}

export const expense = flow({ name: "serve-expense", parameters: z.object({ amount: z.number().positive() }) }, async ({ amount }: Expense) => {
  const decision = await pauseFlowRun({ waitForInput: Approval });
  getRunLogger().info(\`serve-expense \${amount}: \${decision.approved ? "approved" : "rejected"} (\${decision.comment})\`);
  return decision.approved;
});
`,
  "flows/greet.mjs": `import { z } from "zod";
import { flow, getRunLogger, pauseFlowRun } from "baton";
export default flow("serve-greet", async () => {
  const name = await pauseFlowRun({ waitForInput: z.string() });
  getRunLogger().info(\`Hello, \${name}!\`);
});
`,
  // Would fail the whole command if a pattern picked it up.
  "flows/expense.test.ts": `throw new Error("a test file was imported");\n`,
  "limit/one.mjs": pausingFlow("serve-limit"),
  "stop/wait.mjs": pausingFlow("serve-stop"),
  "bad/none.ts": `export const notAFlow = () => 1;\n`,
  "bad/throws.mjs": `throw new Error("no config at import");\n`,
  "bad/syntax.ts": `export const amount: number = ;\n`,
  "bad/fine.mjs": pausingFlow("never-served"),
  "dup/a.mjs": pausingFlow("same-name"),
  "dup/b.ts": pausingFlow("same-name"),
  "dup/reexport.mjs": `export { waiting as again } from "./a.mjs";\n`,
  "copy/own.ts": pausingFlow("serve-own-copy", "../vendor/baton/src/sdk/index.ts"),
});

/** Runs `baton serve <args>` in the project directory. */
function serveIn(args: string[], env: Record<string, string>): Child {
  return spawnNode([CLI, "serve", ...args], env, { cwd: project });
}

/** The exit code of a command that should end by itself; one still running after `ms` is killed and fails the test. */
async function exitCode(child: Child, ms = 15_000): Promise<number | null> {
  const timer = setTimeout(() => child.kill("SIGKILL"), ms);
  const code = await child.exited;
  clearTimeout(timer);
  assert.notEqual(child.process.signalCode, "SIGKILL", `still running after ${ms} ms; output:\n${child.output()}`);
  return code;
}

/** Stops a serving process with SIGTERM and returns its exit code. */
async function stop(child: Child): Promise<number | null> {
  child.kill("SIGTERM");
  return exitCode(child);
}

describe("baton serve", () => {
  let server: TestServer;
  let client: BatonClient;
  before(async () => {
    server = await startTestServer("sqlite");
    client = createClient({ apiUrl: server.apiUrl });
  });
  after(() => server?.close());

  test("serves the flows of a .ts module (found by a pattern, its test file left out) and an .mjs one; a run of each is answered and completes", async () => {
    const serving = serveIn(["flows/*.ts", "flows/greet.mjs"], server.env);
    const out = await serving.waitForOutput("Ctrl+C stops");
    assert.match(out, /^Serving deployment serve-expense \(flows\/expense\.ts, export expense\)$/m);
    assert.match(out, /^Serving deployment serve-greet \(flows\/greet\.mjs, export default\)$/m);
    assert.doesNotMatch(out, /test file/);

    const expense = await client.runDeployment("serve-expense", { amount: 120 });
    const greet = await client.runDeployment("serve-greet", {});
    await waitForState(client, expense.id, "PAUSED");
    await waitForState(client, greet.id, "PAUSED");
    await client.resume(expense.id, { input: { approved: true, comment: "ok" } });
    await client.resume(greet.id, { input: "Ada" });
    await serving.waitForOutput("serve-expense 120: approved (ok)", PUSHED_MS);
    await serving.waitForOutput("Hello, Ada!", PUSHED_MS);
    await waitForState(client, expense.id, "COMPLETED");
    await waitForState(client, greet.id, "COMPLETED");
    assert.equal(await stop(serving), 0, serving.output());
  });

  test("--limit 1 runs one run at a time: a second run waits, scheduled, until the first ends", async () => {
    const serving = serveIn(["limit/one.mjs", "--limit", "1"], server.env);
    assert.match(await serving.waitForOutput("Ctrl+C stops"), /up to 1 runs at once/);
    const first = await client.runDeployment("serve-limit", {});
    await waitForState(client, first.id, "PAUSED");
    const second = await client.runDeployment("serve-limit", {});
    // Long enough for the server to push the new run and for a process without the limit to claim it.
    await new Promise((r) => setTimeout(r, 1500));
    assert.equal((await client.getFlowRun(second.id)).state.type, "SCHEDULED");
    await client.resume(first.id, { input: "one" });
    await waitForState(client, second.id, "PAUSED");
    await client.resume(second.id, { input: "two" });
    await waitForState(client, second.id, "COMPLETED");
    assert.equal(await stop(serving), 0, serving.output());
  });

  test("a --limit that is not a whole number of 1 or more is refused in one line, before anything is imported", async () => {
    for (const limit of ["0", "-3", "1.5", "many"]) {
      const serving = serveIn(["flows/greet.mjs", "--limit", limit], server.env);
      assert.equal(await exitCode(serving), 2, serving.output());
      assert.equal(serving.output().trim().split("\n").length, 1, serving.output());
      assert.match(serving.output(), /--limit.*whole number of runs, 1 or more/);
    }
  });

  test("a module exporting no flow, one that throws on import, one with a syntax error, a missing file and a pattern matching nothing: one line each naming it, exit 1, nothing served", async () => {
    const serving = serveIn(["bad/none.ts", "bad/throws.mjs", "bad/syntax.ts", "bad/missing.ts", "nothing/*.ts", "bad/fine.mjs"], server.env);
    assert.equal(await exitCode(serving), 1, serving.output());
    const lines = serving.output().trim().split("\n");
    assert.deepEqual(
      lines.map((l) => /^error: (\S+):/.exec(l)?.[1]),
      ["nothing/*.ts", "bad/none.ts", "bad/throws.mjs", "bad/syntax.ts", "bad/missing.ts"],
      serving.output(),
    );
    assert.match(lines[0]!, /matches no module/);
    assert.match(lines[1]!, /exports no flow/);
    assert.match(lines[2]!, /could not be imported: no config at import \(bad\/throws\.mjs:1\)$/);
    assert.match(lines[3]!, /could not be imported: Expression expected \(bad\/syntax\.ts:1\)$/);
    assert.match(lines[4]!, /no such file$/);
    await assert.rejects(client.getDeployment("never-served"), DeploymentNotFoundError);
  });

  test("two flows of one name in two modules are refused in one line naming both; a flow exported twice counts once", async () => {
    const serving = serveIn(["dup/a.mjs", "dup/reexport.mjs", "dup/b.ts"], server.env);
    assert.equal(await exitCode(serving), 1, serving.output());
    assert.equal(
      serving.output().trim(),
      'error: two flows are named "same-name": dup/a.mjs (export waiting) and dup/b.ts (export waiting); a deployment is named after its flow, so rename one',
    );
    await assert.rejects(client.getDeployment("same-name"), DeploymentNotFoundError);
  });

  test("SIGTERM stops serving gracefully: a run waiting for an answer is suspended, the process exits 0, and a later serve finishes it once answered", async () => {
    const serving = serveIn(["stop/wait.mjs"], server.env);
    await serving.waitForOutput("Ctrl+C stops");
    const run = await client.runDeployment("serve-stop", {});
    await waitForState(client, run.id, "PAUSED");
    assert.equal(await stop(serving), 0, serving.output());
    assert.match(serving.output(), /^Stopping \(SIGTERM\)/m);
    assert.match(serving.output(), /^Stopped\.$/m);
    const suspended = await client.getFlowRun(run.id);
    assert.equal(suspended.state.details.suspended, true, JSON.stringify(suspended.state));

    await client.resume(run.id, { input: "later" });
    const again = serveIn(["stop/wait.mjs"], server.env);
    await waitForState(client, run.id, "COMPLETED");
    await again.waitForOutput("serve-stop got later");
    assert.equal(await stop(again), 0, again.output());
  });

  test("a module that loaded its own copy of Baton has its flows run inside that copy, so they can pause", async () => {
    const copy = join(project, "vendor/baton");
    cpSync(join(ROOT, "src"), join(copy, "src"), { recursive: true, filter: (path) => !path.endsWith(".test.ts") });
    cpSync(join(ROOT, "package.json"), join(copy, "package.json"));
    symlinkSync(join(ROOT, "node_modules"), join(copy, "node_modules"), "dir");
    const serving = serveIn(["copy/own.ts"], server.env);
    await serving.waitForOutput("Ctrl+C stops");
    const run = await client.runDeployment("serve-own-copy", {});
    // Served through the CLI's copy, its pauseFlowRun would find no current run and fail it.
    const { state } = await waitUntil(`flow run ${run.id} pauses or ends`, async () => {
      const current = await client.getFlowRun(run.id);
      return ["PAUSED", "FAILED", "COMPLETED"].includes(current.state.type) ? current : undefined;
    });
    assert.equal(state.type, "PAUSED", state.message ?? "");
    await client.resume(run.id, { input: "hi" });
    await waitForState(client, run.id, "COMPLETED");
    await serving.waitForOutput("serve-own-copy got hi");
    assert.equal(await stop(serving), 0, serving.output());
  });
});

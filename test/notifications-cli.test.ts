// baton channel / automation / delivery as a person runs them, against a real server process.
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { createClient, type BatonClient } from "../src/client/index.ts";
import { pausedRun, waitUntil } from "./support/api.ts";
import { spawnNode, startTestServer, type TestServer } from "./support/processes.ts";
import { startHttpReceiver, verifySignature, type HttpReceiver } from "./support/receivers.ts";

async function baton(args: string[], env: Record<string, string>): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawnNode(["src/cli/main.ts", ...args], env);
  let stdout = "";
  let stderr = "";
  child.process.stdout!.on("data", (d: Buffer) => (stdout += d));
  child.process.stderr!.on("data", (d: Buffer) => (stderr += d));
  const code = await new Promise<number | null>((resolve) => child.process.on("close", resolve));
  return { code, stdout, stderr };
}

describe("baton channel, automation and delivery", () => {
  let server: TestServer;
  let client: BatonClient;
  let hooks: HttpReceiver;
  let dir: string;
  const run = (...args: string[]) => baton(args, { BATON_API_URL: server.apiUrl });
  before(async () => {
    hooks = await startHttpReceiver();
    server = await startTestServer("sqlite", { BATON_DELIVERY_MAX_ATTEMPTS: "2", BATON_DELIVERY_RETRY_SECONDS: "0.1" });
    client = createClient({ apiUrl: server.apiUrl });
    dir = mkdtempSync(join(tmpdir(), "baton-cli-"));
  });
  after(async () => {
    await server?.close();
    await hooks?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  test("channel add prints the secret once, ls lists, test sends a signed message, rm removes", async () => {
    const added = await run("channel", "add", "ops", "--type", "webhook", "--url", hooks.url);
    assert.equal(added.code, 0, added.stderr);
    const secret = /^\s+(whsec_\S+)$/m.exec(added.stdout)?.[1];
    assert.ok(secret, added.stdout);
    const ls = await run("channel", "ls");
    assert.match(ls.stdout, /^NAME\s+TYPE\s+WHERE\s+ADDED\nops\s+webhook\s+http:\/\/127\.0\.0\.1/);
    assert.doesNotMatch(ls.stdout, /whsec_/);
    const tested = await run("channel", "test", "ops");
    assert.equal(tested.code, 0, tested.stderr);
    assert.match(tested.stdout, /Delivered a test message to ops/);
    const hit = hooks.received.at(-1)!;
    assert.equal(hit.body.event, "test");
    assert.ok(verifySignature(secret, hit.headers["baton-signature"] as string, hit.raw));

    hooks.respond = () => 503;
    const failed = await run("channel", "test", "ops");
    hooks.respond = () => 200;
    assert.equal(failed.code, 1);
    assert.match(failed.stderr, /^error: The test message to ops failed: 127\.0\.0\.1:\d+ answered HTTP 503: nope\. It is retried/);

    const missing = await run("channel", "add", "bad", "--type", "webhook");
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /^error: A webhook channel needs --url\.$/m);
    const removed = await run("channel", "rm", "ops");
    assert.equal(removed.code, 0, removed.stderr);
    assert.equal((await client.listChannels()).length, 0);
  });

  test("automation create --file, ls, inspect, disable, enable, rm; delivery ls shows attempts and errors", async () => {
    await client.createChannel({ name: "hooks", type: "webhook", url: hooks.url });
    const file = join(dir, "automation.json");
    writeFileSync(
      file,
      JSON.stringify({
        name: "tell ops",
        trigger: { type: "event", events: ["flow-run.paused"], flowName: ["cli-flow"] },
        actions: [{ type: "notify", channel: "hooks" }],
      }),
    );
    const created = await run("automation", "create", "--file", file);
    assert.equal(created.code, 0, created.stderr);
    const id = /\(([^)]+)\)\.$/m.exec(created.stdout)![1]!;
    assert.match((await run("automation", "ls")).stdout, /tell ops\s+yes\s+flow-run\.paused \(flow cli-flow\)\s+notify hooks/);
    assert.equal(JSON.parse((await run("automation", "inspect", id)).stdout).name, "tell ops");

    assert.match((await run("automation", "disable", id)).stdout, /is disabled/);
    const quiet = await pausedRun(client, { flowName: "cli-flow" });
    await new Promise((r) => setTimeout(r, 1500));
    assert.equal((await client.listDeliveries({ flowRunId: quiet.id })).length, 0, "a disabled automation does nothing");
    assert.match((await run("automation", "enable", id)).stdout, /is enabled/);

    hooks.respond = () => 500;
    const loud = await pausedRun(client, { flowName: "cli-flow" });
    await waitUntil("the delivery fails", async () => (await client.listDeliveries({ flowRunId: loud.id, status: "FAILED" })).length);
    hooks.respond = () => 200;
    const ls = await run("delivery", "ls", "--run", loud.id);
    assert.match(
      ls.stdout,
      /^ID\s+STATUS\s+TO\s+EVENT\s+ATTEMPTS\s+CREATED\s+NEXT TRY\s+LAST ERROR\n\S+\s+FAILED\s+hooks\s+flow-run\.paused\s+2\/2\s+.*answered HTTP 500/,
    );

    const bad = join(dir, "bad.json");
    writeFileSync(
      bad,
      JSON.stringify({ name: "x", trigger: { type: "event", events: ["flow-run.paused"] }, actions: [{ type: "notify", channel: "nope" }] }),
    );
    const refused = await run("automation", "create", "--file", bad);
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /^error: No channel is named "nope"; add it with `baton channel add` first/);
    assert.equal((await run("automation", "rm", id)).code, 0);
    assert.equal((await client.listAutomations()).length, 0);
  });
});

// The web UI sends a message to a flow that is receiving: a form generated from what the flow declared it
// receives, checked in the browser, then by the server, and read by the flow in its own process.
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { after, before, describe, test } from "node:test";
import type { Browser } from "playwright-core";
import { createClient, type BatonClient } from "../src/client/index.ts";
import { CHROMIUM, launchChromium } from "./support/browser.ts";
import { waitForState, waitUntil } from "./support/api.ts";
import { spawnNode, startTestServer, type TestServer } from "./support/processes.ts";

const ready = existsSync(CHROMIUM) && existsSync(new URL("../ui/dist/index.html", import.meta.url).pathname);

describe("sending a message from the web UI", { skip: ready ? false : "no Chromium or no built UI" }, () => {
  let server: TestServer;
  let client: BatonClient;
  let browser: Browser;
  before(async () => {
    [server, browser] = await Promise.all([startTestServer("sqlite"), launchChromium()]);
    client = createClient({ apiUrl: server.apiUrl });
  });
  after(async () => {
    await browser?.close();
    await client?.close();
    await server?.close();
  });

  test("a receiving run shows a form of what it receives; a wrong value stays in the browser, a right one reaches the flow", {
    timeout: 120_000,
  }, async (t) => {
    const serving = spawnNode(["test/fixtures/message-flows.ts"], server.env);
    t.after(() => serving.kill("SIGKILL"));
    await serving.waitForOutput("Serving collector", 60_000);
    const run = await client.runDeployment("collector");
    await waitUntil("the flow to declare what it receives", async () => (await client.listReceivers(run.id)).length > 0, 60_000);

    const page = await browser.newPage();
    const problems: string[] = [];
    page.on("pageerror", (e) => problems.push(e.message));
    let sends = 0;
    page.on("request", (r) => {
      if (r.method() === "POST" && /\/messages$/.test(r.url())) sends++;
    });
    await page.goto(`${new URL(server.apiUrl).origin}/runs/${run.id}`);
    await page.getByRole("heading", { name: "Send a message" }).waitFor();
    await page.locator("#message-item_n").fill("2.5");
    await page.getByRole("button", { name: "Send" }).click();
    await page.locator(".message-form .error-detail, .message-form .text-danger, .message-form [id*='__error']").first().waitFor();
    assert.equal(sends, 0, "the browser kept a value that is not a whole number");

    await page.locator("#message-item_n").fill("7");
    await page.getByRole("button", { name: "Send" }).click();
    await page.getByText(/Sent as “item-/).waitFor();
    await page.locator("#message-item_n").fill("0");
    await page.getByRole("button", { name: "Send" }).click();
    await waitForState(client, run.id, "COMPLETED", 60_000);
    const logs = (await client.listLogs(run.id)).map((l) => l.message);
    assert.ok(logs.includes("Collected [7,0]"), logs.join("\n"));
    const messages = await client.listMessages(run.id);
    assert.deepEqual(
      messages.map((m) => [m.value, m.channel]),
      [
        [{ n: 7 }, "ui"],
        [{ n: 0 }, "ui"],
      ],
    );
    assert.deepEqual(problems, []);
  });
});

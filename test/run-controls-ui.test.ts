// Suspend and Retry as a person uses them in the web UI: a real server, a serving process, headless Chromium.
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import type { Browser } from "playwright-core";
import { createClient, type BatonClient } from "../src/client/index.ts";
import { waitForState, waitUntil } from "./support/api.ts";
import { CHROMIUM, launchChromium } from "./support/browser.ts";
import { backends, spawnNode, startTestServer, type TestServer } from "./support/processes.ts";

const BUILT = existsSync(new URL("../ui/dist/index.html", import.meta.url));
const skip = !existsSync(CHROMIUM) ? `no Chromium at ${CHROMIUM}` : !BUILT ? "the web UI is not built (npm run build:ui)" : false;

for (const { backend, skip: pgSkip } of await backends()) {
  describe(`run controls in the web UI on ${backend}`, { skip: skip || pgSkip }, () => {
    let server: TestServer;
    let client: BatonClient;
    let browser: Browser;
    let effectsFile: string;
    before(async () => {
      [server, browser] = await Promise.all([startTestServer(backend), launchChromium()]);
      client = createClient({ apiUrl: server.apiUrl });
      effectsFile = join(mkdtempSync(join(tmpdir(), "baton-run-controls-ui-")), "effects.log");
      writeFileSync(effectsFile, "");
    });
    after(async () => {
      await browser?.close();
      await server?.close();
    });

    test("Suspend… stops a running deployment run at its next task; once cancelled, Retry runs it again and it completes, each step once", {
      timeout: 60_000,
    }, async (t) => {
      const worker = spawnNode(["test/fixtures/run-controls-flows.ts", "serve"], { ...server.env, SIDE_EFFECTS_FILE: effectsFile });
      t.after(() => worker.kill());
      await worker.waitForOutput("Serving steps");
      const { id } = await client.runDeployment("steps", {});
      const effects = () =>
        readFileSync(effectsFile, "utf8")
          .split("\n")
          .filter((l) => l.startsWith(`${id} `))
          .map((l) => l.split(" ").slice(1, 3).join(" "));
      await waitUntil("step 1 ran", () => effects().length === 1);

      const page = await browser.newPage();
      const problems: string[] = [];
      page.on("pageerror", (e) => problems.push(e.message));
      await page.goto(`${new URL(server.apiUrl).origin}/runs/${id}`);
      await page.getByRole("button", { name: "Suspend…" }).click();
      const dialog = page.getByRole("dialog");
      await dialog.getByRole("button", { name: "Keep it running" }).click();
      assert.equal((await client.getFlowRun(id)).state.name, "Running", "going back suspends nothing");
      await page.getByRole("button", { name: "Suspend…" }).click();
      await dialog.getByRole("button", { name: "Suspend run" }).click();
      await page.locator(".run-header .state-badge", { hasText: "Suspending" }).waitFor();
      assert.equal(await page.getByRole("button", { name: "Suspend…" }).count(), 0, "no second suspend is offered");
      writeFileSync(`${effectsFile}.${id}.go`, "");
      await page.locator(".run-header .state-badge", { hasText: "Suspended" }).waitFor({ timeout: 15_000 });
      assert.deepEqual(effects(), ["step 1", "gate passed"]);

      await client.cancel(id, "not tonight");
      await page.getByRole("button", { name: "Retry" }).click();
      await page.locator(".run-header .state-badge", { hasText: "Completed" }).waitFor({ timeout: 15_000 });
      await waitForState(client, id, "COMPLETED");
      assert.deepEqual(effects(), ["step 1", "gate passed", "step 2", "step 3"]);
      assert.equal(await page.getByRole("button", { name: "Retry" }).count(), 0, "a completed run offers no retry");
      assert.deepEqual(problems, []);
      await page.close();
    });
  });
}

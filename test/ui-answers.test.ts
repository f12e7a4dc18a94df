// What a person sees after answering, in a real headless Chromium against a real server and real flows:
// the run followed until it completes, fails or asks again (with why the last answer was refused), drafts
// kept across reloads and restarts, and who answered first when two people answer one question.
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { describe, test } from "node:test";
import { z } from "zod";
import { pausedRun, waitForState } from "./support/api.ts";
import { browserSuite, CHROMIUM, openPage } from "./support/browser.ts";
import { backends, spawnNode } from "./support/processes.ts";

const BUILT = existsSync(new URL("../ui/dist/index.html", import.meta.url));
const skip = !existsSync(CHROMIUM) ? `no Chromium at ${CHROMIUM}` : !BUILT ? "the web UI is not built (npm run build:ui)" : false;
if (skip && process.env.CI) throw new Error(`The browser tests cannot run in CI: ${skip}.`);

const Order = z.object({
  name: z.string().min(1).describe("Who the order is for"),
  size: z.enum(["small", "medium", "large"]),
  notes: z.string().optional(),
});

for (const { backend, skip: pgSkip } of await backends()) {
  describe(`answering in the web UI on ${backend}`, { skip: skip || pgSkip }, () => {
    // The flows' own checks off: these follow answers the flow refuses after resuming (no process checked them in
    // time); validate-before-resume.test.ts shows the same refusals made before the run resumes.
    const suite = browserSuite(backend, { BATON_INPUT_CHECK_TIMEOUT_SECONDS: "0" });
    test("shirt-order-retry answered small + green in the inbox: the pane shows the flow's new question, why the answer was refused, and then Completed", {
      timeout: 90_000,
    }, async (t) => {
      const { server, client, browser, base } = suite;
      const flow = spawnNode(["examples/shirt-order-retry.ts"], server.env);
      t.after(() => flow.kill());
      const page = await openPage(browser);
      await page.goto(`${base}/`);
      await page.locator(".inbox-item", { hasText: "shirt-order-retry" }).click();
      await page.locator("#answer_size").selectOption({ label: "small" });
      await page.locator("#answer_color").selectOption({ label: "green" });
      await page.getByRole("button", { name: "Submit answer" }).click();

      const refused = page.getByTestId("refused");
      await refused.getByText("The answer to pause “1” was refused by the flow, which asks again").waitFor({ timeout: 20_000 });
      assert.match(await refused.innerText(), /Color: Green is only in-stock for medium, large, and XL sizes\./);
      await page.locator(".answer-meta", { hasText: "Paused at “2”" }).waitFor();
      // The refused answer is there to correct, the flow's reason on the field it names.
      assert.equal(await page.locator("#answer_size option:checked").textContent(), "small");
      assert.match((await page.locator("#answer_color__error").textContent()) ?? "", /Green is only in-stock/);
      assert.equal(await page.getByText("Completed").count(), 0);

      await page.locator("#answer_size").selectOption({ label: "medium" });
      await page.getByRole("button", { name: "Submit answer" }).click();
      await page.getByTestId("outcome").getByText("Completed: the run took your answer and finished.").waitFor({ timeout: 20_000 });
      assert.equal(await flow.exited, 0, flow.output());
      const inputs = await client.listRunInputs((await client.listFlowRuns({ flowName: "shirt-order-retry" })).items[0]!.id);
      assert.deepEqual(
        inputs.map((i) => [i.key, i.response]),
        [
          ["1", { size: "small", color: "green" }],
          ["2", { size: "medium", color: "green" }],
        ],
      );
      assert.deepEqual(page.problems, []);
      await page.close();
    });

    test("shirt-order answered small + green: the pane says Failed with the flow's message, never that all went well", {
      timeout: 90_000,
    }, async (t) => {
      const { server, client, browser, base } = suite;
      const flow = spawnNode(["examples/shirt-order.ts"], server.env);
      t.after(() => flow.kill());
      const page = await openPage(browser);
      await page.goto(`${base}/`);
      await page.locator(".inbox-item", { hasText: "shirt-order" }).first().click();
      await page.locator("#answer_size").selectOption({ label: "small" });
      await page.locator("#answer_color").selectOption({ label: "green" });
      await page.getByRole("button", { name: "Submit answer" }).click();
      const outcome = page.getByTestId("outcome");
      await outcome.getByText(/^Failed: The answer to pause "1" failed validation: color: Green is only in-stock/).waitFor({ timeout: 20_000 });
      assert.equal(await outcome.getAttribute("role"), "alert");
      assert.equal(await page.locator(".banner-success").count(), 0, "no success banner beside the failure");
      await page.locator(".answer-header .state-badge", { hasText: "Failed" }).waitFor();
      await flow.exited;
      assert.deepEqual(page.problems, []);
      await page.close();
    });

    if (backend !== "sqlite") return;

    test("what a person typed survives a reload and a server restart, and is forgotten once the answer is accepted", {
      timeout: 90_000,
    }, async () => {
      const { server, client, browser, base } = suite;
      const run = await pausedRun(client, { flowName: "order", waitForInput: Order });
      const page = await openPage(browser);
      await page.goto(`${base}/inbox/${run.id}`);
      await page.locator("#answer_name").fill("Ada Lovelace");
      await page.locator("#answer_size").selectOption({ label: "large" });

      await page.reload();
      assert.equal(await page.locator("#answer_name").inputValue(), "Ada Lovelace");
      await server.stop();
      await page.locator(".connection-reconnecting").waitFor();
      await server.restart();
      await page.locator(".connection-live").waitFor({ timeout: 20_000 });
      await page.reload();
      await page.locator("#answer_name").waitFor();
      assert.equal(await page.locator("#answer_name").inputValue(), "Ada Lovelace");
      assert.equal(await page.locator("#answer_size option:checked").textContent(), "large");

      await page.getByRole("button", { name: "Submit answer" }).click();
      await page.getByTestId("outcome").waitFor();
      assert.deepEqual((await client.listRunInputs(run.id))[0]?.response, { name: "Ada Lovelace", size: "large" });
      assert.equal(await page.evaluate(`Object.keys(localStorage).filter((k) => k.startsWith("baton.draft.")).length`), 0);
      assert.deepEqual(page.problems, []);
      await page.close();
    });

    test("two people, one question: the second is told who answered first and when, and keeps what they typed, read-only and copyable", {
      timeout: 90_000,
    }, async () => {
      const { server, client, browser, base } = suite;
      const run = await pausedRun(client, { flowName: "order", waitForInput: Order });
      const [ann, bea] = [await openPage(browser), await openPage(browser)];
      await bea.context().grantPermissions(["clipboard-read", "clipboard-write"], { origin: base });
      await Promise.all([ann.goto(`${base}/inbox/${run.id}`), bea.goto(`${base}/runs/${run.id}`)]);
      await bea.locator("#answer_name").fill("Bea's customer");
      await bea.locator("#answer_notes").fill("Deliver after 5 pm, ring twice");

      await ann.locator("#answer_name").fill("Ann's customer");
      await ann.locator("#answer_size").selectOption({ label: "small" });
      await ann.getByLabel("Answering as").fill("Ann");
      await ann.getByRole("button", { name: "Submit answer" }).click();

      const told = bea.getByTestId("answered-elsewhere");
      await told
        .getByText(/Someone answered first: pause “1” was answered by Ann through the web UI, (just now|\d+ seconds? ago)\. The run is now Running\./)
        .waitFor();
      const kept = bea.getByRole("region", { name: "What you had typed, as JSON" });
      assert.deepEqual(JSON.parse(await kept.innerText()), { name: "Bea's customer", notes: "Deliver after 5 pm, ring twice" });
      assert.equal(await bea.locator("#answer_name").count(), 0, "nothing left to send");
      await bea.getByRole("button", { name: "Copy" }).click();
      assert.match(await bea.evaluate("navigator.clipboard.readText()"), /Deliver after 5 pm, ring twice/);
      assert.deepEqual([...ann.problems, ...bea.problems], []);
      await Promise.all([ann.close(), bea.close()]);
    });

    test("greet-user asks for “Your name” once; a paused run's duration ticks, and the inbox and the pane say the same wait", {
      timeout: 90_000,
    }, async (t) => {
      const { server, client, browser, base } = suite;
      const flow = spawnNode(["examples/greet-user.ts"], server.env);
      t.after(() => flow.kill());
      const page = await openPage(browser);
      await page.goto(`${base}/`);
      const item = page.locator(".inbox-item", { hasText: "greet-user" });
      await item.click();
      await page.locator("#answer_name").waitFor();
      // The question's field says "Your name"; the optional name of who answers must not say it again.
      assert.equal(await page.locator(".answer-pane").getByText("Your name", { exact: true }).count(), 1);
      assert.equal(await page.getByLabel("Answering as").count(), 1);
      const runId = (await item.getAttribute("data-run-id"))!;
      await waitForState(client, runId, "PAUSED");
      // Both read the same clock: "waiting 2 min" in the list and in the pane.
      const waited = /waiting (\d+ \w+)/;
      assert.equal(waited.exec(await item.innerText())?.[1], waited.exec(await page.locator(".answer-meta").innerText())?.[1]);

      await page.goto(`${base}/runs/${runId}`);
      const duration = page.locator(".run-facts div", { hasText: "Duration" }).locator("dd");
      const first = await duration.innerText();
      await page.waitForTimeout(2500);
      assert.notEqual(await duration.innerText(), first, "the duration of a waiting run goes on");
      assert.deepEqual(page.problems, []);
      await page.close();
    });
  });
}

// The inbox as a person uses it, in a real headless Chromium against a real server: filters, search and
// sort kept in the URL, counts per flow, "waiting for me", bulk answers with an outcome per run, a
// comment kept with an answer, and the display settings (theme, density, time zone) checked with axe-core.
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { describe, test } from "node:test";
import type { Browser, Page } from "playwright-core";
import { z } from "zod";
import type { BatonClient } from "../src/client/index.ts";
import type { FlowRun, PauseBody } from "../src/contract/index.ts";
import { toInputRequest } from "../src/sdk/run-input.ts";
import { waitUntil } from "./support/api.ts";
import { accessibilityViolations, browserSuite, CHROMIUM } from "./support/browser.ts";
import { backends } from "./support/processes.ts";

const BUILT = existsSync(new URL("../ui/dist/index.html", import.meta.url));
const skip = !existsSync(CHROMIUM) ? `no Chromium at ${CHROMIUM}` : !BUILT ? "the web UI is not built (npm run build:ui)" : false;
if (skip && process.env.CI) throw new Error(`The browser tests cannot run in CI: ${skip}.`);

const YesNo = toInputRequest(z.boolean().describe("Approve?"));
const Approval = toInputRequest(z.object({ approved: z.boolean() }));
const Size = toInputRequest(z.object({ size: z.enum(["S", "M", "L"]) }));

/** A page that records script errors, so that a test can say none happened. */
async function openPage(
  browser: Browser,
  options: { colorScheme?: "light" | "dark"; timezoneId?: string } = {},
): Promise<Page & { problems: string[] }> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, ...options });
  const page = (await context.newPage()) as Page & { problems: string[] };
  page.problems = [];
  page.on("pageerror", (e) => page.problems.push(`page error: ${e.message}`));
  return page;
}

/** The run ids the inbox lists, top to bottom. */
async function listed(page: Page): Promise<string[]> {
  return page.locator(".inbox-list .inbox-item").evaluateAll((els) => els.map((e) => e.getAttribute("data-run-id") ?? ""));
}

/** Waits until the inbox lists exactly `ids`, in that order. */
async function waitForList(page: Page, ids: string[]): Promise<void> {
  await waitUntil(`the inbox lists ${ids.join(", ")}`, async () => (await listed(page)).join() === ids.join());
}

async function paused(client: BatonClient, flowName: string, pause: Partial<PauseBody> = {}, tags?: string[], name?: string): Promise<FlowRun> {
  const run = await client.createFlowRun({ flowName, state: { type: "RUNNING" }, ...(tags ? { tags } : {}), ...(name ? { name } : {}) });
  const result = await client.pause(run.id, { key: "approve", timeoutSeconds: 3600, inputRequest: YesNo, ...pause });
  assert.equal(result.status, "PAUSED");
  return (result as { flowRun: FlowRun }).flowRun;
}

for (const { backend, skip: pgSkip } of await backends()) {
  describe(`the inbox's filters in the browser (${backend})`, { skip: skip || pgSkip }, () => {
    const suite = browserSuite(backend);

    test("filters by tag and flow, searches and sorts on the server, counts per flow, and keeps all of it in the URL across a reload", {
      timeout: 90_000,
    }, async () => {
      const soon = await paused(suite.client, "expense", { timeoutSeconds: 600 }, ["finance"], "taxi-receipt");
      const acme = await paused(
        suite.client,
        "invoice",
        { inputRequest: { ...Approval, description: "Pay the **ACME** invoice" } },
        ["finance"],
        "march-invoice",
      );
      const later = await paused(suite.client, "expense", { timeoutSeconds: null }, ["finance", "travel"], "train-ticket");
      const other = await paused(suite.client, "shirt-order", { inputRequest: Size }, [], "blue-shirt");

      const page = await openPage(suite.browser);
      await page.goto(`${suite.base}/`);
      await waitForList(page, [other.id, later.id, acme.id, soon.id]);
      assert.equal(await page.getByTestId("inbox-count").textContent(), "4");

      await page.getByPlaceholder("Tag").fill("finance");
      await page.getByPlaceholder("Tag").press("Enter");
      await waitForList(page, [later.id, acme.id, soon.id]);
      const counts = page.getByRole("list", { name: "Waiting runs per flow" });
      await counts.getByRole("button", { name: "expense 2" }).waitFor();
      await counts.getByRole("button", { name: "invoice 1" }).waitFor();
      assert.equal(await page.getByTestId("inbox-count").textContent(), "4", "the navigation counts every waiting run");

      await counts.getByRole("button", { name: "expense 2" }).click();
      await waitForList(page, [later.id, soon.id]);
      await page.getByLabel("Order").selectOption({ label: "Timing out soonest" });
      await waitForList(page, [soon.id, later.id]);
      assert.match(page.url(), /tag=finance/);
      assert.match(page.url(), /flow=expense/);
      assert.match(page.url(), /sort=timeout-soonest/);

      // A shared or reloaded link shows the same list; choosing a run keeps the filter.
      await page.reload();
      await waitForList(page, [soon.id, later.id]);
      assert.equal(await counts.getByRole("button", { name: "expense 2" }).getAttribute("aria-pressed"), "true");
      await page.locator(`.inbox-item[data-run-id="${later.id}"]`).click();
      await page.waitForURL(/\/inbox\/.+\?.*flow=expense/);
      await waitForList(page, [soon.id, later.id]);

      await page.goto(`${suite.base}/?q=acme`);
      await waitForList(page, [acme.id]);
      await page.getByPlaceholder("Search flows, runs, questions…").fill("shirt");
      await waitForList(page, [other.id]);
      assert.match(page.url(), /q=shirt/);
      await page.getByPlaceholder("Search flows, runs, questions…").fill("nothing like this");
      await page.getByText("No waiting run matches").waitFor();
      assert.deepEqual(page.problems, []);
      await page.context().close();
    });
  });
}

describe("the inbox for a signed-in person", { skip }, () => {
  const people = browserSuite("sqlite", {}, [
    { name: "olga", role: "operator" },
    { name: "alice", role: "responder", groups: ["finance"], password: "alice's password" },
  ]);

  test("what waits for me comes first and can be shown alone; bulk approve reports each refusal; the comment is in the history", {
    timeout: 90_000,
  }, async () => {
    const forFinance = await paused(people.client, "expense", { respondents: ["group:finance"] }, [], "finance-expense");
    const forBob = await paused(people.client, "expense", { respondents: ["bob"] }, [], "bobs-expense");
    const anyone = await paused(people.client, "expense", { inputRequest: Approval }, [], "anyones-expense");
    const asksMore = await paused(people.client, "shirt-order", { inputRequest: Size }, [], "shirt-size");

    const page = await openPage(people.browser);
    await page.goto(`${people.base}/`);
    await page.getByLabel("Name").fill("alice");
    await page.getByLabel("Password").fill("alice's password");
    await page.getByRole("button", { name: "Sign in" }).click();
    await waitForList(page, [forFinance.id, asksMore.id, anyone.id, forBob.id]);
    await page.locator(`.inbox-item[data-run-id="${forFinance.id}"]`).getByText("For you").waitFor();

    const mine = page.getByLabel("Waiting for me");
    await page.locator(".inbox-mine .count", { hasText: "1" }).waitFor();
    await mine.check();
    await waitForList(page, [forFinance.id]);
    assert.match(page.url(), /mine=1/);
    await mine.uncheck();
    await waitForList(page, [forFinance.id, asksMore.id, anyone.id, forBob.id]);

    assert.equal(await page.getByRole("button", { name: "Cancel runs…" }).count(), 0);
    await page.getByLabel("Choose all shown").check();
    assert.equal(await page.getByRole("button", { name: "Cancel runs…" }).count(), 0, "a responder cannot cancel runs");
    await page.getByRole("button", { name: "Approve…" }).click();
    const dialog = page.getByRole("dialog", { name: "Approve 4 runs?" });
    await dialog.getByText("bobs-expense").waitFor();
    await dialog.getByLabel("Comment (optional, kept with each run)").fill("Receipts **checked**");
    await dialog.getByRole("button", { name: "Approve 4" }).click();

    const report = page.getByTestId("bulk-report");
    await report.getByText("2 runs approved; 2 refused:").waitFor();
    await report.getByText(/bobs-expense: .*alice is not among who may answer this pause/).waitFor();
    await report.getByText(/shirt-size: .*asks for more than a yes or no/).waitFor();
    await waitForList(page, [asksMore.id, forBob.id]);
    assert.equal(await page.getByLabel("Choose shirt-size").isChecked(), true, "what was refused stays chosen");

    const [answer] = await people.client.listRunInputs(anyone.id);
    assert.deepEqual(answer!.response, { approved: true });
    assert.equal(answer!.respondedBy, "alice");
    await page.goto(`${people.base}/runs/${forFinance.id}`);
    const comment = page.getByTestId("answer-comment");
    await comment.getByText("alice wrote:").waitFor();
    assert.equal(await comment.locator("strong").textContent(), "checked", "the comment's Markdown is shown");
    assert.deepEqual(page.problems, []);
    await page.context().close();
  });
});

describe("display settings", { skip }, () => {
  const suite = browserSuite("sqlite");

  const background = (page: Page) => page.evaluate<string>("getComputedStyle(document.body).backgroundColor");

  test("the theme follows the system unless chosen, and both themes pass axe-core's contrast and other serious checks", {
    timeout: 90_000,
  }, async () => {
    await paused(suite.client, "expense", { inputRequest: { ...Approval, description: "Approve **this** [expense](https://example.com)" } }, [
      "finance",
    ]);
    const page = await openPage(suite.browser, { colorScheme: "dark" });
    await page.goto(`${suite.base}/`);
    await page.locator(".inbox-item").first().waitFor();
    assert.equal(await background(page), "rgb(15, 18, 23)", "dark, as the system says");
    assert.deepEqual(await accessibilityViolations(page), [], "dark theme");

    await page.locator(".display-settings > summary").click();
    await page.getByLabel("Theme").selectOption("light");
    assert.equal(await background(page), "rgb(245, 246, 248)");
    assert.deepEqual(await accessibilityViolations(page), [], "light theme");
    await page.reload();
    await page.locator(".inbox-item").first().waitFor();
    assert.equal(await background(page), "rgb(245, 246, 248)", "the choice is kept in this browser");

    await page.locator(".display-settings > summary").click();
    await page.getByLabel("Theme").selectOption("dark");
    await page.locator(".inbox-item").first().click();
    await page.locator(".resume-form").waitFor();
    // The answer pane's links (told apart by colour only) are another change's; here, the theme's colours.
    assert.deepEqual(await accessibilityViolations(page, ["color-contrast"]), [], "dark theme, with the answer form open");
    assert.deepEqual(page.problems, []);
    await page.context().close();
  });

  test("compact density fits more of a long list on a screen", { timeout: 60_000 }, async () => {
    for (let i = 0; i < 3; i++) await paused(suite.client, "bulk-order");
    const page = await openPage(suite.browser);
    await page.goto(`${suite.base}/`);
    const item = page.locator(".inbox-item").first();
    await item.waitFor();
    const comfortable = (await item.boundingBox())!.height;
    await page.locator(".display-settings > summary").click();
    await page.getByLabel("Density").selectOption("compact");
    const compact = (await item.boundingBox())!.height;
    assert.ok(compact < comfortable * 0.75, `compact ${compact}px, comfortable ${comfortable}px`);
    await page.context().close();
  });

  test("times are shown with their zone, in the zone a person chose; a date-time field says its zone and what it sends", {
    timeout: 60_000,
  }, async () => {
    const When = toInputRequest(z.object({ when: z.iso.datetime().describe("Delivery time") }));
    const run = await paused(suite.client, "delivery", { inputRequest: When }, [], "pick-a-time");
    const page = await openPage(suite.browser, { timezoneId: "Europe/Paris" });
    await page.goto(`${suite.base}/inbox/${run.id}`);
    const card = page.locator(`.inbox-item[data-run-id="${run.id}"]`);
    await card.getByText(/since .*GMT\+1/).waitFor();

    await page.locator(".display-settings > summary").click();
    await page.getByLabel("Time zone").selectOption("America/New_York");
    await card.getByText(/since .*EST/).waitFor();
    await page.locator(".display-settings > summary").click();

    await page.locator("#answer_when").fill("2026-12-01T10:30");
    const zone = page.getByTestId("date-time-zone");
    await zone.getByText(/10:30:00 AM EST \(America\/New_York\), sent as 2026-12-01T15:30:00\.000Z/).waitFor();
    await page.getByRole("button", { name: "Submit answer" }).click();
    await page.getByText("Answer sent").waitFor();
    assert.deepEqual((await suite.client.listRunInputs(run.id))[0]!.response, { when: "2026-12-01T15:30:00.000Z" });

    await page.goto(`${suite.base}/runs/${run.id}`);
    await page.locator(".timeline time", { hasText: /EST/ }).first().waitFor();
    assert.match((await page.locator(".kv dd").first().textContent()) ?? "", /EST/, "the run's times too, after a reload");
    assert.deepEqual(page.problems, []);
    await page.context().close();
  });
});

// The web UI for people who use a keyboard or a screen reader, in a real headless Chromium: axe-core finds
// no serious or critical violation on any page at laptop and phone widths, and the keyboard paths work.
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { before, describe, test } from "node:test";
import type { Page } from "playwright-core";
import { z } from "zod";
import type { FlowRun } from "../src/contract/index.ts";
import { toInputRequest } from "../src/sdk/run-input.ts";
import { accessibilityViolations, browserSuite, CHROMIUM, openPage } from "./support/browser.ts";
import { spawnNode } from "./support/processes.ts";

const BUILT = existsSync(new URL("../ui/dist/index.html", import.meta.url));
const skip = !existsSync(CHROMIUM) ? `no Chromium at ${CHROMIUM}` : !BUILT ? "the web UI is not built (npm run build:ui)" : false;
if (skip && process.env.CI) throw new Error(`The browser tests cannot run in CI: ${skip}.`);

const WIDTHS = { laptop: { width: 1280, height: 800 }, phone: { width: 390, height: 844 } };

/** A flow author's long description: headings of every level, links, images with and without alt, a wide code block, a table. */
const DESCRIPTION = [
  "# Review the quarterly report",
  "Read the [summary](https://example.com/summary) and the [full report](https://example.com/report.pdf) before you approve.",
  "## What changed",
  "- Revenue is **up 4%**, see the chart: ![Revenue by month](https://example.com/revenue.png)",
  '- The old chart: <img src="https://example.com/old-chart.png">',
  '- A broken one: <img src="x" onerror="window.__pwned = 1">',
  "- A link that was not one: [click me](javascript:alert(1))",
  "### The query that made it",
  "```sql",
  `SELECT month, SUM(amount) AS revenue FROM invoices WHERE paid_at >= '2026-07-01' AND paid_at < '2026-10-01' GROUP BY month ORDER BY month; -- ${"a very long comment ".repeat(8)}`,
  "```",
  "#### Figures",
  "| Month | Revenue |",
  "| --- | --- |",
  "| July | €1,200 |",
  "| August | €1,310 |",
  "",
  "> Ask finance if in doubt.",
].join("\n");

const Report = z.object({
  decision: z.enum(["approve", "reject"]),
  comment: z.string().min(1),
  reviewers: z.array(z.string().min(1)).max(3),
});

describe("accessibility of the web UI", { skip }, () => {
  const suite = browserSuite("sqlite");
  let run: FlowRun;
  before(async () => {
    const { client } = suite;
    const created = await client.createFlowRun({ flowName: "quarterly-report", name: "q3-report", state: { type: "RUNNING" } });
    const paused = await client.pause(created.id, {
      key: "review",
      timeoutSeconds: 3600,
      inputRequest: { ...toInputRequest(Report), description: DESCRIPTION },
    });
    run = (paused as { flowRun: FlowRun }).flowRun;
    await client.writeLogs([{ flowRunId: run.id, level: "info", message: "Report built", timestamp: new Date().toISOString() }]);
  });

  /** Opens `path` at each width, waits for `ready`, and collects axe's serious and critical violations. */
  async function check(path: string, ready: (page: Page) => Promise<unknown>): Promise<string[]> {
    const found: string[] = [];
    for (const [name, viewport] of Object.entries(WIDTHS)) {
      const page = await openPage(suite.browser, viewport);
      await page.goto(`${suite.base}${path}`);
      await ready(page);
      found.push(...(await accessibilityViolations(page)).map((v) => `${path} (${name}): ${v}`));
      // Every page has a top-level heading at every width, for screen readers at least.
      if ((await page.getByRole("heading", { level: 1 }).count()) === 0) found.push(`${path} (${name}): no h1`);
      assert.deepEqual(unexpected(page.problems), []);
      await page.close();
    }
    return found;
  }

  test("no serious or critical axe violation on any page, with a long Markdown description, at laptop and phone widths", {
    timeout: 240_000,
  }, async (t) => {
    const serving = spawnNode(["examples/serve-examples.ts"], suite.server.env);
    t.after(() => serving.kill());
    const found = [
      ...(await check("/", (p) => p.locator(".inbox-item").first().waitFor())),
      ...(await check(`/inbox/${run.id}`, (p) => p.getByRole("heading", { name: "Review the quarterly report" }).waitFor())),
      ...(await check("/runs", (p) => p.locator(".runs-table").waitFor())),
      ...(await check(`/runs/${run.id}`, (p) => p.locator(".log-line").first().waitFor())),
      ...(await check("/deployments", (p) => p.locator(".deployment-card, .empty-state").first().waitFor({ timeout: 20_000 }))),
      ...(await check("/notifications", (p) => p.getByRole("heading", { name: "Notifications" }).first().waitFor())),
    ];
    assert.deepEqual(found, []);
  });

  test("the description's images have alt text or become named links, a removed link leaves its text, and the code block is reachable by keyboard", {
    timeout: 60_000,
  }, async () => {
    const page = await openPage(suite.browser);
    await page.goto(`${suite.base}/inbox/${run.id}`);
    const description = page.locator(".resume-form .description");
    await description.getByRole("img", { name: "Revenue by month" }).waitFor();
    assert.equal(await description.getByRole("link", { name: "Image: old-chart.png" }).getAttribute("href"), "https://example.com/old-chart.png");
    assert.equal(await description.locator("img:not([alt])").count(), 0);
    assert.match(await description.innerText(), /\[image: x\]/);
    assert.match(await description.innerText(), /A link that was not one: click me/);
    assert.equal(await description.locator("a:not([href])").count(), 0, "no dead link");
    // Headings sit below the pane's own title (h2).
    assert.equal(await description.locator("h1, h2").count(), 0);
    const code = description.getByRole("region", { name: "Code block" });
    await code.focus();
    assert.equal(await page.evaluate("document.activeElement.scrollWidth > document.activeElement.clientWidth"), true);
    assert.equal(await page.evaluate("document.activeElement.getAttribute('aria-label')"), "Code block");
    await page.keyboard.press("ArrowRight");
    await page.waitForFunction("document.activeElement.scrollLeft > 0");
    // Links in the text are told apart by more than their colour.
    const summary = description.getByRole("link", { name: "summary" });
    assert.match(
      await summary.evaluate(
        (a) => (globalThis as unknown as { getComputedStyle(e: typeof a): { textDecorationLine: string } }).getComputedStyle(a).textDecorationLine,
      ),
      /underline/,
    );
    assert.deepEqual(unexpected(page.problems), []);
    await page.close();
  });

  test("by keyboard: choosing a run moves focus to its question; an invalid submit focuses the first wrong field and announces the errors; a good one announces the outcome", {
    timeout: 60_000,
  }, async () => {
    const page = await openPage(suite.browser);
    await page.goto(`${suite.base}/`);
    const item = page.locator(`.inbox-item[data-run-id="${run.id}"]`);
    await item.focus();
    await page.keyboard.press("Enter");
    await page.waitForFunction("document.activeElement?.id === 'answer-title'");
    assert.equal(await page.evaluate("document.activeElement.textContent"), "q3-report");

    await page.getByRole("button", { name: "Add item to Reviewers" }).click();
    await page.getByRole("button", { name: "Remove item 1 of Reviewers" }).waitFor();
    await page.getByRole("button", { name: "Submit answer" }).click();
    await page.locator("#answer_decision__error").waitFor();
    await page.waitForFunction("document.activeElement?.id === 'answer_decision'");
    const decision = page.locator("#answer_decision");
    assert.equal(await decision.getAttribute("aria-invalid"), "true");
    assert.match((await decision.getAttribute("aria-describedby")) ?? "", /answer_decision__error/);
    assert.equal(await page.locator("#answer_decision__error").innerText(), "Decision is required");
    const announced = page.getByTestId("form-errors-announced");
    assert.equal(await announced.getAttribute("role"), "alert");
    assert.match(
      (await announced.textContent()) ?? "",
      /^\d fields need a correction: Decision is required; Comment is required; Item 1 of Reviewers /,
    );

    // The focus ring is visible and stands out from the page (3:1 at least).
    await page.keyboard.press("Tab");
    const ring = (await page.evaluate(`(() => {
      const s = getComputedStyle(document.activeElement);
      return { width: Number.parseFloat(s.outlineWidth), style: s.outlineStyle, color: s.outlineColor, page: getComputedStyle(document.body).backgroundColor };
    })()`)) as { width: number; style: string; color: string; page: string };
    assert.ok(ring.width >= 2 && ring.style !== "none", JSON.stringify(ring));
    assert.ok(contrast(ring.color, ring.page) >= 3, `focus ring ${ring.color} on ${ring.page}: ${contrast(ring.color, ring.page).toFixed(2)}:1`);

    await page.locator("#answer_decision").selectOption({ label: "approve" });
    await page.locator("#answer_comment").fill("Fine");
    await page.locator("#answer_reviewers_0").fill("finance");
    await page.getByRole("button", { name: "Submit answer" }).click();
    const outcome = page.getByTestId("outcome");
    await outcome.waitFor();
    assert.equal(await outcome.getAttribute("role"), "status");
    assert.match(await outcome.innerText(), /^Answer sent\. The run is Running/);
    assert.deepEqual(unexpected(page.problems), []);
    await page.close();
  });
});

/** A page's problems but the CSP refusing the broken image's onerror, which Chromium reports while DOMPurify parses it inertly. */
function unexpected(problems: string[]): string[] {
  return problems.filter((p) => !/inline event handler/.test(p));
}

/** WCAG's contrast ratio of two CSS rgb() colours. */
function contrast(a: string, b: string): number {
  const luminance = (css: string) => {
    const [r, g, bl] = (css.match(/[\d.]+/g) ?? ["0", "0", "0"]).slice(0, 3).map((v) => {
      const c = Number(v) / 255;
      return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
    });
    return 0.2126 * r! + 0.7152 * g! + 0.0722 * bl!;
  };
  const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x);
  return (hi! + 0.05) / (lo! + 0.05);
}

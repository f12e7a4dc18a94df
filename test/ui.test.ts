// The web UI as a person uses it: a real server process serving the built UI, real flows in child
// processes, and a real headless Chromium (Debian's `chromium`) driven by playwright-core.
import assert from "node:assert/strict";
import { existsSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import type { Browser, Page } from "playwright-core";
import { z } from "zod";
import { createClient, type BatonClient } from "../src/client/index.ts";
import type { FlowRun, InputRequest } from "../src/contract/index.ts";
import { RunInput, toInputRequest } from "../src/sdk/run-input.ts";
import { CHROMIUM, launchChromium, openPage } from "./support/browser.ts";
import { backends, spawnNode, startTestServer, type TestServer } from "./support/processes.ts";
import { startHttpReceiver } from "./support/receivers.ts";

const ROOT = new URL("../", import.meta.url).pathname;
const BUILT = existsSync(join(ROOT, "ui/dist/index.html"));
/** `npm run screenshots` sets this to docs/; otherwise the pictures go to a temporary folder. */
const SCREENSHOTS_DIR = process.env.BATON_UI_SCREENSHOTS_DIR;

function skipReason(): string | false {
  const missing = !existsSync(CHROMIUM)
    ? `no Chromium at ${CHROMIUM} (apt-get install chromium, or set BATON_CHROMIUM)`
    : !BUILT
      ? "the web UI is not built (npm run build:ui)"
      : undefined;
  if (!missing) return false;
  if (process.env.CI) throw new Error(`The browser tests cannot run in CI: ${missing}.`);
  console.warn(`# web UI tests skipped: ${missing}`);
  return missing;
}
const skip = skipReason();

const LAPTOP = { width: 1280, height: 800 };
const PHONE = { width: 390, height: 844 };

/** Counts the answers the page sends, to prove the browser's validation kept a wrong one home. */
function countResumeRequests(page: Page): () => number {
  let n = 0;
  page.on("request", (r) => {
    if (r.method() === "POST" && /\/api\/flow-runs\/[^/]+\/resume$/.test(r.url())) n++;
  });
  return () => n;
}

/** Creates a run and pauses it with `inputRequest`, as a flow would; nothing answers it but the test. */
async function pausedRun(client: BatonClient, flowName: string, inputRequest: InputRequest | null, name?: string): Promise<FlowRun> {
  const run = await client.createFlowRun({ flowName, ...(name ? { name } : {}), state: { type: "RUNNING" }, parameters: { requester: "ada" } });
  const result = await client.pause(run.id, { key: "approval", timeoutSeconds: 3600, inputRequest });
  assert.equal(result.status, "PAUSED");
  return (result as { flowRun: FlowRun }).flowRun;
}

const Order = RunInput.from(
  z.object({
    name: z.string().min(1).describe("Who the order is for"),
    quantity: z.int().min(1).max(10),
    size: z.enum(["small", "medium", "large"]),
    address: z.object({ street: z.string().min(1), zip: z.string().regex(/^\d{5}$/, "five digits") }),
    tags: z.array(z.string()).max(3),
    giftWrap: z.boolean(),
  }),
).withInitialData({ quantity: 1, giftWrap: false, tags: [] }, { description: "## Confirm the order\n\nCheck the **size** and the address." });

const Expense = RunInput.from(
  z.object({
    decision: z.enum(["approve", "reject", "ask for details"]).describe("What should happen to this expense?"),
    amount: z.number().min(0).max(10000).describe("Approved amount, in EUR"),
    comment: z.string().optional(),
    costCenter: z.object({ code: z.string().regex(/^[A-Z]{2}-\d{3}$/, "like FR-210"), owner: z.string().min(1) }),
    tags: z.array(z.string()).max(5),
  }),
).withInitialData(
  { amount: 420, tags: ["travel"] },
  {
    description:
      "## Approve a travel expense\n\n**Ada Lovelace** asks for **€420.00** for a train ticket to the *Analytical Engine* conference.\n\n- Receipt attached\n- Budget left this quarter: €1,900\n\nSee the [expense policy](https://example.com/policy).",
  },
);

for (const { backend, skip: pgSkip } of await backends()) {
  describe(`web UI on ${backend}`, { skip: skip || pgSkip }, () => {
    let server: TestServer;
    let client: BatonClient;
    let browser: Browser;
    let base: string;
    before(async () => {
      [server, browser] = await Promise.all([startTestServer(backend), launchChromium()]);
      client = createClient({ apiUrl: server.apiUrl });
      base = new URL(server.apiUrl).origin;
    });
    after(async () => {
      await browser?.close();
      await server?.close();
    });

    test("greet-user shows up in the inbox without a reload, is answered in its form, and completes with the greeting in its logs", {
      timeout: 60_000,
    }, async (t) => {
      const page = await openPage(browser);
      await page.goto(`${base}/`);
      await page.getByText("Nothing waits for you").waitFor();

      const flow = spawnNode(["examples/greet-user.ts"], server.env);
      t.after(() => flow.kill()); // a failed step must not leave the flow waiting (and the test file running)
      const item = page.locator(".inbox-item", { hasText: "greet-user" });
      await item.waitFor({ timeout: 15_000 });
      assert.equal(await page.getByTestId("inbox-count").textContent(), "1");

      await item.click();
      await page.locator("#answer_name").fill("Ada");
      await page.getByRole("button", { name: "Submit answer" }).click();
      await page.getByText("Completed: the run took your answer and finished.").waitFor();
      assert.equal(await flow.exited, 0, flow.output());
      assert.match(flow.output(), /Hello, Ada!/);

      await page.getByRole("link", { name: "See the run →" }).click();
      await page.locator(".run-header .state-badge", { hasText: "Completed" }).waitFor();
      await page.locator(".log-line", { hasText: "Hello, Ada!" }).waitFor();
      await page.locator(".input-entry", { hasText: "the web UI" }).waitFor();
      assert.equal(await page.getByTestId("inbox-count").textContent(), "0");

      const [runId] = /\/runs\/([^/?#]+)/.exec(page.url())!.slice(1);
      const [answer] = await client.listRunInputs(runId!);
      assert.deepEqual(answer?.response, { name: "Ada" });
      assert.equal(answer?.channel, "ui");
      assert.deepEqual(page.problems, []);
      await page.close();
    });

    if (backend !== "sqlite") return;

    test("the browser refuses a wrong type and a missing required field without sending anything, then sends the corrected answer", {
      timeout: 60_000,
    }, async () => {
      const run = await pausedRun(client, "order", toInputRequest(Order));
      const page = await openPage(browser);
      const sent = countResumeRequests(page);
      await page.goto(`${base}/runs/${run.id}`);
      await page.locator(".resume-form .description").getByRole("heading", { name: "Confirm the order" }).waitFor();
      assert.equal(await page.locator("#answer_quantity").inputValue(), "1", "fields start at the initial data");

      await page.locator("#answer_quantity").fill("2.5");
      await page.getByRole("button", { name: "Submit answer" }).click();
      await page.locator("#answer_quantity__error").getByText("must be a whole number").waitFor();
      await page.locator("#answer_name__error").getByText("is required").waitFor();
      assert.match((await page.locator("#answer_address_zip__error").textContent()) ?? "", /required/);
      assert.equal(sent(), 0, "nothing was sent while the form was wrong");

      await page.locator("#answer_name").fill("Ada");
      await page.locator("#answer_quantity").fill("3");
      await page.locator("#answer_size").selectOption({ label: "large" });
      await page.locator("#answer_address_street").fill("12 Rue de la Paix");
      await page.locator("#answer_address_zip").fill("75002");
      await page.getByRole("button", { name: "Add item to Tags" }).click();
      await page.locator("#answer_tags_0").fill("gift");
      await page.locator("#answer_giftWrap").check();
      await page.getByLabel("Answering as").fill("Grace");
      await page.getByRole("button", { name: "Submit answer" }).click();
      await page.getByText("Answer sent. The run is Running").waitFor();
      assert.equal(sent(), 1);

      const [answer] = await client.listRunInputs(run.id);
      assert.deepEqual(answer?.response, {
        name: "Ada",
        quantity: 3,
        size: "large",
        address: { street: "12 Rue de la Paix", zip: "75002" },
        tags: ["gift"],
        giftWrap: true,
      });
      assert.equal(answer?.channel, "ui");
      assert.equal(answer?.respondedBy, "Grace");
      assert.equal((await client.getFlowRun(run.id)).state.type, "RUNNING");
      assert.deepEqual(page.problems, []);
      await page.close();
    });

    test("patterns are checked in the browser on RE2, as on the server: a backtracking trap answers at once, and \\s means what the server means", {
      timeout: 60_000,
    }, async () => {
      // JavaScript's \s matches a no-break space; RE2's, and so the server's, does not: the browser must agree with the server.
      const Code = z.object({ code: z.string().regex(/^(a+)+$/), gap: z.string().regex(/^\s$/) });
      const run = await pausedRun(client, "patterns", toInputRequest(Code));
      const server422 = await fetch(`${server.apiUrl}/flow-runs/${run.id}/resume`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ input: { code: "aaa", gap: "\u00a0" } }),
      });
      assert.equal(server422.status, 422);
      const page = await openPage(browser);
      const sent = countResumeRequests(page);
      await page.goto(`${base}/runs/${run.id}`);
      await page.locator("#answer_code").fill(`${"a".repeat(40)}!`);
      await page.locator("#answer_gap").fill("\u00a0");
      const started = Date.now();
      await page.getByRole("button", { name: "Submit answer" }).click();
      await page.locator("#answer_code__error").getByText("does not match the expected pattern").waitFor();
      await page.locator("#answer_gap__error").getByText("does not match the expected pattern").waitFor();
      assert.ok(Date.now() - started < 5000, `the browser answered in ${Date.now() - started} ms`);
      assert.equal(sent(), 0);
      await page.locator("#answer_code").fill("aaa");
      await page.locator("#answer_gap").fill(" ");
      await page.getByRole("button", { name: "Submit answer" }).click();
      await page.getByText("Answer sent. The run is Running").waitFor();
      assert.deepEqual((await client.listRunInputs(run.id))[0]?.response, { code: "aaa", gap: " " });
      assert.deepEqual(page.problems, []);
      await page.close();
    });

    test("a 422 from the server lands on the field it names, and the run stays paused", { timeout: 60_000 }, async () => {
      const run = await pausedRun(client, "order", toInputRequest(Order));
      const page = await openPage(browser);
      // The browser checks what JSON Schema can say; a check it cannot make (a flow's own validation)
      // is the server's. To get the server's 422 for a form the browser accepted, the answer is
      // altered on its way: the server really refuses it.
      await page.route("**/api/flow-runs/*/resume", async (route) => {
        const body = route.request().postDataJSON() as { input: Record<string, unknown> };
        await route.continue({ postData: JSON.stringify({ ...body, input: { ...body.input, address: { street: "x", zip: "123" } } }) });
      });
      await page.goto(`${base}/inbox/${run.id}`);
      await page.locator("#answer_name").fill("Ada");
      await page.locator("#answer_size").selectOption({ label: "small" });
      await page.locator("#answer_address_street").fill("12 Rue de la Paix");
      await page.locator("#answer_address_zip").fill("75002");
      await page.getByRole("button", { name: "Submit answer" }).click();
      await page.locator("#answer_address_zip__error").getByText("address.zip does not match the expected pattern").waitFor();
      await page.getByText("The server did not accept this answer").waitFor();
      assert.equal((await client.getFlowRun(run.id)).state.type, "PAUSED");
      assert.deepEqual(page.problems, []);
      await page.close();
    });

    test("a flow's own rule (shirt-order-retry's refine) refuses an answer before the run resumes: its message on the field, the run Paused, the refusal in the run's history", {
      timeout: 90_000,
    }, async (t) => {
      const flow = spawnNode(["examples/shirt-order-retry.ts"], server.env);
      t.after(() => flow.kill());
      await flow.waitForOutput("waiting for input", 60_000);
      const run = (await client.listFlowRuns({ state: "PAUSED", flowName: "shirt-order-retry" })).items[0]!;
      const page = await openPage(browser);
      await page.goto(`${base}/inbox/${run.id}`);
      await page.locator("#answer_size").selectOption({ label: "small" });
      await page.locator("#answer_color").selectOption({ label: "green" });
      await page.getByRole("button", { name: "Submit answer" }).click();
      await page.locator("#answer_color__error").getByText("Green is only in-stock for medium, large, and XL sizes.").waitFor();
      await page.getByText("The server did not accept this answer").waitFor();
      const still = await client.getFlowRun(run.id);
      assert.equal(still.state.name, "Paused");
      assert.equal(still.state.details.pauseKey, "1");

      await page.goto(`${base}/runs/${run.id}`);
      const refusals = page.locator(".input-refusals");
      await refusals.getByText("Green is only in-stock for medium, large, and XL sizes.").waitFor();
      assert.match((await refusals.textContent()) ?? "", /the web UI/);

      await page.goto(`${base}/inbox/${run.id}`);
      await page.locator("#answer_size").selectOption({ label: "large" });
      await page.locator("#answer_color").selectOption({ label: "green" });
      await page.getByRole("button", { name: "Submit answer" }).click();
      await page.getByTestId("outcome").getByText("Completed: the run took your answer and finished.").waitFor({ timeout: 20_000 });
      assert.equal(await flow.exited, 0, flow.output());
      assert.deepEqual(page.problems, []);
      await page.close();
    });

    test("an answer to a run answered meanwhile elsewhere gets a 409 that says what the run is now", { timeout: 60_000 }, async () => {
      const run = await pausedRun(client, "order", toInputRequest(Order));
      const page = await openPage(browser);
      // Someone else answers in the instant between the click and the request.
      await page.route("**/api/flow-runs/*/resume", async (route) => {
        await client.resume(run.id, {
          input: { name: "Bob", quantity: 1, size: "small", address: { street: "1 Main St", zip: "10001" }, tags: [], giftWrap: false },
        });
        await route.continue();
      });
      await page.goto(`${base}/inbox/${run.id}`);
      await page.locator("#answer_name").fill("Ada");
      await page.locator("#answer_size").selectOption({ label: "small" });
      await page.locator("#answer_address_street").fill("12 Rue de la Paix");
      await page.locator("#answer_address_zip").fill("75002");
      await page.getByRole("button", { name: "Submit answer" }).click();
      await page.getByText("Someone answered first: pause “approval” was answered through the API").waitFor();
      await page.locator(".answer-header .state-badge", { hasText: "Running" }).waitFor();
      assert.equal((await client.listRunInputs(run.id))[0]?.channel, "api");
      assert.deepEqual(page.problems, []);
      await page.close();
    });

    test("a Markdown description with a script and an onerror image renders as text and runs nothing", { timeout: 60_000 }, async (t) => {
      const description = [
        `<img src="x" onerror="window.__pwned = 'img'"> **Approve** the order`,
        "",
        `<script>window.__pwned = 'script'</script>`,
        "",
        `[a link](javascript:window.__pwned='link') and <a href="#" onclick="window.__pwned='click'">another</a>`,
        "",
        `<iframe src="javascript:parent.__pwned='iframe'"></iframe><svg><script>window.__pwned='svg'</script></svg>`,
      ].join("\n");
      const run = await pausedRun(client, "xss", { ...toInputRequest(Order), description });
      t.after(() => client.cancel(run.id).catch(() => {}));
      const page = await openPage(browser);
      await page.goto(`${base}/inbox/${run.id}`);
      const shown = page.locator(".resume-form .description");
      await shown.getByText("Approve").waitFor();
      assert.equal(await shown.locator("strong").first().textContent(), "Approve");
      assert.equal(await shown.locator("script, iframe, [onerror], [onclick]").count(), 0);
      for (const href of await shown.locator("a").evaluateAll((as) => as.map((a) => a.getAttribute("href"))))
        assert.ok(!/^javascript:/i.test(href ?? ""), `no javascript: link (${href})`);
      await shown.getByText("another").click();
      await page.locator(".inbox-item", { hasText: "xss" }).getByText("Approve").waitFor();
      await page.waitForTimeout(300); // a broken image's onerror fires as soon as it fails to load
      assert.equal(await page.evaluate(() => (globalThis as { __pwned?: string }).__pwned), undefined);
      // Chromium reports the CSP refusing the onerror while DOMPurify parses the text in its inert
      // document; the attribute never reaches the page (checked above). Anything else is a problem.
      assert.deepEqual(
        page.problems.filter((p) => !/inline event handler/.test(p)),
        [],
      );
      await page.close();
    });

    test("a pause without input is resumed with a plain button after a confirmation; Cancel run asks first, then cancels", {
      timeout: 60_000,
    }, async () => {
      const plain = await pausedRun(client, "deploy-release", null);
      const refused = await pausedRun(client, "order", toInputRequest(Order));
      const page = await openPage(browser);
      await page.goto(`${base}/runs/${plain.id}`);
      await page.getByRole("heading", { name: "Waiting to be resumed" }).waitFor();
      await page.getByRole("button", { name: "Resume…" }).click();
      await page.getByRole("dialog").getByRole("button", { name: "Resume", exact: true }).click();
      await page.locator(".run-header .state-badge", { hasText: "Running" }).waitFor();

      await page.goto(`${base}/runs/${refused.id}`);
      await page.getByRole("button", { name: "Cancel run…" }).click();
      const dialog = page.getByRole("dialog");
      await dialog.getByRole("button", { name: "Keep waiting" }).click();
      assert.equal((await client.getFlowRun(refused.id)).state.type, "PAUSED", "going back cancels nothing");
      await page.getByRole("button", { name: "Cancel run…" }).click();
      await dialog.getByLabel(/Reason/).fill("Out of stock");
      await dialog.getByRole("button", { name: "Cancel run" }).click();
      await page.locator(".run-header .state-badge", { hasText: "Cancelled" }).waitFor();
      const state = (await client.getFlowRun(refused.id)).state;
      assert.equal(state.type, "CANCELLED");
      assert.equal(state.message, "Out of stock");
      assert.deepEqual(page.problems, []);
      await page.close();
    });

    test("the runs list searches by name on the server, filters by state, and shows new runs as they start", { timeout: 60_000 }, async () => {
      const page = await openPage(browser);
      await page.goto(`${base}/runs`);
      await page.locator(".runs-table").waitFor();
      await page.getByPlaceholder("Search by run name…").fill("NIGHTLY");
      await page.getByText("No runs match these filters").waitFor();
      const nightly = await client.createFlowRun({ flowName: "report", name: "nightly-report-42", state: { type: "RUNNING" } });
      const row = page.locator(`tr[data-run-id="${nightly.id}"]`);
      await row.waitFor();
      assert.equal(await page.locator(".runs-table tbody tr").count(), 1);
      await page.getByLabel("State").selectOption("COMPLETED");
      await page.getByText("No runs match these filters").waitFor();
      await client.setFlowRunState(nightly.id, { type: "COMPLETED" });
      await row.locator(".state-badge", { hasText: "Completed" }).waitFor();
      assert.match(page.url(), /q=NIGHTLY/);
      assert.match(page.url(), /state=COMPLETED/);
      assert.deepEqual(page.problems, []);
      await page.close();
    });

    test("Notifications: a webhook channel is added and tested, an automation created and turned off, and deliveries listed with their errors", {
      timeout: 60_000,
    }, async () => {
      const hook = await startHttpReceiver();
      try {
        const page = await openPage(browser);
        await page.goto(`${base}/`);
        await page.getByRole("link", { name: "Notifications" }).click();
        const add = page.getByRole("form", { name: "Add a channel" });
        await add.getByLabel("Name").fill("ui-hook");
        await add.getByLabel("URL").fill(hook.url);
        await add.getByRole("button", { name: "Add channel" }).click();
        assert.match(await page.getByTestId("channel-secret").innerText(), /^whsec_/);
        const card = page.locator('[data-channel="ui-hook"]');
        await card.getByRole("button", { name: "Send a test" }).click();
        await card.getByText("The test message arrived.").waitFor();
        assert.equal(hook.received.at(-1)!.body.event, "test");

        hook.respond = (r) => (r.body?.event === "test" ? 500 : 200);
        await card.getByRole("button", { name: "Send a test" }).click();
        await card.getByText(/The test message failed: .*answered HTTP 500/).waitFor();

        await page.getByRole("link", { name: "Automations" }).click();
        const editor = page.getByLabel("Automation as JSON");
        await editor.fill(
          JSON.stringify({
            name: "ui automation",
            trigger: { type: "event", events: ["flow-run.paused"] },
            actions: [{ type: "notify", channel: "nope" }],
          }),
        );
        await page.getByRole("button", { name: "Create automation" }).click();
        await page
          .getByRole("alert")
          .getByText(/No channel is named "nope"/)
          .waitFor();
        await editor.fill(
          JSON.stringify({
            name: "ui automation",
            trigger: { type: "event", events: ["flow-run.paused"], flowName: ["ui-notify"], tags: ["vip"] },
            actions: [{ type: "notify", channel: "ui-hook" }],
          }),
        );
        await page.getByRole("button", { name: "Create automation" }).click();
        const toggle = page.getByLabel("Enabled: ui automation");
        await toggle.waitFor();
        assert.ok(await toggle.isChecked());
        // The list says which runs it acts on: every filter of its trigger.
        await page.locator("[data-automation-id]", { hasText: "flow-run.paused (flow ui-notify, tag vip)" }).waitFor();

        const run = await client.createFlowRun({ flowName: "ui-notify", state: { type: "RUNNING" }, tags: ["vip"] });
        assert.equal((await client.pause(run.id, { key: "approval", timeoutSeconds: 3600, inputRequest: null })).status, "PAUSED");
        await page.getByRole("link", { name: "Deliveries" }).click();
        const row = page.locator(".deliveries-table tbody tr", { hasText: "flow-run.paused" });
        await row.getByText("delivered").waitFor();
        assert.match(await row.innerText(), new RegExp(run.id.slice(0, 8)));
        await page.getByLabel("Status").selectOption("PENDING"); // the failed test message, waiting for its retry
        await page.locator(".deliveries-table tbody tr", { hasText: "answered HTTP 500" }).first().waitFor();

        await page.getByRole("link", { name: "Automations" }).click();
        await page.getByLabel("Enabled: ui automation").click(); // the box follows the server: it turns off once the change is stored
        await page.locator("[data-automation-id] .switch", { hasText: "off" }).waitFor();
        assert.equal((await client.listAutomations()).find((a) => a.name === "ui automation")!.enabled, false);
        assert.deepEqual(page.problems, []);
        await page.close();
      } finally {
        await hook.close();
      }
    });

    test("after a server restart the page reconnects by itself and shows runs paused meanwhile", { timeout: 60_000 }, async () => {
      const page = await openPage(browser);
      await page.goto(`${base}/`);
      await page.locator(".connection-live").waitFor();
      await server.stop();
      await page.locator(".connection-reconnecting").waitFor();
      await server.restart();
      await page.locator(".connection-live").waitFor({ timeout: 20_000 });
      const run = await pausedRun(client, "after-restart", toInputRequest(Order));
      await page.locator(`.inbox-item[data-run-id="${run.id}"]`).waitFor();
      assert.deepEqual(page.problems, []);
      await page.close();
    });

    test("screenshots: the inbox, the resume form and the run detail, on a laptop and a phone", { timeout: 60_000 }, async (t) => {
      const SHOTS = SCREENSHOTS_DIR ?? mkdtempSync(join(tmpdir(), "baton-ui-shots-"));
      mkdirSync(SHOTS, { recursive: true });
      const expense = await pausedRun(client, "expense-approval", toInputRequest(Expense), "expense-ada-2291");
      await client.writeLogs([
        { flowRunId: expense.id, level: "info", message: "Fetched the receipt from the expense tool", timestamp: new Date().toISOString() },
        {
          flowRunId: expense.id,
          level: "warning",
          message: "€420.00 is above the auto-approve limit of €250.00",
          timestamp: new Date().toISOString(),
        },
        { flowRunId: expense.id, level: "info", message: "Asking finance for an approval", timestamp: new Date().toISOString() },
      ]);
      await pausedRun(client, "deploy-release", null, "release-v2-4-0");
      const flow = spawnNode(["examples/greet-with-initial-data.ts"], server.env);
      t.after(() => flow.kill());
      await flow.waitForOutput("waiting for input");

      const laptop = await openPage(browser, LAPTOP);
      await laptop.goto(`${base}/inbox/${expense.id}`);
      await laptop.getByRole("heading", { name: "Approve a travel expense" }).waitFor();
      await laptop.screenshot({ path: join(SHOTS, "inbox.png") });
      await laptop.locator("#answer_costCenter_code").fill("fr210");
      await laptop.getByRole("button", { name: "Submit answer" }).click();
      await laptop.locator("#answer_costCenter_code__error").waitFor();
      await laptop.evaluate("window.scrollTo(0, 0)"); // the sticky bar would otherwise sit mid-picture
      const pane = (await laptop.locator(".answer-pane").boundingBox())!;
      await laptop.screenshot({
        path: join(SHOTS, "resume-form.png"),
        fullPage: true,
        clip: { x: pane.x - 16, y: pane.y - 16, width: pane.width + 32, height: pane.height + 32 },
      });
      await laptop.goto(`${base}/runs/${expense.id}`);
      await laptop.locator(".log-line").nth(2).waitFor();
      await laptop.screenshot({ path: join(SHOTS, "run-detail.png"), fullPage: true });
      await laptop.goto(`${base}/runs`);
      await laptop.locator(".runs-table").waitFor();
      await laptop.screenshot({ path: join(SHOTS, "runs.png") });

      const phone = await openPage(browser, PHONE);
      await phone.goto(`${base}/`);
      await phone.locator(".inbox-item").first().waitFor();
      await phone.screenshot({ path: join(SHOTS, "inbox-phone.png") });
      await phone.goto(`${base}/inbox/${expense.id}`);
      await phone.getByRole("heading", { name: "Approve a travel expense" }).waitFor();
      await phone.screenshot({ path: join(SHOTS, "resume-form-phone.png"), fullPage: true });
      assert.deepEqual([...laptop.problems, ...phone.problems], []);
      if (!SCREENSHOTS_DIR) rmSync(SHOTS, { recursive: true, force: true });
    });
  });
}

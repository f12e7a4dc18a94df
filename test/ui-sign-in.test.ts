// Signing in to the web UI, in a real headless Chromium: the session cookie, who is signed in, answers
// recorded as that person, what waits for them first, CSRF protection of the session's writes, sign-out.
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { describe, test } from "node:test";
import type { Page } from "playwright-core";
import { z } from "zod";
import type { FlowRun, PauseBody } from "../src/contract/index.ts";
import { toInputRequest } from "../src/sdk/run-input.ts";
import { waitUntil } from "./support/api.ts";
import { accessibilityViolations, browserSuite, CHROMIUM, openPage } from "./support/browser.ts";

const BUILT = existsSync(new URL("../ui/dist/index.html", import.meta.url));
const skip = !existsSync(CHROMIUM) ? `no Chromium at ${CHROMIUM}` : !BUILT ? "the web UI is not built (npm run build:ui)" : false;
if (skip && process.env.CI) throw new Error(`The browser tests cannot run in CI: ${skip}.`);

const Approval = toInputRequest(z.object({ approved: z.boolean() }));

describe("signing in to the web UI", { skip }, () => {
  const people = browserSuite("sqlite", {}, [
    { name: "olga", role: "operator" },
    { name: "alice", role: "responder", groups: ["finance"], password: "alice's password" },
  ]);

  async function paused(name: string, who: Partial<PauseBody> = {}): Promise<FlowRun> {
    const run = await people.client.createFlowRun({ flowName: "expense", name, state: { type: "RUNNING" } });
    const result = await people.client.pause(run.id, { key: "1", timeoutSeconds: 3600, inputRequest: Approval, ...who });
    assert.equal(result.status, "PAUSED");
    return run;
  }

  async function signIn(page: Page, password: string): Promise<void> {
    await page.goto(`${people.base}/`);
    await page.getByRole("heading", { name: "Sign in to Baton" }).waitFor();
    await page.getByLabel("Name").fill("alice");
    await page.getByLabel("Password").fill(password);
    await page.getByRole("button", { name: "Sign in" }).click();
  }

  test("a wrong password is refused; the right one sets an HttpOnly, SameSite=Strict cookie and shows who is signed in", async () => {
    const page = await people.browser.newPage();
    await signIn(page, "wrong password");
    await page.getByRole("alert").filter({ hasText: "The name or the password is wrong." }).waitFor();
    await page.getByLabel("Password").fill("alice's password");
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.getByTestId("signed-in").filter({ hasText: "alice (responder)" }).waitFor();
    const [cookie] = await page.context().cookies();
    assert.equal(cookie?.name, "baton_session");
    assert.equal(cookie?.httpOnly, true);
    assert.equal(cookie?.sameSite, "Strict");
    assert.equal(cookie?.secure, false, "plain http: Secure only when BATON_PUBLIC_URL is https");
    // The page's scripts cannot read it.
    assert.equal(await page.evaluate("document.cookie"), "");
    await page.close();
  });

  test("the inbox puts what waits for alice first and says who may answer; her answer is recorded as hers, through the UI", async () => {
    const other = await paused("for-someone-else", { respondents: ["bob"] });
    const mine = await paused("for-finance", { respondents: ["group:finance"], required: 2 });
    const page = await people.browser.newPage();
    await signIn(page, "alice's password");
    const items = page.locator(".inbox-item");
    await items.first().waitFor();
    assert.equal(await items.first().getAttribute("data-run-id"), mine.id);
    assert.match((await items.first().textContent()) ?? "", /For you.*For group:finance · 2 people must answer/);
    assert.match((await page.locator(`[data-run-id="${other.id}"]`).textContent()) ?? "", /not yours to answer/);

    await items.first().click();
    await page.getByText("Answering as alice").waitFor();
    await page.getByLabel("approved").check();
    await page.getByRole("button", { name: "Submit answer" }).click();
    await page.getByText("Your answer is recorded; the run goes on once 2 different people have answered.").waitFor();
    const input = await people.client.getRunInput(mine.id, "1");
    assert.deepEqual(
      input.answers.map((a) => [a.respondedBy, a.channel, a.input]),
      [["alice", "ui", { approved: true }]],
    );

    // The form says why the server refused an answer she may not give.
    await page.goto(`${people.base}/inbox/${other.id}`);
    await page.getByLabel("approved").check();
    await page.getByRole("button", { name: "Submit answer" }).click();
    await page.getByText(/Refused: alice is not among who may answer this pause \(bob\)/).waitFor();
    await page.close();
  });

  test("the sign-in page has no serious or critical axe violation and an h1, at laptop and phone widths; a wrong password is announced", async () => {
    for (const viewport of [
      { width: 1280, height: 800 },
      { width: 390, height: 844 },
    ]) {
      const page = await openPage(people.browser, viewport);
      await signIn(page, "wrong password");
      await page.getByRole("alert").filter({ hasText: "The name or the password is wrong." }).waitFor();
      assert.deepEqual(await accessibilityViolations(page), [], `at ${viewport.width} px`);
      assert.equal(await page.getByRole("heading", { level: 1, name: "Sign in to Baton" }).count(), 1);
      await page.close();
    }
  });

  test("a write with the session cookie but without the page's CSRF token is refused, and changes nothing", async () => {
    const run = await paused("csrf-target");
    const page = await people.browser.newPage();
    await signIn(page, "alice's password");
    await page.getByTestId("signed-in").waitFor();
    const res = await page.evaluate(
      (id) =>
        fetch(`/api/flow-runs/${id}/resume`, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: '{"input":{"approved":true}}',
        }).then(async (r) => ({ status: r.status, body: (await r.json()) as { code: string; message: string } })),
      run.id,
    );
    assert.equal(res.status, 403);
    assert.equal(res.body.code, "FORBIDDEN");
    assert.match(res.body.message, /CSRF token/);
    assert.equal((await people.client.getFlowRun(run.id)).state.type, "PAUSED");
    await page.close();
  });

  test("sign-out ends the session: the page shows the sign-in form, and the old cookie no longer works", async () => {
    const page = await people.browser.newPage();
    await signIn(page, "alice's password");
    await page.getByTestId("signed-in").waitFor();
    const [cookie] = await page.context().cookies();
    await page.getByRole("button", { name: "Sign out" }).click();
    await page.getByRole("heading", { name: "Sign in to Baton" }).waitFor();
    await waitUntil("the old session is refused", async () => {
      const res = await fetch(`${people.server.apiUrl}/flow-runs`, { headers: { cookie: `baton_session=${cookie!.value}` } });
      return res.status === 401;
    });
    await page.reload();
    await page.getByRole("heading", { name: "Sign in to Baton" }).waitFor();
    await page.close();
  });
});

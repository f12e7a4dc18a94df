// Issue 14's rules over issue 12's notifications, on a server that requires sign-in: answer links count as
// whom they were emailed to (and obey the pause's respondents), work from a real browser through the request
// guards, and are audited; automations and timeouts act under their own names; channel and automation
// changes are audited; nobody may claim the channels `link` or `timeout`.
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import type { Browser } from "playwright-core";
import { z } from "zod";
import { createClient, type BatonClient } from "../src/client/index.ts";
import type { AuditEntry, FlowRun, PauseBody } from "../src/contract/index.ts";
import { toInputRequest } from "../src/sdk/run-input.ts";
import { request, waitForState, waitUntil } from "./support/api.ts";
import { CHROMIUM, launchChromium } from "./support/browser.ts";
import { makePeople } from "./support/people.ts";
import { startTestServer, type TestServer } from "./support/processes.ts";
import { startHttpReceiver, startSmtpReceiver, type HttpReceiver, type SmtpReceiver } from "./support/receivers.ts";

const Approval = toInputRequest(z.object({ approved: z.boolean() }));
const noBrowser = existsSync(CHROMIUM) ? false : `no Chromium at ${CHROMIUM}`;

describe("answer links, automations and timeouts on a server that requires sign-in", () => {
  const home = mkdtempSync(join(tmpdir(), "baton-link-access-"));
  let server: TestServer;
  let admin: BatonClient;
  let olga: BatonClient;
  let olgaKey: string;
  let adaKey: string;
  let smtp: SmtpReceiver;
  let hooks: HttpReceiver;
  let n = 0;
  before(async () => {
    [smtp, hooks] = await Promise.all([startSmtpReceiver(), startHttpReceiver()]);
    const tokens = await makePeople({ home }, [
      { name: "root", role: "admin" },
      { name: "olga", role: "operator" },
      { name: "ada", role: "responder", groups: ["finance"], email: "ada@example.test" },
      { name: "bob", role: "responder", email: "bob@example.test" },
    ]);
    server = await startTestServer("sqlite", {
      BATON_HOME: home,
      BATON_SMTP_URL: smtp.url,
      BATON_DELIVERY_MAX_ATTEMPTS: "2",
      BATON_DELIVERY_RETRY_SECONDS: "0.2",
    });
    admin = createClient({ apiUrl: server.apiUrl, apiKey: tokens.root });
    olgaKey = tokens.olga!;
    adaKey = tokens.ada!;
    olga = createClient({ apiUrl: server.apiUrl, apiKey: olgaKey });
    await admin.createChannel({ name: "to-ada", type: "email", to: ["ada@example.test"] });
    await admin.createChannel({ name: "to-eve", type: "email", to: ["eve@example.test"] });
    await admin.createChannel({ name: "hooks", type: "webhook", url: hooks.url });
  });
  after(async () => {
    await Promise.all([admin?.close(), olga?.close()]);
    await server?.close();
    await Promise.all([smtp?.close(), hooks?.close()]);
    rmSync(home, { recursive: true, force: true });
  });

  /** A run of a flow of its own, paused by the operator (as a flow process would) with `extra` (respondents…). */
  async function paused(flowName: string, extra: Partial<PauseBody> = {}): Promise<FlowRun> {
    const run = await olga.createFlowRun({ flowName, state: { type: "RUNNING" } });
    const result = await olga.pause(run.id, { key: "approval", timeoutSeconds: 3600, inputRequest: Approval, ...extra });
    assert.equal(result.status, "PAUSED");
    return (result as { flowRun: FlowRun }).flowRun;
  }
  /** A flow name no other test uses, notified through `channel` when it pauses. */
  async function notified(channel: string): Promise<string> {
    const flowName = `links-${++n}`;
    await admin.createAutomation({
      name: `notify ${flowName}`,
      trigger: { type: "event", events: ["flow-run.paused"], flowName: [flowName] },
      actions: [{ type: "notify", channel }],
    });
    return flowName;
  }
  const mailAbout = (run: FlowRun) => waitUntil("the email arrives", () => smtp.mails.find((m) => m.text?.includes(run.id)));
  const linkIn = async (run: FlowRun, label: "Approve" | "Reject") => new RegExp(`${label}: (\\S+)`).exec((await mailAbout(run)).text!)![1]!;
  const auditOf = async (run: FlowRun): Promise<AuditEntry[]> => admin.listAudit({ target: `flow-run/${run.id}` });
  const post = (url: string) => fetch(url, { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded" }, body: "" });

  test("a link clicked in a real browser answers as the user it was emailed to, through the request guards, and is audited", {
    skip: noBrowser,
  }, async () => {
    const run = await paused(await notified("to-ada"));
    const approve = await linkIn(run, "Approve");
    let browser: Browser | undefined;
    try {
      browser = await launchChromium();
      const page = await browser.newPage();
      await page.goto(approve);
      assert.equal((await olga.getFlowRun(run.id)).state.type, "PAUSED", "opening the link changes nothing");
      // The page's form posts to its own origin with no key and no session; its Referrer-Policy (no-referrer)
      // makes Chromium send `Origin: null`, which the cross-site guard must not take for another site.
      const [answered] = await Promise.all([page.waitForResponse((r) => r.request().method() === "POST"), page.click("button")]);
      assert.equal(answered.status(), 200, await answered.text());
      assert.equal(answered.request().headers().origin, "null");
      assert.match((await page.textContent("h1")) ?? "", /Answered “Approve”/);
    } finally {
      await browser?.close();
    }
    const [input] = await olga.listRunInputs(run.id);
    assert.deepEqual([input!.response, input!.channel, input!.respondedBy], [{ approved: true }, "link", "ada"]);
    const answer = (await auditOf(run)).find((e) => e.action === "flow-run.answer")!;
    assert.deepEqual([answer.actor, answer.details.channel, answer.details.respondedBy], ["ada", "link", "ada"]);
    assert.ok((await admin.verifyAudit()).ok);
  });

  test("a link obeys the pause's respondents: emailed to someone it does not name, it is refused (403) and audited", async () => {
    const run = await paused(await notified("to-ada"), { respondents: ["bob"] });
    const res = await post(await linkIn(run, "Approve"));
    assert.equal(res.status, 403);
    assert.match(await res.text(), /This answer was refused[\s\S]*ada is not among who may answer this pause \(bob\)/);
    assert.equal((await olga.getFlowRun(run.id)).state.type, "PAUSED", "nothing changed");
    const refused = (await auditOf(run)).find((e) => e.action === "refused")!;
    assert.equal(refused.actor, "ada");
    assert.equal(refused.details.channel, "link");
  });

  test("a link emailed to an address no user has counts as that address; one sent to a webhook counts as `link`", async () => {
    const toEve = await paused(await notified("to-eve"), { respondents: ["group:finance"] });
    const refused = await post(await linkIn(toEve, "Approve"));
    assert.equal(refused.status, 403, "an address outside the respondents is refused like a user");
    const open = await paused(await notified("to-eve"));
    assert.equal((await post(await linkIn(open, "Reject"))).status, 200);
    assert.deepEqual(
      (await olga.listRunInputs(open.id)).map((i) => [i.respondedBy, i.channel, i.response]),
      [["eve@example.test", "link", { approved: false }]],
    );
    const hooked = await paused(await notified("hooks"));
    const message = await waitUntil("the webhook is called", () => hooks.received.find((r) => r.body?.flowRun?.id === hooked.id));
    const [link] = message.body.links.answers as { url: string }[];
    assert.equal((await post(link!.url)).status, 200);
    assert.equal((await olga.listRunInputs(hooked.id))[0]!.respondedBy, "link");
    assert.equal((await auditOf(hooked)).find((e) => e.action === "flow-run.answer")!.actor, "link");
    // Whoever reads deliveries (a viewer may) does not get the links, which answer as their recipient.
    const [delivery] = await admin.listDeliveries({ flowRunId: hooked.id });
    const payload = (await admin.getDelivery(delivery!.id)).payload as { links: { answers: { label: string; url: string }[] } };
    assert.deepEqual(
      payload.links.answers.map((a) => [a.label, a.url.includes("/answer/")]),
      [
        ["Approve", false],
        ["Reject", false],
      ],
    );
  });

  test("nobody may claim the channels `link` or `timeout`: not in the body (400), not in the header (ignored)", async () => {
    const run = await paused("claims");
    const as = (headers: Record<string, string> = {}) => ({ headers: { authorization: `Bearer ${olgaKey}`, ...headers } });
    for (const channel of ["link", "timeout"]) {
      const res = await request(server, "POST", `/flow-runs/${run.id}/resume`, { input: { approved: true }, channel }, as());
      assert.equal(res.status, 400, channel);
      assert.equal((await olga.getFlowRun(run.id)).state.type, "PAUSED");
    }
    const res = await request(server, "POST", `/flow-runs/${run.id}/resume`, { input: { approved: true } }, as({ "x-baton-channel": "timeout" }));
    assert.equal(res.status, 200, JSON.stringify(res.body));
    assert.deepEqual(
      (await olga.listRunInputs(run.id)).map((i) => [i.channel, i.respondedBy]),
      [["api", "olga"]],
    );
  });

  test("automations act as `automation:<name>` (past the pause's respondents), and the audit and the runs say so", async () => {
    await olga.registerDeployment({ name: "after-approval", flowName: "after-approval" });
    await admin.createAutomation({
      name: "auto",
      trigger: { type: "event", events: ["flow-run.paused"], flowName: ["automated"] },
      actions: [
        { type: "resume-run", input: { approved: true } },
        { type: "run-deployment", deployment: "after-approval" },
      ],
    });
    await admin.createAutomation({
      name: "stop",
      trigger: { type: "event", events: ["flow-run.paused"], flowName: ["stopped"] },
      actions: [{ type: "cancel-run" }],
    });
    const answered = await paused("automated", { respondents: ["bob"] });
    const cancelled = await paused("stopped");
    await waitForState(olga, answered.id, "RUNNING");
    await waitForState(olga, cancelled.id, "CANCELLED");
    const [input] = await olga.listRunInputs(answered.id);
    assert.deepEqual([input!.respondedBy, input!.channel], ["automation:auto", "api"]);
    assert.equal((await auditOf(answered)).find((e) => e.action === "flow-run.answer")!.actor, "automation:auto");
    assert.equal((await auditOf(cancelled)).find((e) => e.action === "flow-run.cancel")!.actor, "automation:stop");
    const started = await waitUntil("the deployment run is started", async () => (await olga.listFlowRuns({ flowName: "after-approval" })).items[0]);
    assert.equal(started.createdBy, "automation:auto");
  });

  test("an onTimeout answer, and a timeout that cancels, are audited as `timeout`", async () => {
    const answered = await paused("timing-out", { timeoutSeconds: 0.3, onTimeout: { answer: { approved: false } } });
    const cancelled = await paused("timing-out", { timeoutSeconds: 0.3, onTimeout: "cancel" });
    await waitForState(olga, answered.id, "RUNNING");
    await waitForState(olga, cancelled.id, "CANCELLED");
    const answer = (await auditOf(answered)).find((e) => e.action === "flow-run.answer")!;
    assert.deepEqual([answer.actor, answer.details.channel], ["timeout", "timeout"]);
    assert.equal((await auditOf(cancelled)).find((e) => e.action === "flow-run.cancel")!.actor, "timeout");
  });

  test("an event stream that claims to be a flow process's (workerId) needs a role that runs flows, and a refused one leaves no listener", async () => {
    const listeners = async () =>
      Number(
        /^baton_event_listeners (\d+)/m.exec(
          await (await fetch(`${server.apiUrl}/metrics`, { headers: { authorization: `Bearer ${olgaKey}` } })).text(),
        )![1],
      );
    const before = await listeners();
    const res = await fetch(`${server.apiUrl}/events?workerId=not-a-process`, { headers: { authorization: `Bearer ${adaKey}` } });
    assert.equal(res.status, 403);
    assert.equal(((await res.json()) as { code: string }).code, "FORBIDDEN");
    assert.equal(await listeners(), before);
  });

  test("channel and automation changes are audited with who made them, never a channel's URL or secret", async () => {
    const made = await admin.createAutomation({
      name: "audited",
      enabled: false,
      trigger: { type: "event", events: ["flow-run.failed"] },
      actions: [{ type: "cancel-run" }],
    });
    await admin.setAutomationEnabled(made.id, true);
    await admin.updateAutomation(made.id, {
      name: "audited again",
      trigger: { type: "event", events: ["flow-run.failed"] },
      actions: [{ type: "cancel-run" }],
    });
    await admin.deleteAutomation(made.id);
    await admin.createChannel({ name: "audited", type: "slack", url: "https://hooks.slack.test/services/T0/B0/secret-part" });
    await admin.deleteChannel("audited");
    const entries = [...(await admin.listAudit({ target: `automation/${made.id}` })), ...(await admin.listAudit({ target: "channel/audited" }))];
    assert.deepEqual(
      entries.map((e) => [e.actor, e.action]),
      [
        ["root", "automation.create"],
        ["root", "automation.enable"],
        ["root", "automation.update"],
        ["root", "automation.delete"],
        ["root", "channel.create"],
        ["root", "channel.delete"],
      ],
    );
    assert.ok(!JSON.stringify(entries).includes("secret-part"), "a Slack URL is a credential: not in the log");
  });
});

// Channels, automations, deliveries and answer links, against real endpoints on this machine: a local HTTP
// receiver that checks signatures, a real SMTP server, and a real server process on each backend.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { z } from "zod";
import { createClient, type BatonClient } from "../src/client/index.ts";
import type { CreateAutomationBody, NotificationMessage } from "../src/contract/index.ts";
import { toInputRequest } from "../src/sdk/run-input.ts";
import { pausedRun, request, waitForState, waitUntil } from "./support/api.ts";
import { backends, spawnNode, startTestServer, type TestServer } from "./support/processes.ts";
import { startHttpReceiver, startSmtpReceiver, verifySignature, type HttpReceiver, type Received, type SmtpReceiver } from "./support/receivers.ts";

const Approval = z.object({ approved: z.boolean() });

for (const { backend, skip } of await backends()) {
  describe(`notifications on ${backend}`, { skip }, () => {
    let server: TestServer;
    let client: BatonClient;
    let hooks: HttpReceiver;
    let slack: HttpReceiver;
    let smtp: SmtpReceiver;
    let secret: string;
    before(async () => {
      [hooks, slack, smtp] = await Promise.all([startHttpReceiver(), startHttpReceiver(), startSmtpReceiver()]);
      server = await startTestServer(backend, {
        BATON_SMTP_URL: smtp.url,
        BATON_SMTP_FROM: "Baton <baton@example.test>",
        BATON_DELIVERY_MAX_ATTEMPTS: "3",
        BATON_DELIVERY_RETRY_SECONDS: "0.2",
        BATON_DELIVERY_TIMEOUT_SECONDS: "1",
      });
      client = createClient({ apiUrl: server.apiUrl });
      secret = (await client.createChannel({ name: "hooks", type: "webhook", url: hooks.url })).secret!;
      await client.createChannel({ name: "slack", type: "slack", url: slack.url });
      await client.createChannel({ name: "mail", type: "email", to: ["ops@example.test"] });
    });
    after(async () => {
      await server?.close();
      await Promise.all([hooks?.close(), slack?.close(), smtp?.close()]);
    });

    const automate = (body: CreateAutomationBody) => client.createAutomation(body);
    const onPaused = (flowName: string, ...channels: string[]) =>
      automate({
        name: `notify ${flowName}`,
        trigger: { type: "event", events: ["flow-run.paused"], flowName: [flowName] },
        actions: channels.map((channel) => ({ type: "notify", channel })),
      });
    /** The webhook messages about runs of `flowName`. */
    const messagesOf = (flowName: string): Received[] => hooks.received.filter((r) => r.body?.flowRun?.flowName === flowName);

    test("a paused greet-user run notifies a webhook within one second, signed, with what it asks and a link to its form", async () => {
      await onPaused("greet-user", "hooks");
      const flow = spawnNode(["examples/greet-user.ts"], server.env);
      const hit = await waitUntil("the webhook is called", () => messagesOf("greet-user")[0]);
      const message = hit!.body as NotificationMessage;
      const run = await client.getFlowRun(message.flowRun!.id);
      const pausedAt = Date.parse(run.state.timestamp);
      assert.ok(hit!.at - pausedAt < 1000, `received ${hit!.at - pausedAt} ms after the pause`);
      assert.ok(verifySignature(secret, hit!.headers["baton-signature"] as string, hit!.raw), "the signature checks out with the channel's secret");
      assert.ok(!verifySignature("whsec_another-secret-entirely", hit!.headers["baton-signature"] as string, hit!.raw));
      assert.equal(hit!.headers["baton-delivery"], message.id);
      assert.equal(message.event, "flow-run.paused");
      assert.equal(message.flowRun!.state.type, "PAUSED");
      assert.deepEqual(Object.keys((message.pause!.schema as { properties: object }).properties), ["name"]);
      assert.equal(message.links.run, `${new URL(server.apiUrl).origin}/inbox/${run.id}`);
      assert.deepEqual(message.links.answers, [], "a text field is answered in the form, not by a link");
      assert.match(message.text, /It asks for: name \(text\)/);
      // The endpoint took it; the server records so a moment later.
      const [delivery] = await waitUntil("the delivery is recorded delivered", async () => {
        const delivered = await client.listDeliveries({ flowRunId: run.id, status: "DELIVERED" });
        return delivered.length ? delivered : undefined;
      });
      assert.equal(delivery!.attempts, 1);
      await client.resume(run.id, { input: { name: "Ada" } });
      assert.equal(await flow.exited, 0);
    });

    test("the event stream tells of each delivery queued, sent and delivered, so that a list of deliveries can follow without asking", async () => {
      await onPaused("told", "hooks");
      const seen: { flowRunId: string; deliveryId: string; status: string }[] = [];
      const stream = client.events({ types: ["delivery.changed"] }, (e) => {
        if (e.type === "delivery.changed") seen.push({ flowRunId: e.flowRunId, ...e.payload });
      });
      try {
        await stream.ready;
        const run = await pausedRun(client, { flowName: "told" });
        const [delivery] = await waitUntil("the delivery is delivered", async () => {
          const delivered = await client.listDeliveries({ flowRunId: run.id, status: "DELIVERED" });
          return delivered.length ? delivered : undefined;
        });
        await waitUntil("the stream says delivered", () => seen.some((e) => e.status === "DELIVERED"));
        assert.deepEqual(
          seen,
          ["PENDING", "SENDING", "DELIVERED"].map((status) => ({ flowRunId: run.id, deliveryId: delivery!.id, status })),
        );
      } finally {
        stream.close();
      }
    });

    test("Slack gets Block Kit with link buttons, email a text and an HTML part; a link answers once, after a confirmation", async () => {
      await onPaused("approve", "slack", "mail");
      const run = await pausedRun(client, { flowName: "approve", waitForInput: Approval });
      const post = await waitUntil("Slack is called", () => slack.received.find((r) => r.raw.includes(run.id)));
      // Block Kit's documented structure: a header (plain_text), a section (mrkdwn) and an actions block of link buttons.
      const blocks = post.body.blocks as { type: string; text?: { type: string; text: string }; elements?: any[] }[];
      assert.equal(typeof post.body.text, "string");
      assert.deepEqual(
        blocks.map((b) => b.type),
        ["header", "section", "actions"],
      );
      assert.equal(blocks[0]!.text!.type, "plain_text");
      assert.ok(blocks[0]!.text!.text.length <= 150);
      assert.equal(blocks[1]!.text!.type, "mrkdwn");
      assert.deepEqual(
        blocks[2]!.elements!.map((e) => [e.type, e.text.type, e.text.text]),
        [
          ["button", "plain_text", "Approve"],
          ["button", "plain_text", "Reject"],
          ["button", "plain_text", "Open the form"],
        ],
      );
      for (const e of blocks[2]!.elements!) assert.match(e.url, /^http:\/\/127\.0\.0\.1:\d+\/(answer|inbox)\//);

      const mail = await waitUntil("the email arrives", () => smtp.mails.find((m) => m.text?.includes(run.id)));
      assert.match(mail.subject ?? "", /^Waiting for your answer: approve \//);
      assert.equal((mail.to as { text: string }).text, "ops@example.test");
      assert.match(mail.from!.text, /baton@example\.test/);
      assert.ok(mail.html && mail.html.includes(">Approve</a>"), "the HTML part has the buttons");
      const approve = /Approve: (\S+)/.exec(mail.text!)![1]!;
      const reject = /Reject: (\S+)/.exec(mail.text!)![1]!;

      // Opening a link (a mail scanner does) changes nothing.
      const opened = await fetch(approve);
      assert.equal(opened.status, 200);
      assert.match(await opened.text(), /Answer “Approve”\?[\s\S]*<form method="post">/);
      assert.equal((await client.getFlowRun(run.id)).state.type, "PAUSED");

      const answered = await fetch(approve, { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded" }, body: "" });
      assert.equal(answered.status, 200);
      assert.match(await answered.text(), /Answered “Approve”/);
      const [input] = await client.listRunInputs(run.id);
      assert.deepEqual([input!.response, input!.channel], [{ approved: true }, "link"]);
      assert.equal((await client.getFlowRun(run.id)).state.type, "RUNNING");

      const again = await fetch(approve, { method: "POST" });
      assert.equal(again.status, 409);
      assert.match(await again.text(), /This link was already used/);
      const other = await fetch(reject);
      assert.equal(other.status, 409);
      assert.match(await other.text(), /This question was already answered[\s\S]*through link/);
      const [body, mac] = approve.split("/answer/")[1]!.split(".");
      const tampered = await fetch(approve.replace(`${body}.${mac}`, `${body}.${mac!.slice(0, -2)}AA`));
      assert.equal(tampered.status, 400);
      assert.match(await tampered.text(), /This link is not valid/);
      const forged = JSON.parse(Buffer.from(body!, "base64url").toString());
      forged[2] = { approved: false };
      const swapped = await fetch(approve.replace(body!, Buffer.from(JSON.stringify(forged)).toString("base64url")));
      assert.equal(swapped.status, 400, "another answer under the same signature is refused");
    });

    test("a link expires with its pause, and says what became of the run", async () => {
      await onPaused("expiring", "hooks");
      const run = await pausedRun(client, { flowName: "expiring", timeoutSeconds: 1 });
      const hit = await waitUntil("the webhook is called", () => messagesOf("expiring")[0]);
      const [resume] = (hit.body as NotificationMessage).links.answers;
      assert.equal(resume!.label, "Resume");
      await waitForState(client, run.id, "FAILED");
      const res = await fetch(resume!.url, { method: "POST" });
      assert.equal(res.status, 410);
      assert.match(await res.text(), /This link has expired[\s\S]*Failed/);
    });

    test("a reminder fires once for a run that stays paused, and never for one answered in time", async () => {
      await automate({
        name: "remind",
        trigger: { type: "stays", state: "PAUSED", for: "1s", flowName: ["remind-me"] },
        actions: [
          { type: "notify", channel: "hooks", title: "Reminder: {runName} still waits", text: "{flowName} asks since a while; answer at {runUrl}" },
        ],
      });
      const waiting = await pausedRun(client, { flowName: "remind-me" });
      const answered = await pausedRun(client, { flowName: "remind-me" });
      await client.resume(answered.id);
      const hit = await waitUntil("the reminder comes", () => messagesOf("remind-me")[0], 5000);
      assert.equal(hit.body.flowRun.id, waiting.id);
      assert.equal(hit.body.event, "flow-run.stayed-paused");
      assert.equal(hit.body.title, `Reminder: ${waiting.name} still waits`);
      assert.equal(hit.body.text, `remind-me asks since a while; answer at ${new URL(server.apiUrl).origin}/inbox/${waiting.id}`);
      assert.deepEqual(
        hit.body.links.answers.map((a: { label: string }) => a.label),
        ["Resume"],
        "the links are there whatever the template says",
      );
      await new Promise((r) => setTimeout(r, 2000));
      assert.deepEqual(
        messagesOf("remind-me").map((r) => r.body.flowRun.id),
        [waiting.id],
      );
    });

    test("a failing webhook is retried with backoff, then marked failed with its last error; a hanging one does not hold up the API or other deliveries", async () => {
      const failing = await startHttpReceiver();
      const hanging = await startHttpReceiver();
      failing.respond = () => 500;
      hanging.respond = () => "hang";
      try {
        await client.createChannel({ name: "failing", type: "webhook", url: failing.url });
        await client.createChannel({ name: "hanging", type: "webhook", url: hanging.url });
        await onPaused("doomed", "failing");
        await onPaused("stuck", "hanging");
        await onPaused("healthy", "hooks");
        const doomed = await pausedRun(client, { flowName: "doomed" });
        // More than one channel may hold at once (8 per server): the rest of its deliveries wait their turn.
        for (let i = 0; i < 12; i++) await pausedRun(client, { flowName: "stuck" });
        // What the server has in flight to the channel, as its deliveries list says (sending), all along.
        let mostSending = 0;
        let sampling = true;
        const sampler = (async () => {
          for (; sampling; await new Promise((r) => setTimeout(r, 20)))
            mostSending = Math.max(mostSending, (await client.listDeliveries({ channel: "hanging", status: "SENDING" })).length);
        })();
        await waitUntil("the hanging endpoint holds eight requests", () => hanging.received.length >= 8);
        // While it hangs: the API answers at once, and another channel's delivery arrives at once.
        const started = Date.now();
        const healthy = await pausedRun(client, { flowName: "healthy" });
        await client.resume(healthy.id);
        assert.ok(Date.now() - started < 1000, `pause and answer took ${Date.now() - started} ms`);
        await waitUntil("the healthy channel is called", () => messagesOf("healthy").length, 1000);

        const failed = await waitUntil(
          "the delivery fails for good",
          async () => (await client.listDeliveries({ flowRunId: doomed.id, status: "FAILED" }))[0],
        );
        assert.equal(failed!.attempts, 3);
        assert.match(failed!.lastError!, /answered HTTP 500: nope/);
        assert.equal(failing.received.length, 3);
        assert.equal(new Set(failing.received.map((r) => r.headers["baton-delivery"])).size, 1, "every retry has the same Baton-Delivery id");
        const gaps = failing.received.slice(1).map((r, i) => r.at - failing.received[i]!.at);
        assert.ok(gaps[1]! > gaps[0]!, `the second retry waits longer than the first (${gaps.join(", ")} ms)`);
        const stuck = await waitUntil("the hanging deliveries time out", async () => {
          const list = (await client.listDeliveries({ channel: "hanging" })).filter((d) => d.lastError);
          return list.length === 12 ? list : undefined;
        });
        assert.match(stuck[0]!.lastError!, /no answer from 127\.0\.0\.1:\d+ within 1 s/);
        sampling = false;
        await sampler;
        assert.equal(mostSending, 8, "one channel holds at most 8 deliveries in flight (and the 12 reached 8)");
      } finally {
        await Promise.all([failing.close(), hanging.close()]);
      }
    });

    test("automations act on runs: cancel one that pauses, answer one, start a deployment run", async () => {
      await automate({
        name: "cancel",
        trigger: { type: "event", events: ["flow-run.paused"], flowName: ["cancel-me"] },
        actions: [{ type: "cancel-run" }],
      });
      await automate({
        name: "approve and follow up",
        trigger: { type: "event", events: ["flow-run.paused"], flowName: ["auto-approve"] },
        actions: [
          { type: "resume-run", input: { approved: true } },
          { type: "run-deployment", deployment: "follow-up", parameters: { note: "approved" } },
        ],
      });
      await client.registerDeployment({ name: "follow-up", flowName: "follow-up" });
      const cancelled = await pausedRun(client, { flowName: "cancel-me" });
      const approved = await pausedRun(client, { flowName: "auto-approve", waitForInput: Approval });
      assert.match((await waitForState(client, cancelled.id, "CANCELLED")).state.message!, /automation/);
      await waitForState(client, approved.id, "RUNNING");
      assert.deepEqual((await client.listRunInputs(approved.id))[0]!.response, { approved: true });
      const followUp = await waitUntil("the deployment run is created", async () => (await client.listFlowRuns({ flowName: "follow-up" })).items[0]);
      assert.deepEqual(followUp.parameters, { note: "approved" });
    });

    test("onTimeout: a pause can be cancelled, or answered with its default, when nobody answers", async () => {
      const pause = (flowName: string, onTimeout: unknown) =>
        client.createFlowRun({ flowName, state: { type: "RUNNING" } }).then((run) =>
          request(server, "POST", `/flow-runs/${run.id}/pause`, {
            key: "approval",
            timeoutSeconds: 0.5,
            inputRequest: toInputRequest(Approval),
            onTimeout,
          }).then((res) => ({ run, res })),
        );
      const cancel = await pause("timeouts", "cancel");
      const answer = await pause("timeouts", { answer: { approved: false } });
      const wrong = await pause("timeouts", { answer: { approved: "maybe" } });
      assert.equal(wrong.res.status, 400);
      assert.match(wrong.res.body.message, /onTimeout answer of pause "approval" does not fit its input schema/);
      assert.equal((await client.getFlowRun(wrong.run.id)).state.type, "RUNNING", "the refused pause is not made");
      await waitForState(client, cancel.run.id, "CANCELLED");
      await waitForState(client, answer.run.id, "RUNNING");
      const [input] = await client.listRunInputs(answer.run.id);
      assert.deepEqual([input!.response, input!.channel], [{ approved: false }, "timeout"]);
    });

    test("channels and automations refuse what cannot work, with a clear error", async () => {
      const dup = await request(server, "POST", "/channels", { name: "hooks", type: "webhook", url: hooks.url });
      assert.equal(dup.status, 409);
      assert.equal(dup.body.code, "CHANNEL_CONFLICT");
      const badUrl = await request(server, "POST", "/channels", { name: "bad", type: "webhook", url: "ftp://example.test" });
      assert.equal(badUrl.status, 400);
      const unknown = await request(server, "POST", "/automations", {
        name: "typo",
        trigger: { type: "event", events: ["flow-run.paused"] },
        actions: [{ type: "notify", channel: "hoks" }],
      });
      assert.equal(unknown.status, 400);
      assert.match(unknown.body.message, /No channel is named "hoks"/);
      const typo = await request(server, "POST", "/automations", {
        name: "typo",
        trigger: { type: "event", events: ["flow-run.paused"] },
        actions: [{ type: "notify", channel: "hooks", title: "{flowname} waits" }],
      });
      assert.equal(typo.status, 400);
      assert.match(typo.body.message, /\/actions\/0\/title: no placeholder is named \{flowname\}; the placeholders are \{event\}, \{flowName\}/);
      const inUse = await request(server, "DELETE", "/channels/hooks");
      assert.equal(inUse.status, 409);
      assert.match(inUse.body.message, /automations send to it/);
      const listed = await client.listChannels();
      assert.ok(
        listed.every((c) => c.secret === null),
        "secrets are shown only at creation",
      );
      assert.equal((await request(server, "GET", "/automations/nope")).body.code, "AUTOMATION_NOT_FOUND");
    });

    test("1,000 runs pausing at once produce exactly 1,000 deliveries, each received once", async () => {
      const other = backend === "postgres" ? await startTestServer("postgres", { BATON_DATABASE_URL: server.databaseUrl! }) : undefined;
      try {
        await onPaused("burst", "hooks");
        const clients = other ? [client, createClient({ apiUrl: other.apiUrl })] : [client];
        const ids: string[] = [];
        for (let i = 0; i < 1000; i += 50)
          ids.push(
            ...(await Promise.all(Array.from({ length: 50 }, (_, j) => pausedRun(clients[(i + j) % clients.length]!, { flowName: "burst" })))).map(
              (r) => r.id,
            ),
          );
        await waitUntil("1,000 messages arrive", () => messagesOf("burst").length >= 1000, 60_000, 200);
        await new Promise((r) => setTimeout(r, 1500)); // time for any duplicate to show
        const got = messagesOf("burst");
        assert.equal(got.length, 1000);
        assert.equal(new Set(got.map((r) => r.headers["baton-delivery"])).size, 1000);
        assert.deepEqual(new Set(got.map((r) => r.body.flowRun.id)), new Set(ids));
      } finally {
        await other?.stop();
      }
    });
  });
}

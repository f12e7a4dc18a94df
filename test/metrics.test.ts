// GET /api/metrics as a Prometheus scraper reads it, from a real server process on each backend.
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { after, before, describe, test } from "node:test";
import { createClient, type BatonClient } from "../src/client/index.ts";
import { pausedRun, waitUntil } from "./support/api.ts";
import { backends, startTestServer, type TestServer } from "./support/processes.ts";
import { startHttpReceiver } from "./support/receivers.ts";

/** The value of one series (name and exact labels) in the text format, or undefined. */
function value(text: string, series: string): number | undefined {
  const line = text.split("\n").find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

for (const { backend, skip } of await backends()) {
  describe(`metrics on ${backend}`, { skip }, () => {
    let server: TestServer;
    let client: BatonClient;
    before(async () => {
      server = await startTestServer(backend, { BATON_DELIVERY_MAX_ATTEMPTS: "2", BATON_DELIVERY_RETRY_SECONDS: "0.2" });
      client = createClient({ apiUrl: server.apiUrl });
    });
    after(() => server?.close());

    const scrape = async () => {
      const res = await fetch(`${server.apiUrl}/metrics`);
      assert.equal(res.status, 200);
      assert.match(res.headers.get("content-type") ?? "", /^text\/plain; version=0\.0\.4/);
      return res.text();
    };

    test("runs by state, runs waiting for a person and for how long, answers with their latency, and event streams", async () => {
      const run = await pausedRun(client, { flowName: "metrics-test" });
      const stream = client.events({ workerId: randomUUID() }, () => {});
      await stream.ready;
      await new Promise((r) => setTimeout(r, 1100));
      let text = await scrape();
      assert.equal(value(text, 'baton_flow_runs{state="PAUSED"}'), 1, text);
      assert.equal(value(text, 'baton_flow_runs{state="COMPLETED"}'), 0);
      assert.equal(value(text, 'baton_runs_waiting_for_person{suspended="false"}'), 1);
      assert.equal(value(text, 'baton_runs_waiting_for_person{suspended="true"}'), 0);
      assert.ok(value(text, 'baton_oldest_wait_for_person_seconds{suspended="false"}')! >= 1, "it has waited a second");
      assert.equal(value(text, 'baton_event_streams{holder="process"}'), 1);
      assert.match(text, /^# HELP baton_answer_duration_seconds /m);
      assert.match(text, /^baton_process_cpu_user_seconds_total /m, "the process's own metrics are there too");

      await client.resume(run.id, {});
      stream.close();
      text = await scrape();
      assert.equal(value(text, 'baton_answers_total{channel="api",suspended="false"}'), 1, text);
      assert.equal(value(text, 'baton_answer_duration_seconds_count{suspended="false"}'), 1);
      assert.equal(value(text, 'baton_wait_for_person_seconds_bucket{le="1",suspended="false"}'), 0, "it waited over a second");
      assert.equal(value(text, 'baton_wait_for_person_seconds_bucket{le="10",suspended="false"}'), 1);
      assert.equal(value(text, 'baton_runs_waiting_for_person{suspended="false"}'), 0);
      assert.equal(value(text, 'baton_flow_runs{state="RUNNING"}'), 1);
    });

    test("deliveries by outcome, how long their attempts took, and how many are due", async () => {
      const [ok, broken] = await Promise.all([startHttpReceiver(), startHttpReceiver()]);
      broken.respond = () => 503;
      try {
        await client.createChannel({ name: "metrics-ok", type: "webhook", url: ok.url });
        await client.createChannel({ name: "metrics-broken", type: "webhook", url: broken.url });
        const [delivered, failing] = await Promise.all([client.testChannel("metrics-ok"), client.testChannel("metrics-broken")]);
        await waitUntil("the test message is delivered", async () => (await client.getDelivery(delivered.id)).status === "DELIVERED");
        await waitUntil("the broken channel's test fails for good", async () => (await client.getDelivery(failing.id)).status === "FAILED");
        const text = await scrape();
        assert.equal(value(text, 'baton_delivery_attempts_total{action="notify",outcome="delivered"}'), 1, text);
        assert.equal(value(text, 'baton_delivery_attempts_total{action="notify",outcome="retry"}'), 1);
        assert.equal(value(text, 'baton_delivery_attempts_total{action="notify",outcome="failed"}'), 1);
        assert.equal(value(text, 'baton_delivery_attempt_duration_seconds_count{action="notify"}'), 3);
        assert.equal(value(text, "baton_deliveries_due"), 0);
      } finally {
        await Promise.all([ok.close(), broken.close()]);
      }
    });
  });
}

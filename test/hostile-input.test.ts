// The hostile inputs of issue 11, one test each, on both databases: a clear 4xx or the data kept exactly,
// never a 500 or a stall, and the run still answerable afterwards.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { z } from "zod";
import { createClient, type BatonClient } from "../src/client/index.ts";
import { pausedRun, request } from "./support/api.ts";
import { backends, startTestServer, type TestServer } from "./support/processes.ts";

/** A JSON text nested `depth` levels deep: arrays, or objects under the key "a". */
function deepJson(depth: number, kind: "array" | "object"): string {
  return kind === "array" ? `${"[".repeat(depth)}${"]".repeat(depth)}` : `${'{"a":'.repeat(depth)}1${"}".repeat(depth)}`;
}

/** What every refusal looks like: a 4xx with `{ code, message, details }`. */
function assertRefused(res: { status: number; body: any }, status: number, code: string, message?: RegExp): void {
  assert.equal(res.status, status, JSON.stringify(res.body).slice(0, 500));
  assert.equal(res.body.code, code);
  assert.equal(typeof res.body.message, "string");
  assert.equal(typeof res.body.details, "object");
  if (message) assert.match(res.body.message, message);
}

const NUL = "a\u0000b";
const LONE = "x\ud800y\udc00z";

for (const { backend, skip } of await backends()) {
  describe(`hostile input on ${backend}`, { skip }, () => {
    let server: TestServer;
    let client: BatonClient;
    before(async () => {
      server = await startTestServer(backend);
      client = createClient({ apiUrl: server.apiUrl });
    });
    after(() => server?.close());

    const resume = (id: string, body: unknown) => request(server, "POST", `/flow-runs/${id}/resume`, body);
    const pause = (id: string, schema: Record<string, unknown>, key = "1") =>
      request(server, "POST", `/flow-runs/${id}/pause`, { key, timeoutSeconds: 3600, inputRequest: { schema } });
    const running = () => client.createFlowRun({ flowName: "hostile", state: { type: "RUNNING" } });

    test("a run whose schema has a $id stays answerable after the server has seen 1,100 other schemas (more than it keeps compiled)", async () => {
      const run = await running();
      const victim = { $id: "urn:example:victim", type: "object", properties: { ok: { type: "boolean" } }, required: ["ok"] };
      assert.equal((await pause(run.id, victim)).status, 201);
      for (let i = 0; i < 1100; i += 50)
        await Promise.all(
          Array.from({ length: 50 }, (_, j) =>
            request(server, "POST", "/deployments", {
              name: "schema-churn",
              flowName: "hostile",
              parameterSchema: { $id: `urn:example:other-${i + j}`, type: "object", properties: { [`f${i + j}`]: { type: "string" } } },
            }).then((r) => assert.equal(r.status, 200, JSON.stringify(r.body))),
          ),
        );
      assertRefused(await resume(run.id, { input: {} }), 422, "INVALID_INPUT", /\/ok: ok is required/);
      const res = await resume(run.id, { input: { ok: true } });
      assert.equal(res.status, 200, JSON.stringify(res.body));
      assert.equal(res.body.state.type, "RUNNING");
    });

    test("an answer that would make a backtracking pattern run for seconds is refused at once, and the server stays responsive", async () => {
      const run = await pausedRun(client, { waitForInput: z.object({ code: z.string().regex(/^(a+)+$/) }) });
      const started = performance.now();
      const [answer, health] = await Promise.all([
        resume(run.id, { input: { code: `${"a".repeat(27)}!` } }),
        (async () => {
          const t = performance.now();
          const r = await request(server, "GET", "/health");
          return { status: r.status, ms: performance.now() - t };
        })(),
      ]);
      assertRefused(answer, 422, "INVALID_INPUT", /\/code/);
      assert.ok(performance.now() - started < 2000, `answered in ${Math.round(performance.now() - started)} ms`);
      assert.equal(health.status, 200);
      assert.ok(health.ms < 2000, `health answered in ${Math.round(health.ms)} ms`);
      assert.equal((await resume(run.id, { input: { code: "aaa" } })).status, 200);
    });

    test("a schema that takes seconds to compile is refused within 2 s, while the server answers everything else at once", async () => {
      const run = await running();
      // 2,000 counted repetitions: RE2 expands each, several seconds of compiling in all (49 KiB of schema).
      const allOf = Array.from({ length: 2000 }, (_, i) => ({ pattern: `^a{1,${(i % 900) + 50}}$` }));
      const started = performance.now();
      const refused = pause(run.id, { type: "string", allOf });
      await new Promise((r) => setTimeout(r, 300));
      const t = performance.now();
      assert.equal((await request(server, "GET", "/health")).status, 200);
      assert.ok(performance.now() - t < 500, `health answered in ${Math.round(performance.now() - t)} ms while the schema compiled`);
      assertRefused(await refused, 400, "BAD_REQUEST", /cannot be used to check answers: it takes longer than 2 s to compile; make it smaller/);
      assert.ok(performance.now() - started < 4000, `refused after ${Math.round(performance.now() - started)} ms`);
      assert.equal((await client.getFlowRun(run.id)).state.type, "RUNNING");
      // The checker is started again for the next question.
      const paused = await pausedRun(client, { waitForInput: z.object({ ok: z.boolean() }) });
      assert.equal((await resume(paused.id, { input: { ok: true } })).status, 200);
    });

    test("a pattern RE2 cannot run (lookahead, backreference) is refused when the pause is made, naming it", async () => {
      const run = await running();
      assertRefused(await pause(run.id, { type: "string", pattern: "^(?=a)a$" }), 400, "BAD_REQUEST", /cannot be used.*RE2.*lookahead/);
      assert.equal((await client.getFlowRun(run.id)).state.type, "RUNNING");
    });

    test("deep JSON in parameters, state details, initial data or an answer is a 400 naming the limit, and loses nothing", async () => {
      for (const kind of ["array", "object"] as const) {
        const deep = deepJson(kind === "array" ? 100_000 : 20_000, kind);
        assertRefused(
          await request(server, "POST", "/flow-runs", undefined, { rawBody: `{"flowName":"hostile","parameters":{"p":${deep}}}` }),
          400,
          "BAD_REQUEST",
          /\/parameters\/p.* is nested deeper than 64 levels/,
        );
        const run = await running();
        assertRefused(
          await request(server, "POST", `/flow-runs/${run.id}/set-state`, undefined, {
            rawBody: `{"state":{"type":"RUNNING","details":{"d":${deep}}}}`,
          }),
          400,
          "BAD_REQUEST",
        );
        assertRefused(
          await request(server, "POST", `/flow-runs/${run.id}/pause`, undefined, {
            rawBody: `{"key":"1","timeoutSeconds":60,"inputRequest":{"schema":{"type":"object"},"initialData":${deep}}}`,
          }),
          400,
          "BAD_REQUEST",
        );
        const paused = await pausedRun(client, { waitForInput: z.object({ v: z.unknown() }) });
        assertRefused(
          await request(server, "POST", `/flow-runs/${paused.id}/resume`, undefined, { rawBody: `{"input":{"v":${deep}}}` }),
          400,
          "BAD_REQUEST",
        );
        assert.equal((await resume(paused.id, { input: { v: JSON.parse(deepJson(60, kind)) } })).status, 200, "60 levels are fine");
      }
    });

    test("lists, fields and texts past the limits are refused with the limit in the message", async () => {
      const post = (parameters: unknown) => request(server, "POST", "/flow-runs", { flowName: "hostile", parameters });
      assertRefused(await post({ list: new Array(10_001).fill(0) }), 400, "BAD_REQUEST", /\/parameters\/list is a list of more than 10000 items/);
      assertRefused(
        await post(Object.fromEntries(Array.from({ length: 1001 }, (_, i) => [`k${i}`, i]))),
        400,
        "BAD_REQUEST",
        /more than 1000 fields/,
      );
      assertRefused(await post({ text: "x".repeat(512 * 1024 + 1) }), 400, "BAD_REQUEST", /longer than 524288 characters/);
      assert.equal((await post({ list: new Array(10_000).fill(0) })).status, 201);
    });

    test("NUL and lone surrogates in ids, names and query parameters are a 400; the database is never asked", async () => {
      assertRefused(await request(server, "GET", "/flow-runs/a%00b"), 400, "BAD_REQUEST", /path parameter "id".*NUL/);
      assertRefused(await request(server, "GET", "/flow-runs/a%00b/logs"), 400, "BAD_REQUEST");
      assertRefused(await request(server, "GET", "/deployments/a%00b"), 400, "BAD_REQUEST");
      assertRefused(await request(server, "GET", "/flow-runs?flowName=a%00b"), 400, "BAD_REQUEST", /query parameter "flowName"/);
      assertRefused(await request(server, "GET", "/flow-runs?name=%00"), 400, "BAD_REQUEST");
      assertRefused(await request(server, "GET", "/events?flowRunId=%00"), 400, "BAD_REQUEST");
      for (const name of [NUL, LONE]) {
        assertRefused(
          await request(server, "POST", "/flow-runs", { flowName: name }),
          400,
          "BAD_REQUEST",
          /flowName.*NUL character or a lone surrogate/,
        );
        assertRefused(await request(server, "POST", "/flow-runs", { flowName: "hostile", name }), 400, "BAD_REQUEST");
      }
      const run = await running();
      assertRefused(
        await request(server, "POST", "/task-runs", { flowRunId: run.id, name: NUL, taskKey: "k", state: { type: "RUNNING" } }),
        400,
        "BAD_REQUEST",
      );
      assertRefused(
        await request(server, "POST", "/task-runs", { flowRunId: run.id, name: "t", taskKey: LONE, state: { type: "RUNNING" } }),
        400,
        "BAD_REQUEST",
      );
      const paused = await pausedRun(client);
      assertRefused(await resume(paused.id, { respondedBy: NUL }), 400, "BAD_REQUEST", /respondedBy/);
      assert.equal((await resume(paused.id, { respondedBy: "Ada" })).status, 200);
    });

    test("NUL and lone surrogates are kept exactly where they are data: log lines, answers, parameters, messages, descriptions", async () => {
      const parameters = { [NUL]: LONE, nested: [NUL, { [LONE]: "\u0000" }] };
      const created = await request(server, "POST", "/flow-runs", { flowName: "hostile", parameters, state: { type: "RUNNING" } });
      assert.equal(created.status, 201);
      assert.deepEqual((await client.getFlowRun(created.body.id)).parameters, parameters);

      const run = created.body;
      const lines = [NUL, LONE, "\u0001starts with the marker", '\u0001"looks encoded"', "plain"];
      const logs = await request(
        server,
        "POST",
        "/logs",
        lines.map((message) => ({ flowRunId: run.id, level: "info", message, timestamp: new Date().toISOString() })),
      );
      assert.equal(logs.status, 201, JSON.stringify(logs.body));
      assert.deepEqual(
        (await client.listLogs(run.id)).map((l) => l.message),
        lines,
      );

      const description = `# Question ${NUL} ${LONE}`;
      const paused = await request(server, "POST", `/flow-runs/${run.id}/pause`, {
        key: "1",
        timeoutSeconds: 60,
        inputRequest: { schema: { type: "object", properties: { note: { type: "string" } } }, description },
      });
      assert.equal(paused.status, 201, JSON.stringify(paused.body));
      assert.equal((await client.getRunInput(run.id, "1")).description, description);
      const answered = await resume(run.id, { input: { note: `${NUL}${LONE}` } });
      assert.equal(answered.status, 200, JSON.stringify(answered.body));
      assert.deepEqual((await client.getRunInput(run.id, "1")).response, { note: `${NUL}${LONE}` });

      const reason = `stopped: ${NUL} ${LONE}`;
      const cancelled = await request(server, "POST", `/flow-runs/${run.id}/cancel`, { reason });
      assert.equal(cancelled.status, 200, JSON.stringify(cancelled.body));
      const states = await client.listFlowRunStates(run.id);
      assert.ok(
        states.some((s) => s.message?.includes(reason)),
        states.map((s) => s.message).join(" | "),
      );
      assert.ok((await client.getFlowRun(run.id)).state.message?.includes(reason));
    });

    test("an unknown format, an invalid $id or a schema that is not JSON Schema is refused when the pause is made", async () => {
      const run = await running();
      assertRefused(await pause(run.id, { type: "string", format: "fancy" }), 400, "BAD_REQUEST", /unknown format "fancy"/);
      assertRefused(await pause(run.id, { $id: "#a#b", type: "string" }), 400, "BAD_REQUEST", /\$id/);
      assertRefused(await pause(run.id, { type: "strin" }), 400, "BAD_REQUEST", /\/type must be equal to one of the allowed values/);
      assertRefused(await pause(run.id, { $ref: "https://example.com/schema.json" }), 400, "BAD_REQUEST", /can't resolve reference/);
      // Zod's own formats carry the pattern that checks them.
      assert.equal((await pause(run.id, z.toJSONSchema(z.object({ id: z.cuid(), phone: z.e164() })) as Record<string, unknown>)).status, 201);
    });

    test("JSON answers and the event stream say nosniff", async () => {
      const health = await fetch(`${server.apiUrl}/health`);
      assert.equal(health.headers.get("x-content-type-options"), "nosniff");
      const missing = await fetch(`${server.apiUrl}/flow-runs/none`);
      assert.equal(missing.headers.get("x-content-type-options"), "nosniff");
      const controller = new AbortController();
      const events = await fetch(`${server.apiUrl}/events`, { signal: controller.signal });
      assert.equal(events.headers.get("x-content-type-options"), "nosniff");
      controller.abort();
    });
  });
}

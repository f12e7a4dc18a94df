import assert from "node:assert/strict";
import { request as httpRequest } from "node:http";
import { after, before, describe, test } from "node:test";
import { createClient, type BatonClient } from "../src/client/index.ts";
import { pausedRun } from "./support/api.ts";
import { startTestServer, type TestServer } from "./support/processes.ts";

/** One request with exactly the headers given (fetch would add or refuse some, Host among them). */
function raw(
  server: TestServer,
  method: string,
  path: string,
  headers: Record<string, string>,
  body?: string,
): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: any }> {
  const url = new URL(server.apiUrl);
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: url.hostname, port: url.port, method, path: `/api${path}`, headers }, (res) => {
      let text = "";
      res.on("data", (d) => (text += d));
      res.on("end", () => resolve({ status: res.statusCode!, headers: res.headers, body: text ? JSON.parse(text) : undefined }));
    });
    req.on("error", reject);
    req.end(body);
  });
}

describe("requests a browser could be tricked into sending", () => {
  let server: TestServer;
  let client: BatonClient;
  let host: string;
  before(async () => {
    server = await startTestServer("sqlite", { BATON_CORS_ORIGINS: "https://trusted.example" });
    client = createClient({ apiUrl: server.apiUrl });
    host = new URL(server.apiUrl).host;
  });
  after(async () => {
    await client.close();
    await server.close();
  });

  test("a Host that is not a loopback name, an IP address or BATON_PUBLIC_URL's host is refused (DNS rebinding)", async () => {
    const rebound = await raw(server, "GET", "/flow-runs", { host: "attacker.example:4200" });
    assert.equal(rebound.status, 403);
    assert.equal(rebound.body.code, "HOST_NOT_ALLOWED");
    assert.match(rebound.body.message, /BATON_PUBLIC_URL/);
    for (const ok of [host, `localhost:${new URL(server.apiUrl).port}`, "[::1]:4200"])
      assert.equal((await raw(server, "GET", "/health", { host: ok })).status, 200, ok);
  });

  test("cross-site cancels, answers and starts are refused, body-less POSTs included, and change nothing", async () => {
    const run = await pausedRun(client);
    const attempts: Record<string, string>[] = [
      { origin: "https://attacker.example" },
      { origin: "null" },
      { origin: "null", "sec-fetch-site": "cross-site" }, // a sandboxed frame of another site hides its origin
      { "sec-fetch-site": "cross-site" },
      { "sec-fetch-site": "same-site" }, // another port of the same machine is another origin
    ];
    for (const headers of attempts) {
      for (const path of [`/flow-runs/${run.id}/cancel`, `/flow-runs/${run.id}/resume`, "/deployments/any/runs"]) {
        const res = await raw(server, "POST", path, { host, ...headers });
        assert.equal(res.status, 403, `${path} ${JSON.stringify(headers)}`);
        assert.equal(res.body.code, "CROSS_SITE_REQUEST");
      }
      const form = await raw(server, "POST", `/flow-runs/${run.id}/cancel`, { host, "content-type": "text/plain", ...headers }, "{}");
      assert.equal(form.status, 403);
    }
    assert.equal((await client.getFlowRun(run.id)).state.type, "PAUSED");
    // Reads stay possible (the browser keeps their answers from the other page without CORS).
    assert.equal((await raw(server, "GET", `/flow-runs/${run.id}`, { host, origin: "https://attacker.example" })).status, 200);
    // The same origin, a trusted one, and programs that send neither header may write.
    const same = await raw(server, "POST", `/flow-runs/${run.id}/resume`, { host, origin: `http://${host}`, "sec-fetch-site": "same-origin" });
    assert.equal(same.status, 200);
    const other = await pausedRun(client);
    assert.equal((await raw(server, "POST", `/flow-runs/${other.id}/cancel`, { host, origin: "https://trusted.example" })).status, 200);
  });

  test("CORS answers only the origins of BATON_CORS_ORIGINS", async () => {
    const preflight = { host, "access-control-request-method": "POST", "access-control-request-headers": "content-type" };
    const trusted = await raw(server, "OPTIONS", "/flow-runs", { ...preflight, origin: "https://trusted.example" });
    assert.equal(trusted.headers["access-control-allow-origin"], "https://trusted.example");
    const other = await raw(server, "OPTIONS", "/flow-runs", { ...preflight, origin: "https://attacker.example" });
    assert.equal(other.headers["access-control-allow-origin"], undefined);
    const read = await raw(server, "GET", "/health", { host, origin: "https://attacker.example" });
    assert.equal(read.headers["access-control-allow-origin"], undefined);
  });

  test("every response has the security headers, errors and the event stream included", async () => {
    const responses = [
      await raw(server, "GET", "/health", { host }),
      await raw(server, "GET", "/flow-runs/none", { host }),
      await raw(server, "GET", "/health", { host: "attacker.example" }),
    ];
    for (const res of responses) {
      assert.equal(res.headers["x-content-type-options"], "nosniff");
      assert.equal(res.headers["x-frame-options"], "SAMEORIGIN");
      assert.match(res.headers["content-security-policy"] as string, /frame-ancestors 'none'/);
      assert.match(res.headers["content-security-policy"] as string, /script-src 'self'/);
      assert.equal(res.headers["referrer-policy"], "same-origin");
    }
    const controller = new AbortController();
    const stream = await fetch(`${server.apiUrl}/events`, { signal: controller.signal });
    assert.equal(stream.headers.get("x-content-type-options"), "nosniff");
    assert.match(stream.headers.get("content-type") ?? "", /text\/event-stream/);
    controller.abort();
  });
});

describe("BATON_PUBLIC_URL", () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer("sqlite", { BATON_PUBLIC_URL: "https://baton.example.com" });
  });
  after(() => server.close());

  test("its host is answered, its origin may write, and HSTS is sent since it is https", async () => {
    const res = await raw(server, "GET", "/health", { host: "baton.example.com" });
    assert.equal(res.status, 200);
    assert.match(res.headers["strict-transport-security"] as string, /max-age=/);
    const write = await raw(server, "POST", "/flow-runs/none/cancel", { host: "baton.example.com", origin: "https://baton.example.com" });
    assert.equal(write.status, 404);
    assert.equal((await raw(server, "GET", "/health", { host: "other.example.com" })).status, 403);
  });
});

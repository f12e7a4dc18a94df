import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, test } from "node:test";
import Fastify from "fastify";
import { registerUi } from "./ui-route.ts";

/** An app with the UI at `dir` and, like the real one, a JSON 404 for everything the UI does not own. */
async function appWithUi(dir: string) {
  const app = Fastify();
  app.get("/api/health", () => ({ status: "ok" }));
  const ui = await registerUi(app, dir);
  app.setNotFoundHandler((req, reply) => {
    if (ui.handleNotFound(req, reply)) return;
    reply.status(404).send({ code: "NOT_FOUND", message: "no route", details: {} });
  });
  return app;
}

describe("the web UI route", () => {
  const dir = mkdtempSync(join(tmpdir(), "baton-ui-"));
  after(() => rmSync(dir, { recursive: true, force: true }));
  mkdirSync(join(dir, "assets"));
  writeFileSync(join(dir, "index.html"), "<!doctype html><title>Baton</title>");
  writeFileSync(join(dir, "assets", "index-abc123.js"), "console.log(1)");

  test("/ serves index.html, revalidated on every load", async () => {
    const app = await appWithUi(dir);
    const res = await app.inject("/");
    assert.equal(res.statusCode, 200);
    assert.match(res.headers["content-type"] as string, /text\/html/);
    assert.equal(res.headers["cache-control"], "no-cache");
    await app.close();
  });

  test("a page's own address (a link to a run) serves the app, so a reload or a shared link works", async () => {
    const app = await appWithUi(dir);
    const res = await app.inject("/runs/0b7e?x=1");
    assert.equal(res.statusCode, 200);
    assert.match(res.body, /<title>Baton<\/title>/);
    await app.close();
  });

  test("hashed assets are cached for good; a missing asset is a 404, not the page", async () => {
    const app = await appWithUi(dir);
    const asset = await app.inject("/assets/index-abc123.js");
    assert.equal(asset.statusCode, 200);
    assert.equal(asset.headers["cache-control"], "public, max-age=31536000, immutable");
    assert.equal((await app.inject("/assets/index-old.js")).statusCode, 404);
    await app.close();
  });

  test("unknown API paths stay JSON 404s, whatever the method", async () => {
    const app = await appWithUi(dir);
    for (const method of ["GET", "POST"] as const) {
      const res = await app.inject({ method, url: "/api/nope" });
      assert.equal(res.statusCode, 404);
      assert.equal(res.json().code, "NOT_FOUND");
    }
    assert.equal((await app.inject("/api/health")).statusCode, 200);
    await app.close();
  });

  test("without a build, pages say how to build the UI instead of failing", async () => {
    const app = await appWithUi(join(dir, "missing"));
    const res = await app.inject("/");
    assert.equal(res.statusCode, 503);
    assert.match(res.body, /npm run build:ui/);
    assert.equal((await app.inject("/inbox/1")).statusCode, 503);
    assert.equal((await app.inject("/api/nope")).statusCode, 404);
    await app.close();
  });
});

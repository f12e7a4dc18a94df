import { existsSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import fastifyStatic from "@fastify/static";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";

/** Where `npm run build:ui` (run by `npm install`) writes the web UI. */
export const DEFAULT_UI_DIR = fileURLToPath(new URL("../../../ui/dist/", import.meta.url));

/** Vite names every file under assets/ after its content hash, so a browser may keep them for good. */
const IMMUTABLE = "public, max-age=31536000, immutable";

/** The web UI as registered on an app: `handleNotFound` answers paths the UI owns. */
export interface WebUi {
  /** True when `dir` held a build at start-up. */
  readonly built: boolean;
  /**
   * Answers a request no route matched when it is a page of the UI (any GET outside /api that does not
   * name a file): with index.html, so that links such as /runs/ID work, or with how to build the UI.
   * Returns false for everything else, which stays a JSON 404.
   */
  handleNotFound(req: FastifyRequest, reply: FastifyReply): boolean;
}

/**
 * Serves the built web UI from `dir` at `/`: hashed assets cached for good, index.html revalidated on
 * every load (its security headers, the content security policy among them, come from request-guards.ts). When `dir` has no build, pages answer 503 with the command that builds it instead.
 */
export async function registerUi(app: FastifyInstance, dir = DEFAULT_UI_DIR): Promise<WebUi> {
  const built = existsSync(join(dir, "index.html"));
  if (built) {
    await app.register(fastifyStatic, {
      root: dir,
      prefix: "/",
      wildcard: true,
      index: ["index.html"],
      cacheControl: false,
      setHeaders(reply, path) {
        void reply.header("cache-control", /[\\/]assets[\\/]/.test(path) ? IMMUTABLE : "no-cache");
      },
    });
  }
  return {
    built,
    handleNotFound(req, reply) {
      if (req.method !== "GET" && req.method !== "HEAD") return false;
      const path = req.url.split("?")[0] ?? "/";
      if (path === "/api" || path.startsWith("/api/")) return false;
      // A missing script or image must stay a 404: answering it with HTML would only hide the fault.
      if (/\.[a-z0-9]+$/i.test(path.split("/").at(-1) ?? "")) return false;
      if (built) {
        void reply.sendFile("index.html");
        return true;
      }
      void reply.status(503).header("cache-control", "no-store").type("text/html; charset=utf-8").send(notBuiltPage(dir));
      return true;
    },
  };
}

function notBuiltPage(dir: string): string {
  const escaped = dir.replace(/[&<>"]/g, (c) => `&#${c.charCodeAt(0)};`);
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Baton: the web UI is not built</title>
<style>body{font:16px/1.5 system-ui,sans-serif;max-width:40rem;margin:4rem auto;padding:0 1rem;color:#1f2937}code{background:#f3f4f6;padding:.1rem .3rem;border-radius:4px}</style>
</head><body>
<h1>The web UI is not built</h1>
<p>This Baton server runs, and its API answers at <a href="/api/health"><code>/api</code></a>, but there is no web UI build in <code>${escaped}</code>.</p>
<p>Build it with <code>npm run build:ui</code> in the Baton repository (<code>npm install</code> and <code>npm start</code> also build it), then restart the server.</p>
</body></html>
`;
}

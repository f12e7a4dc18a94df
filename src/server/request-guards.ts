import { isIP } from "node:net";
import cors from "@fastify/cors";
import helmet from "helmet";
import type { FastifyInstance, FastifyRequest } from "fastify";
import { CrossSiteRequestError, HostNotAllowedError } from "../contract/errors.ts";
import type { ServerConfig } from "./config.ts";

/**
 * What every page may do: no inline scripts, no other hosts, never in a frame. A second line of defence
 * behind the sanitizing of Markdown descriptions. AJV compiles schemas to functions, hence 'unsafe-eval'.
 */
const CONTENT_SECURITY_POLICY = {
  defaultSrc: ["'self'"],
  scriptSrc: ["'self'", "'unsafe-eval'"],
  styleSrc: ["'self'", "'unsafe-inline'"],
  imgSrc: ["'self'", "data:", "https:"],
  connectSrc: ["'self'"],
  objectSrc: ["'none'"],
  baseUri: ["'none'"],
  frameAncestors: ["'none'"],
  formAction: ["'self'"],
};

const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

/** The Host header's name, without its port; IPv6 addresses without their brackets. */
function hostName(host: string): string {
  if (host.startsWith("[")) return host.slice(1, host.indexOf("]"));
  const colon = host.lastIndexOf(":");
  return (colon === -1 ? host : host.slice(0, colon)).toLowerCase();
}

/**
 * Whether a request naming `name` in its Host header is for this server. DNS rebinding makes a browser
 * send a page's requests to this server under the attacker's name; it cannot make it send an IP address
 * or a loopback name, so those pass, with the host of BATON_PUBLIC_URL.
 */
export function hostAllowed(name: string, publicHost: string | undefined): boolean {
  return name === "localhost" || name.endsWith(".localhost") || isIP(name) !== 0 || name === publicHost;
}

/**
 * Whether a state-changing request came from a page of another site. Browsers name the page's origin in
 * `Origin` (on POSTs, body-less ones included) and say how it relates in `Sec-Fetch-Site`; programs (the
 * CLI, the SDK, curl) send neither, and are not a browser that a page could drive.
 */
function crossSite(req: FastifyRequest, trusted: ReadonlySet<string>): boolean {
  const origin = req.headers.origin;
  // "null" hides the origin: a page with `Referrer-Policy: no-referrer` (an answer link's, which keeps its token
  // from other sites) posting its own form, or a sandboxed frame; then Sec-Fetch-Site, which says, decides.
  if (origin === "null") return req.headers["sec-fetch-site"] !== "same-origin";
  if (origin !== undefined) return !(origin === `http://${req.headers.host}` || origin === `https://${req.headers.host}` || trusted.has(origin));
  const site = req.headers["sec-fetch-site"];
  return site !== undefined && site !== "same-origin" && site !== "none";
}

/**
 * What every response and request gets, whoever calls: security headers (nosniff, no framing, no
 * referrer to other sites, the content security policy), CORS only for the origins of BATON_CORS_ORIGINS,
 * and the refusal of a Host the server does not answer for and of cross-site writes.
 */
export async function registerRequestGuards(app: FastifyInstance, config: ServerConfig): Promise<void> {
  const publicUrl = config.publicUrl ? new URL(config.publicUrl) : undefined;
  const publicHost = publicUrl?.hostname.replace(/^\[|\]$/g, "").toLowerCase();
  const trusted = new Set([...config.corsOrigins, ...(publicUrl ? [publicUrl.origin] : [])]);
  // Built once, as the headers are the same for every response: @fastify/helmet built this middleware again
  // for each request (213 ms of the server's CPU in one run of bench/pause-resume.ts).
  const securityHeaders = helmet({
    contentSecurityPolicy: { useDefaults: false, directives: CONTENT_SECURITY_POLICY },
    // Over plain HTTP (a local server) browsers ignore it; over https it keeps them there.
    strictTransportSecurity: publicUrl?.protocol === "https:",
    referrerPolicy: { policy: "same-origin" },
  });
  app.addHook("onRequest", (req, reply, done) => securityHeaders(req.raw, reply.raw, (e) => done(e as Error | undefined)));
  if (config.corsOrigins.length)
    await app.register(cors, { origin: config.corsOrigins, credentials: true, methods: ["GET", "HEAD", "POST", "PUT", "DELETE", "PATCH"] });
  // After helmet's hook, so that refusals have the security headers too.
  app.addHook("onRequest", (req, _reply, done) => {
    const host = req.headers.host;
    if (!host || !hostAllowed(hostName(host), publicHost)) return done(new HostNotAllowedError(host ?? ""));
    if (!SAFE_METHODS.has(req.method) && crossSite(req, trusted)) return done(new CrossSiteRequestError(req.headers.origin ?? null));
    done();
  });
}

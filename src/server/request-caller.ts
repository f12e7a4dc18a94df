import type { FastifyInstance, FastifyRequest } from "fastify";
import { UnauthenticatedError } from "../contract/errors.ts";
import type { Channel, Role } from "../contract/index.ts";
import type { Authenticator } from "./authenticator.ts";

/**
 * Who makes a request, as the services see it:
 * - `open`: the server requires no sign-in (a local server with no users), so the caller may do anything
 *   and is known by no name;
 * - `anonymous`: the server requires sign-in and the request brought none; it may do nothing;
 * - `principal`: a user (through a key of theirs, or a session) or a key of its own, with a role.
 * Every kind has the channel the request came through.
 */
export type RequestCaller = OpenCaller | AnonymousCaller | Principal;

export interface OpenCaller {
  readonly kind: "open";
  readonly channel: Channel;
}

export interface AnonymousCaller {
  readonly kind: "anonymous";
  readonly channel: Channel;
}

export interface Principal {
  readonly kind: "principal";
  readonly channel: Channel;
  /** The user's name, or `key:<name>` for a key that acts as no user. What answers are recorded as. */
  readonly name: string;
  /** The user's name when the caller is a user; null for a key of its own. */
  readonly userName: string | null;
  readonly role: Role;
  readonly groups: readonly string[];
  /**
   * How the caller proved who it is: an API key, a session cookie, access to the database itself (the
   * CLI's local commands), being the server (automations, timeouts), or an answer link's signed token.
   */
  readonly via: "api-key" | "session" | "local" | "server" | "link";
  /** The key's id, for a caller through an API key. */
  readonly keyId: string | null;
}

declare module "fastify" {
  interface FastifyRequest {
    /** Who makes this request: set by `identifyCallers` before any route runs. */
    caller: RequestCaller;
  }
  interface FastifyContextConfig {
    /** The route answers callers without credentials on a server that requires sign-in (health, who am I). */
    public?: boolean;
  }
}

/** The channels a program may say it answers through; `ui`, `link` and `timeout` are the server's to give (a session, a link, a timeout). */
const PROGRAM_CHANNELS: ReadonlySet<string> = new Set(["api", "sdk", "cli"]);

/** The channel a request says it comes through (the `x-baton-channel` header: `api` unless it names another). */
export function channelOf(req: FastifyRequest, allowed: ReadonlySet<string> = PROGRAM_CHANNELS): Channel {
  const header = req.headers["x-baton-channel"];
  return typeof header === "string" && allowed.has(header) ? (header as Channel) : "api";
}

/**
 * Names the caller of every request of `app` (the API's routes and its event stream) before its route
 * runs, as `req.caller`: the one place where a request's caller becomes known. Routes hand it to the
 * services, which ask `authorize` before they act. A request with credentials that are not valid, or
 * with none on a server that requires them, is refused here (401) before its body is read, unless its
 * route is `public`.
 *
 * @example
 * app.post("/flow-runs/:id/cancel", (req) => runs.cancel(req.caller, req.params.id));
 */
export function identifyCallers(app: FastifyInstance, authenticator: Authenticator): void {
  app.decorateRequest("caller", null as never);
  const identified = (req: FastifyRequest, caller: RequestCaller, done: (e?: Error) => void) => {
    req.caller = caller;
    if (caller.kind === "anonymous" && !req.routeOptions.config.public)
      return done(new UnauthenticatedError("This server requires sign-in, and the request carries no credentials."));
    done();
  };
  app.addHook("onRequest", (req, _reply, done) => {
    const known = authenticator.identify(req);
    if (known instanceof Promise) known.then((caller) => identified(req, caller, done), done);
    else identified(req, known, done);
  });
}

/** The caller of the CLI's commands on the database itself: whoever can open it is its admin already. */
export function localAdmin(osUser: string): Principal {
  return Object.freeze({
    kind: "principal",
    channel: "cli",
    name: `local:${osUser}`,
    userName: null,
    role: "admin",
    groups: [],
    via: "local",
    keyId: null,
  });
}

/**
 * The server acting on its own, as `name` (`automation:<name>`, `timeout`): with an admin's rights, since
 * what it does was set up by an admin (an automation) or by the flow itself (a pause's onTimeout).
 */
export function serverCaller(name: string, channel: Channel = "api"): Principal {
  return Object.freeze({ kind: "principal", channel, name, userName: null, role: "admin", groups: [], via: "server", keyId: null });
}

/** What an answer through a link is recorded as when it was sent where no person is known (a webhook, Slack). */
export const ANYONE_WITH_THE_LINK = "link";

/**
 * Whoever answers through an answer link (the signed token is the credential): the user the link was
 * sent to (found by email), else the address it was sent to, else `link`. A responder, on the channel `link`.
 */
export function linkCaller(sentTo: string | null, user: { name: string; groups: readonly string[] } | undefined): Principal {
  return Object.freeze({
    kind: "principal",
    channel: "link",
    name: user?.name ?? sentTo ?? ANYONE_WITH_THE_LINK,
    userName: user?.name ?? null,
    role: "responder",
    groups: user?.groups ?? [],
    via: "link",
    keyId: null,
  });
}

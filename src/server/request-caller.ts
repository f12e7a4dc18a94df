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
  /** How the caller proved who it is: an API key, a session cookie, or access to the database itself (the CLI's local commands). */
  readonly via: "api-key" | "session" | "local";
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

/** The channels a program may say it answers through; `ui` and `link` are the server's to give (a session, a link). */
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

import { randomBytes } from "node:crypto";
import cookie from "@fastify/cookie";
import csrf from "@fastify/csrf-protection";
import session from "@fastify/session";
import type { FastifyInstance, Session as FastifySession, onRequestHookHandler } from "fastify";
import type { Storage } from "../storage/storage.ts";
import type { ServerConfig } from "./config.ts";
import { digest } from "./secrets.ts";

/** The cookie that carries a web UI session. */
const COOKIE_NAME = "baton_session";
/** The one route that makes sessions (sign-in), reads them without a cookie (GET) and ends them. */
const SESSION_ROUTE = "/api/session";

/** How long a web UI session lasts without use; each request moves it on. */
export const SESSION_MAX_AGE_MS = 12 * 3600 * 1000;

declare module "fastify" {
  interface Session {
    /** The name of the user signed in with this session. */
    userName?: string;
  }
}

/**
 * Where @fastify/session keeps sessions: the database, so that every server of it knows them and a
 * restart signs nobody out. Rows are keyed by the SHA-256 of the session id, not the id itself.
 */
class DatabaseSessionStore implements session.SessionStore {
  readonly #storage: Storage;
  constructor(storage: Storage) {
    this.#storage = storage;
  }
  set(sessionId: string, s: FastifySession, callback: (err?: unknown) => void): void {
    const expires = s.cookie.expires ?? new Date(Date.now() + SESSION_MAX_AGE_MS);
    this.#storage.people.setSession(key(sessionId), JSON.stringify(s), new Date(expires).toISOString()).then(() => callback(), callback);
  }
  get(sessionId: string, callback: (err: unknown, result?: FastifySession | null) => void): void {
    this.#storage.people.getSession(key(sessionId), new Date().toISOString()).then(
      (data) => callback(null, data === undefined ? null : JSON.parse(data)),
      (e) => callback(e),
    );
  }
  destroy(sessionId: string, callback: (err?: unknown) => void): void {
    this.#storage.people.deleteSession(key(sessionId), new Date().toISOString()).then(() => callback(), callback);
  }
}

function key(sessionId: string): string {
  return digest(sessionId).toString("hex");
}

/**
 * Sessions of the web UI (@fastify/session over @fastify/cookie, kept in the database) and CSRF tokens
 * for the writes made with them (@fastify/csrf-protection, its secret in the session). The cookie is
 * HttpOnly and SameSite=Strict, and Secure when BATON_PUBLIC_URL is https (or the request came over
 * https). The secret that signs it is made once per database and shared by its servers.
 */
export async function registerSessions(app: FastifyInstance, storage: Storage, config: ServerConfig): Promise<void> {
  const secret = await storage.channels.setting("session-secret", randomBytes(32).toString("base64url"));
  await app.register(cookie);
  // @fastify/session makes and signs a new session for every request that brings no cookie, though
  // only its sign-in route can keep one: most of a request's cost on a busy server. Its request hook
  // is skipped for the others, which then have no `req.session` (and no Set-Cookie, as before).
  const addHook = app.addHook;
  const add = addHook as unknown as (this: FastifyInstance, name: string, hook: onRequestHookHandler) => FastifyInstance;
  app.addHook = function (this: FastifyInstance, name: string, hook: onRequestHookHandler) {
    return add.call(this, name, name === "onRequest" ? onlyForSessions(hook) : hook);
  } as unknown as typeof addHook;
  try {
    await registerSessionPlugin(app, secret, storage, config);
  } finally {
    app.addHook = addHook;
  }
  await app.register(csrf, { sessionPlugin: "@fastify/session" });
}

/** Runs @fastify/session's request hook only for requests with a session cookie, or to the session route. */
function onlyForSessions(hook: onRequestHookHandler): onRequestHookHandler {
  return function (this: FastifyInstance, req, reply, done) {
    if (req.routeOptions.url === SESSION_ROUTE || req.headers.cookie?.includes(`${COOKIE_NAME}=`)) return hook.call(this, req, reply, done);
    done();
  };
}

async function registerSessionPlugin(app: FastifyInstance, secret: string, storage: Storage, config: ServerConfig): Promise<void> {
  await app.register(session, {
    secret,
    cookieName: COOKIE_NAME,
    store: new DatabaseSessionStore(storage),
    saveUninitialized: false,
    rolling: true,
    cookie: {
      path: "/",
      httpOnly: true,
      sameSite: "strict",
      // Over plain HTTP a Secure cookie would never come back; behind an https proxy, BATON_PUBLIC_URL says so.
      secure: config.publicUrl?.startsWith("https:") ?? false,
      maxAge: SESSION_MAX_AGE_MS,
    },
  });
}

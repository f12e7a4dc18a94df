import type { FastifyInstance, FastifyRequest } from "fastify";
import { Channel } from "../contract/index.ts";

/**
 * Who makes a request, as the services see it. Today every caller is anonymous, and known only by the
 * channel it says it uses (the `x-baton-channel` header: `api` unless it names another); an identity
 * (a token, a user) would become another kind here.
 */
export interface RequestCaller {
  readonly kind: "anonymous";
  /** Through what the request came: what an answer is recorded with unless its body says otherwise. */
  readonly channel: Channel;
}

declare module "fastify" {
  interface FastifyRequest {
    /** Who makes this request: set by `identifyCallers` before any route runs. */
    caller: RequestCaller;
  }
}

/** One caller per channel, made once: requests of a channel share it, so that naming a caller costs no allocation. */
const ANONYMOUS = new Map<string, RequestCaller>(Channel.options.map((channel) => [channel, Object.freeze({ kind: "anonymous", channel })]));

/** The caller of a request, from its headers. */
export function callerOf(req: FastifyRequest): RequestCaller {
  const header = req.headers["x-baton-channel"];
  return (typeof header === "string" && ANONYMOUS.get(header)) || ANONYMOUS.get("api")!;
}

/**
 * Names the caller of every request of `app` (the API's routes and its event stream) before its route
 * runs, as `req.caller`: the one place where a request's caller becomes known. Routes hand it to the
 * services, which ask `authorize` before they act.
 *
 * @example
 * app.post("/flow-runs/:id/cancel", (req) => runs.cancel(req.caller, req.params.id));
 */
export function identifyCallers(app: FastifyInstance): void {
  app.decorateRequest("caller", null as unknown as RequestCaller);
  app.addHook("onRequest", (req, _reply, done) => {
    req.caller = callerOf(req);
    done();
  });
}

/**
 * The caller the server itself acts as, through `channel`: automations act through `api`, answer links
 * through `link`. Anonymous like every caller today.
 */
export function serverCaller(channel: Channel): RequestCaller {
  return ANONYMOUS.get(channel)!;
}

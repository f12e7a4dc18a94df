import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { z } from "zod";
import { identifier, Me } from "../../contract/index.ts";
import type { PeopleService } from "../people-service.ts";

const SignInBody = z.object({ name: identifier(z.string().min(1).max(100)), password: z.string().min(1).max(1000) });
const SessionAnswer = z.object({ me: Me, csrfToken: z.string() });

/**
 * The web UI's sign-in: a session cookie for a name and password, the CSRF token its writes must carry
 * (`x-csrf-token`), and sign-out.
 */
export function sessionRoute(people: PeopleService): FastifyPluginAsyncZod {
  return async (app) => {
    const tags = ["session"];
    app.post(
      "/session",
      {
        config: { public: true },
        schema: { tags, summary: "Sign in to the web UI (sets the session cookie)", body: SignInBody, response: { 200: SessionAnswer } },
      },
      async (req, reply) => {
        const me = await people.signIn(req.body.name, req.body.password, req.ip);
        await req.session.regenerate(); // a new id at sign-in: a session id planted before cannot be used after it
        req.session.userName = me.name!;
        return { me, csrfToken: reply.generateCsrf() };
      },
    );
    app.get(
      "/session",
      { schema: { tags, summary: "The signed-in user and the CSRF token of the session", response: { 200: SessionAnswer } } },
      async (req, reply) => ({ me: people.me(req.caller), csrfToken: reply.generateCsrf() }),
    );
    app.delete("/session", { config: { public: true }, schema: { tags, summary: "Sign out (ends the session)" } }, async (req, reply) => {
      await req.session.destroy();
      return reply.status(204).send();
    });
  };
}

import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { z } from "zod";
import { ApiKey, CreateApiKeyBody, CreatedApiKey, CreateUserBody, Me, SetPasswordBody, User, UserName } from "../../contract/index.ts";
import type { PeopleService } from "../people-service.ts";

const NameParams = z.object({ name: UserName });
const IdParams = z.object({ id: z.string().min(1).max(100) });

/** Who the caller is; users and API keys (admins only). */
export function peopleRoute(people: PeopleService): FastifyPluginAsyncZod {
  return async (app) => {
    app.get(
      "/me",
      { config: { public: true }, schema: { tags: ["people"], summary: "Who the server takes the caller for", response: { 200: Me } } },
      (req) => people.me(req.caller),
    );
    app.get("/users", { schema: { tags: ["people"], summary: "List users", response: { 200: z.array(User) } } }, (req) =>
      people.listUsers(req.caller),
    );
    app.post("/users", { schema: { tags: ["people"], summary: "Add a user", body: CreateUserBody, response: { 201: User } } }, async (req, reply) =>
      reply.status(201).send(await people.createUser(req.caller, req.body)),
    );
    app.delete(
      "/users/:name",
      { schema: { tags: ["people"], summary: "Remove a user (their keys are revoked)", params: NameParams } },
      async (req, reply) => {
        await people.removeUser(req.caller, req.params.name);
        return reply.status(204).send();
      },
    );
    app.post(
      "/users/:name/password",
      { schema: { tags: ["people"], summary: "Set a user's password", params: NameParams, body: SetPasswordBody } },
      async (req, reply) => {
        await people.setPassword(req.caller, req.params.name, req.body.password);
        return reply.status(204).send();
      },
    );
    app.get(
      "/api-keys",
      { schema: { tags: ["people"], summary: "List API keys (never their secrets)", response: { 200: z.array(ApiKey) } } },
      (req) => people.listKeys(req.caller),
    );
    app.post(
      "/api-keys",
      {
        schema: {
          tags: ["people"],
          summary: "Make an API key; its token is in this answer only",
          body: CreateApiKeyBody,
          response: { 201: CreatedApiKey },
        },
      },
      async (req, reply) => reply.status(201).send(await people.createKey(req.caller, req.body)),
    );
    app.delete("/api-keys/:id", { schema: { tags: ["people"], summary: "Revoke an API key", params: IdParams } }, async (req, reply) => {
      await people.revokeKey(req.caller, req.params.id);
      return reply.status(204).send();
    });
  };
}

import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { BulkBody, BulkResult, InboxPage, InboxQuery } from "../../contract/index.ts";
import type { InboxService } from "../inbox-service.ts";

/** The inbox: waiting runs filtered, ordered and counted; approving, rejecting or cancelling many at once. */
export function inboxRoute(inbox: InboxService): FastifyPluginAsyncZod {
  return async (app) => {
    const tags = ["inbox"];
    app.get(
      "/inbox",
      {
        schema: {
          tags,
          summary: "The runs waiting for a person, filtered and ordered, with counts per flow",
          description:
            "Paused runs (live or suspended). On a server with sign-in, pauses that name the caller among their respondents (by name or group) come first, and `forMe=true` keeps only those. `flows` counts the waiting runs per flow under every filter but `flowName`.",
          querystring: InboxQuery,
          response: { 200: InboxPage },
        },
      },
      (req) => inbox.list(req.caller, req.query),
    );
    app.post(
      "/inbox/bulk",
      {
        schema: {
          tags,
          summary: "Approve, reject or cancel several waiting runs at once",
          description:
            "`approve` and `reject` answer pauses that ask nothing (approve only) or one boolean (a bare boolean, or an object of one boolean field) with true or false; `cancel` cancels the runs (operator). Each run is handled as its own request would be, and refused alone (a pause whose respondents do not include the caller, one answered meanwhile, one that asks more): `results` says, per id in the order sent, the run as it is now or the refusal's code and message.",
          body: BulkBody,
          response: { 200: BulkResult },
        },
      },
      async (req) => ({ results: await inbox.bulk(req.caller, req.body) }),
    );
  };
}

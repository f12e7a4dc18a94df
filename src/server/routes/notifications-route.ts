import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { z } from "zod";
import { Automation, CreateAutomationBody, CreateChannelBody, Delivery, DeliveryFilter, NotificationChannel } from "../../contract/index.ts";
import type { AutomationService } from "../automation-service.ts";
import type { ChannelService } from "../channel-service.ts";
import type { DeliveryService } from "../delivery-service.ts";

const NameParams = z.object({ name: z.string().min(1).max(100) });
const IdParams = z.object({ id: z.string().min(1).max(100) });

/** Channels, automations and deliveries: who is told what, and whether it arrived. */
export function notificationsRoute(channels: ChannelService, automations: AutomationService, deliveries: DeliveryService): FastifyPluginAsyncZod {
  return async (app) => {
    let tags = ["channels"];
    app.post(
      "/channels",
      {
        schema: {
          tags,
          summary: "Add a channel (webhook, Slack incoming webhook, or email)",
          description: "A webhook's signing secret is generated unless given, and is shown in this answer only.",
          body: CreateChannelBody,
          response: { 201: NotificationChannel },
        },
      },
      async (req, reply) => reply.status(201).send(await channels.create(req.caller, req.body)),
    );
    app.get("/channels", { schema: { tags, summary: "List channels", response: { 200: z.array(NotificationChannel) } } }, (req) =>
      channels.list(req.caller),
    );
    app.get(
      "/channels/:name",
      { schema: { tags, summary: "Read a channel (by name or id)", params: NameParams, response: { 200: NotificationChannel } } },
      (req) => channels.get(req.caller, req.params.name),
    );
    app.delete(
      "/channels/:name",
      { schema: { tags, summary: "Remove a channel no automation sends to", params: NameParams, response: { 204: z.null() } } },
      async (req, reply) => {
        await channels.delete(req.caller, req.params.name);
        return reply.status(204).send(null);
      },
    );
    app.post(
      "/channels/:name/test",
      { schema: { tags, summary: "Send a test message; follow the delivery it answers with", params: NameParams, response: { 202: Delivery } } },
      async (req, reply) => reply.status(202).send(await channels.test(req.caller, req.params.name)),
    );

    tags = ["automations"];
    app.post(
      "/automations",
      { schema: { tags, summary: "Create an automation", body: CreateAutomationBody, response: { 201: Automation } } },
      async (req, reply) => reply.status(201).send(await automations.create(req.caller, req.body)),
    );
    app.get("/automations", { schema: { tags, summary: "List automations", response: { 200: z.array(Automation) } } }, (req) =>
      automations.list(req.caller),
    );
    app.get("/automations/:id", { schema: { tags, summary: "Read an automation", params: IdParams, response: { 200: Automation } } }, (req) =>
      automations.get(req.caller, req.params.id),
    );
    app.put(
      "/automations/:id",
      { schema: { tags, summary: "Replace an automation", params: IdParams, body: CreateAutomationBody, response: { 200: Automation } } },
      (req) => automations.update(req.caller, req.params.id, req.body),
    );
    for (const [verb, enabled] of [
      ["enable", true],
      ["disable", false],
    ] as const)
      app.post(
        `/automations/:id/${verb}`,
        { schema: { tags, summary: `${verb === "enable" ? "Enable" : "Disable"} an automation`, params: IdParams, response: { 200: Automation } } },
        (req) => automations.setEnabled(req.caller, req.params.id, enabled),
      );
    app.delete(
      "/automations/:id",
      { schema: { tags, summary: "Remove an automation", params: IdParams, response: { 204: z.null() } } },
      async (req, reply) => {
        await automations.delete(req.caller, req.params.id);
        return reply.status(204).send(null);
      },
    );

    tags = ["deliveries"];
    app.get(
      "/deliveries",
      {
        schema: {
          tags,
          summary: "List deliveries, newest first, with their attempts and last error",
          querystring: DeliveryFilter,
          response: { 200: z.array(Delivery) },
        },
      },
      (req) => deliveries.list(req.caller, req.query),
    );
    app.get(
      "/deliveries/:id",
      {
        schema: {
          tags,
          summary: "Read a delivery, with what it sent",
          params: IdParams,
          response: { 200: Delivery.extend({ payload: z.unknown() }) },
        },
      },
      (req) => deliveries.get(req.caller, req.params.id),
    );
  };
}

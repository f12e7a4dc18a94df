import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { z } from "zod";
import {
  CreateRunInputBody,
  DeclareReceiverBody,
  Message,
  MessageFilter,
  MessageKey,
  ReceiveBody,
  ReceiveResult,
  Receiver,
  RefuseBody,
  ReleaseBody,
  SendMessageBody,
} from "../../contract/index.ts";
import type { MessageService } from "../message-service.ts";

const IdParams = z.object({ id: z.string().min(1).max(100) });
const KeyParams = IdParams.extend({ key: MessageKey });

/** Messages into running flows, run inputs by key, and what runs receive. */
export function messagesRoute(messages: MessageService): FastifyPluginAsyncZod {
  return async (app) => {
    const tags = ["messages"];
    app.post(
      "/flow-runs/:id/messages",
      {
        schema: {
          tags,
          summary: "Send a message to a flow run (sendInput)",
          description:
            "Kept as `<key>-<id>` and pushed to the run's `receiveInput`. 201 sent; 200 when `id` was sent before (the first message is returned); 422 when the value fails the JSON Schema of what the run receives under that key (nothing kept); 409 for a run that finished; 404 unknown run.",
          params: IdParams,
          body: SendMessageBody,
          response: { 200: Message, 201: Message },
        },
      },
      async (req, reply) => {
        const { message, created } = await messages.send(req.caller, req.params.id, req.body);
        return reply.status(created ? 201 : 200).send(message);
      },
    );
    app.get(
      "/flow-runs/:id/messages",
      {
        schema: {
          tags,
          summary: "A flow run's messages and inputs by key, oldest first",
          description:
            "Filtered by key prefix, leaving out `excludeKeys` (comma-separated); each says who sent it, when, and whether the run took it.",
          params: IdParams,
          querystring: MessageFilter,
          response: { 200: z.array(Message) },
        },
      },
      (req) => messages.list(req.caller, req.params.id, req.query),
    );
    app.post(
      "/flow-runs/:id/messages/receive",
      {
        schema: {
          tags,
          summary: "Take a receiver's next messages (the SDK's receiveInput)",
          description:
            "Answers the messages that steps `<receiver>.<from>`, … took before (a replay), else up to `limit` waiting messages of `keyPrefix`, oldest first, now marked taken by those steps; none when none waits.",
          params: IdParams,
          body: ReceiveBody,
          response: { 200: ReceiveResult },
        },
      },
      async (req) => ({ messages: await messages.receive(req.caller, req.params.id, req.body) }),
    );
    app.post(
      "/flow-runs/:id/messages/release",
      {
        schema: {
          tags,
          summary: "Make messages the flow took and did not read wait again (it stopped reading)",
          params: IdParams,
          body: ReleaseBody,
          response: { 204: z.null() },
        },
      },
      async (req, reply) => {
        await messages.release(req.caller, req.params.id, req.body.keys);
        return reply.status(204).send(null);
      },
    );
    app.put(
      "/flow-runs/:id/messages/:key",
      {
        schema: {
          tags,
          summary: "Create a flow run input under a key (createFlowRunInput)",
          description: "409 when the run has that key already; 422 and 409 as for sending a message.",
          params: KeyParams,
          body: CreateRunInputBody,
          response: { 201: Message },
        },
      },
      async (req, reply) =>
        reply.status(201).send(await messages.create(req.caller, req.params.id, req.params.key, req.body.value, req.body.sender ?? null)),
    );
    app.get(
      "/flow-runs/:id/messages/:key",
      { schema: { tags, summary: "Read a flow run input by key (readFlowRunInput)", params: KeyParams, response: { 200: Message } } },
      (req) => messages.get(req.caller, req.params.id, req.params.key),
    );
    app.delete(
      "/flow-runs/:id/messages/:key",
      { schema: { tags, summary: "Delete a flow run input by key (deleteFlowRunInput)", params: KeyParams, response: { 204: z.null() } } },
      async (req, reply) => {
        await messages.delete(req.caller, req.params.id, req.params.key);
        return reply.status(204).send(null);
      },
    );
    app.post(
      "/flow-runs/:id/messages/:key/refuse",
      {
        schema: {
          tags,
          summary: "Record that the receiving flow refused a message it took (its own checks failed)",
          params: KeyParams,
          body: RefuseBody,
          response: { 200: Message },
        },
      },
      (req) => messages.refuse(req.caller, req.params.id, req.params.key, req.body.errors),
    );
    app.put(
      "/flow-runs/:id/receivers",
      {
        schema: {
          tags,
          summary: "Declare what a flow run receives under a key prefix (the SDK's receiveInput)",
          description:
            "Messages sent to the run under that prefix are then checked against `schema` (JSON Schema) when sent. 400 for a schema that cannot check them.",
          params: IdParams,
          body: DeclareReceiverBody,
          response: { 200: Receiver },
        },
      },
      (req) => messages.declareReceiver(req.caller, req.params.id, req.body),
    );
    app.get(
      "/flow-runs/:id/receivers",
      { schema: { tags, summary: "What a flow run receives, by key prefix", params: IdParams, response: { 200: z.array(Receiver) } } },
      (req) => messages.receivers(req.caller, req.params.id),
    );
  };
}

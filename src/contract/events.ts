import { z } from "zod";
import { State } from "./states.ts";
import { Log } from "./log.ts";
import { Channel, FieldErrorShape } from "./pause.ts";
import { InputCheck } from "./input-check.ts";
import { DeliveryStatus } from "./notifications.ts";

/**
 * What the server streams: every state change and input submission, kept with an increasing id so a
 * client that reconnects with `Last-Event-ID` misses nothing. Log lines are streamed too, but not kept as events.
 */
export const BatonEvent = z.discriminatedUnion("type", [
  z.object({
    id: z.number().int(),
    type: z.literal("flow-run.state-changed"),
    flowRunId: z.string(),
    occurredAt: z.iso.datetime(),
    payload: z.object({
      state: State,
      previousType: z.string().nullable(),
      flowName: z.string(),
      deploymentName: z.string().nullable(),
      /** The run's tags (absent in events kept before runs had tags). */
      tags: z.array(z.string()).optional(),
    }),
  }),
  z.object({
    id: z.number().int(),
    type: z.literal("flow-run.input-submitted"),
    flowRunId: z.string(),
    occurredAt: z.iso.datetime(),
    payload: z.object({
      key: z.string(),
      input: z.unknown(),
      channel: Channel,
      respondedBy: z.string().nullable(),
      onBehalfOf: z.string().nullable().optional(),
      /** What the person wrote with the answer. */
      comment: z.string().optional(),
      /** JSON pointers of the answer's sensitive fields (`*`: every item of a list): REDACTED for every reader but the flow. */
      sensitive: z.array(z.string()).optional(),
      /** The input is every answer of a quorum pause (`[{ input, respondedBy, ... }]`). */
      quorum: z.boolean().optional(),
    }),
  }),
  z.object({
    id: z.number().int(),
    type: z.literal("flow-run.input-rejected"),
    flowRunId: z.string(),
    occurredAt: z.iso.datetime(),
    /** An answer the flow's own rules refused before the run resumed; the run stays paused. Never the value (it may be sensitive). */
    payload: z.object({
      key: z.string(),
      errors: z.array(FieldErrorShape),
      channel: Channel,
      respondedBy: z.string().nullable(),
      onBehalfOf: z.string().nullable(),
      flowName: z.string(),
      deploymentName: z.string().nullable(),
      /** The run's tags. */
      tags: z.array(z.string()).optional(),
    }),
  }),
  /** Sent only to the one process asked to check an answer (see `InputCheck`); not kept, id 0. */
  z.object({
    id: z.number().int(),
    type: z.literal("flow-run.input-check"),
    flowRunId: z.string(),
    occurredAt: z.iso.datetime(),
    payload: InputCheck,
  }),
  z.object({
    id: z.number().int(),
    type: z.literal("flow-run.message-sent"),
    flowRunId: z.string(),
    occurredAt: z.iso.datetime(),
    /** The message's value is not in the event: the receiver takes it (and so marks it read) with `receive`. */
    payload: z.object({ key: z.string(), sender: z.string().nullable(), channel: Channel, sentBy: z.string().nullable() }),
  }),
  /**
   * A delivery was queued or tried: for a list of deliveries to read again. Not kept (id 0): a client
   * that reconnects reads the list anew. `flowRunId` is the run it is about, or "" (a test message).
   */
  z.object({
    id: z.number().int(),
    type: z.literal("delivery.changed"),
    flowRunId: z.string(),
    occurredAt: z.iso.datetime(),
    payload: z.object({ deliveryId: z.string(), status: DeliveryStatus }),
  }),
  z.object({
    id: z.number().int(),
    type: z.literal("log"),
    flowRunId: z.string(),
    occurredAt: z.iso.datetime(),
    payload: Log,
  }),
]);
export type BatonEvent = z.infer<typeof BatonEvent>;
export type BatonEventType = BatonEvent["type"];

/** The event types a stream can be narrowed to. */
export const EVENT_TYPES = [
  "flow-run.state-changed",
  "flow-run.input-submitted",
  "flow-run.input-rejected",
  "flow-run.message-sent",
  "delivery.changed",
  "log",
] as const;

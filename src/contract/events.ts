import { z } from "zod";
import { State } from "./states.ts";
import { Log } from "./log.ts";
import { Channel } from "./pause.ts";

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
    payload: z.object({ state: State, previousType: z.string().nullable(), flowName: z.string(), deploymentName: z.string().nullable() }),
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
      /** JSON pointers of the answer's sensitive fields (`*`: every item of a list): REDACTED for every reader but the flow. */
      sensitive: z.array(z.string()).optional(),
      /** The input is every answer of a quorum pause (`[{ input, respondedBy, ... }]`). */
      quorum: z.boolean().optional(),
    }),
  }),
  z.object({
    id: z.number().int(),
    type: z.literal("flow-run.message-sent"),
    flowRunId: z.string(),
    occurredAt: z.iso.datetime(),
    /** The message's value is not in the event: the receiver takes it (and so marks it read) with `receive`. */
    payload: z.object({ key: z.string(), sender: z.string().nullable(), channel: Channel, sentBy: z.string().nullable() }),
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
export const EVENT_TYPES = ["flow-run.state-changed", "flow-run.input-submitted", "flow-run.message-sent", "log"] as const;

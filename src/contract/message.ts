import { z } from "zod";
import { identifier } from "./text.ts";
import { Channel, ClaimableChannel } from "./pause.ts";

const KEY_RULE = "use lowercase letters, digits and dashes";

/** A message's key on its run: lowercase letters, digits and dashes, as Prefect's run inputs. */
export const MessageKey = z
  .string()
  .min(1)
  .max(200)
  .regex(/^[a-z0-9][a-z0-9-]*$/, `${KEY_RULE}, starting with a letter or digit`);

/** The start of message keys: what a sender names its messages by and a receiver reads. */
export const KeyPrefix = z
  .string()
  .max(100)
  .regex(/^[a-z0-9-]*$/, KEY_RULE);

/** The key prefix of `sendInput` and `receiveInput` when none is given. */
export const DEFAULT_KEY_PREFIX = "message";

const FieldError = z.object({ path: z.string(), message: z.string() });

/**
 * A value sent to a run, kept under a key: a message (`sendInput`, key `<prefix>-<id>`) or a run input by
 * key (`createFlowRunInput`). Messages are kept in the order they arrived.
 */
export const Message = z.object({
  flowRunId: z.string(),
  key: z.string(),
  value: z.unknown(),
  /** Who sent it, as the sender says: `flow-run:<id>` from a flow run (what `respond` answers to), null when unsaid. */
  sender: z.string().nullable(),
  /** Through what it came (ui, cli, api, sdk), and the signed-in caller that sent it, if any. */
  channel: Channel,
  sentBy: z.string().nullable(),
  sentAt: z.iso.datetime(),
  /** When the run's `receiveInput` took it; null while it waits. */
  consumedAt: z.iso.datetime().nullable(),
  /** Set when the receiver refused it: why, field by field. */
  refusal: z.array(FieldError).nullable(),
});
export type Message = z.infer<typeof Message>;

/** Body of `POST /api/flow-runs/{id}/messages`. */
export const SendMessageBody = z.object({
  value: z.unknown().describe("The message: checked against the JSON Schema of the run's receiver of this key, if it declared one."),
  key: KeyPrefix.min(1).default(DEFAULT_KEY_PREFIX).describe('The key\'s prefix: the message is kept as `<key>-<id>`. Default "message".'),
  /** A UUID of the sender's choosing: sending again with it returns the message kept the first time. */
  id: z.uuid().optional().describe("Makes the send idempotent: a second send with the same key and id returns the first message."),
  sender: identifier(z.string().min(1).max(200)).nullable().optional().describe("Who sends: `flow-run:<id>` lets the receiver respond."),
  /** Through what it is sent, on a server without sign-in (as for an answer); a signed-in caller's own channel counts otherwise. */
  channel: ClaimableChannel.optional(),
});
export type SendMessageBody = z.input<typeof SendMessageBody>;

/** Body of `PUT /api/flow-runs/{id}/messages/{key}`: a run input under a key of the caller's choosing. */
export const CreateRunInputBody = z.object({
  value: z.unknown(),
  sender: identifier(z.string().min(1).max(200)).nullable().optional(),
});

/** Query of `GET /api/flow-runs/{id}/messages`. */
export const MessageFilter = z.object({
  keyPrefix: KeyPrefix.optional(),
  /** Comma-separated keys to leave out. */
  excludeKeys: z
    .string()
    .max(20_000)
    .optional()
    .transform((v) => (v ? v.split(",") : []))
    .pipe(z.array(MessageKey).max(500)),
  limit: z.coerce.number().int().min(1).max(1000).default(100),
});

/** Most messages one receive request takes. */
export const MAX_RECEIVE_BATCH = 100;

/**
 * Body of `POST /api/flow-runs/{id}/messages/receive`: the receiving flow takes its next messages. Each
 * message read is a step `<receiver>.<n>`, `receiver` being the `receiveInput` call's position in the run and
 * `n` the message's position in it, so that a replay gets the same message at the same step.
 */
export const ReceiveBody = z.object({
  receiver: identifier(z.string().min(1).max(200)),
  /** The first step to fill. */
  from: z.number().int().min(1),
  /** How many steps to fill at most: those taken before (a replay), else as many waiting messages as there are. */
  limit: z.number().int().min(1).max(MAX_RECEIVE_BATCH).default(1),
  keyPrefix: KeyPrefix,
  excludeKeys: z.array(MessageKey).max(500).default([]),
});
export type ReceiveBody = z.input<typeof ReceiveBody>;

/** What `receive` answers: the messages of steps `from`, `from + 1`, …, in order; none when none waits. */
export const ReceiveResult = z.object({ messages: z.array(Message) });

/** Body of `POST /api/flow-runs/{id}/messages/release`: messages taken and not read (the flow stopped reading) wait again. */
export const ReleaseBody = z.object({ keys: z.array(MessageKey).min(1).max(MAX_RECEIVE_BATCH) });

/** Body of `POST /api/flow-runs/{id}/messages/{key}/refuse`: the receiver's own checks refused it. */
export const RefuseBody = z.object({ errors: z.array(FieldError).min(1).max(100) });

/** What a run receives under a key prefix (declared by `receiveInput`): the server checks messages against it when they are sent. */
export const Receiver = z.object({
  flowRunId: z.string(),
  keyPrefix: KeyPrefix,
  schema: z.record(z.string(), z.unknown()),
  description: z.string().max(10_000).nullable(),
  declaredAt: z.iso.datetime(),
});
export type Receiver = z.infer<typeof Receiver>;

/** Body of `PUT /api/flow-runs/{id}/receivers`. */
export const DeclareReceiverBody = Receiver.pick({ keyPrefix: true, schema: true, description: true });
export type DeclareReceiverBody = z.infer<typeof DeclareReceiverBody>;

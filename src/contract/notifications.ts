import { z } from "zod";
import { parseDuration } from "./duration.ts";
import { StateType } from "./states.ts";
import { Tag } from "./flow-run.ts";

/** A channel's name: what automations and commands refer to it by. */
export const ChannelName = z
  .string()
  .min(1)
  .max(100)
  .regex(/^[a-z0-9][a-z0-9._-]*$/, "use lowercase letters, digits, dots, dashes and underscores, starting with a letter or digit");

const HttpUrl = z
  .url({ protocol: /^https?$/ })
  .max(2000)
  .describe("an http(s) URL");

/** Body of `POST /api/channels`: where notifications go. */
export const CreateChannelBody = z.discriminatedUnion("type", [
  z.object({
    name: ChannelName,
    type: z.literal("webhook"),
    url: HttpUrl,
    /** Signs each request (Baton-Signature); generated when left out, and shown once, in the answer. */
    secret: z.string().min(16).max(200).optional(),
  }),
  z.object({ name: ChannelName, type: z.literal("slack"), url: HttpUrl.describe("a Slack incoming webhook URL") }),
  z.object({ name: ChannelName, type: z.literal("email"), to: z.array(z.email()).min(1).max(50) }),
]);
export type CreateChannelBody = z.input<typeof CreateChannelBody>;

export const ChannelType = z.enum(["webhook", "slack", "email"]);
export type ChannelType = z.infer<typeof ChannelType>;

/** A channel as the API shows it: a webhook's secret is shown only when it is created. */
export const NotificationChannel = z.object({
  id: z.string(),
  name: z.string(),
  type: ChannelType,
  /** The webhook or Slack URL; for email, null. */
  url: z.string().nullable(),
  /** Email addresses; empty for the other types. */
  to: z.array(z.string()),
  /** A webhook's secret, only in the answer to its creation; null elsewhere. */
  secret: z.string().nullable(),
  createdAt: z.iso.datetime(),
});
export type NotificationChannel = z.infer<typeof NotificationChannel>;

/**
 * What automations react to. A run that starts waiting (pause or suspend) is `flow-run.paused`; one whose
 * wait becomes a suspend is also `flow-run.suspended`; an answer is `flow-run.resumed`; an answer the
 * flow's own rules refused before the run resumed (it stays paused) is `flow-run.input-rejected`.
 */
export const AutomationEvent = z.enum([
  "flow-run.paused",
  "flow-run.input-rejected",
  "flow-run.suspended",
  "flow-run.resumed",
  "flow-run.running",
  "flow-run.scheduled",
  "flow-run.completed",
  "flow-run.failed",
  "flow-run.crashed",
  "flow-run.cancelled",
]);
export type AutomationEvent = z.infer<typeof AutomationEvent>;

/** A duration: seconds, or text such as "90s", "15m", "4h", "1h30m", "1d". */
export const Duration = z
  .union([
    z
      .number()
      .positive()
      .max(3650 * 86400),
    z.string().max(50),
  ])
  .refine(
    (v) => {
      try {
        return parseDuration(v) > 0;
      } catch {
        return false;
      }
    },
    { message: 'a number of seconds, or a duration such as "90s", "15m", "4h", "1h30m", "1d"' },
  );

/** Narrows a trigger to some runs; each filter left out matches every run. */
const RunFilter = {
  flowName: z.array(z.string().min(1).max(200)).max(100).optional(),
  deploymentName: z.array(z.string().min(1).max(200)).max(100).optional(),
  /** Runs with any one of these tags. */
  tags: z.array(Tag).max(100).optional(),
};

/** When an automation acts. */
export const AutomationTrigger = z.discriminatedUnion("type", [
  z.object({ type: z.literal("event"), events: z.array(AutomationEvent).min(1), ...RunFilter }),
  z.object({
    type: z.literal("stays"),
    /** The state a run stays in; PAUSED covers pauses and suspends (a reminder, an escalation). */
    state: StateType,
    /** How long: once per run and state (per pause, for PAUSED), and never after the run moved on. */
    for: Duration,
    ...RunFilter,
  }),
]);
export type AutomationTrigger = z.input<typeof AutomationTrigger>;

/** What an automation does. */
export const AutomationAction = z.discriminatedUnion("type", [
  z.object({
    type: z.literal("notify"),
    channel: ChannelName,
    /** The message's own title and text, with placeholders such as {flowName} (see the README); links are always added. */
    title: z.string().min(1).max(200).optional(),
    text: z.string().min(1).max(4000).optional(),
  }),
  z.object({ type: z.literal("cancel-run"), reason: z.string().max(1000).optional() }),
  z.object({ type: z.literal("suspend-run") }),
  /** Answers the run's current pause with `input` (checked against its schema), channel `api`. */
  z.object({ type: z.literal("resume-run"), input: z.unknown().optional() }),
  z.object({
    type: z.literal("run-deployment"),
    deployment: z.string().min(1).max(200),
    parameters: z.record(z.string(), z.unknown()).default({}),
  }),
]);
export type AutomationAction = z.input<typeof AutomationAction>;

/** Body of `POST /api/automations` and `PUT /api/automations/{id}`. */
export const CreateAutomationBody = z.object({
  name: z.string().min(1).max(200),
  description: z.string().max(2000).optional(),
  enabled: z.boolean().default(true),
  trigger: AutomationTrigger,
  actions: z.array(AutomationAction).min(1).max(20),
});
export type CreateAutomationBody = z.input<typeof CreateAutomationBody>;

/** A stored automation. */
export const Automation = z.object({
  id: z.string(),
  name: z.string(),
  description: z.string().nullable(),
  enabled: z.boolean(),
  trigger: AutomationTrigger,
  actions: z.array(AutomationAction),
  createdAt: z.iso.datetime(),
  updatedAt: z.iso.datetime(),
});
export type Automation = z.infer<typeof Automation>;

export const DeliveryStatus = z.enum(["PENDING", "SENDING", "DELIVERED", "FAILED"]);
export type DeliveryStatus = z.infer<typeof DeliveryStatus>;

/**
 * One action an automation (or "Send a test") asked for: stored before it is carried out, then tried,
 * and retried with backoff, until it succeeds or runs out of attempts.
 */
export const Delivery = z.object({
  id: z.string(),
  /** notify, or the run action (cancel-run, suspend-run, resume-run, run-deployment). */
  action: z.string(),
  channelId: z.string().nullable(),
  channelName: z.string().nullable(),
  automationId: z.string().nullable(),
  automationName: z.string().nullable(),
  flowRunId: z.string().nullable(),
  /** flow-run.paused, ..., or "test". */
  event: z.string(),
  status: DeliveryStatus,
  attempts: z.number().int(),
  maxAttempts: z.number().int(),
  nextAttemptAt: z.iso.datetime().nullable(),
  lastError: z.string().nullable(),
  createdAt: z.iso.datetime(),
  deliveredAt: z.iso.datetime().nullable(),
});
export type Delivery = z.infer<typeof Delivery>;

/** Query of `GET /api/deliveries`: newest first. */
export const DeliveryFilter = z.object({
  status: DeliveryStatus.optional(),
  channel: z.string().optional(),
  flowRunId: z.string().optional(),
  limit: z.coerce.number().int().min(1).max(500).default(50),
});

/** One way to answer a pause with a click: a label and the signed link. */
export const AnswerLink = z.object({ label: z.string(), url: z.string() });
export type AnswerLink = z.infer<typeof AnswerLink>;

/**
 * What a notification says: the body a webhook receives (JSON), and what Slack and email messages are
 * made from.
 */
export const NotificationMessage = z.object({
  /** The delivery's id, also in the Baton-Delivery header: the same on every retry, for idempotency. */
  id: z.string(),
  event: z.string(),
  occurredAt: z.iso.datetime(),
  automation: z.object({ id: z.string(), name: z.string() }).nullable(),
  flowRun: z
    .object({
      id: z.string(),
      name: z.string(),
      flowName: z.string(),
      deploymentName: z.string().nullable(),
      state: z.object({ type: StateType, name: z.string(), message: z.string().nullable() }),
    })
    .nullable(),
  /** What the run's current pause asks, when it waits. */
  pause: z
    .object({
      key: z.string(),
      description: z.string().nullable(),
      schema: z.record(z.string(), z.unknown()).nullable(),
      initialData: z.unknown().optional(),
      timeoutAt: z.iso.datetime().nullable(),
    })
    .nullable(),
  links: z.object({
    /** The run's page in the web UI (its question, when it waits). */
    run: z.string().nullable(),
    /** One signed link per choice, for a pause that asks nothing, one boolean, or one choice of a list. */
    answers: z.array(AnswerLink),
  }),
  /** A one-line summary, and the text of the message. */
  title: z.string(),
  text: z.string(),
});
export type NotificationMessage = z.infer<typeof NotificationMessage>;

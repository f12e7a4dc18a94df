import { BatonError, DeliveryNotFoundError } from "../contract/errors.ts";
import type { Automation, AutomationAction, BatonEvent, Delivery, DeliveryFilter, FlowRun, NotificationMessage, State } from "../contract/index.ts";
import { newId } from "../storage/ids.ts";
import type { Storage, StoredChannel, StoredDelivery, Stores } from "../storage/storage.ts";
import type { z } from "zod";
import { authorize } from "./authorize.ts";
import { now, nowMs } from "./clock.ts";
import type { AnswerLinks } from "./notifications/answer-links.ts";
import type { DeliveryOutcome, MetricsService } from "./metrics-service.ts";
import { buildMessage } from "./notifications/message.ts";
import type { NotificationSender } from "./notifications/senders.ts";
import { type RequestCaller, serverCaller } from "./request-caller.ts";

/** How deliveries are tried. */
export interface DeliverySettings {
  maxAttempts: number;
  /** Seconds before the first retry; each later one waits twice as long. */
  retrySeconds: number;
  /** Seconds an endpoint has to take a delivery. */
  timeoutSeconds: number;
}

/**
 * What automations do to runs, as the services do it (the delivery service carries the actions out), as
 * `caller`: the automation, by name (`automation:<name>`), so that the audit log and the run say which.
 */
export interface RunActions {
  cancel(caller: RequestCaller, flowRunId: string, reason: string): Promise<unknown>;
  suspend(caller: RequestCaller, flowRunId: string, key: string): Promise<unknown>;
  resume(caller: RequestCaller, flowRunId: string, key: string, input: unknown): Promise<unknown>;
  runDeployment(caller: RequestCaller, name: string, parameters: Record<string, unknown>): Promise<unknown>;
}

/** The run action a delivery carries, as stored. */
interface RunActionPayload {
  action: Exclude<AutomationAction, { type: "notify" }>;
  flowRunId: string | null;
  pauseKey: string | null;
}

/**
 * Deliveries: what automations (and "Send a test") ask to be done, stored before it is done, then tried
 * and retried with exponential backoff until it succeeds or runs out of attempts. A notification goes to
 * a channel; a run action (cancel, suspend, resume, start a deployment run) goes to the services.
 */
export class DeliveryService {
  readonly #storage: Storage;
  readonly #links: AnswerLinks;
  readonly #sender: NotificationSender;
  readonly #settings: DeliverySettings;
  readonly #actions: RunActions;
  readonly #metrics: Pick<MetricsService, "deliveryAttempted">;
  /** Called when deliveries were queued on this server, so that its delivery loop wakes at once. */
  onQueued: () => void = () => {};
  /** Tells the event streams (and the other servers) of deliveries queued or tried, so that lists of them follow. */
  announce: (events: BatonEvent[]) => void = () => {};

  constructor(
    storage: Storage,
    links: AnswerLinks,
    sender: NotificationSender,
    settings: DeliverySettings,
    actions: RunActions,
    metrics: Pick<MetricsService, "deliveryAttempted">,
  ) {
    this.#storage = storage;
    this.#links = links;
    this.#sender = sender;
    this.#settings = settings;
    this.#actions = actions;
    this.#metrics = metrics;
  }

  /** Newest first. */
  list(caller: RequestCaller, filter: z.output<typeof DeliveryFilter>): Promise<Delivery[]> {
    authorize(caller, "delivery:read", { type: "delivery" });
    return this.#storage.deliveries.list(filter);
  }

  /** One delivery, with what it sent (the message, or the run action). */
  async get(caller: RequestCaller, id: string): Promise<Delivery & { payload: unknown }> {
    authorize(caller, "delivery:read", { type: "delivery", id });
    const d = await this.#storage.deliveries.get(id);
    if (!d) throw new DeliveryNotFoundError(id);
    return { ...d, payload: withoutAnswerLinks(d.payload) };
  }

  /**
   * The deliveries the actions of `automation` make for `event` of `run` (seen in `state`), written
   * through `tx` so that they commit with whatever decided them. A notification to a channel that no
   * longer exists is stored failed, so that it shows.
   */
  async plan(tx: Stores, automation: Automation, event: string, run: FlowRun, state: State): Promise<StoredDelivery[]> {
    const out: StoredDelivery[] = [];
    const at = now();
    const base = { automationId: automation.id, automationName: automation.name, flowRunId: run.id, event, createdAt: at };
    for (const action of automation.actions) {
      const id = newId();
      if (action.type === "notify") {
        const channel = await tx.channels.get(action.channel);
        const message = buildMessage(
          {
            deliveryId: id,
            event,
            occurredAt: at,
            automation: { id: automation.id, name: automation.name },
            run,
            state,
            template: { title: action.title, text: action.text },
            // An email to one address goes to one person: its links answer as them. Others (several addresses,
            // a webhook, Slack) reach whoever reads them, and their links answer as `link`.
            sentTo: channel?.type === "email" && channel.to.length === 1 ? channel.to[0] : null,
          },
          this.#links,
        );
        out.push(this.#new(id, base, "notify", channel ?? null, action.channel, message));
      } else {
        const payload: RunActionPayload = {
          action: action as RunActionPayload["action"],
          flowRunId: run.id,
          pauseKey: state.type === "PAUSED" ? (state.details.pauseKey ?? null) : null,
        };
        out.push(this.#new(id, base, action.type, null, null, payload));
      }
    }
    await tx.deliveries.insert(out);
    return out;
  }

  /** Queues a test message to `channel`; the answer is the delivery, to follow with `get`. */
  async test(channel: StoredChannel): Promise<Delivery> {
    const id = newId();
    const at = now();
    const message = buildMessage({ deliveryId: id, event: "test", occurredAt: at, automation: null, run: null }, this.#links);
    const d = this.#new(
      id,
      { automationId: null, automationName: null, flowRunId: null, event: "test", createdAt: at },
      "notify",
      channel,
      channel.name,
      message,
    );
    await this.#storage.deliveries.insert([d]);
    this.queued([d]);
    const { payload: _, ...delivery } = d;
    return delivery;
  }

  #new(
    id: string,
    base: Pick<Delivery, "automationId" | "automationName" | "flowRunId" | "event" | "createdAt">,
    action: string,
    channel: StoredChannel | null,
    channelName: string | null,
    payload: unknown,
  ): StoredDelivery {
    const missing = action === "notify" && !channel;
    return {
      id,
      action,
      channelId: channel?.id ?? null,
      channelName,
      ...base,
      status: missing ? "FAILED" : "PENDING",
      attempts: 0,
      maxAttempts: this.#settings.maxAttempts,
      nextAttemptAt: missing ? null : base.createdAt,
      lastError: missing ? `no channel is named "${channelName}" any more` : null,
      deliveredAt: null,
      payload,
    };
  }

  /** Wakes the delivery loop for deliveries queued (their transaction committed), and tells the streams. */
  queued(deliveries: readonly Delivery[]): void {
    this.onQueued();
    this.#changed(deliveries.map((d) => [d, d.status]));
  }

  #changed(changes: [Pick<Delivery, "id" | "flowRunId">, Delivery["status"]][]): void {
    if (!changes.length) return;
    const occurredAt = now();
    this.announce(
      changes.map(([d, status]) => ({
        id: 0,
        type: "delivery.changed",
        flowRunId: d.flowRunId ?? "",
        occurredAt,
        payload: { deliveryId: d.id, status },
      })),
    );
  }

  /** Claims due deliveries for this server (at most `limit`, none to `skipChannels`); see `DeliveryStore.claim`. */
  async claim(limit: number, skipChannels: readonly string[] = []): Promise<StoredDelivery[]> {
    const claimUntil = new Date(nowMs() + (this.#settings.timeoutSeconds + 30) * 1000).toISOString();
    const claimed = await this.#storage.deliveries.claim(now(), claimUntil, limit, skipChannels);
    this.#changed(claimed.map((d) => [d, "SENDING"]));
    return claimed;
  }

  /**
   * Carries out a claimed delivery once, and records how it went: delivered, due again after the
   * backoff, or failed for good (out of attempts, or refused in a way that trying again cannot change).
   */
  async attempt(d: StoredDelivery): Promise<void> {
    let error: string | undefined;
    let final = d.attempts >= d.maxAttempts;
    const started = performance.now();
    try {
      if (d.attempts > d.maxAttempts) throw new Error("out of attempts (the server sending it stopped)");
      if (d.action === "notify") await this.#notify(d);
      else await this.#runAction(serverCaller(`automation:${d.automationName ?? d.automationId}`), d.payload as RunActionPayload);
    } catch (e) {
      error = e instanceof Error ? e.message : String(e);
      // A refusal by Baton itself (the run finished, the deployment is unknown) stays a refusal.
      if (e instanceof BatonError) final = true;
    }
    const outcome =
      error === undefined
        ? { status: "DELIVERED" as const, at: now() }
        : final
          ? { status: "FAILED" as const, error }
          : {
              status: "PENDING" as const,
              error,
              nextAttemptAt: new Date(nowMs() + this.#settings.retrySeconds * 1000 * 2 ** (d.attempts - 1)).toISOString(),
            };
    this.#metrics.deliveryAttempted(d.action, OUTCOME_OF[outcome.status], (performance.now() - started) / 1000);
    if (await this.#storage.deliveries.finish(d.id, d.attempts, outcome)) this.#changed([[d, outcome.status]]);
  }

  async #notify(d: StoredDelivery): Promise<void> {
    const channel = d.channelId ? await this.#storage.channels.get(d.channelId) : undefined;
    if (!channel) throw new DeliveryChannelGoneError(d.channelName ?? "");
    await this.#sender.send(channel, d.payload as NotificationMessage, this.#settings.timeoutSeconds * 1000);
  }

  async #runAction(by: RequestCaller, { action, flowRunId, pauseKey }: RunActionPayload): Promise<void> {
    const a = this.#actions;
    if (action.type === "run-deployment") {
      await a.runDeployment(by, action.deployment, action.parameters ?? {});
      return;
    }
    if (!flowRunId) return;
    if (action.type === "cancel-run") await a.cancel(by, flowRunId, action.reason ?? "Cancelled by an automation");
    else if (action.type === "resume-run" && pauseKey) await a.resume(by, flowRunId, pauseKey, action.input);
    else if (action.type === "suspend-run" && pauseKey) await a.suspend(by, flowRunId, pauseKey);
  }
}

/** How an attempt that left a delivery in this status ended, as the metrics count it. */
const OUTCOME_OF = { DELIVERED: "delivered", PENDING: "retry", FAILED: "failed" } as const satisfies Record<string, DeliveryOutcome>;

/**
 * A notification as the API shows it: its answer links' addresses left out, since each one answers (as
 * whom it was sent to) and reading deliveries is not answering; their labels stay.
 */
function withoutAnswerLinks(payload: unknown): unknown {
  const message = payload as Partial<NotificationMessage> | null;
  if (!message?.links?.answers?.length) return payload;
  return { ...message, links: { ...message.links, answers: message.links.answers.map((a) => ({ ...a, url: "(sent to the channel only)" })) } };
}

/** A notification whose channel was removed after it was queued: trying again cannot help. */
class DeliveryChannelGoneError extends BatonError<{ channel: string }> {
  static readonly code = "DELIVERY_CHANNEL_GONE";
  constructor(channel: string) {
    super(DeliveryChannelGoneError.code, `the channel "${channel}" was removed`, { channel });
  }
}

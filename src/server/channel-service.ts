import { randomBytes } from "node:crypto";
import { BadRequestError, ChannelConflictError, ChannelNotFoundError } from "../contract/errors.ts";
import type { CreateChannelBody, Delivery, NotificationChannel } from "../contract/index.ts";
import { newId } from "../storage/ids.ts";
import type { Storage, StoredChannel } from "../storage/storage.ts";
import type { z } from "zod";
import { auditEntry } from "./audit-service.ts";
import { authorize } from "./authorize.ts";
import { now } from "./clock.ts";
import type { DeliveryService } from "./delivery-service.ts";
import type { RequestCaller } from "./request-caller.ts";

/** Notification channels: adding, listing, removing, and sending a test message. */
export class ChannelService {
  readonly #storage: Storage;
  readonly #deliveries: DeliveryService;
  readonly #smtpConfigured: boolean;
  constructor(storage: Storage, deliveries: DeliveryService, smtpConfigured: boolean) {
    this.#storage = storage;
    this.#deliveries = deliveries;
    this.#smtpConfigured = smtpConfigured;
  }

  /** Adds a channel; a webhook's secret (given, or generated) is in this answer only. */
  async create(caller: RequestCaller, body: z.output<typeof CreateChannelBody>): Promise<NotificationChannel> {
    authorize(caller, "channel:write", { type: "channel", name: body.name });
    if (body.type === "email" && !this.#smtpConfigured)
      throw new BadRequestError("This server has no SMTP server to send email through: set BATON_SMTP_URL (and BATON_SMTP_FROM), then restart it.");
    const channel: StoredChannel = {
      id: newId(),
      name: body.name,
      type: body.type,
      url: body.type === "email" ? null : body.url,
      to: body.type === "email" ? body.to : [],
      secret: body.type === "webhook" ? (body.secret ?? `whsec_${randomBytes(24).toString("base64url")}`) : null,
      createdAt: now(),
    };
    const inserted = await this.#storage.transaction(async (tx) => {
      if (!(await tx.channels.insert(channel))) return false;
      await tx.audit.append(channelEntry(caller, "channel.create", channel));
      return true;
    });
    if (!inserted) throw new ChannelConflictError(body.name, "a channel of this name exists already; remove it first, or pick another name.");
    return channel;
  }

  async list(caller: RequestCaller): Promise<NotificationChannel[]> {
    authorize(caller, "channel:read", { type: "channel" });
    return (await this.#storage.channels.list()).map(shown);
  }

  async get(caller: RequestCaller, name: string): Promise<NotificationChannel> {
    authorize(caller, "channel:read", { type: "channel", name });
    return shown(await this.#load(name));
  }

  /** Removes a channel that no automation sends to. */
  async delete(caller: RequestCaller, name: string): Promise<void> {
    authorize(caller, "channel:write", { type: "channel", name });
    const channel = await this.#load(name);
    const users = (await this.#storage.automations.list()).filter((a) => a.actions.some((x) => x.type === "notify" && x.channel === channel.name));
    if (users.length)
      throw new ChannelConflictError(
        channel.name,
        `automations send to it (${users.map((a) => `"${a.name}" ${a.id}`).join(", ")}); change or remove them first.`,
      );
    await this.#storage.transaction(async (tx) => {
      if (await tx.channels.delete(channel.id)) await tx.audit.append(channelEntry(caller, "channel.delete", channel));
    });
  }

  /** Queues a test message to the channel; follow the delivery it answers with. */
  async test(caller: RequestCaller, name: string): Promise<Delivery> {
    authorize(caller, "channel:write", { type: "channel", name });
    const channel = await this.#load(name);
    await this.#storage.transaction((tx) => tx.audit.append(channelEntry(caller, "channel.test", channel)));
    return this.#deliveries.test(channel);
  }

  async #load(name: string): Promise<StoredChannel> {
    const channel = await this.#storage.channels.get(name);
    if (!channel) throw new ChannelNotFoundError(name);
    return channel;
  }
}

/** The audit entry of a change to a channel: what it is, never its URL or secret (a Slack URL is a credential). */
function channelEntry(caller: RequestCaller, action: string, c: StoredChannel) {
  return auditEntry(caller, action, `channel/${c.name}`, { id: c.id, type: c.type, ...(c.type === "email" ? { to: c.to } : {}) });
}

/** A channel as listed: its secret is not shown again. */
function shown(c: StoredChannel): NotificationChannel {
  return { ...c, secret: null };
}

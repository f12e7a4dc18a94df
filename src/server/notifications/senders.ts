import { createHmac } from "node:crypto";
import type { Transporter } from "nodemailer";
import type { NotificationMessage } from "../../contract/index.ts";
import type { StoredChannel } from "../../storage/storage.ts";
import { emailMessage, slackMessage } from "./message.ts";

/**
 * The `Baton-Signature` header of a webhook request: `t=<unix seconds>,v1=<hex HMAC-SHA256 of
 * "<t>.<raw body>" with the channel's secret>`, as Stripe signs its webhooks.
 */
export function webhookSignature(secret: string, body: string, timestamp: number): string {
  return `t=${timestamp},v1=${createHmac("sha256", secret).update(`${timestamp}.${body}`).digest("hex")}`;
}

/** Where email goes out; absent when no SMTP server is configured. */
export interface SmtpSettings {
  url: string | undefined;
  from: string;
}

/** Sends a notification to a channel; throws, saying why, when the channel did not take it. */
export class NotificationSender {
  readonly #smtp: SmtpSettings;
  #transport: Transporter | undefined;
  constructor(smtp: SmtpSettings) {
    this.#smtp = smtp;
  }

  async send(channel: StoredChannel, message: NotificationMessage, timeoutMs: number): Promise<void> {
    if (channel.type === "email") return this.#email(channel, message, timeoutMs);
    const body = JSON.stringify(channel.type === "slack" ? slackMessage(message) : message);
    const headers: Record<string, string> = { "content-type": "application/json", "user-agent": "Baton" };
    if (channel.type === "webhook") {
      headers["baton-delivery"] = message.id;
      headers["baton-event"] = message.event;
      if (channel.secret) headers["baton-signature"] = webhookSignature(channel.secret, body, Math.floor(Date.now() / 1000));
    }
    let res: Response;
    try {
      // Redirects are not followed: a signed body goes only where it was configured to go.
      res = await fetch(channel.url!, { method: "POST", headers, body, redirect: "manual", signal: AbortSignal.timeout(timeoutMs) });
    } catch (e) {
      const err = e as Error & { cause?: { code?: string; message?: string } };
      if (err.name === "TimeoutError") throw new Error(`no answer from ${hostOf(channel.url!)} within ${timeoutMs / 1000} s`);
      throw new Error(`could not reach ${hostOf(channel.url!)}: ${err.cause?.code ?? err.cause?.message ?? err.message}`);
    }
    const text = await res.text().catch(() => "");
    if (res.status < 200 || res.status > 299)
      throw new Error(`${hostOf(channel.url!)} answered HTTP ${res.status}${text ? `: ${text.slice(0, 200)}` : ""}`);
  }

  async #email(channel: StoredChannel, message: NotificationMessage, timeoutMs: number): Promise<void> {
    if (!this.#smtp.url) throw new Error("no SMTP server is configured: set BATON_SMTP_URL (and BATON_SMTP_FROM) on the server");
    if (!this.#transport) {
      const url = new URL(this.#smtp.url);
      for (const name of ["connectionTimeout", "greetingTimeout", "socketTimeout"])
        if (!url.searchParams.has(name)) url.searchParams.set(name, String(timeoutMs));
      // Loaded on the first email: a server that sends none does without its memory.
      const { default: nodemailer } = await import("nodemailer");
      this.#transport = nodemailer.createTransport(url.toString(), { from: this.#smtp.from });
    }
    const { subject, text, html } = emailMessage(message);
    await this.#transport!.sendMail({ to: channel.to, subject, text, html, headers: { "Baton-Delivery": message.id } });
  }

  close(): void {
    this.#transport?.close();
  }
}

function hostOf(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return "the endpoint";
  }
}

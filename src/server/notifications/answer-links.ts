import { createHmac, timingSafeEqual } from "node:crypto";
import type { AnswerLink, InputRequest } from "../../contract/index.ts";

/** One answer a link can give: its label, and the input it sends (undefined for a pause that asks nothing). */
export interface Choice {
  label: string;
  input: unknown;
}

/** What a link is bound to: a run, its pause key, the answer, and until when it may be used. */
export interface LinkClaims {
  flowRunId: string;
  key: string;
  input: unknown;
  label: string;
  /** Epoch seconds after which the link no longer answers (the pause's timeout); null for none. */
  expiresAt: number | null;
  /** Whom the link was sent to (an email channel's one address), whom its answer counts as; null when nobody in particular. */
  sentTo: string | null;
}

/** Most choices a pause can have and still get one link each (more is a form's job). */
const MAX_CHOICES = 10;

/**
 * The one-click answers of a pause: for one that asks nothing, "Resume"; for a single boolean (bare, or
 * the one field of an object), Approve and Reject; for a single choice of a list, one per option.
 * Anything else is answered in the form, and gets no choices.
 */
export function choicesOf(request: InputRequest | null | undefined): Choice[] {
  if (!request) return [{ label: "Resume", input: undefined }];
  const schema = request.schema;
  const bare = valuesOf(schema);
  if (bare) return bare.map(({ label, value }) => ({ label, input: value }));
  const properties = schema.type === "object" && isRecord(schema.properties) ? Object.entries(schema.properties) : [];
  if (properties.length !== 1) return [];
  const [name, field] = properties[0]!;
  const values = isRecord(field) ? valuesOf(field) : undefined;
  return values ? values.map(({ label, value }) => ({ label, input: { [name]: value } })) : [];
}

function valuesOf(schema: Record<string, unknown>): { label: string; value: unknown }[] | undefined {
  if (schema.type === "boolean")
    return [
      { label: "Approve", value: true },
      { label: "Reject", value: false },
    ];
  const options = Array.isArray(schema.enum) ? schema.enum : undefined;
  if (!options?.length || options.length > MAX_CHOICES || !options.every((o) => ["string", "number", "boolean"].includes(typeof o))) return undefined;
  return options.map((o) => ({ label: String(o), value: o }));
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/**
 * Signs and checks answer links: `<base>/answer/<claims>.<signature>`, the claims base64url JSON and the
 * signature an HMAC-SHA256 of them with the server's secret. Anyone who changes a claim (another run,
 * another answer, a later expiry) breaks the signature.
 */
export class AnswerLinks {
  readonly #secret: string;
  readonly #baseUrl: () => string;
  constructor(secret: string, baseUrl: () => string) {
    this.#secret = secret;
    this.#baseUrl = baseUrl;
  }

  /** The web UI's address: where links point. */
  get baseUrl(): string {
    return this.#baseUrl();
  }

  /** The one-click links of a pause, one per choice; none when it must be answered in the form. */
  linksFor(
    flowRunId: string,
    key: string,
    request: InputRequest | null | undefined,
    timeoutAt: string | null,
    sentTo: string | null = null,
  ): AnswerLink[] {
    const expiresAt = timeoutAt ? Math.floor(Date.parse(timeoutAt) / 1000) : null;
    return choicesOf(request).map((c) => ({
      label: c.label,
      url: `${this.baseUrl}/answer/${this.sign({ flowRunId, key, input: c.input, label: c.label, expiresAt, sentTo })}`,
    }));
  }

  sign(claims: LinkClaims): string {
    const body = Buffer.from(
      JSON.stringify([claims.flowRunId, claims.key, claims.input ?? null, claims.label, claims.expiresAt, claims.sentTo]),
    ).toString("base64url");
    return `${body}.${this.#mac(body)}`;
  }

  /** The claims of a token whose signature holds; undefined for a tampered or malformed one. */
  verify(token: string): LinkClaims | undefined {
    const [body, mac, extra] = token.split(".");
    if (!body || !mac || extra !== undefined) return undefined;
    const expected = Buffer.from(this.#mac(body));
    const given = Buffer.from(mac);
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return undefined;
    try {
      const [flowRunId, key, input, label, expiresAt, sentTo] = JSON.parse(Buffer.from(body, "base64url").toString("utf8"));
      return { flowRunId, key, input: input === null ? undefined : input, label, expiresAt, sentTo: typeof sentTo === "string" ? sentTo : null };
    } catch {
      return undefined;
    }
  }

  #mac(body: string): string {
    return createHmac("sha256", this.#secret).update(`baton-answer-link.${body}`).digest("base64url");
  }
}

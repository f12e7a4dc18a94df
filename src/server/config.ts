import { homedir } from "node:os";
import { join } from "node:path";
import { z } from "zod";
import { ConfigError } from "../contract/errors.ts";

const ServerConfig = z.object({
  host: z.string().min(1).default("127.0.0.1"),
  port: z.coerce.number().int().min(0).max(65535).default(4200),
  home: z.string().min(1).default(join(homedir(), ".baton")),
  databaseUrl: z.string().optional(),
  /** Seconds between two sweeps of the expiry service. */
  expiryIntervalSeconds: z.coerce.number().positive().default(1),
  /** A run whose process sent no heartbeat for this long is recovered (suspended, rescheduled or Crashed). */
  heartbeatTimeoutSeconds: z.coerce.number().positive().default(30),
  /** A process whose event stream closed and did not come back for this long is taken for dead, its runs recovered. */
  disconnectGraceSeconds: z.coerce.number().min(0).default(2),
  /**
   * Seconds a process holding a flow's code has to check an answer with the flow's Zod schema before the
   * run resumes; past it the answer goes on the JSON Schema alone. 0: answers are never handed over.
   */
  inputCheckTimeoutSeconds: z.coerce.number().min(0).max(60).default(5),
  /** Largest request body, in bytes. */
  bodyLimit: z.coerce
    .number()
    .int()
    .positive()
    .default(1024 * 1024),
  /** Largest task result kept for replay, in bytes of JSON; past the 512 KiB a task run's row holds, it goes to the result store. */
  resultMaxBytes: z.coerce
    .number()
    .int()
    .positive()
    .default(64 * 1024 * 1024),
  /** Check every response body against its schema (the test suite does); off, bodies are written as built. */
  checkResponses: z.stringbool().or(z.boolean()).default(false),
  /** Signs answer links; without it, a secret generated once is kept in the database, shared by every server. */
  secret: z.string().min(16, "use at least 16 characters").optional(),
  /** The SMTP server email channels send through, e.g. smtp://user:pass@mail.example.com:587. */
  smtpUrl: z.string().optional(),
  /** The From address of notification emails. */
  smtpFrom: z.string().default("Baton <baton@localhost>"),
  /** Tries of a delivery before it is marked failed. */
  deliveryMaxAttempts: z.coerce.number().int().min(1).max(100).default(8),
  /** Seconds before the first retry of a failed delivery; each later retry waits twice as long as the one before. */
  deliveryRetrySeconds: z.coerce.number().positive().default(10),
  /** Seconds a webhook, Slack or SMTP server has to accept a delivery before the try counts as failed. */
  deliveryTimeoutSeconds: z.coerce.number().positive().default(10),
  logLevel: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("warn"),
  /**
   * The address people reach the server at (behind a proxy, or on a name): its host is the one non-loopback
   * Host answered, and it is the base of the links in notifications (default: the address it listens on).
   */
  publicUrl: z.url({ protocol: /^https?$/ }).optional(),
  /** Origins whose pages may call the API (CORS); none by default. */
  corsOrigins: z
    .union([z.string(), z.array(z.string())])
    .default([])
    .transform((v) => (Array.isArray(v) ? v : v.split(",")).map((o) => o.trim().replace(/\/+$/, "")).filter(Boolean))
    .pipe(z.array(z.url({ protocol: /^https?$/ }))),
  /** Serve with no authentication on a non-loopback address, with no user defined. Dangerous. */
  insecureNoAuth: z.stringbool().or(z.boolean()).default(false),
});
/** The server's settings, resolved once at start-up. */
export type ServerConfig = z.output<typeof ServerConfig>;
export type ServerOptions = z.input<typeof ServerConfig>;

/** Defaults, then `BATON_*` environment variables, then explicit options. */
export function resolveServerConfig(options: ServerOptions = {}, env: NodeJS.ProcessEnv = process.env): ServerConfig {
  const fromEnv = {
    host: env.BATON_HOST,
    port: env.BATON_PORT,
    home: env.BATON_HOME,
    databaseUrl: env.BATON_DATABASE_URL,
    expiryIntervalSeconds: env.BATON_EXPIRY_INTERVAL_SECONDS,
    heartbeatTimeoutSeconds: env.BATON_HEARTBEAT_TIMEOUT_SECONDS,
    disconnectGraceSeconds: env.BATON_DISCONNECT_GRACE_SECONDS,
    inputCheckTimeoutSeconds: env.BATON_INPUT_CHECK_TIMEOUT_SECONDS,
    resultMaxBytes: env.BATON_RESULT_MAX_BYTES,
    logLevel: env.BATON_LOG_LEVEL,
    checkResponses: env.BATON_CHECK_RESPONSES,
    publicUrl: env.BATON_PUBLIC_URL,
    corsOrigins: env.BATON_CORS_ORIGINS,
    secret: env.BATON_SECRET,
    smtpUrl: env.BATON_SMTP_URL,
    smtpFrom: env.BATON_SMTP_FROM,
    deliveryMaxAttempts: env.BATON_DELIVERY_MAX_ATTEMPTS,
    deliveryRetrySeconds: env.BATON_DELIVERY_RETRY_SECONDS,
    deliveryTimeoutSeconds: env.BATON_DELIVERY_TIMEOUT_SECONDS,
  };
  const merged = { ...stripUndefined(fromEnv), ...stripUndefined(options) };
  const parsed = ServerConfig.safeParse(merged);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new ConfigError(`Server setting "${issue.path.join(".")}" is not valid: ${issue.message}.`);
  }
  return parsed.data;
}

function stripUndefined(o: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined && v !== ""));
}

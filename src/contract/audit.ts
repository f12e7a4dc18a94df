import { z } from "zod";

/**
 * One entry of the audit log: who did what to what, when. Entries are numbered without gaps and chained:
 * each `hash` covers the entry and the hash of the one before, so that an entry edited or deleted in the
 * database breaks the chain (`baton audit verify`).
 */
export const AuditEntry = z.object({
  seq: z.number().int(),
  at: z.iso.datetime(),
  /**
   * Who: a user's name, `key:<name>`, `local:<os user>` (the CLI on the database), `anonymous` (a server without
   * sign-in), `automation:<name>`, `timeout` (a pause's onTimeout), or whom an answer link was sent to (`link` if nobody in particular).
   */
  actor: z.string(),
  /** What, e.g. `flow-run.answer`, `flow-run.cancel`, `user.add`, `api-key.revoke`, `channel.create`, `automation.update`, `refused`. */
  action: z.string(),
  /** What it was done to, e.g. `flow-run/<id>`, `user/<name>`, `api-key/<id>`. */
  target: z.string(),
  details: z.record(z.string(), z.unknown()),
  prevHash: z.string(),
  hash: z.string(),
});
export type AuditEntry = z.infer<typeof AuditEntry>;

/** Query of `GET /api/audit`: entries after `after`, oldest first. */
export const AuditQuery = z.object({
  after: z.coerce.number().int().min(0).default(0),
  limit: z.coerce.number().int().min(1).max(1000).default(100),
  target: z.string().max(200).optional(),
});

/** Answer of `GET /api/audit/verify`: whether the chain is whole, and where it breaks if not. */
export const AuditVerification = z.object({
  ok: z.boolean(),
  entries: z.number().int(),
  /** The hash of the last entry: keep it elsewhere to detect the newest entries being cut off. */
  headHash: z.string(),
  /** Where and how the chain breaks, when it does. */
  problem: z.string().nullable(),
});
export type AuditVerification = z.infer<typeof AuditVerification>;

import { createHash } from "node:crypto";
import type { Selectable } from "kysely";
import type { AuditEntry, AuditVerification } from "../contract/index.ts";
import { prepared } from "./prepared.ts";
import type { AuditLogTable } from "./schema.ts";
import type { Executor } from "./sql-storage.ts";
import type { Dialect } from "./storage.ts";

/** The hash before the first entry. */
export const GENESIS_HASH = "0".repeat(64);

/** What is appended; the store numbers and chains it. */
export interface NewAuditEntry {
  at: string;
  actor: string;
  action: string;
  target: string;
  details: Record<string, unknown>;
}

/**
 * The audit log: `storage.audit`. Append-only: nothing here updates or deletes a chained entry.
 *
 * An entry is recorded in the transaction of what it records, unnumbered, so that concurrent writers
 * (and the transactions of one commit group) never wait for each other; `chain` then numbers and links
 * what was recorded, one chainer at a time. Reads chain first, so they see every committed entry.
 */
export interface AuditStore {
  /** Records an entry in the caller's transaction; `chain` gives it its place in the log. */
  append(entry: NewAuditEntry): Promise<void>;
  /**
   * Numbers and links up to `limit` recorded entries, oldest first, after the log's last one; resolves
   * with how many. Run it in a transaction of its own: on PostgreSQL it locks the log's head.
   */
  chain(limit: number): Promise<number>;
  /** Entries after `after`, oldest first; of one target when given. */
  list(options: { after: number; limit: number; target?: string | undefined }): Promise<AuditEntry[]>;
  /** Reads the whole log and checks every link of the chain, and that it ends where the head says. */
  verify(): Promise<AuditVerification>;
}

/** The hash of an entry: SHA-256 over the previous hash and the entry's fields, as JSON in a fixed order. */
export function entryHash(prevHash: string, e: Omit<AuditEntry, "hash" | "prevHash">): string {
  return createHash("sha256")
    .update(`${prevHash}\n${JSON.stringify([e.seq, e.at, e.actor, e.action, e.target, e.details])}`)
    .digest("hex");
}

/** `AuditStore` in SQL, the same on both databases but for the lock of the head. */
export class SqlAuditStore implements AuditStore {
  readonly #db: Executor;
  readonly #dialect: Dialect;
  constructor(db: Executor, dialect: Dialect) {
    this.#db = db;
    this.#dialect = dialect;
  }

  async append({ at, actor, action, target, details }: NewAuditEntry): Promise<void> {
    const db = this.#db;
    const row = { at, actor, action, target, details: JSON.stringify(details) };
    // Every answer appends one: built and compiled once.
    await prepared(db, "appendAudit", row, (p) => db.insertInto("audit_pending").values(p));
  }

  async chain(limit: number): Promise<number> {
    // On PostgreSQL the row lock makes chainers (of several servers) take turns; SQLite has one writer.
    const head = await this.#db
      .selectFrom("audit_head")
      .select(["seq", "hash"])
      .where("id", "=", 1)
      .$if(this.#dialect === "postgres", (q) => q.forUpdate())
      .executeTakeFirstOrThrow();
    const pending = await this.#db.selectFrom("audit_pending").selectAll().orderBy("id").limit(limit).execute();
    if (!pending.length) return 0;
    let seq = Number(head.seq);
    let prevHash = head.hash;
    const rows = pending.map(({ id: _, ...entry }) => {
      seq++;
      const hash = entryHash(prevHash, { ...entry, seq, details: parseDetails(entry.details) });
      const row = { ...entry, seq, prev_hash: prevHash, hash };
      prevHash = hash;
      return row;
    });
    await this.#db.insertInto("audit_log").values(rows).execute();
    await this.#db
      .deleteFrom("audit_pending")
      .where(
        "id",
        "in",
        pending.map((p) => p.id),
      )
      .execute();
    await this.#db.updateTable("audit_head").set({ seq, hash: prevHash }).where("id", "=", 1).execute();
    return pending.length;
  }

  async list(options: { after: number; limit: number; target?: string | undefined }): Promise<AuditEntry[]> {
    const rows = await this.#db
      .selectFrom("audit_log")
      .selectAll()
      .where("seq", ">", options.after)
      .$if(options.target !== undefined, (q) => q.where("target", "=", options.target!))
      .orderBy("seq")
      .limit(options.limit)
      .execute();
    return rows.map(auditEntryOf);
  }

  async verify(): Promise<AuditVerification> {
    let prevHash = GENESIS_HASH;
    let expected = 1;
    let entries = 0;
    const fail = (problem: string): AuditVerification => ({ ok: false, entries, headHash: prevHash, problem });
    for (;;) {
      const batch = await this.list({ after: expected - 1, limit: 1000 });
      for (const e of batch) {
        if (e.seq !== expected) return fail(`entry ${expected} is missing (the next is ${e.seq}): deleted from the database.`);
        if (e.prevHash !== prevHash) return fail(`entry ${e.seq} does not follow entry ${e.seq - 1}: an entry before it was changed or removed.`);
        if (entryHash(prevHash, e) !== e.hash) return fail(`entry ${e.seq} (${e.action} ${e.target}) was changed after it was written.`);
        prevHash = e.hash;
        expected++;
        entries++;
      }
      if (batch.length < 1000) break;
    }
    const head = await this.#db.selectFrom("audit_head").select(["seq", "hash"]).where("id", "=", 1).executeTakeFirst();
    if (!head || Number(head.seq) !== entries || head.hash !== prevHash)
      return fail(
        `the log ends at entry ${entries}, but ${head ? `${head.seq} were written` : "its head is gone"}: the newest entries were removed.`,
      );
    return { ok: true, entries, headHash: prevHash, problem: null };
  }
}

function auditEntryOf(r: Selectable<AuditLogTable>): AuditEntry {
  return {
    seq: Number(r.seq),
    at: r.at,
    actor: r.actor,
    action: r.action,
    target: r.target,
    details: parseDetails(r.details),
    prevHash: r.prev_hash,
    hash: r.hash,
  };
}

/** An entry's details; text that is not JSON (edited by hand) is kept as it is, and fails its hash. */
function parseDetails(text: string): Record<string, unknown> {
  try {
    return JSON.parse(text);
  } catch {
    return { unreadable: text };
  }
}

import type { AuditEntry, AuditQuery, AuditVerification } from "../contract/index.ts";
import type { z } from "zod";
import type { NewAuditEntry, Storage } from "../storage/storage.ts";
import { authorize } from "./authorize.ts";
import { now } from "./clock.ts";
import type { RequestCaller } from "./request-caller.ts";

/** Who a caller is, as the audit log names them. */
export function actorOf(caller: RequestCaller): string {
  return caller.kind === "principal" ? caller.name : caller.kind === "open" ? "anonymous (open server)" : "anonymous";
}

/** An entry of the audit log for what `caller` did, now. */
export function auditEntry(caller: RequestCaller, action: string, target: string, details: Record<string, unknown> = {}): NewAuditEntry {
  return { at: now(), actor: actorOf(caller), action, target, details: { ...details, channel: caller.channel } };
}

/** Entries chained per transaction. */
const CHAIN_BATCH = 1000;

/**
 * Reading and checking the audit log. Entries are recorded by the services that act (answers, cancels,
 * forced states, people and keys), in the transaction of what they record, and by the API for refusals;
 * `chain` numbers and links them (a background loop, and every read first).
 */
export class AuditService {
  readonly #storage: Storage;
  constructor(storage: Storage) {
    this.#storage = storage;
  }

  async list(caller: RequestCaller, query: z.output<typeof AuditQuery>): Promise<AuditEntry[]> {
    authorize(caller, "audit:read", { type: "audit" });
    await this.chain();
    return this.#storage.audit.list(query);
  }

  /** Checks the whole chain: an entry edited or deleted in the database is found, and named. */
  async verify(caller: RequestCaller): Promise<AuditVerification> {
    authorize(caller, "audit:read", { type: "audit" });
    await this.chain();
    return this.#storage.audit.verify();
  }

  /** Numbers and links every entry recorded so far into the log; resolves with how many. */
  async chain(): Promise<number> {
    let chained = 0;
    for (let n = CHAIN_BATCH; n === CHAIN_BATCH; chained += n) n = await this.#storage.transaction((tx) => tx.audit.chain(CHAIN_BATCH));
    return chained;
  }

  /** Records a refused request (403): who asked what, and why it was refused. */
  async refused(caller: RequestCaller, method: string, url: string, reason: { action: string; reason: string }): Promise<void> {
    await this.#storage.transaction((tx) => tx.audit.append(auditEntry(caller, "refused", `${method} ${url.split("?")[0]}`, reason)));
  }
}

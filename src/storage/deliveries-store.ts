import type { Selectable } from "kysely";
import type { Delivery, DeliveryStatus } from "../contract/index.ts";
import type { DeliveryTable } from "./schema.ts";
import type { Executor } from "./sql-storage.ts";

/** A delivery with what carrying it out needs: the message, or the run action, as stored. */
export interface StoredDelivery extends Delivery {
  payload: unknown;
}

/** How a try of a delivery ended. */
export type DeliveryOutcome =
  | { status: "DELIVERED"; at: string }
  | { status: "PENDING"; error: string; nextAttemptAt: string }
  | { status: "FAILED"; error: string };

/** Deliveries: `storage.deliveries`. */
export interface DeliveryStore {
  insert(deliveries: StoredDelivery[]): Promise<void>;
  get(id: string): Promise<StoredDelivery | undefined>;
  /** Newest first. */
  list(filter: {
    status?: DeliveryStatus | undefined;
    channel?: string | undefined;
    flowRunId?: string | undefined;
    limit: number;
  }): Promise<Delivery[]>;
  /**
   * Claims up to `limit` deliveries due at `now` (pending, or sending past a lapsed claim): sets them
   * SENDING, counts the attempt, and makes them due again at `claimUntil` in case this server dies while
   * sending. Of two servers claiming at once each delivery goes to one. Deliveries to `skipChannels`
   * (channel ids) are left for later.
   */
  claim(now: string, claimUntil: string, limit: number, skipChannels?: readonly string[]): Promise<StoredDelivery[]>;
  /** Records how the attempt numbered `attempt` ended, unless a later claim took the delivery meanwhile. */
  finish(id: string, attempt: number, outcome: DeliveryOutcome): Promise<boolean>;
  /** How many deliveries are due at `now`; for tests and the health of the loop. */
  countDue(now: string): Promise<number>;
}

const DUE: DeliveryStatus[] = ["PENDING", "SENDING"];

/** `DeliveryStore` in SQL, the same on both databases. */
export class SqlDeliveryStore implements DeliveryStore {
  readonly #db: Executor;
  constructor(db: Executor) {
    this.#db = db;
  }

  async insert(deliveries: StoredDelivery[]): Promise<void> {
    // Several statements for large batches: SQLite takes at most 32,766 parameters in one.
    for (let i = 0; i < deliveries.length; i += 500)
      await this.#db
        .insertInto("deliveries")
        .values(deliveries.slice(i, i + 500).map(rowOf))
        .execute();
  }

  async get(id: string): Promise<StoredDelivery | undefined> {
    const row = await this.#db.selectFrom("deliveries").selectAll().where("id", "=", id).executeTakeFirst();
    return row && storedOf(row);
  }

  async list(filter: {
    status?: DeliveryStatus | undefined;
    channel?: string | undefined;
    flowRunId?: string | undefined;
    limit: number;
  }): Promise<Delivery[]> {
    let q = this.#db.selectFrom("deliveries").selectAll();
    if (filter.status) q = q.where("status", "=", filter.status);
    if (filter.channel) q = q.where("channel_name", "=", filter.channel);
    if (filter.flowRunId) q = q.where("flow_run_id", "=", filter.flowRunId);
    const rows = await q.orderBy("created_at", "desc").orderBy("id", "desc").limit(filter.limit).execute();
    return rows.map((r) => {
      const { payload: _, ...d } = storedOf(r);
      return d;
    });
  }

  async claim(now: string, claimUntil: string, limit: number, skipChannels: readonly string[] = []): Promise<StoredDelivery[]> {
    const db = this.#db;
    // A read first: an idle server looks every second, and most looks find nothing to write.
    let q = db.selectFrom("deliveries").select("id").where("status", "in", DUE).where("next_attempt_at", "<=", now);
    if (skipChannels.length) q = q.where((eb) => eb.or([eb("channel_id", "is", null), eb("channel_id", "not in", skipChannels)]));
    const due = await q.orderBy("next_attempt_at").limit(limit).execute();
    if (!due.length) return [];
    // The conditions are checked again in the update: of two servers that read the same rows, the second
    // finds them claimed (on PostgreSQL it waits for the first's row locks, then sees its changes).
    const rows = await db
      .updateTable("deliveries")
      .set((eb) => ({ status: "SENDING", attempts: eb("attempts", "+", 1), next_attempt_at: claimUntil }))
      .where(
        "id",
        "in",
        due.map((r) => r.id),
      )
      .where("status", "in", DUE)
      .where("next_attempt_at", "<=", now)
      .returningAll()
      .execute();
    return rows.map(storedOf);
  }

  async finish(id: string, attempt: number, outcome: DeliveryOutcome): Promise<boolean> {
    const set =
      outcome.status === "DELIVERED"
        ? { status: outcome.status, delivered_at: outcome.at, next_attempt_at: null, last_error: null }
        : outcome.status === "PENDING"
          ? { status: outcome.status, next_attempt_at: outcome.nextAttemptAt, last_error: outcome.error }
          : { status: outcome.status, next_attempt_at: null, last_error: outcome.error };
    const result = await this.#db
      .updateTable("deliveries")
      .set(set)
      .where("id", "=", id)
      .where("attempts", "=", attempt)
      .where("status", "=", "SENDING")
      .executeTakeFirst();
    return result.numUpdatedRows > 0;
  }

  async countDue(now: string): Promise<number> {
    const row = await this.#db
      .selectFrom("deliveries")
      .select((eb) => eb.fn.countAll().as("n"))
      .where("status", "in", DUE)
      .where("next_attempt_at", "<=", now)
      .executeTakeFirst();
    return Number(row?.n ?? 0);
  }
}

function rowOf(d: StoredDelivery): Selectable<DeliveryTable> {
  return {
    id: d.id,
    action: d.action,
    channel_id: d.channelId,
    channel_name: d.channelName,
    automation_id: d.automationId,
    automation_name: d.automationName,
    flow_run_id: d.flowRunId,
    event: d.event,
    payload: JSON.stringify(d.payload),
    status: d.status,
    attempts: d.attempts,
    max_attempts: d.maxAttempts,
    next_attempt_at: d.nextAttemptAt,
    last_error: d.lastError,
    created_at: d.createdAt,
    delivered_at: d.deliveredAt,
  };
}

function storedOf(r: Selectable<DeliveryTable>): StoredDelivery {
  return {
    id: r.id,
    action: r.action,
    channelId: r.channel_id,
    channelName: r.channel_name,
    automationId: r.automation_id,
    automationName: r.automation_name,
    flowRunId: r.flow_run_id,
    event: r.event,
    status: r.status as DeliveryStatus,
    attempts: Number(r.attempts),
    maxAttempts: Number(r.max_attempts),
    nextAttemptAt: r.next_attempt_at,
    lastError: r.last_error,
    createdAt: r.created_at,
    deliveredAt: r.delivered_at,
    payload: JSON.parse(r.payload),
  };
}

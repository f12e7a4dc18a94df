import { sql, type Selectable } from "kysely";
import type { FieldError } from "../contract/errors.ts";
import type { Channel, Message, Receiver } from "../contract/index.ts";
import { prepared } from "./prepared.ts";
import { fromJson } from "./rows.ts";
import type { RunMessageTable, RunReceiverTable } from "./schema.ts";
import type { Executor } from "./sql-storage.ts";
import { decodeText, encodeText } from "./text-codec.ts";

/** A message as it is kept when sent. */
export interface NewMessage {
  flowRunId: string;
  key: string;
  value: unknown;
  sender: string | null;
  channel: Channel;
  sentBy: string | null;
  sentAt: string;
}

/** Which of a run's messages: those whose key starts with `keyPrefix`, but for `excludeKeys`. */
export interface MessageSelection {
  keyPrefix?: string | undefined;
  excludeKeys?: readonly string[] | undefined;
}

/** Messages and run inputs by key sent to runs, and what runs declare they receive: `storage.messages`. */
export interface MessageStore {
  /** Keeps a message; false (and nothing written) when its run has that key already. */
  insert(message: NewMessage): Promise<boolean>;
  get(flowRunId: string, key: string): Promise<Message | undefined>;
  /** A run's messages in the order they arrived, oldest first. */
  list(flowRunId: string, selection: MessageSelection & { limit: number }): Promise<Message[]>;
  /** Deletes one; false when there was none. */
  delete(flowRunId: string, key: string): Promise<boolean>;
  /** The messages these receive steps of the run took, by step. */
  takenBy(flowRunId: string, steps: readonly string[]): Promise<Map<string, Message>>;
  /**
   * Gives receive step `step` the oldest message that no step took yet, in one conditional UPDATE, and
   * returns it; undefined when none waits.
   */
  take(flowRunId: string, step: string, selection: MessageSelection, at: string): Promise<Message | undefined>;
  /** Makes messages taken by the run and not read wait again. */
  release(flowRunId: string, keys: readonly string[]): Promise<void>;
  /** Records that the receiver refused a message it took, and why. */
  refuse(flowRunId: string, key: string, errors: readonly FieldError[]): Promise<Message | undefined>;
  /** Records (or replaces) what a run receives under a key prefix. */
  declareReceiver(receiver: Receiver): Promise<void>;
  /** What a run receives, by key prefix. */
  receivers(flowRunId: string): Promise<Receiver[]>;
}

/** `MessageStore` in SQL, the same on both databases. */
export class SqlMessageStore implements MessageStore {
  readonly #db: Executor;
  constructor(db: Executor) {
    this.#db = db;
  }

  async insert(m: NewMessage): Promise<boolean> {
    const db = this.#db;
    const values = {
      flow_run_id: m.flowRunId,
      key: m.key,
      value: JSON.stringify(m.value ?? null),
      sender: encodeText(m.sender),
      channel: m.channel,
      sent_by: m.sentBy,
      sent_at: m.sentAt,
    };
    const result = await prepared(db, "insertMessage", values, (p) =>
      db
        .insertInto("run_messages")
        .values(p)
        .onConflict((oc) => oc.columns(["flow_run_id", "key"]).doNothing()),
    );
    return !!result.numAffectedRows;
  }

  async get(flowRunId: string, key: string): Promise<Message | undefined> {
    const db = this.#db;
    const { rows } = await prepared(db, "getMessage", { flowRunId, key }, (p) =>
      db.selectFrom("run_messages").selectAll().where("flow_run_id", "=", p.flowRunId).where("key", "=", p.key),
    );
    return rows[0] && messageOf(rows[0]);
  }

  async list(flowRunId: string, { keyPrefix, excludeKeys, limit }: MessageSelection & { limit: number }): Promise<Message[]> {
    let q = this.#db.selectFrom("run_messages").selectAll().where("flow_run_id", "=", flowRunId);
    if (keyPrefix) q = q.where(startsWith(keyPrefix));
    if (excludeKeys?.length) q = q.where("key", "not in", excludeKeys);
    const rows = await q.orderBy("seq").limit(limit).execute();
    return rows.map(messageOf);
  }

  async delete(flowRunId: string, key: string): Promise<boolean> {
    const result = await this.#db.deleteFrom("run_messages").where("flow_run_id", "=", flowRunId).where("key", "=", key).executeTakeFirst();
    return result.numDeletedRows > 0;
  }

  async takenBy(flowRunId: string, steps: readonly string[]): Promise<Map<string, Message>> {
    const rows = await this.#db
      .selectFrom("run_messages")
      .selectAll()
      .where("flow_run_id", "=", flowRunId)
      .where("consumed_step", "in", steps)
      // Said outright, so that SQLite sees it may use the partial index of taken messages.
      .where("consumed_step", "is not", null)
      .execute();
    return new Map(rows.map((r) => [r.consumed_step!, messageOf(r)]));
  }

  async release(flowRunId: string, keys: readonly string[]): Promise<void> {
    await this.#db
      .updateTable("run_messages")
      .set({ consumed_step: null, consumed_at: null })
      .where("flow_run_id", "=", flowRunId)
      .where("key", "in", keys)
      .where("refusal", "is", null)
      .execute();
  }

  async take(flowRunId: string, step: string, { keyPrefix, excludeKeys }: MessageSelection, at: string): Promise<Message | undefined> {
    const db = this.#db;
    const values = { step, at, flowRunId, keyPrefix: keyPrefix ?? "", prefixLength: keyPrefix?.length ?? 0 };
    const shape = excludeKeys?.length ? `takeMessage:${excludeKeys.length}` : "takeMessage";
    const excluded = Object.fromEntries((excludeKeys ?? []).map((k, i) => [`x${i}`, k]));
    // One statement: the oldest waiting message, taken only if no other step took it first.
    const { rows } = await prepared(db, shape, { ...values, ...excluded }, (p) => {
      let oldest = db
        .selectFrom("run_messages")
        .select("seq")
        .where("flow_run_id", "=", p.flowRunId)
        .where("consumed_step", "is", null)
        .where(sql<boolean>`substr(${sql.ref("key")}, 1, ${p.prefixLength}) = ${p.keyPrefix}`);
      if (excludeKeys?.length)
        oldest = oldest.where(
          "key",
          "not in",
          excludeKeys.map((_, i) => (p as unknown as Record<string, string>)[`x${i}`]!),
        );
      return db
        .updateTable("run_messages")
        .set({ consumed_step: p.step, consumed_at: p.at })
        .where("seq", "=", oldest.orderBy("seq").limit(1))
        .where("consumed_step", "is", null)
        .returningAll();
    });
    return rows[0] && messageOf(rows[0]);
  }

  async refuse(flowRunId: string, key: string, errors: readonly FieldError[]): Promise<Message | undefined> {
    const row = await this.#db
      .updateTable("run_messages")
      .set({ refusal: JSON.stringify(errors) })
      .where("flow_run_id", "=", flowRunId)
      .where("key", "=", key)
      .returningAll()
      .executeTakeFirst();
    return row && messageOf(row);
  }

  async declareReceiver(r: Receiver): Promise<void> {
    const values = {
      flow_run_id: r.flowRunId,
      key_prefix: r.keyPrefix,
      schema: JSON.stringify(r.schema),
      description: encodeText(r.description),
      declared_at: r.declaredAt,
    };
    await this.#db
      .insertInto("run_receivers")
      .values(values)
      .onConflict((oc) =>
        oc
          .columns(["flow_run_id", "key_prefix"])
          .doUpdateSet({ schema: values.schema, description: values.description, declared_at: values.declared_at }),
      )
      .execute();
  }

  async receivers(flowRunId: string): Promise<Receiver[]> {
    const db = this.#db;
    const { rows } = await prepared(db, "runReceivers", { flowRunId }, (p) =>
      db.selectFrom("run_receivers").selectAll().where("flow_run_id", "=", p.flowRunId).orderBy("key_prefix"),
    );
    return rows.map(receiverOf);
  }
}

/** Keys that start with `prefix`, compared as text (LIKE would read `_` and `%` in it as patterns). */
function startsWith(prefix: string) {
  return sql<boolean>`substr(${sql.ref("key")}, 1, ${prefix.length}) = ${prefix}`;
}

function messageOf(row: Selectable<RunMessageTable>): Message {
  return {
    flowRunId: row.flow_run_id,
    key: row.key,
    value: JSON.parse(row.value),
    sender: decodeText(row.sender),
    channel: row.channel as Channel,
    sentBy: row.sent_by,
    sentAt: row.sent_at,
    consumedAt: row.consumed_at,
    refusal: fromJson<FieldError[]>(row.refusal) ?? null,
  };
}

function receiverOf(row: Selectable<RunReceiverTable>): Receiver {
  return {
    flowRunId: row.flow_run_id,
    keyPrefix: row.key_prefix,
    schema: JSON.parse(row.schema),
    description: decodeText(row.description),
    declaredAt: row.declared_at,
  };
}

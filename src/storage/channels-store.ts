import type { Selectable } from "kysely";
import type { NotificationChannel } from "../contract/index.ts";
import type { ChannelTable } from "./schema.ts";
import type { Executor } from "./sql-storage.ts";

/** A channel with what sending needs and the API does not show: a webhook's secret. */
export interface StoredChannel extends Omit<NotificationChannel, "secret"> {
  secret: string | null;
}

/** Notification channels, and the settings the servers of one database share: `storage.channels`. */
export interface ChannelStore {
  /** Adds a channel; false when the name is taken. */
  insert(channel: StoredChannel): Promise<boolean>;
  /** One channel by id or name. */
  get(idOrName: string): Promise<StoredChannel | undefined>;
  /** Channels by name. */
  list(): Promise<StoredChannel[]>;
  /** Removes a channel; false when there was none. */
  delete(id: string): Promise<boolean>;
  /**
   * The shared setting `key`: the value stored first wins, so that servers starting at once on one
   * database agree (`value` is stored if there is none yet).
   */
  setting(key: string, value: string): Promise<string>;
}

/** `ChannelStore` in SQL, the same on both databases. */
export class SqlChannelStore implements ChannelStore {
  readonly #db: Executor;
  constructor(db: Executor) {
    this.#db = db;
  }

  async insert(c: StoredChannel): Promise<boolean> {
    const result = await this.#db
      .insertInto("channels")
      .values({ id: c.id, name: c.name, type: c.type, url: c.url, to_addresses: JSON.stringify(c.to), secret: c.secret, created_at: c.createdAt })
      .onConflict((oc) => oc.column("name").doNothing())
      .executeTakeFirst();
    return Number(result.numInsertedOrUpdatedRows ?? 0) > 0;
  }

  async get(idOrName: string): Promise<StoredChannel | undefined> {
    const row = await this.#db
      .selectFrom("channels")
      .selectAll()
      .where((eb) => eb.or([eb("id", "=", idOrName), eb("name", "=", idOrName)]))
      .executeTakeFirst();
    return row && channelOf(row);
  }

  async list(): Promise<StoredChannel[]> {
    const rows = await this.#db.selectFrom("channels").selectAll().orderBy("name").limit(1000).execute();
    return rows.map(channelOf);
  }

  async delete(id: string): Promise<boolean> {
    const result = await this.#db.deleteFrom("channels").where("id", "=", id).executeTakeFirst();
    return result.numDeletedRows > 0;
  }

  async setting(key: string, value: string): Promise<string> {
    await this.#db
      .insertInto("server_settings")
      .values({ key, value })
      .onConflict((oc) => oc.column("key").doNothing())
      .execute();
    const row = await this.#db.selectFrom("server_settings").select("value").where("key", "=", key).executeTakeFirstOrThrow();
    return row.value;
  }
}

function channelOf(r: Selectable<ChannelTable>): StoredChannel {
  return {
    id: r.id,
    name: r.name,
    type: r.type as StoredChannel["type"],
    url: r.url,
    to: JSON.parse(r.to_addresses),
    secret: r.secret,
    createdAt: r.created_at,
  };
}

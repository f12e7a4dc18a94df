import type { Selectable } from "kysely";
import type { ApiKey, Role, User } from "../contract/index.ts";
import type { ApiKeyTable, UserTable } from "./schema.ts";
import type { Executor } from "./sql-storage.ts";

/** A user as stored: with the hash of their password, which never leaves the server. */
export interface StoredUser extends User {
  passwordHash: string | null;
}

/** An API key as stored: with the hash of its secret, and the user it acts as. */
export interface StoredApiKey extends ApiKey {
  secretHash: string;
  user: User | null;
}

/** Users and API keys: `storage.people`. */
export interface PeopleStore {
  insertUser(user: StoredUser): Promise<void>;
  /** One user by name, or undefined. */
  getUser(name: string): Promise<StoredUser | undefined>;
  /** The user with this email address (the first by name, should several share it), or undefined: whom an answer link sent there counts as. */
  getUserByEmail(email: string): Promise<User | undefined>;
  /** Users by name. */
  listUsers(): Promise<User[]>;
  /** Removes a user and revokes their keys; false when there was none of that name. */
  deleteUser(name: string, now: string): Promise<boolean>;
  setPassword(name: string, passwordHash: string, now: string): Promise<boolean>;
  /** Whether any user or active key exists: a server with none runs open, on a loopback address. */
  anyone(): Promise<boolean>;
  insertKey(key: { id: string; name: string; role: Role; userId: string | null; secretHash: string; createdAt: string }): Promise<void>;
  /** One key that is not revoked, with its user, or undefined. */
  getActiveKey(id: string): Promise<StoredApiKey | undefined>;
  /** Keys, newest first, revoked ones included. */
  listKeys(): Promise<ApiKey[]>;
  /** Revokes a key; false when no active key has that id. */
  revokeKey(id: string, now: string): Promise<boolean>;
  /** A web UI session's data (JSON), unless it expired. */
  getSession(idHash: string, now: string): Promise<string | undefined>;
  setSession(idHash: string, data: string, expiresAt: string): Promise<void>;
  /** Removes a session, and every session that expired before `now`. */
  deleteSession(idHash: string, now: string): Promise<void>;
}

/** `PeopleStore` in SQL, the same on both databases. */
export class SqlPeopleStore implements PeopleStore {
  readonly #db: Executor;
  constructor(db: Executor) {
    this.#db = db;
  }

  async insertUser(u: StoredUser): Promise<void> {
    await this.#db
      .insertInto("users")
      .values({
        id: u.id,
        name: u.name,
        role: u.role,
        groups: JSON.stringify(u.groups),
        email: u.email,
        password_hash: u.passwordHash,
        created_at: u.createdAt,
        updated_at: u.updatedAt,
      })
      .execute();
  }

  async getUser(name: string): Promise<StoredUser | undefined> {
    const row = await this.#db.selectFrom("users").selectAll().where("name", "=", name).executeTakeFirst();
    return row && { ...userOf(row), passwordHash: row.password_hash };
  }

  async getUserByEmail(email: string): Promise<User | undefined> {
    const row = await this.#db.selectFrom("users").selectAll().where("email", "=", email).orderBy("name").limit(1).executeTakeFirst();
    return row && userOf(row);
  }

  async listUsers(): Promise<User[]> {
    return (await this.#db.selectFrom("users").selectAll().orderBy("name").limit(10_000).execute()).map(userOf);
  }

  async deleteUser(name: string, now: string): Promise<boolean> {
    const user = await this.#db.selectFrom("users").select("id").where("name", "=", name).executeTakeFirst();
    if (!user) return false;
    await this.#db.updateTable("api_keys").set({ revoked_at: now }).where("user_id", "=", user.id).where("revoked_at", "is", null).execute();
    await this.#db.deleteFrom("users").where("id", "=", user.id).execute();
    return true;
  }

  async setPassword(name: string, passwordHash: string, now: string): Promise<boolean> {
    const result = await this.#db
      .updateTable("users")
      .set({ password_hash: passwordHash, updated_at: now })
      .where("name", "=", name)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) > 0;
  }

  async anyone(): Promise<boolean> {
    const user = await this.#db.selectFrom("users").select("id").limit(1).executeTakeFirst();
    if (user) return true;
    return (await this.#db.selectFrom("api_keys").select("id").where("revoked_at", "is", null).limit(1).executeTakeFirst()) !== undefined;
  }

  async insertKey(k: { id: string; name: string; role: Role; userId: string | null; secretHash: string; createdAt: string }): Promise<void> {
    await this.#db
      .insertInto("api_keys")
      .values({ id: k.id, name: k.name, role: k.role, user_id: k.userId, secret_hash: k.secretHash, created_at: k.createdAt, revoked_at: null })
      .execute();
  }

  async getActiveKey(id: string): Promise<StoredApiKey | undefined> {
    const key = await this.#db.selectFrom("api_keys").selectAll().where("id", "=", id).where("revoked_at", "is", null).executeTakeFirst();
    if (!key) return undefined;
    const user = key.user_id ? await this.#db.selectFrom("users").selectAll().where("id", "=", key.user_id).executeTakeFirst() : undefined;
    if (key.user_id && !user) return undefined; // its user was removed
    return { ...keyOf(key, user?.name ?? null), secretHash: key.secret_hash, user: user ? userOf(user) : null };
  }

  async listKeys(): Promise<ApiKey[]> {
    const rows = await this.#db
      .selectFrom("api_keys")
      .leftJoin("users", "users.id", "api_keys.user_id")
      .selectAll("api_keys")
      .select("users.name as user_name")
      .orderBy("api_keys.created_at", "desc")
      .limit(10_000)
      .execute();
    return rows.map((r) => keyOf(r, r.user_name));
  }

  async revokeKey(id: string, now: string): Promise<boolean> {
    const result = await this.#db
      .updateTable("api_keys")
      .set({ revoked_at: now })
      .where("id", "=", id)
      .where("revoked_at", "is", null)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) > 0;
  }

  async getSession(idHash: string, now: string): Promise<string | undefined> {
    const row = await this.#db.selectFrom("sessions").select("data").where("id_hash", "=", idHash).where("expires_at", ">", now).executeTakeFirst();
    return row?.data;
  }

  async setSession(idHash: string, data: string, expiresAt: string): Promise<void> {
    await this.#db
      .insertInto("sessions")
      .values({ id_hash: idHash, data, expires_at: expiresAt })
      .onConflict((oc) => oc.column("id_hash").doUpdateSet({ data, expires_at: expiresAt }))
      .execute();
  }

  async deleteSession(idHash: string, now: string): Promise<void> {
    await this.#db
      .deleteFrom("sessions")
      .where((eb) => eb.or([eb("id_hash", "=", idHash), eb("expires_at", "<=", now)]))
      .execute();
  }
}

function userOf(r: Selectable<UserTable>): User {
  return {
    id: r.id,
    name: r.name,
    role: r.role as Role,
    groups: JSON.parse(r.groups),
    email: r.email,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  };
}

function keyOf(r: Selectable<ApiKeyTable>, userName: string | null): ApiKey {
  return { id: r.id, name: r.name, role: r.role as Role, userName, createdAt: r.created_at, revokedAt: r.revoked_at };
}

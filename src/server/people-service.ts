import { ApiKeyNotFoundError, BadRequestError, UserExistsError, UserNotFoundError } from "../contract/errors.ts";
import type { ApiKey, CreateApiKeyBody, CreatedApiKey, CreateUserBody, Me, Role, User } from "../contract/index.ts";
import type { z } from "zod";
import { newId } from "../storage/ids.ts";
import type { Storage } from "../storage/storage.ts";
import type { Authenticator } from "./authenticator.ts";
import { auditEntry } from "./audit-service.ts";
import { authorize } from "./authorize.ts";
import { now } from "./clock.ts";
import type { RequestCaller } from "./request-caller.ts";
import { hashSecret, newApiKeyToken } from "./secrets.ts";

type Parsed<T extends z.ZodType> = z.output<T>;

const RANK: Record<Role, number> = { viewer: 0, responder: 1, operator: 2, admin: 3 };

/**
 * Users and API keys: who may sign in, and the keys programs use. The server's routes and the CLI's
 * local commands (on the database itself) both go through it, so the rules are the same either way.
 */
export class PeopleService {
  readonly #storage: Storage;
  readonly #authenticator: Authenticator | undefined;
  constructor(storage: Storage, authenticator?: Authenticator) {
    this.#storage = storage;
    this.#authenticator = authenticator;
  }

  /** Who the server takes the caller for. */
  me(caller: RequestCaller): Me {
    if (caller.kind !== "principal") return { kind: caller.kind, name: null, role: null, groups: [] };
    return { kind: caller.userName ? "user" : "api-key", name: caller.name, role: caller.role, groups: [...caller.groups] };
  }

  /** Checks a user's name and password for the web UI (limited per address like keys); resolves with who they are. */
  async signIn(name: string, password: string, address: string): Promise<Me> {
    if (!this.#authenticator) throw new Error("signing in needs a server");
    const user = await this.#authenticator.signIn(name, password, address);
    return { kind: "user", name: user.name, role: user.role, groups: user.groups };
  }

  listUsers(caller: RequestCaller): Promise<User[]> {
    authorize(caller, "user:read", { type: "user" });
    return this.#storage.people.listUsers();
  }

  async createUser(caller: RequestCaller, body: Parsed<typeof CreateUserBody>): Promise<User> {
    authorize(caller, "user:manage", { type: "user", name: body.name });
    if (await this.#storage.people.getUser(body.name)) throw new UserExistsError(body.name);
    const timestamp = now();
    const user: User = {
      id: newId(),
      name: body.name,
      role: body.role,
      groups: [...new Set(body.groups)],
      email: body.email ?? null,
      createdAt: timestamp,
      updatedAt: timestamp,
    };
    const passwordHash = body.password === undefined ? null : await hashSecret(body.password);
    try {
      await this.#storage.transaction(async (tx) => {
        await tx.people.insertUser({ ...user, passwordHash });
        await tx.audit.append(
          auditEntry(caller, "user.add", `user/${user.name}`, { role: user.role, groups: user.groups, password: passwordHash !== null }),
        );
      });
    } catch (e) {
      // Two adding the same name at once: the unique index decides.
      if (await this.#storage.people.getUser(body.name)) throw new UserExistsError(body.name);
      throw e;
    }
    await this.#changed();
    return user;
  }

  async removeUser(caller: RequestCaller, name: string): Promise<void> {
    authorize(caller, "user:manage", { type: "user", name });
    const removed = await this.#storage.transaction(async (tx) => {
      if (!(await tx.people.deleteUser(name, now()))) return false;
      await tx.audit.append(auditEntry(caller, "user.remove", `user/${name}`));
      return true;
    });
    if (!removed) throw new UserNotFoundError(name);
    await this.#changed(null);
  }

  async setPassword(caller: RequestCaller, name: string, password: string): Promise<void> {
    authorize(caller, "user:manage", { type: "user", name });
    const hash = await hashSecret(password);
    const set = await this.#storage.transaction(async (tx) => {
      if (!(await tx.people.setPassword(name, hash, now()))) return false;
      await tx.audit.append(auditEntry(caller, "user.password", `user/${name}`));
      return true;
    });
    if (!set) throw new UserNotFoundError(name);
  }

  listKeys(caller: RequestCaller): Promise<ApiKey[]> {
    authorize(caller, "api-key:manage", { type: "api-key" });
    return this.#storage.people.listKeys();
  }

  /** Makes a key; its token is in the answer and nowhere else (the database keeps its hash). */
  async createKey(caller: RequestCaller, body: Parsed<typeof CreateApiKeyBody>): Promise<CreatedApiKey> {
    authorize(caller, "api-key:manage", { type: "api-key" });
    const user = body.userName === undefined ? undefined : await this.#storage.people.getUser(body.userName);
    if (body.userName !== undefined && !user) throw new UserNotFoundError(body.userName);
    if (user && RANK[body.role] > RANK[user.role])
      throw new BadRequestError(`A key of ${user.name} may not have more rights than they have (${user.role}); use --role ${user.role} or below.`);
    const { id, secret, token } = newApiKeyToken();
    const createdAt = now();
    const secretHash = await hashSecret(secret);
    await this.#storage.transaction(async (tx) => {
      await tx.people.insertKey({ id, name: body.name, role: body.role, userId: user?.id ?? null, secretHash, createdAt });
      await tx.audit.append(auditEntry(caller, "api-key.create", `api-key/${id}`, { name: body.name, role: body.role, user: user?.name ?? null }));
    });
    await this.#changed();
    return { apiKey: { id, name: body.name, role: body.role, userName: user?.name ?? null, createdAt, revokedAt: null }, token };
  }

  async revokeKey(caller: RequestCaller, id: string): Promise<void> {
    authorize(caller, "api-key:manage", { type: "api-key", id });
    const revoked = await this.#storage.transaction(async (tx) => {
      if (!(await tx.people.revokeKey(id, now()))) return false;
      await tx.audit.append(auditEntry(caller, "api-key.revoke", `api-key/${id}`));
      return true;
    });
    if (!revoked) throw new ApiKeyNotFoundError(id);
    await this.#changed(id);
  }

  /** Tells the authenticator: forget what it verified of a key (or of all, `null`), and whether the server is still open. */
  async #changed(keyId?: string | null): Promise<void> {
    if (keyId !== undefined) this.#authenticator?.forget(keyId ?? undefined);
    await this.#authenticator?.refresh();
  }
}

import { userInfo } from "node:os";
import type { Command } from "commander";
import type { z } from "zod";
import { BadRequestError } from "../contract/errors.ts";
import {
  type ApiKey,
  type AuditEntry,
  AuditQuery,
  type AuditVerification,
  CreateApiKeyBody,
  type CreatedApiKey,
  CreateUserBody,
  Password,
  type User,
} from "../contract/index.ts";
import { clientOf } from "./cli-client.ts";

/** What the people and audit commands need, the same over the API and on the database itself. */
export interface AdminAccess {
  /** Where the commands act: "the server at URL" or "the database at PATH". */
  readonly where: string;
  listUsers(): Promise<User[]>;
  createUser(body: CreateUserBody): Promise<User>;
  removeUser(name: string): Promise<void>;
  setUserPassword(name: string, password: string): Promise<void>;
  listApiKeys(): Promise<ApiKey[]>;
  createApiKey(body: CreateApiKeyBody): Promise<CreatedApiKey>;
  revokeApiKey(id: string): Promise<void>;
  listAudit(query: { after?: number; limit?: number; target?: string }): Promise<AuditEntry[]>;
  verifyAudit(): Promise<AuditVerification>;
}

/**
 * Runs `fn` with access to users, keys and the audit log: over the API when the command has an API key (BATON_API_KEY)
 * or an explicit `--api-url`, else on the database itself (BATON_HOME or BATON_DATABASE_URL, as the
 * server), so that the first admin can be made before any server runs. Whoever can open the database
 * can read and write it anyway, so on it the command acts as an admin (recorded as `local:<os user>`).
 */
export async function withAdminAccess<T>(command: Command, fn: (access: AdminAccess) => Promise<T>): Promise<T> {
  const { apiUrl } = command.optsWithGlobals<{ apiUrl?: string }>();
  if (apiUrl || process.env.BATON_API_KEY) {
    const client = clientOf(command);
    try {
      return await fn(Object.assign(client, { where: `the server at ${client.apiUrl}` }));
    } finally {
      await client.close();
    }
  }
  // Loaded here: the server's storage and services, only for the commands that act on the database.
  const [{ resolveServerConfig }, { openStorage }, { PeopleService }, { AuditService }, { localAdmin }] = await Promise.all([
    import("../server/config.ts"),
    import("../storage/open-storage.ts"),
    import("../server/people-service.ts"),
    import("../server/audit-service.ts"),
    import("../server/request-caller.ts"),
  ]);
  const config = resolveServerConfig();
  const storage = await openStorage({ databaseUrl: config.databaseUrl, home: config.home });
  const service = new PeopleService(storage);
  const audit = new AuditService(storage);
  const caller = localAdmin(userInfo().username);
  try {
    return await fn({
      where: `the database ${storage.dialect === "postgres" ? "BATON_DATABASE_URL names" : `in ${config.databaseUrl ?? config.home}`}`,
      listUsers: () => service.listUsers(caller),
      createUser: (body) => service.createUser(caller, checked(CreateUserBody, body)),
      removeUser: (name) => service.removeUser(caller, name),
      setUserPassword: (name, password) => service.setPassword(caller, name, checked(Password, password)),
      listApiKeys: () => service.listKeys(caller),
      createApiKey: (body) => service.createKey(caller, checked(CreateApiKeyBody, body)),
      revokeApiKey: (id) => service.revokeKey(caller, id),
      listAudit: (query) => audit.list(caller, checked(AuditQuery, query)),
      verifyAudit: () => audit.verify(caller),
    });
  } finally {
    await storage.close();
  }
}

/** What the API would check of a body, checked here when the command acts on the database itself. */
function checked<T extends z.ZodType>(schema: T, value: unknown): z.output<T> {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  const errors = parsed.error.issues.map((i) => ({ path: `/${i.path.join("/")}`, message: i.message }));
  throw new BadRequestError(errors.map((e) => `${e.path === "/" ? "" : `${e.path.slice(1)}: `}${e.message}`).join("; "), errors);
}

import type { Role } from "../../src/contract/index.ts";
import { PeopleService } from "../../src/server/people-service.ts";
import { localAdmin } from "../../src/server/request-caller.ts";
import { openStorage } from "../../src/storage/open-storage.ts";

/** A user to make, with one API key of their role. */
export interface PersonSpec {
  name: string;
  role: Role;
  groups?: string[];
  /** For signing in to the web UI; none by default. */
  password?: string;
  /** Where answer links emailed to them come from. */
  email?: string;
}

/**
 * Makes users and a key for each on the database itself, as `baton user add` and `baton api-key create`
 * do before a server starts; resolves with each user's key token by name.
 */
export async function makePeople(database: { home: string; databaseUrl?: string }, people: readonly PersonSpec[]): Promise<Record<string, string>> {
  const storage = await openStorage(database);
  const service = new PeopleService(storage);
  const me = localAdmin("test");
  const tokens: Record<string, string> = {};
  try {
    for (const p of people) {
      await service.createUser(me, { name: p.name, role: p.role, groups: p.groups ?? [], password: p.password, email: p.email });
      tokens[p.name] = (await service.createKey(me, { name: p.name, role: p.role, userName: p.name })).token;
    }
  } finally {
    await storage.close();
  }
  return tokens;
}

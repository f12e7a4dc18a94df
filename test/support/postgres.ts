import { randomBytes } from "node:crypto";
import pg from "pg";

/** The PostgreSQL the tests may use: BATON_TEST_POSTGRES_URL, else the local default. */
export const POSTGRES_URL = process.env.BATON_TEST_POSTGRES_URL ?? "postgres://postgres@127.0.0.1:5432/test";

/** When set (CI), a PostgreSQL that does not answer fails the suite instead of skipping its tests. */
export const POSTGRES_REQUIRED = /^(1|true|yes)$/i.test(process.env.BATON_REQUIRE_POSTGRES ?? "");

let reachable: Promise<string | undefined> | undefined;

/** Resolves to undefined when PostgreSQL is reachable, else to the reason (and throws if it is required). */
export function postgresUnavailable(): Promise<string | undefined> {
  reachable ??= (async () => {
    const client = new pg.Client({ connectionString: POSTGRES_URL, connectionTimeoutMillis: 2000 });
    try {
      await client.connect();
      await client.query("select 1");
      return undefined;
    } catch (e) {
      const reason = `PostgreSQL at ${POSTGRES_URL} is not reachable (${(e as Error).message}); its tests are skipped.`;
      if (POSTGRES_REQUIRED) throw new Error(`BATON_REQUIRE_POSTGRES is set but ${reason}`);
      console.warn(`# ${reason}`);
      return reason;
    } finally {
      await client.end().catch(() => {});
    }
  })();
  return reachable;
}

/** Creates an empty database for one test file; `drop()` removes it. */
export async function createTempDatabase(): Promise<{ url: string; drop: () => Promise<void> }> {
  const name = `baton_test_${randomBytes(6).toString("hex")}`;
  const admin = new pg.Client({ connectionString: POSTGRES_URL });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(POSTGRES_URL);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    async drop() {
      const c = new pg.Client({ connectionString: POSTGRES_URL });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await c.end();
    },
  };
}

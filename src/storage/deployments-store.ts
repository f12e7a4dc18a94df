import { newId } from "./ids.ts";
import type { Selectable } from "kysely";
import type { Deployment } from "../contract/index.ts";
import type { DeploymentTable } from "./schema.ts";
import type { Executor } from "./sql-storage.ts";
import { decodeText, encodeText } from "./text-codec.ts";

/** How far `lastServedAt` may lag behind a deployment's latest claim. */
const SERVED_PRECISION_MS = 5000;

/** What registering a deployment says of it. */
export interface NewDeployment {
  name: string;
  flowName: string;
  description: string | null;
  parameterSchema: Record<string, unknown> | null;
  tags: string[];
}

/** Deployments: `storage.deployments`. */
export interface DeploymentStore {
  /** Creates the deployment or updates it in place (same id), as each `serve()` start does. */
  upsert(d: NewDeployment, now: string): Promise<Deployment>;
  /** One deployment by name, or undefined. */
  get(name: string): Promise<Deployment | undefined>;
  /** Deployments by name. */
  list(): Promise<Deployment[]>;
  /** Notes that a serving process is alive for these deployments. */
  markServed(names: string[], now: string): Promise<void>;
}

/** `DeploymentStore` in SQL, the same on both databases. */
export class SqlDeploymentStore implements DeploymentStore {
  readonly #db: Executor;
  constructor(db: Executor) {
    this.#db = db;
  }

  async upsert(d: NewDeployment, now: string): Promise<Deployment> {
    const values = {
      flow_name: d.flowName,
      description: encodeText(d.description),
      parameter_schema: d.parameterSchema === null ? null : JSON.stringify(d.parameterSchema),
      updated_at: now,
      last_served_at: now,
      tags: d.tags.length ? JSON.stringify(d.tags) : null,
    };
    await this.#db
      .insertInto("deployments")
      .values({ id: newId(), name: d.name, created_at: now, ...values })
      .onConflict((oc) => oc.column("name").doUpdateSet(values))
      .execute();
    return (await this.get(d.name))!;
  }

  async get(name: string): Promise<Deployment | undefined> {
    const row = await this.#db.selectFrom("deployments").selectAll().where("name", "=", name).executeTakeFirst();
    return row && deploymentOf(row);
  }

  async list(): Promise<Deployment[]> {
    const rows = await this.#db.selectFrom("deployments").selectAll().orderBy("name").limit(1000).execute();
    return rows.map(deploymentOf);
  }

  async markServed(names: string[], now: string): Promise<void> {
    // At most once per SERVED_PRECISION_MS per deployment: a busy serving process claims many times a
    // second, and each write would cost a commit.
    const before = new Date(Date.parse(now) - SERVED_PRECISION_MS).toISOString();
    await this.#db
      .updateTable("deployments")
      .set({ last_served_at: now })
      .where("name", "in", names)
      .where((eb) => eb.or([eb("last_served_at", "is", null), eb("last_served_at", "<", before)]))
      .execute();
  }
}

function deploymentOf(r: Selectable<DeploymentTable>): Deployment {
  return {
    id: r.id,
    name: r.name,
    flowName: r.flow_name,
    description: decodeText(r.description),
    parameterSchema: r.parameter_schema === null ? null : JSON.parse(r.parameter_schema),
    createdAt: r.created_at,
    updatedAt: r.updated_at,
    lastServedAt: r.last_served_at,
    tags: r.tags === null ? [] : JSON.parse(r.tags),
  };
}

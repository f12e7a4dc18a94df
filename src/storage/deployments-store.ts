import { newId } from "./ids.ts";
import type { Selectable } from "kysely";
import type { Deployment } from "../contract/index.ts";
import type { DeploymentTable } from "./schema.ts";
import type { Executor } from "./storage.ts";

function deploymentOf(r: Selectable<DeploymentTable>): Deployment {
  return {
    id: r.id,
    name: r.name,
    flowName: r.flow_name,
    description: r.description,
    parameterSchema: r.parameter_schema === null ? null : JSON.parse(r.parameter_schema),
    createdAt: r.created_at,
    updatedAt: r.updated_at,
    lastServedAt: r.last_served_at,
  };
}

/** Creates the deployment or updates it in place (same id), as each `serve()` start does. */
export async function upsertDeployment(
  db: Executor,
  d: { name: string; flowName: string; description: string | null; parameterSchema: Record<string, unknown> | null },
  now: string,
): Promise<Deployment> {
  const values = {
    flow_name: d.flowName,
    description: d.description,
    parameter_schema: d.parameterSchema === null ? null : JSON.stringify(d.parameterSchema),
    updated_at: now,
    last_served_at: now,
  };
  await db
    .insertInto("deployments")
    .values({ id: newId(), name: d.name, created_at: now, ...values })
    .onConflict((oc) => oc.column("name").doUpdateSet(values))
    .execute();
  return (await getDeployment(db, d.name))!;
}

export async function getDeployment(db: Executor, name: string): Promise<Deployment | undefined> {
  const row = await db.selectFrom("deployments").selectAll().where("name", "=", name).executeTakeFirst();
  return row && deploymentOf(row);
}

export async function listDeployments(db: Executor): Promise<Deployment[]> {
  const rows = await db.selectFrom("deployments").selectAll().orderBy("name").limit(1000).execute();
  return rows.map(deploymentOf);
}

/** Notes that a serving process is alive for these deployments. */
export async function markServed(db: Executor, names: string[], now: string): Promise<void> {
  // At most once per SERVED_PRECISION_MS per deployment: a busy serving process claims many times a
  // second, and each write would cost a commit.
  const before = new Date(Date.parse(now) - SERVED_PRECISION_MS).toISOString();
  await db
    .updateTable("deployments")
    .set({ last_served_at: now })
    .where("name", "in", names)
    .where((eb) => eb.or([eb("last_served_at", "is", null), eb("last_served_at", "<", before)]))
    .execute();
}

/** How far `lastServedAt` may lag behind a deployment's latest claim. */
const SERVED_PRECISION_MS = 5000;

import type { Channel, InputRequest, RunInput } from "../contract/index.ts";
import { runInputOf } from "./rows.ts";
import { prepared } from "./prepared.ts";
import type { Executor } from "./storage.ts";

/** Records what a pause asks for. Inserting an existing key is a no-op (a re-sent pause). */
export async function insertInputRequest(
  db: Executor,
  flowRunId: string,
  key: string,
  request: InputRequest | null,
  requestedAt: string,
  timeoutAt: string | null,
): Promise<void> {
  await db
    .insertInto("run_inputs")
    .values({
      flow_run_id: flowRunId,
      key,
      schema: request ? JSON.stringify(request.schema) : null,
      initial_data: request?.initialData === undefined ? null : JSON.stringify(request.initialData),
      description: request?.description ?? null,
      requested_at: requestedAt,
      timeout_at: timeoutAt,
    })
    .onConflict((oc) => oc.columns(["flow_run_id", "key"]).doNothing())
    .execute();
}

export async function getRunInput(db: Executor, flowRunId: string, key: string): Promise<RunInput | undefined> {
  const { rows } = await prepared(db, "getRunInput", { flowRunId, key }, (p) =>
    db.selectFrom("run_inputs").selectAll().where("flow_run_id", "=", p.flowRunId).where("key", "=", p.key),
  );
  return rows[0] && runInputOf(rows[0]);
}

/** A run's pauses with their answers, in the order they were asked. */
export async function listRunInputs(db: Executor, flowRunIds: string | readonly string[]): Promise<RunInput[]> {
  const rows = await db
    .selectFrom("run_inputs")
    .selectAll()
    .where("flow_run_id", "in", [flowRunIds].flat())
    .orderBy("requested_at")
    .execute();
  return rows.map(runInputOf);
}

/** Who answered, how and when. */
export interface Response {
  value: unknown;
  respondedAt: string;
  channel: Channel;
  respondedBy: string | null;
}

/** Stores the answer of a pause unless it already has one; returns false if it had. */
export async function storeResponse(db: Executor, flowRunId: string, key: string, response: Response): Promise<boolean> {
  const values = {
    response: JSON.stringify(response.value ?? null),
    responded_at: response.respondedAt,
    channel: response.channel,
    responded_by: response.respondedBy,
    flowRunId,
    key,
  };
  const result = await prepared(db, "storeResponse", values, ({ flowRunId, key, ...set }) =>
    db.updateTable("run_inputs").set(set).where("flow_run_id", "=", flowRunId).where("key", "=", key).where("responded_at", "is", null),
  );
  return !!result.numAffectedRows;
}

import type { State, TaskRun } from "../contract/index.ts";
import { insertStateHistory } from "./flow-runs-store.ts";
import { stateColumns, taskRunOf } from "./rows.ts";
import { defined, prepared } from "./prepared.ts";
import type { Executor } from "./storage.ts";

/** Inserts a task run unless its run already has one with the same key; returns whether it did. */
export async function insertTaskRun(db: Executor, run: TaskRun): Promise<boolean> {
  const row = {
    id: run.id,
    flow_run_id: run.flowRunId,
    name: run.name,
    task_key: run.taskKey,
    ...stateColumns(run.state),
    result: null,
    attempts: run.attempts,
    created_at: run.createdAt,
    start_time: run.startTime,
    end_time: run.endTime,
  };
  const result = await prepared(db, "insertTaskRun", row, (p) =>
    db
      .insertInto("task_runs")
      .values(p)
      .onConflict((oc) => oc.columns(["flow_run_id", "task_key"]).doNothing()),
  );
  if (!result.numAffectedRows) return false;
  await insertStateHistory(db, run.flowRunId, run.id, run.state);
  return true;
}

export async function getTaskRun(db: Executor, id: string): Promise<TaskRun | undefined> {
  const { rows } = await prepared(db, "getTaskRun", { id }, (p) => db.selectFrom("task_runs").selectAll().where("id", "=", p.id));
  return rows[0] && taskRunOf(rows[0]);
}

/** Finds the task run of a run by its identity (name and call order, or explicit key). */
export async function findTaskRunByKey(db: Executor, flowRunId: string, taskKey: string): Promise<TaskRun | undefined> {
  const { rows } = await prepared(db, "findTaskRunByKey", { flowRunId, taskKey }, (p) =>
    db.selectFrom("task_runs").selectAll().where("flow_run_id", "=", p.flowRunId).where("task_key", "=", p.taskKey),
  );
  return rows[0] && taskRunOf(rows[0]);
}

export async function updateTaskRunState(
  db: Executor,
  run: TaskRun,
  state: State,
  fields: { result?: string | null; attempts?: number; startTime?: string | null; endTime?: string | null },
): Promise<void> {
  const { shape, present: columns } = defined({
    ...stateColumns(state),
    result: fields.result,
    attempts: fields.attempts,
    start_time: fields.startTime,
    end_time: fields.endTime,
  });
  await prepared(db, `updateTaskRunState:${shape}`, { ...columns, id: run.id }, ({ id, ...set }) =>
    db.updateTable("task_runs").set(set).where("id", "=", id),
  );
  await insertStateHistory(db, run.flowRunId, run.id, state);
}

/** A run's task runs in the order they were called. */
export async function listTaskRuns(db: Executor, flowRunIds: string | readonly string[]): Promise<TaskRun[]> {
  const rows = await db
    .selectFrom("task_runs")
    .selectAll()
    .where("flow_run_id", "in", [flowRunIds].flat())
    .orderBy("created_at")
    .orderBy("id")
    .execute();
  return rows.map(taskRunOf);
}

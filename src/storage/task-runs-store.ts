import type { State, TaskRun } from "../contract/index.ts";
import { insertStateHistory } from "./flow-runs-store.ts";
import { stateColumns, taskRunOf } from "./rows.ts";
import type { Executor } from "./storage.ts";

/** Inserts a task run unless its run already has one with the same key; returns whether it did. */
export async function insertTaskRun(db: Executor, run: TaskRun): Promise<boolean> {
  const result = await db
    .insertInto("task_runs")
    .values({
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
    })
    .onConflict((oc) => oc.columns(["flow_run_id", "task_key"]).doNothing())
    .executeTakeFirst();
  if (!result.numInsertedOrUpdatedRows) return false;
  await insertStateHistory(db, run.flowRunId, run.id, run.state);
  return true;
}

export async function getTaskRun(db: Executor, id: string): Promise<TaskRun | undefined> {
  const row = await db.selectFrom("task_runs").selectAll().where("id", "=", id).executeTakeFirst();
  return row && taskRunOf(row);
}

/** Finds the task run of a run by its identity (name and call order, or explicit key). */
export async function findTaskRunByKey(db: Executor, flowRunId: string, taskKey: string): Promise<TaskRun | undefined> {
  const row = await db
    .selectFrom("task_runs")
    .selectAll()
    .where("flow_run_id", "=", flowRunId)
    .where("task_key", "=", taskKey)
    .executeTakeFirst();
  return row && taskRunOf(row);
}

export async function updateTaskRunState(
  db: Executor,
  run: TaskRun,
  state: State,
  fields: { result?: string | null; attempts?: number; startTime?: string | null; endTime?: string | null },
): Promise<void> {
  await db
    .updateTable("task_runs")
    .set({
      ...stateColumns(state),
      ...(fields.result !== undefined ? { result: fields.result } : {}),
      ...(fields.attempts !== undefined ? { attempts: fields.attempts } : {}),
      ...(fields.startTime !== undefined ? { start_time: fields.startTime } : {}),
      ...(fields.endTime !== undefined ? { end_time: fields.endTime } : {}),
    })
    .where("id", "=", run.id)
    .execute();
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

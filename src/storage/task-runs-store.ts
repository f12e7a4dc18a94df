import { type SqlBool, sql } from "kysely";
import type { State, TaskRun } from "../contract/index.ts";
import { updateTaskWithHistory, writeWithHistory } from "./state-history.ts";
import { stateColumns, taskRunOf } from "./rows.ts";
import { defined, prepared } from "./prepared.ts";
import type { Executor } from "./sql-storage.ts";
import type { Dialect } from "./storage.ts";

/** The columns of a task run that a state change may set besides the state; undefined leaves one as it is. */
export interface TaskRunFields {
  /** The result as JSON text. */
  result?: string | null;
  /** The size of the result kept in the result store (`putResult`), when it is there. */
  resultBytes?: number | null;
  attempts?: number;
  /** Set unless the task run has a start time already. */
  startTime?: string;
  endTime?: string;
}

/** Task runs: `storage.tasks`. */
export interface TaskRunStore {
  /**
   * Inserts a task run if its flow run exists, is not cancelled and (with `heldBy`) is not another
   * process's, and has no task run with the same key yet; returns whether it did.
   */
  insert(run: TaskRun, heldBy?: string): Promise<boolean>;
  /** One task run, or undefined. */
  get(id: string): Promise<TaskRun | undefined>;
  /** Finds the task run of a run by its identity (name and call order, or explicit key). */
  findByKey(flowRunId: string, taskKey: string): Promise<TaskRun | undefined>;
  /**
   * Sets a task run's state (and the fields given), unless it is COMPLETED, and adds the state to its
   * history; returns the task run as written, or undefined when it wrote nothing. With `heldBy`, only if
   * no other process owns its flow run.
   */
  updateState(id: string, state: State, fields: TaskRunFields, heldBy?: string): Promise<TaskRun | undefined>;
  /** The task runs of one run or several, in the order they were called. */
  list(flowRunIds: string | readonly string[]): Promise<TaskRun[]>;
  /** Keeps a result too large for the row (JSON text as bytes) for a task run, replacing one kept before. */
  putResult(taskRunId: string, data: Uint8Array): Promise<void>;
  /** The size of the result kept for a task run by `putResult`, or undefined. */
  resultBytes(taskRunId: string): Promise<number | undefined>;
  /** The result kept for a task run by `putResult`, or undefined. */
  getResult(taskRunId: string): Promise<Uint8Array | undefined>;
}

/**
 * Whether the flow run in scope (`flow_runs`) takes a task report from process `heldBy`: refused only when
 * another process owns the run. A run suspended or finished meanwhile still takes it (a task's result that
 * its replay can use, a task the flow did not wait for).
 */
function freeOrHeldBy(heldBy: unknown) {
  return sql<SqlBool>`(${sql.ref("flow_runs.worker_id")} is null or ${sql.ref("flow_runs.worker_id")} = ${heldBy})`;
}

/** `TaskRunStore` in SQL, the same on both databases. */
export class SqlTaskRunStore implements TaskRunStore {
  readonly #db: Executor;
  readonly #dialect: Dialect;
  constructor(db: Executor, dialect: Dialect) {
    this.#db = db;
    this.#dialect = dialect;
  }

  async insert(run: TaskRun, heldBy?: string): Promise<boolean> {
    const db = this.#db;
    const row = {
      id: run.id,
      flow_run_id: run.flowRunId,
      name: run.name,
      task_key: run.taskKey,
      ...stateColumns(run.state),
      result: null,
      result_bytes: null,
      attempts: run.attempts,
      created_at: run.createdAt,
      start_time: run.startTime,
      end_time: run.endTime,
    };
    const columns = Object.keys(row) as (keyof typeof row)[];
    // The flow run's checks ride in the insert: one statement, where a read before it would be a second.
    // A second create of the same task key (a retried request) writes nothing, and no history either.
    const written = await writeWithHistory(
      db,
      this.#dialect,
      `insertTaskRun${heldBy === undefined ? "" : ":held"}`,
      { ...row, ...(heldBy === undefined ? {} : { heldBy }) },
      (p) => {
        const owner = p.heldBy === undefined ? sql`` : sql`and ${freeOrHeldBy(p.heldBy)}`;
        const select = sql`select ${sql.join(columns.map((c) => p[c]))} where exists (select 1 from flow_runs where id = ${p.flow_run_id} and state_type <> ${sql.lit("CANCELLED")} ${owner})`;
        return db
          .insertInto("task_runs")
          .columns(columns)
          .expression(select)
          .onConflict((oc) => oc.columns(["flow_run_id", "task_key"]).doNothing());
      },
      { flowRunId: run.flowRunId, taskRunId: run.id, state: run.state },
    );
    return written !== undefined;
  }

  async get(id: string): Promise<TaskRun | undefined> {
    const db = this.#db;
    const { rows } = await prepared(db, "getTaskRun", { id }, (p) => db.selectFrom("task_runs").selectAll().where("id", "=", p.id));
    return rows[0] && taskRunOf(rows[0]);
  }

  async findByKey(flowRunId: string, taskKey: string): Promise<TaskRun | undefined> {
    const db = this.#db;
    const { rows } = await prepared(db, "findTaskRunByKey", { flowRunId, taskKey }, (p) =>
      db.selectFrom("task_runs").selectAll().where("flow_run_id", "=", p.flowRunId).where("task_key", "=", p.taskKey),
    );
    return rows[0] && taskRunOf(rows[0]);
  }

  async updateState(id: string, state: State, fields: TaskRunFields, heldBy?: string): Promise<TaskRun | undefined> {
    const db = this.#db;
    const { shape, present: columns } = defined({
      ...stateColumns(state),
      result: fields.result,
      result_bytes: fields.resultBytes,
      attempts: fields.attempts,
      start_time: fields.startTime,
      end_time: fields.endTime,
    });
    const row = await updateTaskWithHistory(
      db,
      this.#dialect,
      `updateTaskRunState:${shape}${heldBy === undefined ? "" : ":held"}`,
      { ...columns, id, ...(heldBy === undefined ? {} : { heldBy }) },
      ({ id, heldBy, start_time, ...set }) => {
        const update = db
          .updateTable("task_runs")
          .set({ ...set, ...(start_time === undefined ? {} : { start_time: sql<string>`coalesce(${sql.ref("start_time")}, ${start_time})` }) })
          .where("id", "=", id)
          .where("state_type", "<>", "COMPLETED");
        if (heldBy === undefined) return update;
        return update.where(({ exists, selectFrom }) =>
          exists(selectFrom("flow_runs").select("flow_runs.id").whereRef("flow_runs.id", "=", "task_runs.flow_run_id").where(freeOrHeldBy(heldBy))),
        );
      },
      state,
    );
    return row && taskRunOf(row);
  }

  async list(flowRunIds: string | readonly string[]): Promise<TaskRun[]> {
    const rows = await this.#db
      .selectFrom("task_runs")
      .selectAll()
      .where("flow_run_id", "in", [flowRunIds].flat())
      .orderBy("created_at")
      .orderBy("id")
      .execute();
    return rows.map(taskRunOf);
  }

  async putResult(taskRunId: string, data: Uint8Array): Promise<void> {
    await this.#db
      .insertInto("task_results")
      .values({ task_run_id: taskRunId, bytes: data.byteLength, data })
      .onConflict((oc) => oc.column("task_run_id").doUpdateSet((eb) => ({ bytes: eb.ref("excluded.bytes"), data: eb.ref("excluded.data") })))
      .execute();
  }

  async resultBytes(taskRunId: string): Promise<number | undefined> {
    const row = await this.#db.selectFrom("task_results").select("bytes").where("task_run_id", "=", taskRunId).executeTakeFirst();
    return row?.bytes;
  }

  async getResult(taskRunId: string): Promise<Uint8Array | undefined> {
    const row = await this.#db.selectFrom("task_results").select("data").where("task_run_id", "=", taskRunId).executeTakeFirst();
    return row?.data;
  }
}

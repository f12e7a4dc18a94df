import { newId } from "./ids.ts";
import { type Insertable, sql } from "kysely";
import type { Flow, FlowRun, State, StateType } from "../contract/index.ts";
import { flowRunOf, stateColumns, stateHistoryOf } from "./rows.ts";
import { defined, prepared } from "./prepared.ts";
import type { FlowRunTable } from "./schema.ts";
import type { Executor } from "./sql-storage.ts";
import type { Dialect } from "./storage.ts";
import type { NewEvent, StoredEvent } from "./events-store.ts";
import { decodeText } from "./text-codec.ts";
import { writeWithHistory } from "./state-history.ts";
import { containsText, listWaiting, type WaitingQuery, type WaitingRuns } from "./waiting-runs-query.ts";

/** Process bookkeeping of a new run. */
export interface RunOwnership {
  workerId?: string | null | undefined;
  scheduledAt?: string | null | undefined;
  /** The owning process's first sign of life, on the system clock; default the run's creation time. */
  heartbeatAt?: string | undefined;
}

/** What a run filter may say, already validated. */
export interface FlowRunQuery {
  state?: StateType[] | undefined;
  flowName?: string | undefined;
  /** A substring of the run's name, matched without regard to case. */
  name?: string | undefined;
  ids?: string[] | undefined;
  deploymentName?: string | undefined;
  tag?: string | undefined;
  createdAfter?: string | undefined;
  createdBefore?: string | undefined;
  limit: number;
  /** Rows strictly older than this (created_at, id) position. */
  before?: { createdAt: string; id: string } | undefined;
}

/** Columns that change with a run's state. */
export interface StateChange {
  state: State;
  /**
   * When the pause times out (null: no pause); undefined leaves the column as it is. A column named in an
   * UPDATE costs SQLite its index entry even when the value stays the same, so only changes are written.
   */
  pauseTimeoutAt?: string | null | undefined;
  startTime?: string | null | undefined;
  endTime?: string | null | undefined;
  /** The process that now owns the run (null: none); undefined leaves it as it is. */
  workerId?: string | null | undefined;
  /** With `workerId`: its sign of life, on the system clock (heartbeats are); default the state's timestamp. */
  heartbeatAt?: string | undefined;
  /** When a SCHEDULED run may be claimed. */
  scheduledAt?: string | null | undefined;
}

/** Counts of runs, for metrics. */
export interface RunStats {
  byState: Partial<Record<StateType, number>>;
  /** Paused runs that a process waits in, and suspended ones, each with its oldest pause's start (null: none). */
  waiting: Record<"live" | "suspended", { count: number; oldestSince: string | null }>;
}

/** Flows and flow runs: `storage.runs`. */
export interface FlowRunStore {
  /** Finds a flow by name, creating it on first use. */
  upsertFlow(name: string, now: string): Promise<Flow>;
  /** Lists flows by name. */
  listFlows(): Promise<Flow[]>;
  /** Inserts a new run with its first state (also written to the history), and `events`; returns them stored. */
  insert(run: FlowRun, ownership?: RunOwnership, events?: readonly NewEvent[]): Promise<StoredEvent[]>;
  /** One run, or undefined. */
  get(id: string): Promise<FlowRun | undefined>;
  /** A run's current state type and message, and the process that owns it: what a check before a write needs, without the rest of the row. */
  getStatus(id: string): Promise<{ type: StateType; message: string | null; workerId: string | null } | undefined>;
  /** Newest first; one query, served by the (state|flow, created_at, id) indexes. */
  list(q: FlowRunQuery): Promise<FlowRun[]>;
  /** The inbox: paused runs, filtered and ordered, and how many wait per flow; two queries (see `waiting-runs-query.ts`). */
  listWaiting(q: WaitingQuery): Promise<WaitingRuns>;
  /**
   * Moves a run to a new state if its current state is still `expectedStateId`, adds the state to its
   * history and stores `events`; returns them stored. Returns undefined, writing nothing, when another
   * writer changed the run first: this conditional update is what makes two concurrent answers, or two
   * expiry services, safe on both databases without explicit locks. With `heldBy`, also only if that
   * process owns the run (a report from a process that lost it is refused).
   */
  compareAndSetState(
    runId: string,
    expectedStateId: string,
    change: StateChange,
    options?: { heldBy?: string | undefined; events?: readonly NewEvent[] },
  ): Promise<StoredEvent[] | undefined>;
  /** A run's states, oldest first. */
  listStates(flowRunId: string): Promise<State[]>;
  /** Paused runs whose timeout passed, most overdue first. */
  findExpiredPauses(now: string, limit: number): Promise<FlowRun[]>;
  /** Scheduled runs of these deployments that are due, oldest first: candidates for a claim. */
  findClaimable(deployments: string[], now: string, limit: number): Promise<FlowRun[]>;
  /** Records a sign of life of `workerId` for the runs it owns; returns the ids among `ids` it still owns. */
  touchHeartbeats(workerId: string, ids: string[], now: string): Promise<string[]>;
  /** Runs whose owning process (`workerId`, or any) has not been heard from since `cutoff`. */
  findSilent(cutoff: string, limit: number, workerId?: string): Promise<FlowRun[]>;
  /** How many runs are in each state type, and of the paused ones how many are suspended and since when the oldest waits. */
  stats(): Promise<RunStats>;
  /** Records a sign of life of `workerId` for every run it owns (its event stream opened). */
  touchWorker(workerId: string, now: string): Promise<void>;
  /** The process that owns run `id` (waits in its live pause, runs it), or null. */
  workerOf(id: string): Promise<string | null>;
  /**
   * Moves the last sign of life of the runs `workerId` waits in (paused) or serves (running
   * deployment runs) back to `at`, unless it is older: they are suspected, and found silent from then on
   * unless the process shows a sign of life. Its other runs (a running direct call) are left to heartbeats.
   */
  suspectWorker(workerId: string, at: string): Promise<void>;
}

/** `FlowRunStore` in SQL, the same on both databases. */
export class SqlFlowRunStore implements FlowRunStore {
  readonly #db: Executor;
  readonly #dialect: Dialect;
  constructor(db: Executor, dialect: Dialect) {
    this.#db = db;
    this.#dialect = dialect;
  }

  async upsertFlow(name: string, now: string): Promise<Flow> {
    const db = this.#db;
    const find = () => prepared(db, "findFlow", { name }, (p) => db.selectFrom("flows").selectAll().where("name", "=", p.name));
    // Read first: a flow is made once and then read at every run it starts.
    let [row] = (await find()).rows;
    if (!row) {
      await db
        .insertInto("flows")
        .values({ id: newId(), name, created_at: now })
        .onConflict((oc) => oc.column("name").doNothing())
        .execute();
      [row] = (await find()).rows;
    }
    return { id: row!.id, name: row!.name, createdAt: row!.created_at };
  }

  async listFlows(): Promise<Flow[]> {
    const rows = await this.#db.selectFrom("flows").selectAll().orderBy("name").limit(1000).execute();
    return rows.map((r) => ({ id: r.id, name: r.name, createdAt: r.created_at }));
  }

  async insert(run: FlowRun, ownership: RunOwnership = {}, events: readonly NewEvent[] = []): Promise<StoredEvent[]> {
    const db = this.#db;
    const { shape, present: row } = defined({
      id: run.id,
      name: run.name,
      flow_id: run.flowId,
      flow_name: run.flowName,
      parameters: JSON.stringify(run.parameters),
      ...stateColumns(run.state),
      pause_timeout_at: null,
      deployment_id: run.deploymentId,
      deployment_name: run.deploymentName,
      scheduled_at: ownership.scheduledAt ?? null,
      worker_id: ownership.workerId ?? null,
      last_heartbeat_at: ownership.workerId ? (ownership.heartbeatAt ?? run.createdAt) : null,
      created_at: run.createdAt,
      updated_at: run.updatedAt,
      start_time: run.startTime,
      end_time: run.endTime,
      // Written only when known, so that the tests of older schemas (before 0007, 0012) can insert runs.
      created_by: run.createdBy ?? undefined,
      tags: run.tags.length ? JSON.stringify(run.tags) : undefined,
    });
    const stored = await writeWithHistory(
      db,
      this.#dialect,
      `insertFlowRun:${shape}`,
      row,
      (p) => db.insertInto("flow_runs").values(p as Insertable<FlowRunTable>),
      { flowRunId: run.id, taskRunId: null, state: run.state },
      events,
    );
    if (run.tags.length)
      await db
        .insertInto("flow_run_tags")
        .values(run.tags.map((tag) => ({ tag, flow_run_id: run.id })))
        .execute();
    return stored!;
  }

  async get(id: string): Promise<FlowRun | undefined> {
    const db = this.#db;
    const { rows } = await prepared(db, "getFlowRun", { id }, (p) => db.selectFrom("flow_runs").selectAll().where("id", "=", p.id));
    return rows[0] && flowRunOf(rows[0]);
  }

  async getStatus(id: string): Promise<{ type: StateType; message: string | null; workerId: string | null } | undefined> {
    const db = this.#db;
    const { rows } = await prepared(db, "getFlowRunStatus", { id }, (p) =>
      db.selectFrom("flow_runs").select(["state_type", "state_message", "worker_id"]).where("id", "=", p.id),
    );
    const row = rows[0];
    return row && { type: row.state_type as StateType, message: decodeText(row.state_message), workerId: row.worker_id };
  }

  async list(q: FlowRunQuery): Promise<FlowRun[]> {
    let query = this.#db.selectFrom("flow_runs").selectAll();
    if (q.state?.length) query = query.where("state_type", "in", q.state);
    if (q.flowName) query = query.where("flow_name", "=", q.flowName);
    // No index serves a substring: this scans, newest first, until the page is full.
    if (q.name) query = query.where(containsText("name", q.name));
    if (q.ids) query = query.where("id", "in", q.ids.length ? q.ids : [""]);
    if (q.deploymentName) query = query.where("deployment_name", "=", q.deploymentName);
    if (q.tag) query = query.where("id", "in", (eb) => eb.selectFrom("flow_run_tags").select("flow_run_id").where("tag", "=", q.tag!));
    if (q.createdAfter) query = query.where("created_at", ">=", q.createdAfter);
    if (q.createdBefore) query = query.where("created_at", "<", q.createdBefore);
    if (q.before) {
      const { createdAt, id } = q.before;
      query = query.where((eb) => eb.or([eb("created_at", "<", createdAt), eb.and([eb("created_at", "=", createdAt), eb("id", "<", id)])]));
    }
    const rows = await query.orderBy("created_at", "desc").orderBy("id", "desc").limit(q.limit).execute();
    return rows.map(flowRunOf);
  }

  listWaiting(q: WaitingQuery): Promise<WaitingRuns> {
    return listWaiting(this.#db, this.#dialect, q);
  }

  async compareAndSetState(
    runId: string,
    expectedStateId: string,
    change: StateChange,
    { heldBy, events }: { heldBy?: string | undefined; events?: readonly NewEvent[] } = {},
  ): Promise<StoredEvent[] | undefined> {
    const db = this.#db;
    const { shape, present: columns } = defined({
      ...stateColumns(change.state),
      pause_timeout_at: change.pauseTimeoutAt,
      updated_at: change.state.timestamp,
      start_time: change.startTime,
      end_time: change.endTime,
      worker_id: change.workerId,
      last_heartbeat_at: change.workerId === undefined ? undefined : change.workerId ? (change.heartbeatAt ?? change.state.timestamp) : null,
      scheduled_at: change.scheduledAt,
    });
    const values = { ...columns, runId, expectedStateId, ...(heldBy === undefined ? {} : { heldBy }) };
    const key = `compareAndSetState:${shape}${heldBy === undefined ? "" : ":held"}`;
    return writeWithHistory(
      db,
      this.#dialect,
      key,
      values,
      ({ runId, expectedStateId, heldBy, ...set }) => {
        const update = db.updateTable("flow_runs").set(set).where("id", "=", runId).where("state_id", "=", expectedStateId);
        return heldBy === undefined ? update : update.where("worker_id", "=", heldBy);
      },
      { flowRunId: runId, taskRunId: null, state: change.state },
      events,
    );
  }

  async listStates(flowRunId: string): Promise<State[]> {
    const rows = await this.#db
      .selectFrom("flow_run_states")
      .selectAll()
      .where("flow_run_id", "=", flowRunId)
      .where("task_run_id", "is", null)
      .orderBy("timestamp")
      .execute();
    return rows.map(stateHistoryOf);
  }

  async findExpiredPauses(now: string, limit: number): Promise<FlowRun[]> {
    const rows = await this.#db
      .selectFrom("flow_runs")
      .selectAll()
      .where("pause_timeout_at", "is not", null)
      .where("pause_timeout_at", "<=", now)
      .orderBy("pause_timeout_at")
      .limit(limit)
      .execute();
    return rows.map(flowRunOf);
  }

  async findClaimable(deployments: string[], now: string, limit: number): Promise<FlowRun[]> {
    const rows = await this.#db
      .selectFrom("flow_runs")
      .selectAll()
      .where("state_type", "=", "SCHEDULED")
      .where("deployment_name", "in", deployments)
      .where("scheduled_at", "<=", now)
      .orderBy("scheduled_at")
      .limit(limit)
      .execute();
    return rows.map(flowRunOf);
  }

  async touchHeartbeats(workerId: string, ids: string[], now: string): Promise<string[]> {
    if (!ids.length) return [];
    const db = this.#db;
    await db.updateTable("flow_runs").set({ last_heartbeat_at: now }).where("id", "in", ids).where("worker_id", "=", workerId).execute();
    const owned = await db.selectFrom("flow_runs").select("id").where("id", "in", ids).where("worker_id", "=", workerId).execute();
    return owned.map((r) => r.id);
  }

  async findSilent(cutoff: string, limit: number, workerId?: string): Promise<FlowRun[]> {
    const rows = await this.#db
      .selectFrom("flow_runs")
      .selectAll()
      .where("worker_id", workerId === undefined ? "is not" : "=", workerId ?? null)
      .where("last_heartbeat_at", "<", cutoff)
      .orderBy("last_heartbeat_at")
      .limit(limit)
      .execute();
    return rows.map(flowRunOf);
  }

  async stats(): Promise<RunStats> {
    const db = this.#db;
    const suspended = sql<number>`case when state_details like '{"suspended":true%' then 1 else 0 end`;
    const [byState, waiting] = await Promise.all([
      db
        .selectFrom("flow_runs")
        .select(["state_type", (eb) => eb.fn.countAll<number>().as("n")])
        .groupBy("state_type")
        .execute(),
      db
        .selectFrom("flow_runs")
        .select([suspended.as("suspended"), (eb) => eb.fn.countAll<number>().as("n"), (eb) => eb.fn.min("state_timestamp").as("oldest")])
        .where("state_type", "=", "PAUSED")
        .groupBy(suspended)
        .execute(),
    ]);
    const stats: RunStats = { byState: {}, waiting: { live: { count: 0, oldestSince: null }, suspended: { count: 0, oldestSince: null } } };
    for (const r of byState) stats.byState[r.state_type as StateType] = Number(r.n);
    for (const r of waiting) stats.waiting[Number(r.suspended) ? "suspended" : "live"] = { count: Number(r.n), oldestSince: r.oldest };
    return stats;
  }

  async workerOf(id: string): Promise<string | null> {
    const db = this.#db;
    const { rows } = await prepared(db, "workerOf", { id }, (p) => db.selectFrom("flow_runs").select("worker_id").where("id", "=", p.id));
    return rows[0]?.worker_id ?? null;
  }

  async touchWorker(workerId: string, now: string): Promise<void> {
    await this.#db.updateTable("flow_runs").set({ last_heartbeat_at: now }).where("worker_id", "=", workerId).execute();
  }

  async suspectWorker(workerId: string, at: string): Promise<void> {
    await this.#db
      .updateTable("flow_runs")
      .set({ last_heartbeat_at: at })
      .where("worker_id", "=", workerId)
      .where("last_heartbeat_at", ">", at)
      .where((eb) =>
        eb.or([
          eb("state_type", "=", "PAUSED"), // a suspended run has no owner
          eb.and([eb("deployment_id", "is not", null), eb("state_type", "in", ["RUNNING", "PENDING"])]),
        ]),
      )
      .execute();
  }
}

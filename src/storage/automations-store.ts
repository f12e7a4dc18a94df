import type { Selectable } from "kysely";
import type { Automation } from "../contract/index.ts";
import type { AutomationTable } from "./schema.ts";
import type { Executor } from "./sql-storage.ts";

/** A "stays longer than" trigger armed for one run. */
export interface AutomationTimer {
  automationId: string;
  flowRunId: string;
  /** What the run must still be in when it is due: the pause key (PAUSED), else the state's id. */
  stayKey: string;
  dueAt: string;
}

/** Automations and their armed timers: `storage.automations`. */
export interface AutomationStore {
  insert(a: Automation): Promise<void>;
  /** Replaces an automation's fields; false when there is none. */
  update(a: Automation): Promise<boolean>;
  get(id: string): Promise<Automation | undefined>;
  /** Automations by name (all of them, or the enabled ones). */
  list(options?: { enabledOnly?: boolean }): Promise<Automation[]>;
  /** Removes an automation and its timers; false when there was none. */
  delete(id: string): Promise<boolean>;
  /** Arms timers; one that exists for the same automation, run and stay is kept as it is. */
  armTimers(timers: AutomationTimer[]): Promise<void>;
  /** Armed timers due at `now`, soonest first. */
  dueTimers(now: string, limit: number): Promise<AutomationTimer[]>;
  /**
   * Marks a timer fired if it was not; false when another server fired it first. Run it in the
   * transaction that acts, so that the timer is acted on once.
   */
  fireTimer(t: AutomationTimer): Promise<boolean>;
}

/** `AutomationStore` in SQL, the same on both databases. */
export class SqlAutomationStore implements AutomationStore {
  readonly #db: Executor;
  constructor(db: Executor) {
    this.#db = db;
  }

  async insert(a: Automation): Promise<void> {
    await this.#db.insertInto("automations").values(rowOf(a)).execute();
  }

  async update(a: Automation): Promise<boolean> {
    const { id, created_at: _, ...set } = rowOf(a);
    const result = await this.#db.updateTable("automations").set(set).where("id", "=", id).executeTakeFirst();
    return result.numUpdatedRows > 0;
  }

  async get(id: string): Promise<Automation | undefined> {
    const row = await this.#db.selectFrom("automations").selectAll().where("id", "=", id).executeTakeFirst();
    return row && automationOf(row);
  }

  async list({ enabledOnly = false }: { enabledOnly?: boolean } = {}): Promise<Automation[]> {
    let q = this.#db.selectFrom("automations").selectAll();
    if (enabledOnly) q = q.where("enabled", "=", 1);
    const rows = await q.orderBy("name").orderBy("id").limit(1000).execute();
    return rows.map(automationOf);
  }

  async delete(id: string): Promise<boolean> {
    await this.#db.deleteFrom("automation_timers").where("automation_id", "=", id).execute();
    const result = await this.#db.deleteFrom("automations").where("id", "=", id).executeTakeFirst();
    return result.numDeletedRows > 0;
  }

  async armTimers(timers: AutomationTimer[]): Promise<void> {
    if (!timers.length) return;
    await this.#db
      .insertInto("automation_timers")
      .values(timers.map((t) => ({ automation_id: t.automationId, flow_run_id: t.flowRunId, stay_key: t.stayKey, due_at: t.dueAt, fired: 0 })))
      .onConflict((oc) => oc.columns(["automation_id", "flow_run_id", "stay_key"]).doNothing())
      .execute();
  }

  async dueTimers(now: string, limit: number): Promise<AutomationTimer[]> {
    const rows = await this.#db
      .selectFrom("automation_timers")
      .selectAll()
      .where("fired", "=", 0)
      .where("due_at", "<=", now)
      .orderBy("due_at")
      .limit(limit)
      .execute();
    return rows.map((r) => ({ automationId: r.automation_id, flowRunId: r.flow_run_id, stayKey: r.stay_key, dueAt: r.due_at }));
  }

  async fireTimer(t: AutomationTimer): Promise<boolean> {
    const result = await this.#db
      .updateTable("automation_timers")
      .set({ fired: 1 })
      .where("automation_id", "=", t.automationId)
      .where("flow_run_id", "=", t.flowRunId)
      .where("stay_key", "=", t.stayKey)
      .where("fired", "=", 0)
      .executeTakeFirst();
    return result.numUpdatedRows > 0;
  }
}

function rowOf(a: Automation): Selectable<AutomationTable> {
  return {
    id: a.id,
    name: a.name,
    description: a.description,
    enabled: a.enabled ? 1 : 0,
    trigger: JSON.stringify(a.trigger),
    actions: JSON.stringify(a.actions),
    created_at: a.createdAt,
    updated_at: a.updatedAt,
  };
}

function automationOf(r: Selectable<AutomationTable>): Automation {
  return {
    id: r.id,
    name: r.name,
    description: r.description,
    enabled: Number(r.enabled) === 1,
    trigger: JSON.parse(r.trigger),
    actions: JSON.parse(r.actions),
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  };
}

import { sql, type Expression, type ExpressionBuilder, type SqlBool } from "kysely";
import type { FlowRun } from "../contract/index.ts";
import { flowRunOf } from "./rows.ts";
import type { Database } from "./schema.ts";
import type { Executor } from "./sql-storage.ts";
import type { Dialect } from "./storage.ts";

/** What the inbox asks of the waiting (paused) runs, already validated. */
export interface WaitingQuery {
  flowName?: string | undefined;
  deploymentName?: string | undefined;
  tag?: string | undefined;
  /** Text in the flow's or run's name, or the current pause's key or description, ignoring case. */
  text?: string | undefined;
  sort: "newest" | "waiting-longest" | "timeout-soonest";
  /**
   * Who asks: their name and groups as respondents name them (`alice`, `group:finance`). Pauses naming one
   * come first and are counted; undefined when the server does not know who asks.
   */
  me?: string[] | undefined;
  /** Only pauses that name `me`. */
  forMe: boolean;
  limit: number;
}

/** The waiting runs the inbox shows, and how many wait per flow. */
export interface WaitingRuns {
  items: FlowRun[];
  /** Per flow, under every filter but `flowName`: how many runs, and how many of them name `me`. */
  flows: { flowName: string; count: number; forMe: number }[];
}

type Where = ExpressionBuilder<Database, "flow_runs">;

/**
 * `column` contains `text`, ignoring case. LIKE ignores case on SQLite but not on PostgreSQL, so both
 * sides go through the database's lower().
 */
export function containsText(column: string, text: string) {
  const pattern = `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
  return sql<boolean>`lower(${sql.ref(column)}) like lower(${pattern}) escape '\\'`;
}

/**
 * Whether the run's pause names one of `me` among its respondents (`state_details.respondents`, a JSON
 * array): the one expression that differs between the databases.
 */
function namesOneOf(dialect: Dialect, me: string[]): Expression<SqlBool> {
  const list = sql.join(me.map((m) => sql.val(m)));
  return dialect === "postgres"
    ? sql<SqlBool>`exists (select 1 from jsonb_array_elements_text(flow_runs.state_details::jsonb -> 'respondents') r(v) where r.v in (${list}))`
    : sql<SqlBool>`exists (select 1 from json_each(flow_runs.state_details, '$.respondents') r where r.value in (${list}))`;
}

/**
 * Two queries whatever the number of runs: the page of runs (tags and all, from their row), and the
 * counts per flow. The page reads the paused runs in its order from an index (`flow_runs_state_since`,
 * `flow_runs_state_timeout`) and stops at its limit; the counts find them by index too (with a flow
 * or a deployment, theirs): the waiting runs, never the finished ones. A tag is found
 * through `flow_run_tags` (by its primary key), and text in a pause through its `run_inputs` row.
 */
export async function listWaiting(db: Executor, dialect: Dialect, q: WaitingQuery): Promise<WaitingRuns> {
  const named = q.me?.length ? namesOneOf(dialect, q.me) : undefined;
  const filters = (eb: Where, withFlow: boolean) => {
    const all: Expression<SqlBool>[] = [eb("state_type", "=", "PAUSED")];
    if (withFlow && q.flowName) all.push(eb("flow_name", "=", q.flowName));
    if (q.deploymentName) all.push(eb("deployment_name", "=", q.deploymentName));
    if (q.tag) all.push(eb("id", "in", eb.selectFrom("flow_run_tags").select("flow_run_id").where("tag", "=", q.tag)));
    if (q.text) {
      const text = q.text;
      all.push(
        eb.or([
          containsText("flow_name", text),
          containsText("name", text),
          eb.exists(
            eb
              .selectFrom("run_inputs")
              .select(sql.lit(1).as("one"))
              .whereRef("run_inputs.flow_run_id", "=", "flow_runs.id")
              .where("run_inputs.responded_at", "is", null)
              .where((i) => i.or([containsText("run_inputs.key", text), containsText("run_inputs.description", text)])),
          ),
        ]),
      );
    }
    if (q.forMe) all.push(named ?? sql<SqlBool>`1 = 0`);
    return eb.and(all);
  };
  let page = db
    .selectFrom("flow_runs")
    .selectAll()
    .where((eb) => filters(eb, true));
  if (named && !q.forMe) page = page.orderBy(sql`case when ${named} then 0 else 1 end`);
  if (q.sort === "newest") page = page.orderBy("state_timestamp", "desc").orderBy("id", "desc");
  else if (q.sort === "waiting-longest") page = page.orderBy("state_timestamp").orderBy("id");
  // The index flow_runs_state_timeout has this very expression: runs with a timeout first.
  else page = page.orderBy(sql`(pause_timeout_at is null)`).orderBy("pause_timeout_at").orderBy("id");
  const forMe = named ? sql<number>`sum(case when ${named} then 1 else 0 end)` : sql<number>`0`;
  const [rows, counts] = await Promise.all([
    page.limit(q.limit).execute(),
    db
      .selectFrom("flow_runs")
      .select(["flow_name", (eb) => eb.fn.countAll<number>().as("n"), forMe.as("for_me")])
      .where((eb) => filters(eb, false))
      .groupBy("flow_name")
      .orderBy("flow_name")
      .execute(),
  ]);
  return {
    items: rows.map(flowRunOf),
    flows: counts.map((c) => ({ flowName: c.flow_name, count: Number(c.n), forMe: Number(c.for_me ?? 0) })),
  };
}

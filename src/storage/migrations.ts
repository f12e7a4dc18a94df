import { sql, type Kysely } from "kysely";
import { Migrator, type Migration } from "kysely/migration";
import { GENESIS_HASH } from "./audit-store.ts";
import type { Dialect } from "./storage.ts";

/** Auto-increment ids differ in type between the two databases; everything else is shared. */
function autoId(dialect: Dialect) {
  return dialect === "postgres" ? sql`bigserial` : sql`integer`;
}

function migrations(dialect: Dialect): Record<string, Migration> {
  return {
    "0001-core": {
      async up(db: Kysely<any>) {
        await db.schema
          .createTable("flows")
          .addColumn("id", "text", (c) => c.primaryKey())
          .addColumn("name", "text", (c) => c.notNull().unique())
          .addColumn("created_at", "text", (c) => c.notNull())
          .execute();

        await db.schema
          .createTable("flow_runs")
          .addColumn("id", "text", (c) => c.primaryKey())
          .addColumn("name", "text", (c) => c.notNull())
          .addColumn("flow_id", "text", (c) => c.notNull().references("flows.id"))
          .addColumn("flow_name", "text", (c) => c.notNull())
          .addColumn("parameters", "text", (c) => c.notNull())
          .addColumn("state_id", "text", (c) => c.notNull())
          .addColumn("state_type", "text", (c) => c.notNull())
          .addColumn("state_name", "text", (c) => c.notNull())
          .addColumn("state_timestamp", "text", (c) => c.notNull())
          .addColumn("state_message", "text")
          .addColumn("state_details", "text", (c) => c.notNull())
          .addColumn("pause_timeout_at", "text")
          .addColumn("created_at", "text", (c) => c.notNull())
          .addColumn("updated_at", "text", (c) => c.notNull())
          .addColumn("start_time", "text")
          .addColumn("end_time", "text")
          .execute();
        // One index per list the API and UI show: newest runs, by state, by flow; and due pauses.
        await db.schema.createIndex("flow_runs_created").on("flow_runs").columns(["created_at", "id"]).execute();
        await db.schema.createIndex("flow_runs_state_created").on("flow_runs").columns(["state_type", "created_at", "id"]).execute();
        await db.schema.createIndex("flow_runs_flow_created").on("flow_runs").columns(["flow_name", "created_at", "id"]).execute();
        await db.schema
          .createIndex("flow_runs_pause_timeout")
          .on("flow_runs")
          .column("pause_timeout_at")
          .where("pause_timeout_at", "is not", null)
          .execute();

        await db.schema
          .createTable("flow_run_states")
          .addColumn("id", "text", (c) => c.primaryKey())
          .addColumn("flow_run_id", "text", (c) => c.notNull())
          .addColumn("task_run_id", "text")
          .addColumn("type", "text", (c) => c.notNull())
          .addColumn("name", "text", (c) => c.notNull())
          .addColumn("timestamp", "text", (c) => c.notNull())
          .addColumn("message", "text")
          .addColumn("details", "text", (c) => c.notNull())
          .execute();
        await db.schema.createIndex("flow_run_states_run").on("flow_run_states").columns(["flow_run_id", "timestamp"]).execute();

        await db.schema
          .createTable("task_runs")
          .addColumn("id", "text", (c) => c.primaryKey())
          .addColumn("flow_run_id", "text", (c) => c.notNull().references("flow_runs.id"))
          .addColumn("name", "text", (c) => c.notNull())
          .addColumn("task_key", "text", (c) => c.notNull())
          .addColumn("state_id", "text", (c) => c.notNull())
          .addColumn("state_type", "text", (c) => c.notNull())
          .addColumn("state_name", "text", (c) => c.notNull())
          .addColumn("state_timestamp", "text", (c) => c.notNull())
          .addColumn("state_message", "text")
          .addColumn("state_details", "text", (c) => c.notNull())
          .addColumn("result", "text")
          .addColumn("attempts", "integer", (c) => c.notNull().defaultTo(1))
          .addColumn("created_at", "text", (c) => c.notNull())
          .addColumn("start_time", "text")
          .addColumn("end_time", "text")
          .addUniqueConstraint("task_runs_run_key", ["flow_run_id", "task_key"])
          .execute();

        await db.schema
          .createTable("run_inputs")
          .addColumn("flow_run_id", "text", (c) => c.notNull().references("flow_runs.id"))
          .addColumn("key", "text", (c) => c.notNull())
          .addColumn("schema", "text")
          .addColumn("initial_data", "text")
          .addColumn("description", "text")
          .addColumn("requested_at", "text", (c) => c.notNull())
          .addColumn("timeout_at", "text")
          .addColumn("response", "text")
          .addColumn("responded_at", "text")
          .addColumn("channel", "text")
          .addColumn("responded_by", "text")
          .addPrimaryKeyConstraint("run_inputs_pk", ["flow_run_id", "key"])
          .execute();

        await db.schema
          .createTable("events")
          .addColumn("id", autoId(dialect), (c) => (dialect === "postgres" ? c.primaryKey() : c.primaryKey().autoIncrement()))
          .addColumn("type", "text", (c) => c.notNull())
          .addColumn("flow_run_id", "text", (c) => c.notNull())
          .addColumn("occurred_at", "text", (c) => c.notNull())
          .addColumn("payload", "text", (c) => c.notNull())
          .execute();
        await db.schema.createIndex("events_run").on("events").columns(["flow_run_id", "id"]).execute();

        await db.schema
          .createTable("logs")
          .addColumn("id", autoId(dialect), (c) => (dialect === "postgres" ? c.primaryKey() : c.primaryKey().autoIncrement()))
          .addColumn("flow_run_id", "text", (c) => c.notNull())
          .addColumn("task_run_id", "text")
          .addColumn("level", "text", (c) => c.notNull())
          .addColumn("message", "text", (c) => c.notNull())
          .addColumn("timestamp", "text", (c) => c.notNull())
          .execute();
        await db.schema.createIndex("logs_run").on("logs").columns(["flow_run_id", "id"]).execute();
      },
    },
    "0002-deployments": {
      async up(db: Kysely<any>) {
        await db.schema
          .createTable("deployments")
          .addColumn("id", "text", (c) => c.primaryKey())
          .addColumn("name", "text", (c) => c.notNull().unique())
          .addColumn("flow_name", "text", (c) => c.notNull())
          .addColumn("description", "text")
          .addColumn("parameter_schema", "text")
          .addColumn("created_at", "text", (c) => c.notNull())
          .addColumn("updated_at", "text", (c) => c.notNull())
          .addColumn("last_served_at", "text")
          .execute();
        for (const column of ["deployment_id", "deployment_name", "scheduled_at", "worker_id", "last_heartbeat_at"])
          await db.schema.alterTable("flow_runs").addColumn(column, "text").execute();
        // What serving processes claim: scheduled runs of their deployments, oldest due first.
        await db.schema
          .createIndex("flow_runs_claimable")
          .on("flow_runs")
          .columns(["deployment_name", "scheduled_at"])
          .where(sql.ref("state_type"), "=", "SCHEDULED")
          .execute();
        // What the heartbeat monitor watches: runs some process says it is running or waiting in.
        await db.schema
          .createIndex("flow_runs_heartbeat")
          .on("flow_runs")
          .column("last_heartbeat_at")
          .where(sql.ref("worker_id"), "is not", null)
          .execute();
      },
    },
    "0003-event-cursors": {
      async up(db: Kysely<any>) {
        // Where each named consumer of the events has got to; moved by compare-and-set, so that of several
        // servers reading the same events one acts on each.
        await db.schema
          .createTable("event_cursors")
          .addColumn("consumer", "text", (c) => c.primaryKey())
          .addColumn("last_event_id", dialect === "postgres" ? "bigint" : "integer", (c) => c.notNull())
          .execute();
      },
    },
    "0004-suspended-field": {
      async up(db: Kysely<any>) {
        // A suspended run was told apart by its state's name; it now carries `details.suspended: true`.
        // The details are JSON text, always an object: the field is written in front of its other fields
        // as text, the same on both databases (PostgreSQL's jsonb would reorder the keys of the schemas
        // inside, and a form's fields follow their order). Kept events stay as they were sent: a process
        // that reconnects reads the runs themselves again.
        const withField = (column: string) =>
          sql`case when ${sql.ref(column)} = '{}' then '{"suspended":true}' else '{"suspended":true,' || substr(${sql.ref(column)}, 2) end`;
        await db
          .updateTable("flow_runs")
          .set({ state_details: withField("state_details") })
          .where("state_type", "=", "PAUSED")
          .where("state_name", "=", "Suspended")
          .execute();
        await db
          .updateTable("flow_run_states")
          .set({ details: withField("details") })
          .where("type", "=", "PAUSED")
          .where("name", "=", "Suspended")
          .where("task_run_id", "is", null)
          .execute();
      },
    },
    "0006-notifications": {
      async up(db: Kysely<any>) {
        await db.schema
          .createTable("channels")
          .addColumn("id", "text", (c) => c.primaryKey())
          .addColumn("name", "text", (c) => c.notNull().unique())
          .addColumn("type", "text", (c) => c.notNull())
          .addColumn("url", "text")
          .addColumn("to_addresses", "text", (c) => c.notNull())
          .addColumn("secret", "text")
          .addColumn("created_at", "text", (c) => c.notNull())
          .execute();
        await db.schema
          .createTable("automations")
          .addColumn("id", "text", (c) => c.primaryKey())
          .addColumn("name", "text", (c) => c.notNull())
          .addColumn("description", "text")
          .addColumn("enabled", "integer", (c) => c.notNull())
          .addColumn("trigger", "text", (c) => c.notNull())
          .addColumn("actions", "text", (c) => c.notNull())
          .addColumn("created_at", "text", (c) => c.notNull())
          .addColumn("updated_at", "text", (c) => c.notNull())
          .execute();
        await db.schema
          .createTable("automation_timers")
          .addColumn("automation_id", "text", (c) => c.notNull())
          .addColumn("flow_run_id", "text", (c) => c.notNull())
          .addColumn("stay_key", "text", (c) => c.notNull())
          .addColumn("due_at", "text", (c) => c.notNull())
          .addColumn("fired", "integer", (c) => c.notNull().defaultTo(0))
          .addPrimaryKeyConstraint("automation_timers_pk", ["automation_id", "flow_run_id", "stay_key"])
          .execute();
        // What the timer loop reads: armed timers, soonest first.
        await db.schema.createIndex("automation_timers_due").on("automation_timers").column("due_at").where(sql.ref("fired"), "=", 0).execute();
        await db.schema
          .createTable("deliveries")
          .addColumn("id", "text", (c) => c.primaryKey())
          .addColumn("action", "text", (c) => c.notNull())
          .addColumn("channel_id", "text")
          .addColumn("channel_name", "text")
          .addColumn("automation_id", "text")
          .addColumn("automation_name", "text")
          .addColumn("flow_run_id", "text")
          .addColumn("event", "text", (c) => c.notNull())
          .addColumn("payload", "text", (c) => c.notNull())
          .addColumn("status", "text", (c) => c.notNull())
          .addColumn("attempts", "integer", (c) => c.notNull())
          .addColumn("max_attempts", "integer", (c) => c.notNull())
          .addColumn("next_attempt_at", "text")
          .addColumn("last_error", "text")
          .addColumn("created_at", "text", (c) => c.notNull())
          .addColumn("delivered_at", "text")
          .execute();
        // What the delivery loop claims (pending, or sending past its claim), and the lists the API shows.
        await db.schema
          .createIndex("deliveries_due")
          .on("deliveries")
          .column("next_attempt_at")
          .where(sql.ref("status"), "in", ["PENDING", "SENDING"])
          .execute();
        await db.schema.createIndex("deliveries_created").on("deliveries").columns(["created_at", "id"]).execute();
        await db.schema.createIndex("deliveries_run").on("deliveries").columns(["flow_run_id", "created_at"]).execute();
        await db.schema
          .createTable("server_settings")
          .addColumn("key", "text", (c) => c.primaryKey())
          .addColumn("value", "text", (c) => c.notNull())
          .execute();
      },
    },
    "0007-people": {
      async up(db: Kysely<any>) {
        await db.schema
          .createTable("users")
          .addColumn("id", "text", (c) => c.primaryKey())
          .addColumn("name", "text", (c) => c.notNull().unique())
          .addColumn("role", "text", (c) => c.notNull())
          .addColumn("groups", "text", (c) => c.notNull())
          .addColumn("email", "text")
          .addColumn("password_hash", "text")
          .addColumn("created_at", "text", (c) => c.notNull())
          .addColumn("updated_at", "text", (c) => c.notNull())
          .execute();
        await db.schema
          .createTable("api_keys")
          .addColumn("id", "text", (c) => c.primaryKey())
          .addColumn("name", "text", (c) => c.notNull())
          .addColumn("role", "text", (c) => c.notNull())
          .addColumn("user_id", "text")
          .addColumn("secret_hash", "text", (c) => c.notNull())
          .addColumn("created_at", "text", (c) => c.notNull())
          .addColumn("revoked_at", "text")
          .execute();
        await db.schema.createIndex("api_keys_user").on("api_keys").column("user_id").execute();
      },
    },
    "0007-respondents": {
      async up(db: Kysely<any>) {
        // Who started a run (excludeRunCreator), who an admin answered for, and a quorum pause's answers so far.
        await db.schema.alterTable("flow_runs").addColumn("created_by", "text").execute();
        await db.schema.alterTable("run_inputs").addColumn("on_behalf_of", "text").execute();
        await db.schema.alterTable("run_inputs").addColumn("answers", "text").execute();
      },
    },
    "0007-tamper-evident-audit": {
      async up(db: Kysely<any>) {
        await db.schema
          .createTable("audit_log")
          .addColumn("seq", dialect === "postgres" ? "bigint" : "integer", (c) => c.primaryKey())
          .addColumn("at", "text", (c) => c.notNull())
          .addColumn("actor", "text", (c) => c.notNull())
          .addColumn("action", "text", (c) => c.notNull())
          .addColumn("target", "text", (c) => c.notNull())
          .addColumn("details", "text", (c) => c.notNull())
          .addColumn("prev_hash", "text", (c) => c.notNull())
          .addColumn("hash", "text", (c) => c.notNull())
          .execute();
        await db.schema.createIndex("audit_log_target").on("audit_log").columns(["target", "seq"]).execute();
        await db.schema
          .createTable("audit_head")
          .addColumn("id", "integer", (c) => c.primaryKey())
          .addColumn("seq", dialect === "postgres" ? "bigint" : "integer", (c) => c.notNull())
          .addColumn("hash", "text", (c) => c.notNull())
          .execute();
        await db.insertInto("audit_head").values({ id: 1, seq: 0, hash: GENESIS_HASH }).execute();
      },
    },
    "0007-ui-sessions": {
      async up(db: Kysely<any>) {
        await db.schema
          .createTable("sessions")
          .addColumn("id_hash", "text", (c) => c.primaryKey())
          .addColumn("data", "text", (c) => c.notNull())
          .addColumn("expires_at", "text", (c) => c.notNull())
          .execute();
        await db.schema.createIndex("sessions_expires").on("sessions").column("expires_at").execute();
        // The secret that signs session cookies is kept in server_settings (0006-notifications).
      },
    },
    "0008-runs-by-worker": {
      async up(db: Kysely<any>) {
        // When a process's event stream closes, the runs it owns are found by their owner.
        await db.schema.createIndex("flow_runs_worker").on("flow_runs").column("worker_id").where("worker_id", "is not", null).execute();
      },
    },
    "0009-task-results": {
      async up(db: Kysely<any>) {
        // A result too large for its task run's row is kept here, one row per task run, and goes with it.
        await db.schema
          .createTable("task_results")
          .addColumn("task_run_id", "text", (c) => c.primaryKey().references("task_runs.id").onDelete("cascade"))
          .addColumn("bytes", "integer", (c) => c.notNull())
          .addColumn("data", dialect === "postgres" ? "bytea" : "blob", (c) => c.notNull())
          .execute();
        await db.schema.alterTable("task_runs").addColumn("result_bytes", "integer").execute();
      },
    },
    "0010-input-refusals": {
      async up(db: Kysely<any>) {
        // Answers the flow's own rules refused before the run resumed: read with the run's inputs.
        await db.schema
          .createTable("input_refusals")
          .addColumn("id", autoId(dialect), (c) => (dialect === "postgres" ? c.primaryKey() : c.primaryKey().autoIncrement()))
          .addColumn("flow_run_id", "text", (c) => c.notNull().references("flow_runs.id"))
          .addColumn("key", "text", (c) => c.notNull())
          .addColumn("value", "text", (c) => c.notNull())
          .addColumn("errors", "text", (c) => c.notNull())
          .addColumn("channel", "text", (c) => c.notNull())
          .addColumn("responded_by", "text")
          .addColumn("on_behalf_of", "text")
          .addColumn("refused_at", "text", (c) => c.notNull())
          .execute();
        await db.schema.createIndex("input_refusals_run").on("input_refusals").columns(["flow_run_id", "id"]).execute();
      },
    },
    "0011-run-messages": {
      async up(db: Kysely<any>) {
        // Messages (sendInput) and run inputs by key, numbered in the order they arrived.
        await db.schema
          .createTable("run_messages")
          .addColumn("seq", autoId(dialect), (c) => (dialect === "postgres" ? c.primaryKey() : c.primaryKey().autoIncrement()))
          .addColumn("flow_run_id", "text", (c) => c.notNull().references("flow_runs.id"))
          .addColumn("key", "text", (c) => c.notNull())
          .addColumn("value", "text", (c) => c.notNull())
          .addColumn("sender", "text")
          .addColumn("channel", "text", (c) => c.notNull())
          .addColumn("sent_by", "text")
          .addColumn("sent_at", "text", (c) => c.notNull())
          .addColumn("consumed_step", "text")
          .addColumn("consumed_at", "text")
          .addColumn("refusal", "text")
          .execute();
        // A key once per run; reading one by key.
        await db.schema.createIndex("run_messages_key").on("run_messages").columns(["flow_run_id", "key"]).unique().execute();
        // A run's messages in order (the API's list, the CLI's), and those still waiting for its receiver.
        await db.schema.createIndex("run_messages_run").on("run_messages").columns(["flow_run_id", "seq"]).execute();
        await db.schema
          .createIndex("run_messages_waiting")
          .on("run_messages")
          .columns(["flow_run_id", "seq"])
          .where(sql.ref("consumed_step"), "is", null)
          .execute();
        // What a receive step took, found again on replay; one message per step.
        await db.schema
          .createIndex("run_messages_step")
          .on("run_messages")
          .columns(["flow_run_id", "consumed_step"])
          .unique()
          .where(sql.ref("consumed_step"), "is not", null)
          .execute();
        await db.schema
          .createTable("run_receivers")
          .addColumn("flow_run_id", "text", (c) => c.notNull().references("flow_runs.id"))
          .addColumn("key_prefix", "text", (c) => c.notNull())
          .addColumn("schema", "text", (c) => c.notNull())
          .addColumn("description", "text")
          .addColumn("declared_at", "text", (c) => c.notNull())
          .addPrimaryKeyConstraint("run_receivers_pk", ["flow_run_id", "key_prefix"])
          .execute();
      },
    },
    "0012-inbox": {
      async up(db: Kysely<any>) {
        // A run's tags: the JSON array on the run (what a read returns), and one row per tag (what a filter finds by index).
        await db.schema.alterTable("flow_runs").addColumn("tags", "text").execute();
        await db.schema.alterTable("deployments").addColumn("tags", "text").execute();
        await db.schema
          .createTable("flow_run_tags")
          .addColumn("tag", "text", (c) => c.notNull())
          .addColumn("flow_run_id", "text", (c) => c.notNull().references("flow_runs.id"))
          .addPrimaryKeyConstraint("flow_run_tags_pk", ["tag", "flow_run_id"])
          .execute();
        // A person's comment with an answer, kept with it in the run's history.
        await db.schema.alterTable("run_inputs").addColumn("comment", "text").execute();
        // Runs of a deployment, for the inbox's and the runs list's filter.
        await db.schema.createIndex("flow_runs_deployment_created").on("flow_runs").columns(["deployment_name", "created_at", "id"]).execute();
      },
    },
    "0014-audit-pending": {
      async up(db: Kysely<any>) {
        // Entries are recorded here by the transactions that act, and chained into audit_log afterwards,
        // so that appends no longer lock the log's head (one at a time across every answer).
        await db.schema
          .createTable("audit_pending")
          .addColumn("id", autoId(dialect), (c) => (dialect === "postgres" ? c.primaryKey() : c.primaryKey().autoIncrement()))
          .addColumn("at", "text", (c) => c.notNull())
          .addColumn("actor", "text", (c) => c.notNull())
          .addColumn("action", "text", (c) => c.notNull())
          .addColumn("target", "text", (c) => c.notNull())
          .addColumn("details", "text", (c) => c.notNull())
          .execute();
      },
    },
    "0015-inbox-order": {
      async up(db: Kysely<any>) {
        // The inbox's sorts read the paused runs in order from these, instead of sorting every paused run
        // for one page: by when the run paused (newest, waiting longest), and by its timeout, none last.
        await db.schema.createIndex("flow_runs_state_since").on("flow_runs").columns(["state_type", "state_timestamp", "id"]).execute();
        await db.schema
          .createIndex("flow_runs_state_timeout")
          .on("flow_runs")
          .expression(sql`state_type, (pause_timeout_at is null), pause_timeout_at, id`)
          .execute();
      },
    },
  };
}

/** Brings the database up to the newest schema; safe to call from several servers at once on PostgreSQL. */
export function migrateToLatest(db: Kysely<any>, dialect: Dialect): Promise<void> {
  return migrate(db, dialect);
}

/**
 * Brings the database up to the migration named `last`, or to the newest one: tests make a database as an
 * older Baton left it, then migrate it.
 */
export async function migrate(db: Kysely<any>, dialect: Dialect, last?: string): Promise<void> {
  const migrator = new Migrator({
    db,
    provider: { getMigrations: async () => migrations(dialect) },
    migrationTableName: "baton_migrations",
    migrationLockTableName: "baton_migrations_lock",
  });
  const { error, results } = last === undefined ? await migrator.migrateToLatest() : await migrator.migrateTo(last);
  if (error) {
    const failed = results?.find((r) => r.status === "Error");
    throw new Error(`Database migration ${failed?.migrationName ?? ""} failed: ${String(error)}`, { cause: error });
  }
}

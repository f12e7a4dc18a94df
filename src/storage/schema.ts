import type { Generated } from "kysely";

/**
 * The tables, as Kysely sees them. The same schema and queries serve SQLite and PostgreSQL: JSON is
 * kept as text and times as ISO-8601 UTC text (fixed width, so they sort and compare as text).
 */
export interface Database {
  flows: FlowTable;
  flow_runs: FlowRunTable;
  flow_run_tags: FlowRunTagTable;
  deployments: DeploymentTable;
  flow_run_states: StateTable;
  task_runs: TaskRunTable;
  task_results: TaskResultTable;
  run_inputs: RunInputTable;
  input_refusals: InputRefusalTable;
  run_messages: RunMessageTable;
  run_receivers: RunReceiverTable;
  events: EventTable;
  event_cursors: EventCursorTable;
  logs: LogTable;
  users: UserTable;
  api_keys: ApiKeyTable;
  audit_log: AuditLogTable;
  audit_head: AuditHeadTable;
  audit_pending: AuditPendingTable;
  sessions: SessionTable;
  channels: ChannelTable;
  automations: AutomationTable;
  automation_timers: AutomationTimerTable;
  deliveries: DeliveryTable;
  server_settings: ServerSettingTable;
}

/** Flows by name, made on a flow's first run. */
export interface FlowTable {
  id: string;
  name: string;
  created_at: string;
}

/** Columns every row with a current state has. */
interface CurrentState {
  state_id: string;
  state_type: string;
  state_name: string;
  state_timestamp: string;
  state_message: string | null;
  state_details: string;
}

/** Flow runs, with their current state in the `state_*` columns. */
export interface FlowRunTable extends CurrentState {
  id: string;
  name: string;
  flow_id: string;
  flow_name: string;
  parameters: string;
  /** Copied from the current PAUSED state so that the expiry service finds due pauses by index. */
  pause_timeout_at: string | null;
  deployment_id: string | null;
  deployment_name: string | null;
  /** When a SCHEDULED run may be claimed. */
  scheduled_at: string | null;
  /** The process that runs (or waits in) this run; null when none does (suspended, scheduled). */
  worker_id: string | null;
  /** Last sign of life of that process; runs never heartbeated are not watched. */
  last_heartbeat_at: string | null;
  created_at: string;
  updated_at: string;
  start_time: string | null;
  end_time: string | null;
  /** Who started the run, when the server knew (sign-in required). */
  created_by: string | null;
  /** The run's tags as a JSON array; null for none (and for runs from before 0012). */
  tags: string | null;
}

/** One row per tag of a run, for the filter by tag. */
export interface FlowRunTagTable {
  tag: string;
  flow_run_id: string;
}

/** The state history of flow runs and (with `task_run_id`) of their task runs. */
export interface StateTable {
  id: string;
  flow_run_id: string;
  task_run_id: string | null;
  type: string;
  name: string;
  timestamp: string;
  message: string | null;
  details: string;
}

/** Task runs, with their current state and their result as JSON text. */
export interface TaskRunTable extends CurrentState {
  id: string;
  flow_run_id: string;
  name: string;
  task_key: string;
  result: string | null;
  /** Set when the result is in `task_results` instead of `result`: its size in bytes. */
  result_bytes: number | null;
  attempts: number;
  created_at: string;
  start_time: string | null;
  end_time: string | null;
}

/** Results too large for their task run's row: the JSON text as bytes (bytea on PostgreSQL, blob on SQLite). */
export interface TaskResultTable {
  task_run_id: string;
  bytes: number;
  data: Uint8Array;
}

/** Each pause of a run: its question and, once answered, the answer. */
/** Answers a flow's own rules refused before its run resumed (0010). */
export interface InputRefusalTable {
  id: Generated<number>;
  flow_run_id: string;
  key: string;
  /** The refused answer, JSON. */
  value: string;
  /** The messages, a JSON array of `{ path, message }`. */
  errors: string;
  channel: string;
  responded_by: string | null;
  on_behalf_of: string | null;
  refused_at: string;
}

export interface RunInputTable {
  flow_run_id: string;
  key: string;
  schema: string | null;
  initial_data: string | null;
  description: string | null;
  requested_at: string;
  timeout_at: string | null;
  response: string | null;
  responded_at: string | null;
  channel: string | null;
  responded_by: string | null;
  /** The person an admin answered for. */
  on_behalf_of: string | null;
  /** A quorum pause's answers so far, as a JSON array; null before the first. */
  answers: string | null;
  /** What the person who answered wrote with the answer. */
  comment: string | null;
}

/** Kept events, numbered by the database in the order written. */
export interface EventTable {
  id: Generated<number>;
  type: string;
  flow_run_id: string;
  occurred_at: string;
  payload: string;
}

/** The position of a named consumer of the events: the id of the last event it acted on. */
export interface EventCursorTable {
  consumer: string;
  last_event_id: number;
}

/** Log lines of runs, numbered by the database in the order written. */
export interface LogTable {
  id: Generated<number>;
  flow_run_id: string;
  task_run_id: string | null;
  level: string;
  message: string;
  timestamp: string;
}

/** Deployments that serving processes register. */
export interface DeploymentTable {
  id: string;
  name: string;
  flow_name: string;
  description: string | null;
  parameter_schema: string | null;
  created_at: string;
  updated_at: string;
  last_served_at: string | null;
  /** Its flow's tags, given to each of its runs, as a JSON array; null for none. */
  tags: string | null;
}

/** Where notifications go: a webhook, a Slack incoming webhook, or email addresses. */
export interface ChannelTable {
  id: string;
  name: string;
  type: string;
  url: string | null;
  /** JSON array of email addresses. */
  to_addresses: string;
  /** A webhook's signing secret. */
  secret: string | null;
  created_at: string;
}

/** Automations: a trigger and actions, as JSON text. */
export interface AutomationTable {
  id: string;
  name: string;
  description: string | null;
  enabled: number;
  trigger: string;
  actions: string;
  created_at: string;
  updated_at: string;
}

/** People who may sign in and answer; `groups` is a JSON array of names. */
export interface UserTable {
  id: string;
  name: string;
  role: string;
  groups: string;
  email: string | null;
  /** `scrypt$N$r$p$salt$hash` (base64url), or null for a user who signs in with API keys only. */
  password_hash: string | null;
  created_at: string;
  updated_at: string;
}

/** API keys: the secret is kept only as its scrypt hash, like a password. */
export interface ApiKeyTable {
  id: string;
  name: string;
  role: string;
  user_id: string | null;
  secret_hash: string;
  created_at: string;
  revoked_at: string | null;
}

/** The audit log: numbered without gaps, each entry's hash covering it and the hash before. */
export interface AuditLogTable {
  seq: number;
  at: string;
  actor: string;
  action: string;
  target: string;
  details: string;
  prev_hash: string;
  hash: string;
}

/** Audit entries recorded but not yet numbered and linked into the log (see AuditStore). */
export interface AuditPendingTable {
  id: Generated<number>;
  at: string;
  actor: string;
  action: string;
  target: string;
  details: string;
}

/** The last entry of the audit log, in one row: chainers lock it, so that they chain one after another. */
export interface AuditHeadTable {
  id: number;
  seq: number;
  hash: string;
}

/** Web UI sessions: keyed by the SHA-256 of the session id, so that reading the table gives no session away. */
export interface SessionTable {
  id_hash: string;
  data: string;
  expires_at: string;
}

/**
 * A "stays in a state longer than" trigger armed for one run: one row per automation, run and stay (the
 * pause key, or the state id), so that it fires once; `fired` is set by compare-and-set.
 */
export interface AutomationTimerTable {
  automation_id: string;
  flow_run_id: string;
  stay_key: string;
  due_at: string;
  fired: number;
}

/** Actions to carry out (notifications, run actions): stored first, then claimed, tried and retried. */
export interface DeliveryTable {
  id: string;
  action: string;
  channel_id: string | null;
  channel_name: string | null;
  automation_id: string | null;
  automation_name: string | null;
  flow_run_id: string | null;
  event: string;
  /** JSON: the notification message, or the run action. */
  payload: string;
  status: string;
  attempts: number;
  max_attempts: number;
  /** When it is due: its next try, or, while SENDING, when its claim lapses. */
  next_attempt_at: string | null;
  last_error: string | null;
  created_at: string;
  delivered_at: string | null;
}

/** Settings the servers of one database share: the generated secrets that sign answer links and session cookies. */
export interface ServerSettingTable {
  key: string;
  value: string;
}

/** Messages and run inputs by key sent to runs, in the order they arrived (`seq`). */
export interface RunMessageTable {
  seq: Generated<number>;
  flow_run_id: string;
  key: string;
  value: string;
  sender: string | null;
  channel: string;
  sent_by: string | null;
  sent_at: string;
  /** The receive step of the run that took it (its position among the run's receives); null while it waits. */
  consumed_step: string | null;
  consumed_at: string | null;
  /** The receiver's field errors, as JSON, when it refused the message. */
  refusal: string | null;
}

/** What a run receives under a key prefix: the JSON Schema messages are checked against when sent. */
export interface RunReceiverTable {
  flow_run_id: string;
  key_prefix: string;
  schema: string;
  description: string | null;
  declared_at: string;
}

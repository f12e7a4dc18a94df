import type { BatonEvent } from "../contract/index.ts";
import type { AuditStore } from "./audit-store.ts";
import type { AutomationStore } from "./automations-store.ts";
import type { ChannelStore } from "./channels-store.ts";
import type { DeliveryStore } from "./deliveries-store.ts";
import type { DeploymentStore } from "./deployments-store.ts";
import type { EventStore } from "./events-store.ts";
import type { FlowRunStore } from "./flow-runs-store.ts";
import type { LogStore } from "./logs-store.ts";
import type { MessageStore } from "./messages-store.ts";
import type { PeopleStore } from "./people-store.ts";
import type { RunInputStore } from "./run-inputs-store.ts";
import type { TaskRunStore } from "./task-runs-store.ts";

// Each group's interface, and the plain types it takes, is declared beside its SQL implementation.
export type { AuditStore, NewAuditEntry } from "./audit-store.ts";
export type { AutomationStore, AutomationTimer } from "./automations-store.ts";
export type { ChannelStore, StoredChannel } from "./channels-store.ts";
export type { DeliveryOutcome, DeliveryStore, StoredDelivery } from "./deliveries-store.ts";
export type { DeploymentStore, NewDeployment } from "./deployments-store.ts";
export type { EventStore, NewEvent, StoredEvent } from "./events-store.ts";
export type { FlowRunQuery, FlowRunStore, RunOwnership, RunStats, StateChange } from "./flow-runs-store.ts";
export type { LogStore } from "./logs-store.ts";
export type { MessageSelection, MessageStore, NewMessage } from "./messages-store.ts";
export type { PeopleStore, StoredApiKey, StoredUser } from "./people-store.ts";
export type { Response, RunInputStore } from "./run-inputs-store.ts";
export type { TaskRunFields, TaskRunStore } from "./task-runs-store.ts";

/** Which database a storage talks to. */
export type Dialect = "sqlite" | "postgres";

/** How a transaction is run. */
export interface TransactionOptions {
  /**
   * Where transactions queue for the one writer (SQLite), this one goes ahead of those queued: a person's
   * answer should not wait behind a burst of reports from processes running flows.
   */
  urgent?: boolean | undefined;
}

/**
 * What storage keeps, grouped by what it stores. On `Storage` each call is a statement of its own; on the
 * view a transaction hands its function, each call belongs to that transaction.
 */
export interface Stores {
  /** Flows, flow runs, their current state and state history, and the bookkeeping of who runs them. */
  readonly runs: FlowRunStore;
  /** Each pause's question, and its answer. */
  readonly inputs: RunInputStore;
  /** Messages and run inputs by key sent to runs, and what runs declare they receive. */
  readonly messages: MessageStore;
  /** Task runs with their states and results. */
  readonly tasks: TaskRunStore;
  /** Kept events (state changes, answers), and the positions of the consumers that read them. */
  readonly events: EventStore;
  /** Log lines of runs. */
  readonly logs: LogStore;
  /** Deployments that serving processes register. */
  readonly deployments: DeploymentStore;
  /** Users and API keys (their secrets as hashes). */
  readonly people: PeopleStore;
  /** The hash-chained audit log: appended to, never changed. */
  readonly audit: AuditStore;
  /** Where notifications go, and settings the servers share (the secret that signs answer links). */
  readonly channels: ChannelStore;
  /** Automations (a trigger and actions) and the timers of their "stays longer than" triggers. */
  readonly automations: AutomationStore;
  /** Notifications and run actions to carry out, with their attempts. */
  readonly deliveries: DeliveryStore;
}

/**
 * Tells the other servers on one database of the events this one publishes, and hands this server the
 * events they publish.
 */
export interface EventRelay {
  /** Announces events this server stored (or, for log lines, streamed) to the other servers. */
  announce(events: readonly BatonEvent[]): void;
  /** Stops listening; resolves once the relay's connection is closed. */
  stop(): Promise<void>;
}

/**
 * An open database, migrated to the newest schema: the storage port. The server knows storage only
 * through this interface; `openStorage` picks the backend (`sqlite/` or `postgres/`) once, at start-up.
 *
 * @example
 * const run = await storage.transaction(async (tx) => {
 *   if (!(await tx.runs.compareAndSetState(id, expectedStateId, { state }))) return undefined;
 *   return tx.events.insert([event]);
 * });
 */
export interface Storage extends Stores {
  readonly dialect: Dialect;
  /** Runs `fn` in one transaction; everything it writes through `tx` commits together or not at all. */
  transaction<T>(fn: (tx: Stores) => Promise<T>, options?: TransactionOptions): Promise<T>;
  /** Resolves when the database answers a query on Baton's tables; rejects with the database's error otherwise. */
  ping(): Promise<void>;
  /**
   * Starts sharing events with the other servers of this database, delivering theirs to `deliver`.
   * Absent where a database serves one server (SQLite).
   */
  relayEvents?(deliver: (events: BatonEvent[]) => void, onError: (e: unknown) => void): Promise<EventRelay>;
  close(): Promise<void>;
}

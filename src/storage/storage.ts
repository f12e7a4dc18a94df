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
export type { WaitingQuery, WaitingRuns } from "./waiting-runs-query.ts";
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
  /**
   * Sends a small message (a JSON value, under 7,000 bytes once encoded) to the other servers now, kept
   * nowhere; false when it is too large to send.
   */
  tell(message: unknown): boolean;
  /** Stops listening; resolves once the relay's connection is closed. */
  stop(): Promise<void>;
}

/**
 * An open database, migrated to the newest schema: the storage port. The server knows storage only
 * through this interface; `openStorage` picks the backend (`sqlite/` or `postgres/`) once, at start-up.
 *
 * @example
 * // The events are stored only if the run was still in state `expectedStateId`.
 * const stored = await storage.transaction((tx) => tx.runs.compareAndSetState(id, expectedStateId, { state }, { events: [event] }));
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
  relayEvents?(deliver: (events: BatonEvent[]) => void, onError: (e: unknown) => void, hear?: (message: unknown) => void): Promise<EventRelay>;
  close(): Promise<void>;
}

/** Errors of a connection to the database that broke or could not be made, rather than of a statement. */
const CONNECTION_ERRORS = new Set(["ECONNREFUSED", "ECONNRESET", "EPIPE", "ETIMEDOUT", "EHOSTUNREACH", "57P01", "57P02", "57P03"]);

/**
 * Whether `error` says that the database cannot be reached for now (PostgreSQL restarting, a connection it
 * ended, none to be had): the transaction was rolled back or never began, so the same request may be made
 * again in a moment. A failed COMMIT whose outcome is unknown is one of these too: what it wrote is either
 * all there or not at all, and the request's next try finds which.
 */
export function isDatabaseUnavailable(error: unknown): boolean {
  for (let e = error, depth = 0; e instanceof Error && depth < 5; e = e.cause, depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === "string" && (CONNECTION_ERRORS.has(code) || code.startsWith("08"))) return true;
    if (
      /^(Connection terminated|timeout exceeded when trying to connect|Client has encountered a connection error|Client was closed)/.test(e.message)
    )
      return true;
  }
  return false;
}

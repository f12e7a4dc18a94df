import type { Kysely, Transaction } from "kysely";
import type { BatonEvent } from "../contract/index.ts";
import { SqlAuditStore } from "./audit-store.ts";
import { SqlAutomationStore } from "./automations-store.ts";
import { SqlChannelStore } from "./channels-store.ts";
import { SqlDeliveryStore } from "./deliveries-store.ts";
import { SqlDeploymentStore } from "./deployments-store.ts";
import { SqlEventStore } from "./events-store.ts";
import { SqlFlowRunStore } from "./flow-runs-store.ts";
import { SqlLogStore } from "./logs-store.ts";
import { SqlMessageStore } from "./messages-store.ts";
import { SqlPeopleStore } from "./people-store.ts";
import { SqlRunInputStore } from "./run-inputs-store.ts";
import type { Database } from "./schema.ts";
import type { Dialect, EventRelay, Storage, Stores, TransactionOptions } from "./storage.ts";
import { SqlTaskRunStore } from "./task-runs-store.ts";

/** Either the database or a transaction on it: every SQL store runs its queries on one. */
export type Executor = Kysely<Database> | Transaction<Database>;

/**
 * The stores over one executor. Each group is made on first use: a transaction touches two or three of
 * them, and one is made per transaction.
 */
export class SqlStores implements Stores {
  readonly #db: Executor;
  #runs: SqlFlowRunStore | undefined;
  #inputs: SqlRunInputStore | undefined;
  #messages: SqlMessageStore | undefined;
  #tasks: SqlTaskRunStore | undefined;
  #events: SqlEventStore | undefined;
  #logs: SqlLogStore | undefined;
  #deployments: SqlDeploymentStore | undefined;
  #people: SqlPeopleStore | undefined;
  #audit: SqlAuditStore | undefined;
  readonly #dialectOfDb: Dialect;
  #channels: SqlChannelStore | undefined;
  #automations: SqlAutomationStore | undefined;
  #deliveries: SqlDeliveryStore | undefined;

  constructor(db: Executor, dialect: Dialect) {
    this.#db = db;
    this.#dialectOfDb = dialect;
  }

  get runs(): SqlFlowRunStore {
    return (this.#runs ??= new SqlFlowRunStore(this.#db, this.#dialectOfDb));
  }
  get inputs(): SqlRunInputStore {
    return (this.#inputs ??= new SqlRunInputStore(this.#db));
  }
  get messages(): SqlMessageStore {
    return (this.#messages ??= new SqlMessageStore(this.#db));
  }
  get tasks(): SqlTaskRunStore {
    return (this.#tasks ??= new SqlTaskRunStore(this.#db, this.#dialectOfDb));
  }
  get events(): SqlEventStore {
    return (this.#events ??= new SqlEventStore(this.#db));
  }
  get logs(): SqlLogStore {
    return (this.#logs ??= new SqlLogStore(this.#db));
  }
  get deployments(): SqlDeploymentStore {
    return (this.#deployments ??= new SqlDeploymentStore(this.#db));
  }
  get people(): SqlPeopleStore {
    return (this.#people ??= new SqlPeopleStore(this.#db));
  }
  get audit(): SqlAuditStore {
    return (this.#audit ??= new SqlAuditStore(this.#db, this.#dialectOfDb));
  }
  get channels(): SqlChannelStore {
    return (this.#channels ??= new SqlChannelStore(this.#db));
  }
  get automations(): SqlAutomationStore {
    return (this.#automations ??= new SqlAutomationStore(this.#db));
  }
  get deliveries(): SqlDeliveryStore {
    return (this.#deliveries ??= new SqlDeliveryStore(this.#db));
  }
}

/** What differs between the backends of `SqlStorage`: how transactions run, closing, and sharing events. */
export interface SqlBackend {
  /** Runs `fn` in a transaction, in a commit group: see `sqlite/group-commit.ts` and `postgres/group-commit.ts`. */
  transaction<T>(fn: (tx: Executor) => Promise<T>, options?: TransactionOptions): Promise<T>;
  close(): Promise<void>;
  relayEvents?(deliver: (events: BatonEvent[]) => void, onError: (e: unknown) => void, hear?: (message: unknown) => void): Promise<EventRelay>;
}

/**
 * `Storage` over a Kysely database of either dialect: the schema and the queries are the same, and what
 * is not (connections, transactions, sharing events) comes from the backend.
 */
export class SqlStorage extends SqlStores implements Storage {
  readonly dialect: Dialect;
  readonly #db: Kysely<Database>;
  readonly #backend: SqlBackend;
  readonly relayEvents: SqlBackend["relayEvents"];

  constructor(db: Kysely<Database>, dialect: Dialect, backend: SqlBackend) {
    super(db, dialect);
    this.#db = db;
    this.dialect = dialect;
    this.#backend = backend;
    this.relayEvents = backend.relayEvents;
  }

  transaction<T>(fn: (tx: Stores) => Promise<T>, options?: TransactionOptions): Promise<T> {
    return this.#backend.transaction((tx) => fn(new SqlStores(tx, this.dialect)), options);
  }

  async ping(): Promise<void> {
    await this.#db.selectFrom("flows").select("id").limit(1).execute();
  }

  close(): Promise<void> {
    return this.#backend.close();
  }
}

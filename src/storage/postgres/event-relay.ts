import { randomUUID } from "node:crypto";
import { sql, type Kysely } from "kysely";
import pg from "pg";
import type { BatonEvent } from "../../contract/index.ts";
import type { Database } from "../schema.ts";
import { SqlStores } from "../sql-storage.ts";
import type { EventRelay } from "../storage.ts";

const CHANNEL = "baton_events";
/** Event ids per notice: a payload must stay under PostgreSQL's 8,000 bytes. */
const IDS_PER_NOTICE = 500;

/** What one server tells the others: id ranges to read, never the events themselves (NOTIFY payloads are small). */
interface Notice {
  server: string;
  /** Ids of kept events (one transaction's few). */
  events?: number[];
  /** Log lines of one run with ids in [from, to]. */
  logs?: [flowRunId: string, from: number, to: number];
  /** A message kept nowhere (an answer to check, its verdict), carried whole. */
  message?: unknown;
  /** An event kept nowhere (id 0: a delivery's progress), carried whole. */
  event?: BatonEvent;
}

/** The largest message carried in a notice, leaving room for the rest of it under PostgreSQL's 8,000 bytes. */
const MAX_MESSAGE_BYTES = 7000;

/**
 * Lets several servers on one PostgreSQL share their events, so that a flow connected to one server
 * is woken by an answer given through another. Each server NOTIFYs the id ranges it wrote; the others
 * LISTEN, on a connection of their own outside the pool, read those rows, and hand them to `deliver`.
 */
export async function startEventRelay(
  databaseUrl: string,
  db: Kysely<Database>,
  deliver: (events: BatonEvent[]) => void,
  onError: (e: unknown) => void,
  hear: (message: unknown) => void = () => {},
): Promise<EventRelay> {
  const server = randomUUID();
  const stores = new SqlStores(db, "postgres");
  let client: pg.Client | undefined;
  let stopped = false;

  const notify = (notices: Omit<Notice, "server">[]) => {
    const payloads = notices.map((n) => JSON.stringify({ server, ...n }));
    return sql`select pg_notify(${CHANNEL}, p) from unnest(${payloads}::text[]) as p`.execute(db).catch(onError);
  };

  const receive = async (payload: string) => {
    const notice = JSON.parse(payload) as Notice;
    if (notice.server === server) return;
    if (notice.message !== undefined) hear(notice.message);
    if (notice.event) deliver([notice.event]);
    if (notice.events?.length) deliver(await stores.events.listByIds(notice.events));
    if (notice.logs) {
      const [run, from, to] = notice.logs;
      const rows = await stores.logs.list(run, from - 1, to - from + 1);
      deliver(
        rows.filter((l) => l.id <= to).map((l) => ({ id: l.id, type: "log" as const, flowRunId: l.flowRunId, occurredAt: l.timestamp, payload: l })),
      );
    }
  };

  const connect = async (): Promise<void> => {
    const c = new pg.Client({ connectionString: databaseUrl });
    c.on("notification", (m) => m.payload && receive(m.payload).catch(onError));
    c.on("error", (e) => {
      onError(e);
      if (client === c) client = undefined;
      c.end().catch(() => {});
      reconnect();
    });
    await c.connect();
    await c.query(`LISTEN ${CHANNEL}`);
    client = c;
  };
  // Every second until it is back (a restarting PostgreSQL refuses connections for a while).
  const reconnect = (): void => {
    if (!stopped)
      setTimeout(
        () =>
          void connect().catch((e) => {
            onError(e);
            reconnect();
          }),
        1000,
      ).unref();
  };
  await connect();

  // Notices are gathered over one turn of the event loop and sent in one statement: each NOTIFY is a
  // commit of its own, and PostgreSQL serializes the commits that notify.
  let pending: BatonEvent[] = [];
  const flush = () => {
    const events = pending;
    pending = [];
    const notices: Omit<Notice, "server">[] = [];
    const kept = events.filter((e) => e.type !== "log" && e.id !== 0).map((e) => e.id);
    for (const e of events) if (e.type !== "log" && e.id === 0) notices.push({ event: e });
    for (let i = 0; i < kept.length; i += IDS_PER_NOTICE) notices.push({ events: kept.slice(i, i + IDS_PER_NOTICE) });
    const logsByRun = new Map<string, number[]>();
    for (const e of events) if (e.type === "log") logsByRun.set(e.flowRunId, [...(logsByRun.get(e.flowRunId) ?? []), e.id]);
    for (const [run, ids] of logsByRun) notices.push({ logs: [run, Math.min(...ids), Math.max(...ids)] });
    if (notices.length) void notify(notices);
  };

  return {
    announce(events) {
      if (!pending.length) setImmediate(flush);
      pending.push(...events);
    },
    tell(message) {
      const payload = JSON.stringify(message);
      if (Buffer.byteLength(payload) > MAX_MESSAGE_BYTES) return false;
      void notify([{ message }]);
      return true;
    },
    async stop() {
      stopped = true;
      await client?.end().catch(() => {});
    },
  };
}

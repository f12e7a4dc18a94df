import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from "prom-client";
import { StateType, type Channel } from "../contract/index.ts";
import type { Storage } from "../storage/storage.ts";
import { authorize } from "./authorize.ts";
import type { EventBus } from "./event-bus.ts";
import type { RequestCaller } from "./request-caller.ts";

/** Seconds: from a few milliseconds (an answer handled) to a week (a person's wait). */
const LATENCY_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
const WAIT_BUCKETS = [1, 10, 60, 300, 900, 3600, 4 * 3600, 86400, 3 * 86400, 7 * 86400];

/** How a delivery's attempt ended: delivered, put off for a retry, or failed for good. */
export type DeliveryOutcome = "delivered" | "retry" | "failed";

/** How a run was recovered after its process went away. */
export type Recovery = { cause: "disconnect" | "heartbeat"; outcome: "suspended" | "rescheduled" | "crashed" };

/**
 * `GET /api/metrics` in Prometheus' text format (prom-client), and what the services report to it. Each
 * server has its own registry: counters and histograms are this server's; the gauges of runs are read
 * from the database at each scrape, so every server of one database reports the same values (take
 * `max` across servers, not `sum`). README "Metrics" lists the series.
 */
export class MetricsService {
  readonly #registry = new Registry();
  readonly #answers: Counter<"channel" | "suspended">;
  readonly #answerSeconds: Histogram<"suspended">;
  readonly #waitedSeconds: Histogram<"suspended">;
  readonly #claims: Counter;
  readonly #claimDelay: Histogram;
  readonly #recoveries: Counter<"cause" | "outcome">;
  readonly #deliveryAttempts: Counter<"action" | "outcome">;
  readonly #deliverySeconds: Histogram<"action">;

  constructor(storage: Storage, bus: EventBus, streams: () => { total: number; processes: number }) {
    const registers = [this.#registry];
    collectDefaultMetrics({ register: this.#registry, prefix: "baton_" });
    this.#answers = new Counter({
      name: "baton_answers_total",
      help: "Answers accepted (a paused run resumed), by channel, and whether the run was suspended.",
      labelNames: ["channel", "suspended"],
      registers,
    });
    this.#answerSeconds = new Histogram({
      name: "baton_answer_duration_seconds",
      help: "From an answer's request to its run resumed: validated, committed and pushed to the waiting process.",
      labelNames: ["suspended"],
      buckets: LATENCY_BUCKETS,
      registers,
    });
    this.#waitedSeconds = new Histogram({
      name: "baton_wait_for_person_seconds",
      help: "How long an answered run had waited for its answer.",
      labelNames: ["suspended"],
      buckets: WAIT_BUCKETS,
      registers,
    });
    this.#claims = new Counter({ name: "baton_claims_total", help: "Runs claimed by serving processes.", registers });
    this.#claimDelay = new Histogram({
      name: "baton_resume_claim_delay_seconds",
      help: "From an answer to a suspended run to a serving process claiming it (answer -> replay starts).",
      buckets: LATENCY_BUCKETS,
      registers,
    });
    this.#recoveries = new Counter({
      name: "baton_recovered_runs_total",
      help: "Runs recovered after their process went away: its event stream closed (disconnect) or it went silent (heartbeat).",
      labelNames: ["cause", "outcome"],
      registers,
    });
    this.#deliveryAttempts = new Counter({
      name: "baton_delivery_attempts_total",
      help: "Attempts at deliveries (notifications and automations' run actions) by this server, by action and outcome.",
      labelNames: ["action", "outcome"],
      registers,
    });
    this.#deliverySeconds = new Histogram({
      name: "baton_delivery_attempt_duration_seconds",
      help: "How long each attempt at a delivery took: a slow endpoint shows here before it times out.",
      labelNames: ["action"],
      buckets: LATENCY_BUCKETS,
      registers,
    });
    new Gauge({
      name: "baton_deliveries_due",
      help: "Deliveries due now and not being sent (the whole database): a backlog that grows means they are not keeping up.",
      registers,
      async collect() {
        this.set(await storage.deliveries.countDue(new Date().toISOString()));
      },
    });
    new Gauge({
      name: "baton_event_streams",
      help: "Open event streams on this server; of them, those held by processes running flows.",
      labelNames: ["holder"],
      registers,
      collect() {
        const { total, processes } = streams();
        this.set({ holder: "process" }, processes);
        this.set({ holder: "other" }, total - processes);
      },
    });
    new Gauge({
      name: "baton_event_listeners",
      help: "Subscriptions to this server's event bus (streams, and waits inside the server).",
      registers,
      collect() {
        this.set(bus.listenerCount);
      },
    });
    // Read once per scrape, however many series use them.
    let stats: ReturnType<Storage["runs"]["stats"]> | undefined;
    const readStats = () => (stats ??= storage.runs.stats().finally(() => setImmediate(() => (stats = undefined))));
    new Gauge({
      name: "baton_flow_runs",
      help: "Runs in each state (the whole database).",
      labelNames: ["state"],
      registers,
      async collect() {
        const { byState } = await readStats();
        for (const state of StateType.options) this.set({ state }, byState[state] ?? 0);
      },
    });
    new Gauge({
      name: "baton_runs_waiting_for_person",
      help: "Paused runs waiting for an answer: live (a process waits in them) or suspended (no process).",
      labelNames: ["suspended"],
      registers,
      async collect() {
        const { waiting } = await readStats();
        this.set({ suspended: "false" }, waiting.live.count);
        this.set({ suspended: "true" }, waiting.suspended.count);
      },
    });
    new Gauge({
      name: "baton_oldest_wait_for_person_seconds",
      help: "How long the run that has waited longest for an answer has waited (0: none waits).",
      labelNames: ["suspended"],
      registers,
      async collect() {
        const { waiting } = await readStats();
        for (const [suspended, w] of [
          ["false", waiting.live],
          ["true", waiting.suspended],
        ] as const)
          this.set({ suspended }, w.oldestSince ? Math.max(0, (Date.now() - Date.parse(w.oldestSince)) / 1000) : 0);
      },
    });
  }

  /** The metrics, in Prometheus' text format, with its content type. */
  async render(caller: RequestCaller): Promise<{ contentType: string; body: string }> {
    authorize(caller, "metrics:read", { type: "server" });
    return { contentType: this.#registry.contentType, body: await this.#registry.metrics() };
  }

  /** An answer was accepted `seconds` after its request arrived, for a run paused since `pausedAt`. */
  answered(channel: Channel, suspended: boolean, seconds: number, pausedAt: string): void {
    const labels = { suspended: String(suspended) };
    this.#answers.inc({ channel, ...labels });
    this.#answerSeconds.observe(labels, seconds);
    this.#waitedSeconds.observe(labels, Math.max(0, (Date.now() - Date.parse(pausedAt)) / 1000));
  }

  /** A serving process claimed runs; `resumedAt` holds, for each replayed after an answer, when it was answered. */
  claimed(count: number, resumedAt: string[]): void {
    this.#claims.inc(count);
    for (const at of resumedAt) this.#claimDelay.observe(Math.max(0, (Date.now() - Date.parse(at)) / 1000));
  }

  recovered({ cause, outcome }: Recovery): void {
    this.#recoveries.inc({ cause, outcome });
  }

  /** An attempt at a delivery of `action` (notify, cancel-run, ...) ended with `outcome` after `seconds`. */
  deliveryAttempted(action: string, outcome: DeliveryOutcome, seconds: number): void {
    this.#deliveryAttempts.inc({ action, outcome });
    this.#deliverySeconds.observe({ action }, seconds);
  }
}

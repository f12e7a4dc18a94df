import type { Automation, FlowRun, State } from "../../contract/index.ts";
import type { Storage, StoredDelivery, StoredEvent, Stores } from "../../storage/storage.ts";
import { automationEventsOf, matchesFilters, stayKeyOf, timerFor } from "../automation-rules.ts";
import { now } from "../clock.ts";
import type { DeliveryService } from "../delivery-service.ts";
import type { EventBus } from "../event-bus.ts";
import { startEventConsumer } from "./event-consumer.ts";
import { oneAtATime } from "./one-at-a-time.ts";

/** The running automations. */
export interface AutomationRunner {
  /** Acts on the events kept so far and the timers due now; resolves when done. */
  poll(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * Runs the automations: an event consumer (its position kept in the database, so that with several
 * servers one acts on each event, and none is lost across a restart) that queues the deliveries of the
 * automations an event triggers and arms the timers of "stays longer than" triggers; and a loop that fires
 * due timers, each once (compare-and-set in the transaction that queues its deliveries), and only if the
 * run is still where it was.
 */
export function startAutomations(
  storage: Storage,
  deliveries: DeliveryService,
  options: { bus?: EventBus | undefined; intervalMs?: number | undefined; onError(e: unknown): void },
): AutomationRunner {
  let queued: StoredDelivery[] = [];
  const consumer = startEventConsumer(storage, {
    name: "automations",
    bus: options.bus,
    intervalMs: options.intervalMs,
    onError: options.onError,
    handle: async (events, tx) => {
      queued = await actOnEvents(events, tx, deliveries);
    },
    afterCommit: () => {
      if (queued.length) deliveries.queued(queued);
      queued = [];
    },
  });
  const timers = oneAtATime(async () => {
    for (let n = 100; n === 100; ) n = await fireDueTimers(storage, deliveries);
  });
  const timer = setInterval(() => {
    if (!timers.busy) timers.run().catch(options.onError);
  }, options.intervalMs ?? 1000);
  timer.unref();
  return {
    async poll() {
      await consumer.poll();
      await timers.run();
    },
    async stop() {
      clearInterval(timer);
      await consumer.stop();
      await timers.idle();
    },
  };
}

/** Queues the deliveries of the automations these events trigger, and arms timers; resolves with the deliveries. */
async function actOnEvents(events: StoredEvent[], tx: Stores, deliveries: DeliveryService): Promise<StoredDelivery[]> {
  const automations = await tx.automations.list({ enabledOnly: true });
  if (!automations.length) return [];
  // An event without a state of its own (a refused answer) is told with the run's state when it is planned.
  const work: { automation: Automation; event: string; runId: string; state: State | undefined }[] = [];
  const timers = [];
  for (const e of events) {
    if (e.type !== "flow-run.state-changed" && e.type !== "flow-run.input-rejected") continue;
    const { flowName, deploymentName, tags } = e.payload;
    const state = e.type === "flow-run.state-changed" ? e.payload.state : undefined;
    const names = automationEventsOf(e);
    for (const a of automations) {
      if (!matchesFilters(a, flowName, deploymentName, tags)) continue;
      if (a.trigger.type === "event") {
        const t = a.trigger;
        for (const name of names) if (t.events.includes(name)) work.push({ automation: a, event: name, runId: e.flowRunId, state });
      } else if (state) {
        const armed = timerFor(a, e.flowRunId, state);
        if (armed) timers.push(armed);
      }
    }
  }
  await tx.automations.armTimers(timers);
  if (!work.length) return [];
  const runs = await runsById(
    tx,
    work.map((w) => w.runId),
  );
  const queued: StoredDelivery[] = [];
  for (const w of work) {
    const run = runs.get(w.runId);
    if (run) queued.push(...(await deliveries.plan(tx, w.automation, w.event, run, w.state ?? run.state)));
  }
  return queued;
}

/** Fires the timers due now, in one transaction; resolves with how many were due. */
async function fireDueTimers(storage: Storage, deliveries: DeliveryService): Promise<number> {
  const queued: StoredDelivery[] = [];
  // A read first: most looks find nothing due, and need no transaction.
  if (!(await storage.automations.dueTimers(now(), 1)).length) return 0;
  const due = await storage.transaction(async (tx) => {
    const due = await tx.automations.dueTimers(now(), 100);
    if (!due.length) return 0;
    const automations = new Map((await tx.automations.list()).map((a) => [a.id, a]));
    const runs = await runsById(
      tx,
      due.map((t) => t.flowRunId),
    );
    for (const t of due) {
      if (!(await tx.automations.fireTimer(t))) continue; // another server fired it
      const a = automations.get(t.automationId);
      const run = runs.get(t.flowRunId);
      // Fired either way: a run that moved on, or an automation turned off, ends the timer.
      if (!a?.enabled || !run || a.trigger.type !== "stays" || run.state.type !== a.trigger.state || stayKeyOf(run.state) !== t.stayKey) continue;
      queued.push(...(await deliveries.plan(tx, a, `flow-run.stayed-${run.state.type.toLowerCase()}`, run, run.state)));
    }
    return due.length;
  });
  if (queued.length) deliveries.queued(queued);
  return due;
}

async function runsById(tx: Stores, ids: string[]): Promise<Map<string, FlowRun>> {
  const unique = [...new Set(ids)];
  const runs = await tx.runs.list({ ids: unique, limit: unique.length });
  return new Map(runs.map((r) => [r.id, r]));
}

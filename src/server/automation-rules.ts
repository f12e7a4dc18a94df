import { parseDuration } from "../contract/duration.ts";
import { isSuspended, type Automation, type AutomationEvent, type State, type StateType } from "../contract/index.ts";
import type { AutomationTimer, StoredEvent } from "../storage/storage.ts";

/** The automation events a kept event stands for (none for an answer: its state change says `resumed`). */
export function automationEventsOf(e: StoredEvent): AutomationEvent[] {
  if (e.type === "flow-run.input-rejected") return ["flow-run.input-rejected"];
  if (e.type !== "flow-run.state-changed") return [];
  const { state, previousType } = e.payload;
  const out: AutomationEvent[] = [];
  if (state.type === "PAUSED") {
    if (previousType !== "PAUSED") out.push("flow-run.paused");
    if (isSuspended(state)) out.push("flow-run.suspended");
    return out;
  }
  if (previousType === "PAUSED" && (state.type === "RUNNING" || state.type === "SCHEDULED")) out.push("flow-run.resumed");
  const own: Partial<Record<StateType, AutomationEvent>> = {
    RUNNING: "flow-run.running",
    SCHEDULED: "flow-run.scheduled",
    COMPLETED: "flow-run.completed",
    FAILED: "flow-run.failed",
    CRASHED: "flow-run.crashed",
    CANCELLED: "flow-run.cancelled",
  };
  if (own[state.type]) out.push(own[state.type]!);
  return out;
}

/** Whether a run of `flowName` (of `deploymentName`, with `tags`) passes the trigger's filters; a run passes `tags` with any one of them. */
export function matchesFilters(a: Automation, flowName: string, deploymentName: string | null, tags: readonly string[] = []): boolean {
  const t = a.trigger;
  if (t.flowName?.length && !t.flowName.includes(flowName)) return false;
  if (t.deploymentName?.length && !(deploymentName && t.deploymentName.includes(deploymentName))) return false;
  if (t.tags?.length && !tags.some((tag) => t.tags!.includes(tag))) return false;
  return true;
}

/**
 * What a run must still be in for a "stays" timer to fire: its pause (by key) when PAUSED, so that a
 * pause that turns into a suspend is the same stay; else the state itself.
 */
export function stayKeyOf(state: State): string {
  return state.type === "PAUSED" ? `pause:${state.details.pauseKey ?? ""}` : `state:${state.id}`;
}

/** The timer a "stays" automation arms when a run enters `state`; undefined when the trigger is of another kind or state. */
export function timerFor(a: Automation, flowRunId: string, state: State): AutomationTimer | undefined {
  const t = a.trigger;
  if (t.type !== "stays" || t.state !== state.type) return undefined;
  const seconds = parseDuration(t.for);
  return { automationId: a.id, flowRunId, stayKey: stayKeyOf(state), dueAt: new Date(Date.parse(state.timestamp) + seconds * 1000).toISOString() };
}

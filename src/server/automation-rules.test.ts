import assert from "node:assert/strict";
import { test } from "node:test";
import type { Automation, State, StateType } from "../contract/index.ts";
import type { StoredEvent } from "../storage/storage.ts";
import { automationEventsOf, matchesFilters, stayKeyOf, timerFor } from "./automation-rules.ts";

const state = (type: StateType, details: State["details"] = {}, id = "s1"): State => ({
  id,
  type,
  name: type,
  timestamp: "2026-01-01T00:00:00.000Z",
  message: null,
  details,
});
const changed = (to: State, previousType: StateType | null): StoredEvent => ({
  id: 1,
  type: "flow-run.state-changed",
  flowRunId: "run-1",
  occurredAt: to.timestamp,
  payload: { state: to, previousType, flowName: "expense", deploymentName: null },
});

test("a run that starts waiting is paused; one whose wait becomes a suspend is suspended, not paused again; an answer is resumed", () => {
  assert.deepEqual(automationEventsOf(changed(state("PAUSED", { pauseKey: "1" }), "RUNNING")), ["flow-run.paused"]);
  assert.deepEqual(automationEventsOf(changed(state("PAUSED", { pauseKey: "1", suspended: true }), "RUNNING")), [
    "flow-run.paused",
    "flow-run.suspended",
  ]);
  assert.deepEqual(automationEventsOf(changed(state("PAUSED", { pauseKey: "1", suspended: true }), "PAUSED")), ["flow-run.suspended"]);
  assert.deepEqual(automationEventsOf(changed(state("RUNNING"), "PAUSED")), ["flow-run.resumed", "flow-run.running"]);
  assert.deepEqual(automationEventsOf(changed(state("FAILED"), "RUNNING")), ["flow-run.failed"]);
});

test("a stays timer is keyed by the pause, so that turning it into a suspend keeps one timer; filters narrow by flow and deployment", () => {
  const a = {
    id: "a1",
    trigger: { type: "stays", state: "PAUSED", for: "4h", flowName: ["expense"] },
    enabled: true,
  } as unknown as Automation;
  const live = state("PAUSED", { pauseKey: "approval" }, "s1");
  const suspended = state("PAUSED", { pauseKey: "approval", suspended: true }, "s2");
  assert.equal(stayKeyOf(live), stayKeyOf(suspended));
  assert.deepEqual(timerFor(a, "run-1", live), {
    automationId: "a1",
    flowRunId: "run-1",
    stayKey: "pause:approval",
    dueAt: "2026-01-01T04:00:00.000Z",
  });
  assert.equal(timerFor(a, "run-1", state("RUNNING")), undefined);
  assert.ok(matchesFilters(a, "expense", null));
  assert.ok(!matchesFilters(a, "other", null));
});

test("a trigger's tags match a run with any one of them; a run without tags (or an event kept before tags) matches none", () => {
  const a = {
    id: "a1",
    trigger: { type: "event", events: ["flow-run.paused"], tags: ["urgent", "team:finance"] },
  } as unknown as Automation;
  assert.ok(matchesFilters(a, "expense", null, ["team:finance"]));
  assert.ok(!matchesFilters(a, "expense", null, ["team:ops"]));
  assert.ok(!matchesFilters(a, "expense", null));
  assert.ok(matchesFilters({ ...a, trigger: { type: "event", events: ["flow-run.paused"] } } as Automation, "expense", null));
});

import assert from "node:assert/strict";
import { test } from "node:test";
import { now } from "./clock.ts";

test("times taken in a burst stay in order and do not run ahead of the clock", () => {
  const before = Date.now();
  const times = Array.from({ length: 5000 }, () => now());
  const after = Date.now();
  assert.deepEqual([...times].sort(), times, "text order is time order");
  assert.equal(new Set(times).size, times.length, "no two are equal");
  // 5,000 calls may fill a few milliseconds' 1,000 slots, but not drift by thousands of milliseconds.
  assert.ok(Date.parse(times.at(-1)!) <= after + 5, `${times.at(-1)} is ahead of ${new Date(after).toISOString()}`);
  assert.ok(Date.parse(times[0]!) >= before);
  assert.match(times[0]!, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/);
});

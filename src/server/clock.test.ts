import assert from "node:assert/strict";
import { test } from "node:test";
import { advanceClock, now, nowMs, resetClock, systemNow } from "./clock.ts";

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

test("advanceClock moves the server's time forward and resetClock brings it back, while systemNow stays on the system clock", () => {
  const week = 7 * 86400_000;
  try {
    advanceClock(week);
    const ahead = Date.parse(now());
    assert.ok(Math.abs(ahead - (Date.now() + week)) < 1000, `${new Date(ahead).toISOString()} is a week ahead`);
    assert.ok(Math.abs(nowMs() - (Date.now() + week)) < 1000);
    assert.ok(Math.abs(Date.parse(systemNow()) - Date.now()) < 1000, "signs of life keep the system time");
    assert.throws(() => advanceClock(-1), RangeError);
  } finally {
    resetClock();
  }
  const back = now();
  assert.ok(Math.abs(Date.parse(back) - Date.now()) < 1000, `${back} is back in step`);
  assert.match(back, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/);
  assert.ok(now() > back, "and still increasing");
});

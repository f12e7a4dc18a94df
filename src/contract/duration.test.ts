import assert from "node:assert/strict";
import { test } from "node:test";
import { ConfigError } from "./errors.ts";
import { parseDuration } from "./duration.ts";

test("durations read as a person writes them", () => {
  assert.equal(parseDuration(90), 90);
  assert.equal(parseDuration("90s"), 90);
  assert.equal(parseDuration("15m"), 900);
  assert.equal(parseDuration("1h30m"), 5400);
  assert.equal(parseDuration("7d"), 604800);
  assert.equal(parseDuration("500ms"), 0.5);
});

test("a duration that is not one is refused with an example of the right form", () => {
  for (const bad of ["", "soon", "15 minutes", "-5m", "0s", "1h x"]) assert.throws(() => parseDuration(bad), ConfigError, bad);
  assert.throws(() => parseDuration(0), /positive number of seconds/);
  assert.throws(() => parseDuration("soon"), /"15m"/);
});

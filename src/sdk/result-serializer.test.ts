import assert from "node:assert/strict";
import { test } from "node:test";
import { decodeResult, encodeResult, UnserializableResultError } from "./result-serializer.ts";

const roundTrip = (v: unknown) => decodeResult(JSON.parse(JSON.stringify(encodeResult(v, "t"))));

test("JSON values are kept as they are", () => {
  const v = { a: 1, b: ["x", true, null], c: { d: 2.5 } };
  assert.deepEqual(encodeResult(v, "t"), v);
  assert.deepEqual(roundTrip(v), v);
});

test("Date, Map, Set, BigInt, undefined and non-finite numbers come back as they were", () => {
  const v = {
    when: new Date("2026-11-26T10:00:00.000Z"),
    counts: new Map<unknown, unknown>([
      ["a", 1n],
      [2, new Set([undefined, Number.NaN])],
    ]),
    big: 12345678901234567890n,
    nothing: undefined,
    inf: -Infinity,
    list: [undefined, 1],
  };
  assert.deepEqual(roundTrip(v), v);
  assert.equal(roundTrip(undefined), undefined);
});

test("an object that itself has a $baton key is not mistaken for a tag", () => {
  const v = { $baton: "Date", value: "not a date" };
  assert.deepEqual(roundTrip(v), v);
});

test("functions, class instances and cycles are refused with the path to the value", () => {
  assert.throws(
    () => encodeResult({ f: () => 1 }, "load"),
    (e: unknown) => e instanceof UnserializableResultError && /result\.f/.test(e.message) && /"load"/.test(e.message),
  );
  class Money {
    amount = 1;
  }
  assert.throws(() => encodeResult([new Money()], "t"), /an instance of Money at result\[0\]/);
  const cycle: Record<string, unknown> = {};
  cycle.self = cycle;
  assert.throws(() => encodeResult(cycle, "t"), /circular reference at result\.self/);
});

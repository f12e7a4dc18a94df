import assert from "node:assert/strict";
import { test } from "node:test";
import { JSON_LIMITS, jsonLimitBreach } from "./request-limits.ts";

test("a body within the limits passes, and a breach is named by its JSON Pointer, with ~ and / escaped", () => {
  assert.equal(jsonLimitBreach({ a: [1, "x", { b: null }], c: true }), undefined);
  const long = "x".repeat(JSON_LIMITS.stringLength + 1);
  assert.deepEqual(jsonLimitBreach({ ok: 1, "a/b": { "c~d": ["fine", long] } }), {
    path: "/a~1b/c~0d/1",
    message: `is a text longer than ${JSON_LIMITS.stringLength} characters`,
  });
  assert.equal(jsonLimitBreach(long)?.path, "");
  let deep: unknown = 1;
  for (let i = 0; i < JSON_LIMITS.depth + 1; i++) deep = { n: deep };
  assert.equal(jsonLimitBreach(deep)?.path, "/n".repeat(JSON_LIMITS.depth));
  assert.deepEqual(jsonLimitBreach({ [long]: 1 }), {
    path: `/${long}`,
    message: `is a field name longer than ${JSON_LIMITS.stringLength} characters`,
  });
  assert.match(jsonLimitBreach({ list: new Array(JSON_LIMITS.arrayItems + 1).fill(0) })!.message, /more than 10000 items/);
  assert.equal(jsonLimitBreach({ many: Object.fromEntries(Array.from({ length: 1001 }, (_, i) => [`k${i}`, i])) })?.path, "/many");
});

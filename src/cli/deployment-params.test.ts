import assert from "node:assert/strict";
import { test } from "node:test";
import { InvalidArgumentError } from "commander";
import { collectParam, mergeParameters, ParamsNotJsonObjectError, parseParamValue } from "./deployment-params.ts";

test("a --param value is JSON when it reads as JSON, else the text as typed", () => {
  assert.equal(parseParamValue("42"), 42);
  assert.equal(parseParamValue("true"), true);
  assert.equal(parseParamValue("null"), null);
  assert.equal(parseParamValue('"42"'), "42");
  assert.deepEqual(parseParamValue('{"a":1}'), { a: 1 });
  assert.equal(parseParamValue("Ada Lovelace"), "Ada Lovelace");
  assert.equal(parseParamValue(""), "");
});

test("--param splits at the first =, and is refused without a key or an =", () => {
  assert.deepEqual(collectParam("query=a=b", collectParam("n=1")), [
    ["n", 1],
    ["query", "a=b"],
  ]);
  assert.deepEqual(collectParam("empty="), [["empty", ""]]);
  assert.throws(() => collectParam("amount"), InvalidArgumentError);
  assert.throws(() => collectParam("=5"), InvalidArgumentError);
});

test("--param wins over --params, and the later --param over the earlier", () => {
  const merged = mergeParameters('{"amount":5,"note":"taxi"}', [
    ["note", "lunch"],
    ["amount", 7],
    ["amount", 8],
  ]);
  assert.deepEqual(merged, { amount: 8, note: "lunch" });
  assert.deepEqual(mergeParameters(undefined, []), {});
});

test("a key named __proto__ is kept as a parameter, not made the object's prototype", () => {
  const merged = mergeParameters(undefined, [["__proto__", { polluted: true }]]);
  assert.equal(Object.getPrototypeOf(merged), Object.prototype);
  assert.equal(JSON.stringify(merged), '{"__proto__":{"polluted":true}}');
});

test("--params must be a JSON object", () => {
  for (const bad of ["[1]", "42", "null", '"x"', "{amount: 1}"]) assert.throws(() => mergeParameters(bad, []), ParamsNotJsonObjectError, bad);
});

import assert from "node:assert/strict";
import { test } from "node:test";
import { compileSchema, UnusableSchemaError, validateInput } from "./input-validation.ts";

const order = {
  type: "object",
  properties: {
    size: { type: "string", enum: ["small", "large"] },
    qty: { type: "integer", minimum: 1, default: 1 },
    note: { type: "object", properties: { text: { type: "string" } }, required: ["text"], additionalProperties: false },
  },
  required: ["size"],
  additionalProperties: false,
};

test("an answer missing fields with defaults is completed from the defaults", () => {
  assert.deepEqual(validateInput(order, { size: "small" }), { ok: true, value: { size: "small", qty: 1 } });
});

test("each wrong field gets one error at its JSON pointer", () => {
  const r = validateInput(order, { qty: 0, extra: true, note: {} });
  assert.equal(r.ok, false);
  assert.deepEqual(!r.ok && r.errors.sort((a, b) => a.path.localeCompare(b.path)), [
    { path: "/extra", message: '"extra" is not a field of this form' },
    { path: "/note/text", message: "note.text is required" },
    { path: "/qty", message: "qty must be at least 1" },
    { path: "/size", message: "size is required" },
  ]);
});

test("an omitted answer to a primitive question without a default is refused; with a default it is used", () => {
  assert.equal(validateInput({ type: "number" }, undefined).ok, false);
  assert.deepEqual(validateInput({ type: "number", default: 3 }, undefined), { ok: true, value: 3 });
  assert.deepEqual(validateInput({ type: "number" }, 42), { ok: true, value: 42 });
  assert.equal(validateInput({ type: "number" }, "42").ok, false); // no coercion: a string is not a number
});

test("the caller's input object is not changed by filling defaults", () => {
  const input = { size: "large" };
  validateInput(order, input);
  assert.deepEqual(input, { size: "large" });
});

test("a pattern runs on RE2: the classic catastrophic backtracking case answers at once", () => {
  const schema = { type: "string", pattern: "^(a+)+$" };
  const started = performance.now();
  assert.equal(validateInput(schema, `${"a".repeat(27)}!`).ok, false);
  assert.equal(validateInput(schema, `${"a".repeat(100_000)}!`).ok, false);
  assert.ok(performance.now() - started < 500, "linear time, not seconds");
  assert.equal(validateInput(schema, "aaa").ok, true);
});

test("a schema Baton cannot check answers with is refused when compiled, saying why", () => {
  const refused = (schema: Record<string, unknown>) => assert.throws(() => compileSchema(schema), UnusableSchemaError);
  refused({ type: "string", pattern: "^a(?=b)" }); // lookahead: not RE2
  refused({ type: "string", format: "fancy" }); // unknown format, nothing checks it
  refused({ $id: "#not#an#id" });
  refused({ type: "strin" });
  assert.throws(() => compileSchema({ type: "string", pattern: "(a)\\1" }), /RE2.*backreferences/);
  assert.throws(() => compileSchema({ type: "string", format: "fancy" }), /unknown format "fancy"/);
  // Zod's own formats come with the pattern that checks them: accepted, and the pattern decides.
  assert.equal(validateInput({ type: "string", format: "cuid", pattern: "^[cC][0-9a-z]{6,}$" }, "c123abcd").ok, true);
  assert.equal(validateInput({ type: "string", format: "cuid", pattern: "^[cC][0-9a-z]{6,}$" }, "x").ok, false);
  // Keywords AJV does not know (a flow's own annotations) are no reason to refuse.
  assert.equal(validateInput({ type: "string", "x-label": "Name" }, "Ada").ok, true);
});

test("schemas with the same $id never collide, however many the server has seen", () => {
  const victim = { $id: "urn:example:victim", type: "object", properties: { ok: { type: "boolean" } }, required: ["ok"] };
  assert.equal(validateInput(victim, { ok: true }).ok, true);
  for (let i = 0; i < 1100; i++) compileSchema({ $id: `urn:example:other-${i}`, type: "object", properties: { [`f${i}`]: { type: "string" } } });
  assert.equal(validateInput(victim, { ok: true }).ok, true);
  assert.equal(validateInput(victim, {}).ok, false);
  // Another schema under the same $id is its own question.
  const other = { $id: "urn:example:victim", type: "object", properties: { n: { type: "number" } }, required: ["n"] };
  assert.equal(validateInput(other, { n: 1 }).ok, true);
  assert.equal(validateInput(victim, { ok: false }).ok, true);
});

test("uniqueItems is checked in linear time, with keys in any order counting as the same object", () => {
  const schema = { type: "array", uniqueItems: true };
  const started = performance.now();
  assert.equal(
    validateInput(
      schema,
      Array.from({ length: 10_000 }, (_, i) => ({ a: i, b: [i] })),
    ).ok,
    true,
  );
  assert.ok(performance.now() - started < 300, `took ${Math.round(performance.now() - started)} ms`);
  assert.deepEqual(validateInput(schema, [{ a: 1, b: 2 }, { c: 1 }, { b: 2, a: 1 }]), {
    ok: false,
    errors: [{ path: "", message: "The answer must not list the same item twice (items 1 and 3 are the same)" }],
  });
  assert.equal(validateInput(schema, [1, "1", [1], { 1: 1 }, null, false]).ok, true);
  assert.equal(validateInput({ ...schema, uniqueItems: false }, [1, 1]).ok, true);
});

import assert from "node:assert/strict";
import { test } from "node:test";
import { validateInput } from "./input-validation.ts";

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
    { path: "/extra", message: "is not a field of this form" },
    { path: "/note/text", message: "is required" },
    { path: "/qty", message: "must be >= 1" },
    { path: "/size", message: "is required" },
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

import assert from "node:assert/strict";
import { after, test } from "node:test";
import { isCompiled } from "./input-validation.ts";
import { SchemaChecker } from "./schema-checker.ts";

const checker = new SchemaChecker();
after(() => checker.close());

/** A schema of `n` fields, each with a counted pattern: its compile time grows with `n`. */
function fields(n: number, tag: string): Record<string, unknown> {
  const properties = Object.fromEntries(Array.from({ length: n }, (_, i) => [`f${i}`, { type: "string", pattern: `^${tag}[a-z]{1,${50 + i}}$` }]));
  return { type: "object", properties, required: ["f0"] };
}

test("a form's schema is compiled on the server's thread after the worker's bounded compile, and its answers are checked there", async () => {
  const schema = { type: "object", properties: { size: { type: "string", enum: ["S", "M"] } }, required: ["size"] };
  assert.equal(isCompiled(schema), false);
  await checker.requireUsable(schema, "pause 1", "/inputRequest/schema");
  assert.equal(isCompiled(schema), true, "compiled here too: its answers need no hand-over to the worker");
  assert.deepEqual(await checker.validate(schema, { size: "S" }), { ok: true, value: { size: "S" } });
  assert.deepEqual(await checker.validate(schema, { size: "XL" }), { ok: false, errors: [{ path: "/size", message: "size must be one of: S, M" }] });
});

test("a schema that takes the worker long to compile stays the worker's: answers are still checked, the same way", async () => {
  const schema = fields(150, "x");
  await checker.requireUsable(schema, "pause 2", "/inputRequest/schema");
  assert.equal(isCompiled(schema), false, "not compiled on the server's thread");
  assert.deepEqual(await checker.validate(schema, { f0: "xab" }), { ok: true, value: { f0: "xab" } });
  const refused = await checker.validate(schema, { f0: "yab" });
  assert.equal(refused.ok, false);
  assert.equal(isCompiled(schema), false);
});

test("a schema first seen in an answer (a question kept from before) is compiled then, and a bad one is refused with its reason", async () => {
  const schema = { type: "object", properties: { n: { type: "integer", minimum: 1 } } };
  assert.deepEqual(await checker.validate(schema, { n: 0 }), { ok: false, errors: [{ path: "/n", message: "n must be at least 1" }] });
  const bad = await checker.validate({ type: "string", pattern: "^(?=a)" }, "a");
  assert.equal(bad.ok, false);
  assert.match((bad as { errors: { message: string }[] }).errors[0]!.message, /cannot be used to check answers: .*RE2/);
});

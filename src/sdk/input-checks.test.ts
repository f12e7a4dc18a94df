import assert from "node:assert/strict";
import { test } from "node:test";
import { z } from "zod";
import { hasRulesBeyondJsonSchema } from "./input-checks.ts";
import { RunInput, toInputRequest } from "./run-input.ts";

test("a schema whose JSON Schema says all of it needs no process to check its answers; any rule beyond does", () => {
  const plain = {
    "an object of plain fields": z.object({ approved: z.boolean(), comment: z.string().min(1).max(200).trim() }),
    "bounded numbers and integers": z.object({ n: z.number().min(0).lt(10), i: z.int().positive().optional() }),
    "enums, literals, unions, nullables and defaults": z.object({
      size: z.enum(["S", "M"]).default("M"),
      kind: z.union([z.literal("a"), z.literal("b")]),
      note: z.string().nullable(),
    }),
    "lists and tuples": z.object({ tags: z.array(z.string()).max(5), pair: z.tuple([z.string(), z.number()]) }),
    "a strict object": z.strictObject({ ok: z.boolean() }),
  };
  for (const [what, schema] of Object.entries(plain)) assert.equal(hasRulesBeyondJsonSchema(schema), false, what);
  const beyond = {
    "a refinement": z.string().refine((s) => s !== "x"),
    "a superRefine on the object": z.object({ a: z.number(), b: z.number() }).superRefine(() => {}),
    "a nested refinement": z.object({ lines: z.array(z.object({ sku: z.string().refine(() => true) })) }),
    "a transform": z.object({ n: z.string().transform(Number) }),
    "a pattern": z.object({ code: z.string().regex(/^[A-Z]{3}$/) }),
    "a string format": z.object({ email: z.email() }),
    "a URL": z.object({ site: z.url() }),
    "a coercion": z.object({ n: z.coerce.number() }),
    "a JavaScript date": z.object({ at: z.date() }),
    "a recursive schema": z.object({ children: z.lazy(() => z.array(z.string())) }),
    "a record": z.record(z.string(), z.number()),
  };
  for (const [what, schema] of Object.entries(beyond)) assert.equal(hasRulesBeyondJsonSchema(schema), true, what);
});

test("a pause names its schema (schemaId) only when it has rules beyond its JSON Schema", () => {
  assert.equal(toInputRequest(z.object({ name: z.string() })).schemaId, undefined);
  assert.match(toInputRequest(RunInput.from(z.object({ n: z.number().refine((n) => n % 2 === 0) }))).schemaId!, /^sha256-[0-9a-f]{32}$/);
});

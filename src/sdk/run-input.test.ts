import assert from "node:assert/strict";
import { test } from "node:test";
import { z } from "zod";
import { RunInput, toInputRequest } from "./run-input.ts";

const Person = RunInput.from(z.object({ name: z.string(), age: z.number().int().min(0) }));

test("the question is the JSON Schema of the Zod schema, extra fields forbidden", () => {
  const { schema, description } = toInputRequest(Person);
  assert.equal(schema.type, "object");
  assert.deepEqual(schema.required, ["name", "age"]);
  assert.equal(schema.additionalProperties, false);
  assert.equal(description, null);
});

test("initial data become the fields' defaults and no longer have to be sent", () => {
  const req = toInputRequest(Person.withInitialData({ name: "anonymous" }, { description: "Who are you?" }));
  const props = req.schema.properties as Record<string, { default?: unknown }>;
  assert.equal(props.name?.default, "anonymous");
  assert.deepEqual(req.schema.required, ["age"]);
  assert.deepEqual(req.initialData, { name: "anonymous" });
  assert.equal(req.description, "Who are you?");
  // The original input type is unchanged.
  assert.deepEqual(toInputRequest(Person).schema.required, ["name", "age"]);
});

test("a primitive schema asks for a bare value", () => {
  assert.equal(toInputRequest(z.number()).schema.type, "number");
  assert.deepEqual(toInputRequest(z.enum(["a", "b"])).schema.enum, ["a", "b"]);
});

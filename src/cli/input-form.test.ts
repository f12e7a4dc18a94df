import assert from "node:assert/strict";
import { test } from "node:test";
import { z } from "zod";
import { RunInput, toInputRequest } from "../sdk/run-input.ts";
import { askForInput, formFields, type FormField } from "./input-form.ts";

const Order = RunInput.from(
  z.object({
    name: z.string().min(1).describe("Your name"),
    size: z.enum(["small", "medium", "large"]),
    quantity: z.number().int().min(1).max(10),
    price: z.number().gt(0),
    gift: z.boolean().default(false),
    note: z.string().nullable().optional(),
    tags: z.array(z.string()),
  }),
);

test("each property of a pause's object schema becomes one question, in order, of the matching kind", () => {
  const fields = formFields(toInputRequest(Order));
  assert.deepEqual(
    fields.map((f) => [f.key, f.kind, f.required]),
    [
      ["name", "text", true],
      ["size", "choice", true],
      ["quantity", "integer", true],
      ["price", "number", true],
      ["gift", "boolean", false],
      ["note", "text", false],
      ["tags", "json", true],
    ],
  );
  const byKey = Object.fromEntries(fields.map((f) => [f.key, f]));
  assert.equal(byKey.name!.description, "Your name");
  assert.equal(byKey.name!.minLength, 1);
  assert.deepEqual(byKey.size!.choices, ["small", "medium", "large"]);
  assert.equal(byKey.quantity!.minimum, 1);
  assert.equal(byKey.quantity!.maximum, 10);
  assert.equal(byKey.price!.exclusiveMinimum, 0);
  assert.equal(byKey.gift!.default, false);
  assert.equal(byKey.note!.nullable, true);
  assert.equal(byKey.note!.type, "string | null");
});

test("the form starts at the pause's initial data, and a field with a starting value need not be answered", () => {
  const [name] = formFields(toInputRequest(Order.withInitialData({ name: "anonymous" })));
  assert.equal(name!.default, "anonymous");
  assert.equal(name!.required, false);
});

test("an integer's safe-integer range is no bound worth showing", () => {
  const [count] = formFields(toInputRequest(z.object({ count: z.number().int() })));
  assert.equal(count!.minimum, undefined);
  assert.equal(count!.maximum, undefined);
});

test("a pause that asks for one bare value has one unnamed question, answered with the bare value", async () => {
  const fields = formFields(toInputRequest(z.number().int().positive()));
  assert.deepEqual(
    fields.map((f) => [f.key, f.kind, f.required, f.exclusiveMinimum]),
    [[null, "integer", true, 0]],
  );
  assert.equal(await askForInput(fields, async () => 42), 42);
});

test("a literal is a choice of one, and `anyOf [X, null]` is X that may be null", () => {
  const [lit, maybe] = formFields({
    schema: {
      type: "object",
      properties: { lit: { const: "yes" }, maybe: { anyOf: [{ type: "integer", minimum: 0 }, { type: "null" }] } },
    },
  });
  assert.deepEqual([lit!.kind, lit!.choices], ["choice", ["yes"]]);
  assert.deepEqual([maybe!.kind, maybe!.nullable, maybe!.minimum], ["integer", true, 0]);
});

test("answers are put together by field, and fields left out are not sent", async () => {
  const fields = formFields(toInputRequest(Order));
  const answers: Record<string, unknown> = { name: "Ada", size: "large", quantity: 2, price: 9.5, gift: undefined, note: null, tags: ["x"] };
  const asked: string[] = [];
  const input = await askForInput(fields, async (f: FormField) => {
    asked.push(f.key!);
    return answers[f.key!];
  });
  assert.deepEqual(asked, Object.keys(answers));
  assert.deepEqual(input, { name: "Ada", size: "large", quantity: 2, price: 9.5, note: null, tags: ["x"] });
});

test("a pause that asks nothing has no questions, and the answer is no input at all", async () => {
  assert.deepEqual(formFields(null), []);
  assert.deepEqual(formFields(toInputRequest(z.object({}))), []);
  assert.equal(await askForInput([], async () => assert.fail("nothing to ask")), undefined);
});

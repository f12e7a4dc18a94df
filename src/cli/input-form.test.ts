import assert from "node:assert/strict";
import { test } from "node:test";
import { z } from "zod";
import { RunInput, toInputRequest } from "../sdk/run-input.ts";
import { type Asker, askAgain, askForInput, formFields, type FormField } from "./input-form.ts";

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
      ["tags", "list", true],
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
  assert.equal(await askForInput(fields, scripted({ Answer: 42 })), 42);
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
  const answers: Record<string, unknown> = { name: "Ada", size: "large", quantity: 2, price: 9.5, gift: undefined, note: null };
  const asker = scripted(answers, { tags: ["add", "done"] }, { "tags › item 1": "x" });
  const input = await askForInput(fields, asker);
  assert.deepEqual(asker.asked, [...Object.keys(answers), "tags", "tags › item 1", "tags"]);
  assert.deepEqual(input, { name: "Ada", size: "large", quantity: 2, price: 9.5, note: null, tags: ["x"] });
});

test("a pause that asks nothing has no questions, and the answer is no input at all", async () => {
  assert.deepEqual(formFields(null), []);
  assert.deepEqual(formFields(toInputRequest(z.object({}))), []);
  assert.equal(await askForInput([], scripted({})), undefined);
});

const Address = z.object({ street: z.string(), zip: z.string().meta({ title: "ZIP" }) }).meta({ id: "Address", title: "Address" });
const Shipment = z.object({
  to: Address,
  from: Address.optional(),
  lines: z.array(z.object({ sku: z.string(), qty: z.number().int().min(1).default(1) })).min(1),
  tags: z.array(z.string()).optional(),
  when: z.iso.date(),
});

test("groups and lists are read field by field at every depth, shared ($ref) ones too; a recursive schema is asked as JSON", () => {
  const [to, from, lines, tags, when] = formFields(toInputRequest(Shipment));
  assert.deepEqual(
    [to!.kind, to!.label, to!.fields!.map((f) => [f.key, f.label, f.kind])],
    [
      "object",
      "to",
      [
        ["street", "street", "text"],
        ["zip", "ZIP", "text"],
      ],
    ],
  );
  assert.deepEqual([from!.kind, from!.required], ["object", false]);
  assert.deepEqual([lines!.kind, lines!.minItems, lines!.item!.kind, lines!.item!.fields!.map((f) => f.key)], ["list", 1, "object", ["sku", "qty"]]);
  assert.deepEqual([tags!.kind, tags!.item!.kind], ["list", "text"]);
  assert.deepEqual([when!.kind, when!.format], ["text", "date"]);
  const Node: z.ZodType = z.object({
    name: z.string(),
    get children() {
      return z.array(Node).optional();
    },
  });
  const [tree] = formFields(toInputRequest(z.object({ tree: Node })));
  assert.equal(tree!.kind, "object");
  assert.equal(tree!.fields![1]!.item!.kind, "json");
});

test("a nested form is asked field by field: a group's fields, list items added and removed, an optional group skipped", async () => {
  const fields = formFields(toInputRequest(Shipment));
  const asker = scripted(
    {
      "to › street": "1 Main St",
      "to › ZIP": "12345",
      "lines › item 1 › sku": "A",
      "lines › item 1 › qty": 2,
      "lines › item 2 › sku": "B",
      "lines › item 2 › qty": 1,
      when: "2026-03-01",
    },
    { lines: ["add", "add", { remove: 0 }, "done"], tags: ["done"] },
    {},
    { "Fill in from?": false },
  );
  const input = await askForInput(fields, asker);
  assert.deepEqual(input, { to: { street: "1 Main St", zip: "12345" }, lines: [{ sku: "B", qty: 1 }], when: "2026-03-01" });
});

test("asked again, only the refused fields are asked, each from what was answered, and every other answer is kept", async () => {
  const fields = formFields(toInputRequest(Shipment));
  const answer = {
    to: { street: "1 Main St", zip: "1" },
    lines: [
      { sku: "A", qty: 1 },
      { sku: "", qty: 1 },
    ],
    when: "2026-03-01",
  };
  const asker = scripted({ "to › ZIP": "12345", "lines › item 2 › sku": "B" });
  const again = await askAgain(fields, answer, ["/to/zip", "/lines/1/sku"], asker);
  assert.deepEqual(asker.asked, ["to › ZIP", "lines › item 2 › sku"]);
  assert.deepEqual(asker.started, ["1", ""]);
  assert.deepEqual(again, {
    to: { street: "1 Main St", zip: "12345" },
    lines: [
      { sku: "A", qty: 1 },
      { sku: "B", qty: 1 },
    ],
    when: "2026-03-01",
  });
  // A list refused as a whole (too few items) is asked again as a list; an error at the root asks everything.
  const list = scripted({}, { lines: ["done"] });
  await askAgain(fields, answer, ["/lines"], list);
  assert.deepEqual(list.asked, ["lines"]);
});

/** An asker that answers from a script by the question's name, and notes what it was asked and where each question started. */
function scripted(
  values: Record<string, unknown>,
  lists: Record<string, ("add" | "done" | { remove: number })[]> = {},
  more: Record<string, unknown> = {},
  confirms: Record<string, boolean> = {},
): Asker & { asked: string[]; started: unknown[] } {
  const all = { ...values, ...more };
  const asked: string[] = [];
  const started: unknown[] = [];
  return {
    asked,
    started,
    async value(_field: FormField, name: string, current: unknown) {
      asked.push(name);
      started.push(current);
      if (!(name in all)) assert.fail(`unexpected question "${name}"`);
      return all[name];
    },
    async confirm(message: string) {
      if (!(message in confirms)) assert.fail(`unexpected confirm "${message}"`);
      return confirms[message]!;
    },
    async listStep(_field: FormField, name: string) {
      asked.push(name);
      const step = lists[name]?.shift();
      if (!step) assert.fail(`no more steps for list "${name}"`);
      return step;
    },
  };
}

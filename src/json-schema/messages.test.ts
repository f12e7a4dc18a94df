import assert from "node:assert/strict";
import { test } from "node:test";
import { z } from "zod";
import { toJsonSchema } from "../sdk/run-input.ts";
import { validateInput } from "../server/input-validation.ts";
import { describeFormat, formatHint } from "./messages.ts";

/** The messages the server's check gives for `answer` to a form made from the Zod schema `schema`, by path. */
function messages(schema: z.ZodType, answer: unknown): Record<string, string> {
  const r = validateInput(toJsonSchema(schema), answer);
  assert.equal(r.ok, false, `expected ${JSON.stringify(answer)} to be refused`);
  return Object.fromEntries(!r.ok ? r.errors.map((e) => [e.path, e.message]) : []);
}

test("a missing field is named by its title, else by its key: one message each", () => {
  const schema = z.object({ name: z.string().meta({ title: "Your name" }), age: z.number() });
  assert.deepEqual(messages(schema, {}), { "/name": "Your name is required", "/age": "age is required" });
});

test("each string format Zod writes as format + pattern gives one message in words, never the pattern", () => {
  const formats: [z.ZodType, string, string][] = [
    [z.email(), "ada@", "must be a valid email address"],
    [z.url(), "not a url", "must be a valid URL"],
    [z.uuid(), "123", "must be a valid UUID"],
    [z.iso.date(), "2026-02-30", "must be a valid date (YYYY-MM-DD)"],
    [z.iso.datetime(), "2026-01-01 10:30", "must be a valid date and time (YYYY-MM-DDTHH:MM:SSZ)"],
    [z.ipv4(), "1.2.3", "must be a valid IPv4 address"],
    [z.ipv6(), "::g", "must be a valid IPv6 address"],
    [z.cuid(), "x", "must be a valid CUID"],
    [z.ulid(), "x", "must be a valid ULID"],
    [z.e164(), "555", "must be a valid phone number (+ and country code, e.g. +14155550123)"],
    [z.base64(), "!!", "must be a valid Base64 text"],
  ];
  for (const [field, bad, words] of formats) {
    const got = messages(z.object({ field: field.meta({ title: "Field" }) }), { field: bad });
    assert.deepEqual(got, { "/field": `Field ${words}` }, JSON.stringify(toJsonSchema(field)));
    assert.doesNotMatch(got["/field"]!, /[\^$\\[]/);
  }
});

test("a pattern without a format says the value does not match, without showing the regex", () => {
  const schema = z.object({ code: z.string().regex(/^[A-Z]{3}$/), time: z.iso.time() });
  assert.deepEqual(messages(schema, { code: "ab", time: "25:00" }), {
    "/code": "code does not match the expected pattern",
    "/time": "time does not match the expected pattern",
  });
});

test("lengths, bounds and multiples say the bound", () => {
  const schema = z.object({
    nick: z.string().min(2).max(5),
    note: z.string().min(1),
    qty: z.number().int().min(1).max(10),
    price: z.number().gt(0).lt(100).multipleOf(0.5),
    step: z.number().multipleOf(5),
  });
  assert.deepEqual(messages(schema, { nick: "a", note: "", qty: 0, price: 0, step: 7 }), {
    "/nick": "nick must be at least 2 characters long",
    "/note": "note must not be empty",
    "/qty": "qty must be at least 1",
    "/price": "price must be more than 0",
    "/step": "step must be a multiple of 5",
  });
  assert.deepEqual(messages(schema, { nick: "abcdef", note: "x", qty: 11, price: 100, step: 5 }), {
    "/nick": "nick must be at most 5 characters long",
    "/qty": "qty must be at most 10",
    "/price": "price must be less than 100",
  });
  assert.deepEqual(messages(z.object({ c: z.string().max(1) }), { c: "ab" }), { "/c": "c must be at most one character long" });
});

test("wrong types are said as a person reads them", () => {
  const schema = z.object({ t: z.string(), n: z.number(), i: z.number().int(), b: z.boolean(), l: z.array(z.string()), o: z.object({}) });
  assert.deepEqual(messages(schema, { t: 1, n: "1", i: 1.5, b: "yes", l: {}, o: [] }), {
    "/t": "t must be text",
    "/n": "n must be a number",
    "/i": "i must be a whole number",
    "/b": "b must be true or false",
    "/l": "l must be a list",
    "/o": "o must be a group of fields",
  });
});

test("enums list the choices, literals the value", () => {
  const schema = z.object({ size: z.enum(["small", "medium", "large"]).meta({ title: "Size" }), ok: z.literal("yes"), n: z.literal([1, 2]) });
  assert.deepEqual(messages(schema, { size: "XL", ok: "no", n: 3 }), {
    "/size": "Size must be one of: small, medium, large",
    "/ok": "ok must be yes",
    "/n": "n must be one of: 1, 2",
  });
});

test("nested fields are named by their path, or their title; a missing nested field by its own name", () => {
  const schema = z.object({
    address: z.object({ zip: z.string().length(5), city: z.string().meta({ title: "City" }) }).meta({ title: "Address" }),
  });
  assert.deepEqual(messages(schema, { address: { zip: "1" } }), {
    "/address/zip": "address.zip must be at least 5 characters long",
    "/address/city": "City is required",
  });
  assert.deepEqual(messages(schema, {}), { "/address": "Address is required" });
});

test("a field that is not in the form is named by its key", () => {
  assert.deepEqual(messages(z.object({ a: z.string().optional(), o: z.object({}) }), { extra: 1, o: { deeper: 2 } }), {
    "/extra": '"extra" is not a field of this form',
    "/o/deeper": '"deeper" is not a field of this form',
  });
});

test("items of lists are named with their place; list sizes and duplicates are said", () => {
  const schema = z.object({
    lines: z
      .array(z.object({ sku: z.string().meta({ title: "SKU" }), qty: z.number().min(1) }))
      .min(1)
      .meta({ title: "Order lines" }),
    tags: z.array(z.email()).max(2),
    ids: z.array(z.number()).min(2),
  });
  assert.deepEqual(messages(schema, { lines: [{ sku: "a", qty: 1 }, { qty: 0 }], tags: ["x@y.org", "nope"], ids: [1] }), {
    "/lines/1/sku": "SKU in item 2 of Order lines is required",
    "/lines/1/qty": "qty in item 2 of Order lines must be at least 1",
    "/tags/1": "Item 2 of tags must be a valid email address",
    "/ids": "ids must have at least 2 items",
  });
  assert.deepEqual(messages(schema, { lines: [], tags: ["a@b.org", "c@d.org", "e@f.org"], ids: [1, 2] }), {
    "/lines": "Order lines must have at least one item",
    "/tags": "tags must have at most 2 items",
  });
  assert.deepEqual(validateInput({ type: "array", uniqueItems: true }, [1, 2, 1]), {
    ok: false,
    errors: [{ path: "", message: "The answer must not list the same item twice (items 1 and 3 are the same)" }],
  });
});

test("a nullable field speaks for its value, not its null branch: one message, with the title of the whole", () => {
  const schema = z.object({
    when: z.iso.datetime().nullable().meta({ title: "When" }),
    contact: z.email().nullable().optional(),
    count: z.number().min(1).nullable(),
  });
  assert.deepEqual(messages(schema, { when: "tomorrow", contact: "x", count: 0 }), {
    "/when": "When must be a valid date and time (YYYY-MM-DDTHH:MM:SSZ)",
    "/contact": "contact must be a valid email address",
    "/count": "count must be at least 1",
  });
  assert.deepEqual(messages(schema, { when: 5, count: null }), { "/when": "When must be text or empty" });
});

test("a shared ($ref) schema is followed for titles and errors, nullable or not", () => {
  const Address = z.object({ zip: z.string().length(5).meta({ title: "ZIP code" }) }).meta({ id: "Address", title: "Address" });
  const schema = z.object({ home: Address, work: Address.nullable() });
  const json = toJsonSchema(schema);
  assert.match(JSON.stringify(json), /\$ref/);
  assert.deepEqual(messages(schema, { home: { zip: 1 }, work: { zip: "1" } }), {
    "/home/zip": "ZIP code must be text",
    "/work/zip": "ZIP code must be at least 5 characters long",
  });
  assert.deepEqual(messages(schema, { home: { zip: "12345" }, work: 3 }), { "/work": "Address must be a group of fields or empty" });
});

test("a discriminated union speaks for the branch of the answer's tag; an unknown tag lists the tags", () => {
  const schema = z.object({
    pay: z.discriminatedUnion("method", [
      z.object({ method: z.literal("card"), number: z.string().min(12).meta({ title: "Card number" }) }),
      z.object({ method: z.literal("invoice"), email: z.email().meta({ title: "Billing email" }) }),
    ]),
  });
  assert.deepEqual(messages(schema, { pay: { method: "invoice", email: "no" } }), { "/pay/email": "Billing email must be a valid email address" });
  assert.deepEqual(messages(schema, { pay: { method: "card" } }), { "/pay/number": "Card number is required" });
  assert.deepEqual(messages(schema, { pay: { method: "cash" } }), { "/pay/method": "pay.method must be one of: card, invoice" });
  assert.deepEqual(messages(schema, { pay: {} }), { "/pay/method": "pay.method is required" });
});

test("a union says the types it takes when the value is none of them, else speaks for the branch of the value's type", () => {
  const schema = z.object({ id: z.union([z.string(), z.number()]), v: z.union([z.object({ a: z.string() }), z.array(z.string())]) });
  assert.deepEqual(messages(schema, { id: true, v: 3 }), { "/id": "id must be text or a number", "/v": "v must be a group of fields or a list" });
  assert.deepEqual(messages(schema, { id: 1, v: [1] }), { "/v/0": "Item 1 of v must be text" });
  assert.deepEqual(messages(schema, { id: 1, v: {} }), { "/v/a": "v.a is required" });
});

test("records and tuples name their entries", () => {
  const schema = z.object({ stock: z.record(z.string(), z.number().min(0)), pair: z.tuple([z.string(), z.number()]) });
  assert.deepEqual(messages(schema, { stock: { apples: -1 }, pair: ["a", "b"] }), {
    "/stock/apples": "stock.apples must be at least 0",
    "/pair/1": "Item 2 of pair must be a number",
  });
  assert.deepEqual(messages(schema, { stock: {}, pair: ["a", 1, 2] }), { "/pair": "pair must have at most 2 items" });
});

test("a bare value is 'The answer'", () => {
  assert.deepEqual(messages(z.number().min(3), 1), { "": "The answer must be at least 3" });
  assert.deepEqual(messages(z.enum(["a", "b"]), "c"), { "": "The answer must be one of: a, b" });
});

test("formats are named in words with their typing hint where there is one", () => {
  assert.equal(describeFormat("email"), "email address");
  assert.equal(describeFormat("x-custom"), "x-custom");
  assert.equal(formatHint("date"), "YYYY-MM-DD");
  assert.equal(formatHint("date-time"), "YYYY-MM-DDTHH:MM:SSZ");
  assert.equal(formatHint("email"), undefined);
  assert.equal(formatHint(undefined), undefined);
});

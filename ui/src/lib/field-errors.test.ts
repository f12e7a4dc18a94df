import assert from "node:assert/strict";
import { test } from "node:test";
import { fieldErrorsOf, fieldLabel, type FormError, formErrorsInWords, pointerToPath, propertyKeys, toErrorTree } from "./field-errors.ts";

test("a 422's JSON pointers land on the nested fields react-jsonschema-form shows them on", () => {
  const tree = toErrorTree([
    { path: "/size", message: 'must be one of "small", "large"' },
    { path: "/address/zip", message: "must match pattern" },
    { path: "/items/1/qty", message: "must be >= 1" },
    { path: "", message: "an answer is required" },
    { path: "/address/zip", message: "is too short" },
  ]);
  assert.deepEqual(tree, {
    __errors: ["an answer is required"],
    size: { __errors: ['must be one of "small", "large"'] },
    address: { zip: { __errors: ["must match pattern", "is too short"] } },
    items: { 1: { qty: { __errors: ["must be >= 1"] } } },
  });
});

test("escaped pointer characters are field names again", () => {
  assert.deepEqual(pointerToPath("/a~1b/c~0d"), ["a/b", "c~d"]);
  assert.deepEqual(pointerToPath(""), []);
});

test("Zod issues (paths of keys) map the same way as pointers", () => {
  const errors = fieldErrorsOf({ issues: [{ path: ["color"], message: "Green is only in-stock for medium" }] });
  assert.deepEqual(toErrorTree(errors), { color: { __errors: ["Green is only in-stock for medium"] } });
  assert.equal(fieldLabel(undefined, errors[0]!.path), "Color");
  assert.equal(fieldLabel(undefined, "/address/zip"), "Address › Zip");
  const schema = { properties: { address: { title: "Where to", properties: { zip: { title: "Postcode" } } }, tags: { title: "Tags", items: {} } } };
  assert.equal(fieldLabel(schema, "/address/zip"), "Where to › Postcode");
  assert.equal(fieldLabel(schema, ["tags", "1"]), "Tags › item 2");
  assert.equal(fieldLabel(schema, ""), "the answer");
});

test("the browser's errors are said once per field, in words, naming the field by its label, never with a regex", () => {
  assert.deepEqual(propertyKeys(".address.zip"), ["address", "zip"]);
  assert.deepEqual(propertyKeys("decision"), ["decision"]);
  assert.deepEqual(propertyKeys(".tags.0"), ["tags", "0"]);
  assert.deepEqual(propertyKeys("['first-name']"), ["first-name"]);
  const emailPattern = "^(?:[A-Za-z0-9_'+\\-]+\\.)*$";
  const schema = {
    properties: {
      email: { title: "Email", type: "string", format: "email", pattern: emailPattern },
      code: { title: "Code", type: "string", pattern: "^[A-Z]{2}$" },
      decision: { title: "Decision", enum: ["a", "b"] },
      tags: { title: "Tags", type: "array", items: { type: "string" } },
    },
  };
  const said = formErrorsInWords<FormError>(schema, [
    { name: "pattern", property: ".email", params: { pattern: emailPattern } },
    { name: "format", property: ".email", params: { format: "email" } },
    { name: "pattern", property: ".code", params: { pattern: "^[A-Z]{2}$" } },
    { name: "required", property: "decision", params: { missingProperty: "decision" } },
    { name: "type", property: ".tags.1", params: { type: "string" } },
  ]).map((e) => e.message);
  assert.deepEqual(said, [
    "Email must be a valid email address",
    "Code does not match the expected pattern",
    "Decision is required",
    "Item 2 of Tags must be text",
  ]);
});

import assert from "node:assert/strict";
import { test } from "node:test";
import { fieldErrorLine } from "./cli-errors.ts";

test("a refused field's message that names it is printed as it is; a flow's own message without the name gets the field's path", () => {
  assert.equal(fieldErrorLine({ path: "/customer/email", message: "Email must be a valid email address" }), "Email must be a valid email address");
  assert.equal(fieldErrorLine({ path: "/tags/1", message: "Item 2 of Tags must not be empty" }), "Item 2 of Tags must not be empty");
  assert.equal(fieldErrorLine({ path: "", message: "The answer must be at least 3" }), "The answer must be at least 3");
  assert.equal(
    fieldErrorLine({ path: "/color", message: "Green is only in-stock for medium, large, and XL sizes." }),
    "color: Green is only in-stock for medium, large, and XL sizes.",
  );
  assert.equal(fieldErrorLine({ path: "/lines/0/qty", message: "Too small" }), "lines.0.qty: Too small");
});

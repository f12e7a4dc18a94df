import assert from "node:assert/strict";
import { test } from "node:test";
import { newId } from "./ids.ts";

test("ids are UUIDs version 7 with the variant bits set, unique, and sort by the time they were made", async () => {
  const first = Array.from({ length: 1000 }, newId);
  for (const id of first) assert.match(id, /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  assert.equal(new Set(first).size, first.length);
  const ms = parseInt(first[0]!.replace("-", "").slice(0, 12), 16);
  assert.ok(Math.abs(ms - Date.now()) < 5000, "the first 48 bits are the time in ms");
  await new Promise((r) => setTimeout(r, 5));
  const later = newId();
  assert.ok(
    first.every((id) => id < later),
    "an id made later sorts after",
  );
});

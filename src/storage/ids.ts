import { randomUUID } from "node:crypto";

/**
 * A new id: a UUID version 7 (RFC 9562), whose first 48 bits are the time in ms. Ids made close in time
 * sort together, so a table's and an index's newest rows share their last pages: inserting a state, a task
 * run or an event then rewrites a page already being written, instead of a random page of the whole
 * B-tree, which on SQLite is most of what a commit writes. The random part comes from `randomUUID`'s pool
 * (v4's 74 random bits keep their places).
 */
export function newId(): string {
  const v4 = randomUUID();
  const ms = Date.now().toString(16).padStart(12, "0");
  return `${ms.slice(0, 8)}-${ms.slice(8)}-7${v4.slice(15)}`;
}

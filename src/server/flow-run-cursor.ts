import { BadRequestError } from "../contract/errors.ts";
import type { FlowRun } from "../contract/index.ts";

/**
 * The `nextCursor` of a page of runs: the position (creation time, id) of its last run, opaque to
 * clients so that the position's form can change.
 */
export function encodeCursor(run: FlowRun): string {
  return Buffer.from(`${run.createdAt}|${run.id}`).toString("base64url");
}

/** The position a cursor from `encodeCursor` names; a cursor this server did not give out is a 400. */
export function decodeCursor(cursor: string): { createdAt: string; id: string } {
  const [createdAt, id] = Buffer.from(cursor, "base64url").toString().split("|");
  if (!createdAt || !id) throw new BadRequestError("The cursor is not one this server gave out; start again without it.");
  return { createdAt, id };
}

import { z } from "zod";

/** A NUL character, or half of a UTF-16 surrogate pair without its other half. */
const UNSTORABLE = /\0|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/**
 * True when `s` has a NUL character or a lone surrogate: text PostgreSQL cannot keep (and neither
 * database keeps a lone surrogate, which UTF-8 cannot encode). Where such text is data (log lines,
 * messages, descriptions) storage keeps it losslessly; where it names or identifies something, it is refused.
 */
export function hasUnstorableText(s: string): boolean {
  return UNSTORABLE.test(s);
}

/** A string that names or identifies something (an id, a flow or task name, a key, who answered): refuses unstorable text. */
export function identifier(s: z.ZodString = z.string()): z.ZodString {
  return s.refine((v) => !hasUnstorableText(v), { message: "must not contain a NUL character or a lone surrogate" });
}

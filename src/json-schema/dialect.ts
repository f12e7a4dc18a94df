/**
 * The JSON Schema dialect Baton checks answers and parameters with, the same on the server and in the
 * browser's form: AJV's 2020-12 draft, the formats of ajv-formats, and `pattern` run on RE2 (re2js), a
 * linear-time engine, so that no answer can make a pattern backtrack for seconds.
 */
import { fullFormats } from "ajv-formats/dist/formats.js";
import { RE2JS } from "re2js";

/**
 * AJV's `code.regExp`: every `pattern` and `patternProperties` is compiled by RE2. A pattern RE2 does not
 * accept (lookaround, backreferences) fails the schema's compilation, so the schema is refused up front.
 */
export const re2RegExp = Object.assign((pattern: string, _flags: string) => RE2JS.compile(pattern), { code: "re2js" });

/** The options both sides give AJV besides their own: RE2 patterns; an unknown format fails compilation (see annotationFormats). */
export const DIALECT_OPTIONS = {
  code: { regExp: re2RegExp },
  // "log" keeps unknown keywords (a flow's own .meta() annotations) harmless, while an unknown format throws.
  strictSchema: "log",
  strictTypes: false,
  strictTuples: false,
  strictRequired: false,
  logger: false,
} as const;

/**
 * Formats AJV does not know that are checked by a `pattern` beside them, as Zod writes its own (cuid,
 * e164, base64, …): registered as annotations, so that the pattern does the checking. Any other unknown
 * format is refused when the schema is compiled.
 */
export function annotationFormats(schema: unknown): string[] {
  const found = new Set<string>();
  const stack: unknown[] = [schema];
  while (stack.length > 0) {
    const node = stack.pop();
    if (!node || typeof node !== "object") continue;
    if (Array.isArray(node)) stack.push(...node);
    else {
      const o = node as Record<string, unknown>;
      if (typeof o.format === "string" && typeof o.pattern === "string" && !(o.format in fullFormats)) found.add(o.format);
      stack.push(...Object.values(o));
    }
  }
  return [...found];
}

import type { FieldError } from "../contract/errors.ts";

/** Checks a value against a JSON Schema: the problems, each naming its field (the whole value as `name`); none when it fits. */
export type LocalCheck = (schema: Record<string, unknown>, value: unknown, name?: string) => FieldError[];

let loaded: Promise<LocalCheck> | undefined;

/**
 * The server's own check of an answer (input-validation.ts: the same dialect, the same words), run in
 * the CLI before anything is sent. A schema it cannot compile is left to the server to judge, so that a
 * person is never stuck on a check that cannot pass. Loaded on first use: most commands never check.
 */
export function localCheck(): Promise<LocalCheck> {
  loaded ??= import("../server/input-validation.ts").then(({ compileSchema, validateInput }) => (schema, value, name) => {
    try {
      compileSchema(schema);
    } catch {
      return [];
    }
    const result = validateInput(schema, value, name);
    return result.ok ? [] : result.errors;
  });
  return loaded;
}

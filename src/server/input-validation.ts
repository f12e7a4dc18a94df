import { Ajv2020, type ValidateFunction } from "ajv/dist/2020.js";
import type { SchemaValidateFunction } from "ajv/dist/types/index.js";
import addFormats from "ajv-formats";
import type { FieldError } from "../contract/errors.ts";
import { annotationFormats, DIALECT_OPTIONS } from "../json-schema/dialect.ts";
import { fieldMessages } from "../json-schema/messages.ts";

const withFormats = addFormats as unknown as (a: Ajv2020) => Ajv2020;

/** Checks schemas against the 2020-12 meta-schema; it never adds one, so no `$id` is ever held here. */
const metaValidator = withFormats(new Ajv2020({ strict: false, validateFormats: true }));

/** Compiled validators by the schema's text, the least recently used dropped first. */
const compiled = new Map<string, ValidateFunction>();
const MAX_COMPILED = 1000;

/** Thrown when a JSON Schema cannot be used to check answers; the message names the problem. */
export class UnusableSchemaError extends Error {}

/**
 * Compiles a JSON Schema once per distinct text; throws `UnusableSchemaError` saying why when it is not a
 * schema Baton can check answers with (not 2020-12, an unknown format, a pattern RE2 does not accept, a
 * `$ref` it cannot resolve). Each schema gets an AJV of its own: a `$id` is then only ever known to the
 * schema that declares it, so two schemas with the same `$id` (two versions of a flow) never collide, and
 * dropping a validator from the cache drops everything it registered.
 */
export function compileSchema(schema: Record<string, unknown>): ValidateFunction {
  const text = JSON.stringify(schema);
  let fn = compiled.get(text);
  if (fn) {
    compiled.delete(text); // moved to the end: most recently used
    compiled.set(text, fn);
    return fn;
  }
  const { $schema: _dialect, ...rest } = schema;
  if (!metaValidator.validateSchema(rest)) {
    const e = metaValidator.errors?.[0];
    throw new UnusableSchemaError(`${e?.instancePath || "the schema"} ${e?.message ?? "is not valid"}`);
  }
  const ajv = withFormats(new Ajv2020({ ...DIALECT_OPTIONS, allErrors: true, useDefaults: true, coerceTypes: false, validateSchema: false }));
  linearUniqueItems(ajv);
  for (const name of annotationFormats(rest)) ajv.addFormat(name, true);
  try {
    fn = ajv.compile(rest);
  } catch (e) {
    throw new UnusableSchemaError(reason(e as Error));
  }
  if (compiled.size >= MAX_COMPILED) compiled.delete(compiled.keys().next().value!);
  compiled.set(text, fn);
  return fn;
}

/** Whether `schema` is compiled already (in this thread): then checking an answer with it costs no compile. */
export function isCompiled(schema: Record<string, unknown>): boolean {
  return compiled.has(JSON.stringify(schema));
}

/** An item as text that is the same for equal JSON values, whatever the order of their keys. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(",")}]`;
  if (value && typeof value === "object")
    return `{${Object.keys(value)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonical((value as Record<string, unknown>)[k])}`)
      .join(",")}}`;
  return JSON.stringify(value);
}

/**
 * AJV checks `uniqueItems` of objects by comparing every pair of items: a second for 10,000 of them, on
 * the server's thread. This one keeps each item's canonical text in a set: linear in the answer's size.
 */
function linearUniqueItems(ajv: Ajv2020): void {
  ajv.removeKeyword("uniqueItems");
  const validate: SchemaValidateFunction = (unique: boolean, data: unknown[]) => {
    if (!unique) return true;
    const seen = new Map<string, number>();
    for (const [j, item] of data.entries()) {
      const i = seen.get(canonical(item));
      if (i !== undefined) {
        validate.errors = [
          { keyword: "uniqueItems", message: `must NOT have duplicate items (items ## ${j} and ${i} are identical)`, params: { i, j } },
        ];
        return false;
      }
      seen.set(canonical(item), j);
    }
    return true;
  };
  ajv.addKeyword({ keyword: "uniqueItems", type: "array", schemaType: "boolean", errors: true, validate });
}

/** AJV's and RE2's reasons, said for the person who wrote the schema. */
function reason(e: Error): string {
  const re2 = /^error parsing regexp: (.*)$/.exec(e.message);
  if (re2)
    return `a pattern uses syntax the linear-time engine (RE2) does not support: ${re2[1]}; lookahead, lookbehind and backreferences are not available`;
  return e.message.replace(/^unknown format "([^"]+)" ignored in schema at path "([^"]*)"$/, 'unknown format "$1" at $2');
}

/**
 * Validates an answer against a pause's JSON Schema, filling defaults. Returns the completed answer or
 * the list of field errors: one per field, at its JSON Pointer, in words that name it (json-schema/messages.ts).
 */
export function validateInput(schema: Record<string, unknown>, input: unknown): { ok: true; value: unknown } | { ok: false; errors: FieldError[] } {
  let validate: ValidateFunction;
  try {
    validate = compileSchema(schema);
  } catch (e) {
    // A question kept from before its schema was checked when asked: say so rather than fail.
    return { ok: false, errors: [{ path: "", message: `this question's schema cannot be used to check answers: ${(e as Error).message}` }] };
  }
  let value = input === undefined ? undefined : structuredClone(input);
  if (value === undefined) {
    if (schema.type === "object") value = {};
    else if ("default" in schema) value = structuredClone(schema.default);
    else return { ok: false, errors: [{ path: "", message: "An answer is required: this pause asks for a value" }] };
  }
  if (validate(value)) return { ok: true, value };
  return { ok: false, errors: fieldMessages(schema, validate.errors, value) };
}

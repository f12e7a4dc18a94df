import { Ajv2020, type ErrorObject, type ValidateFunction } from "ajv/dist/2020.js";
import addFormats from "ajv-formats";
import type { FieldError } from "../contract/errors.ts";

const ajv = new Ajv2020({ allErrors: true, useDefaults: true, strict: false, coerceTypes: false });
(addFormats as unknown as (a: Ajv2020) => void)(ajv);
const compiled = new Map<string, ValidateFunction>();

/** Compiles a JSON Schema once per distinct text; throws with AJV's reason when it is not a valid schema. */
export function compileSchema(schema: Record<string, unknown>): ValidateFunction {
  const text = JSON.stringify(schema);
  let fn = compiled.get(text);
  if (!fn) {
    const { $schema: _ignored, ...rest } = schema;
    fn = ajv.compile(rest);
    if (compiled.size > 1000) compiled.clear();
    compiled.set(text, fn);
  }
  return fn;
}

/** One error per field: required and unknown properties point at the property itself. */
function toFieldError(e: ErrorObject): FieldError {
  const p = e.params as Record<string, unknown>;
  if (e.keyword === "required") return { path: `${e.instancePath}/${String(p.missingProperty)}`, message: "is required" };
  if (e.keyword === "additionalProperties")
    return { path: `${e.instancePath}/${String(p.additionalProperty)}`, message: "is not a field of this form" };
  if (e.keyword === "enum")
    return { path: e.instancePath, message: `must be one of ${(p.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(", ")}` };
  return { path: e.instancePath, message: e.message ?? "is not valid" };
}

/**
 * Validates an answer against a pause's JSON Schema, filling defaults. Returns the completed answer or
 * the list of field errors (one per field, JSON-pointer paths).
 */
export function validateInput(schema: Record<string, unknown>, input: unknown): { ok: true; value: unknown } | { ok: false; errors: FieldError[] } {
  const validate = compileSchema(schema);
  let value = input === undefined ? undefined : structuredClone(input);
  if (value === undefined) {
    if (schema.type === "object") value = {};
    else if ("default" in schema) value = structuredClone(schema.default);
    else return { ok: false, errors: [{ path: "", message: "an answer is required: this pause asks for a value" }] };
  }
  if (validate(value)) return { ok: true, value };
  const seen = new Set<string>();
  const errors: FieldError[] = [];
  for (const e of validate.errors ?? []) {
    const fe = toFieldError(e);
    if (seen.has(fe.path)) continue; // the first error of each field is the one a person can act on
    seen.add(fe.path);
    errors.push(fe);
  }
  return { ok: false, errors };
}

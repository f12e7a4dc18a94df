import type { InputRequest } from "../contract/index.ts";

/** How a field is asked for: typed text, a number, yes/no, a choice from a list, or raw JSON. */
export type FieldKind = "text" | "number" | "integer" | "boolean" | "choice" | "json";

/** One question of a pause's form, read from its JSON Schema. */
export interface FormField {
  /** The property's name; null when the pause asks for one bare value. */
  key: string | null;
  kind: FieldKind;
  /** The JSON Schema type as a person reads it: "string", "integer", "string | null", "object". */
  type: string;
  required: boolean;
  /** Whether null is a valid answer. */
  nullable: boolean;
  /** Where the form starts: the schema's `default`, else the pause's initial data. */
  default?: unknown;
  /** The values to choose from, for `choice`. */
  choices?: unknown[];
  description?: string;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  exclusiveMaximum?: number;
  minLength?: number;
  maxLength?: number;
  pattern?: string;
  format?: string;
  /** Marked `.meta({ sensitive: true })`: asked without echoing what is typed. */
  sensitive?: boolean;
}

type JsonSchema = Record<string, unknown>;

/**
 * The questions a pause asks, one per property of an object schema (in the schema's order), or a
 * single unnamed question when it asks for a bare value. Nested objects and arrays are asked as JSON.
 *
 * @example
 * formFields({ schema: { type: "object", properties: { name: { type: "string" } }, required: ["name"] } });
 * // [{ key: "name", kind: "text", type: "string", required: true, nullable: false }]
 */
export function formFields(request: Pick<InputRequest, "schema" | "initialData"> | null | undefined): FormField[] {
  if (!request) return [];
  const { schema, initialData } = request;
  const properties = schema.properties;
  if (typeOf(schema).includes("object") && isObject(properties)) {
    const required = Array.isArray(schema.required) ? (schema.required as string[]) : [];
    const initial = isObject(initialData) ? initialData : {};
    return Object.entries(properties).map(([key, prop]) => fieldOf(key, isObject(prop) ? prop : {}, required.includes(key), initial[key]));
  }
  if (typeOf(schema).includes("object")) return [];
  return [fieldOf(null, schema, !("default" in schema) && initialData === undefined, initialData)];
}

/** One answer a person gave; `undefined` leaves the field out (its default applies on the server). */
export type AskField = (field: FormField) => Promise<unknown>;

/**
 * Asks each field in turn and puts the answers together: an object of the fields answered, or the
 * bare value when the pause asks for one. Resolves to `undefined` when there was nothing to ask.
 */
export async function askForInput(fields: readonly FormField[], ask: AskField): Promise<unknown> {
  if (fields.length === 0) return undefined;
  if (fields.length === 1 && fields[0]!.key === null) return ask(fields[0]!);
  const answer: Record<string, unknown> = {};
  for (const field of fields) {
    const value = await ask(field);
    if (value !== undefined) answer[field.key!] = value;
  }
  return answer;
}

function fieldOf(key: string | null, raw: JsonSchema, required: boolean, initial: unknown): FormField {
  const { schema, nullable } = unwrapNullable(raw);
  const types = typeOf(schema).filter((t) => t !== "null");
  const field: FormField = {
    key,
    kind: "json",
    type: [...types, ...(nullable ? ["null"] : [])].join(" | ") || "any",
    required,
    nullable,
  };
  const fallback = "default" in raw ? raw.default : schema.default;
  if (fallback !== undefined) field.default = fallback;
  else if (initial !== undefined) field.default = initial;
  const description = raw.description ?? schema.description;
  if (typeof description === "string") field.description = description;
  if (raw.sensitive === true || schema.sensitive === true) field.sensitive = true;

  if (Array.isArray(schema.enum) && schema.enum.every(isPrimitive)) {
    field.kind = "choice";
    field.choices = schema.enum.filter((v) => v !== null);
    if (schema.enum.includes(null)) field.nullable = true;
  } else if ("const" in schema && isPrimitive(schema.const)) {
    field.kind = "choice";
    field.choices = [schema.const];
  } else if (types.length === 1) {
    const kinds: Record<string, FieldKind> = { string: "text", number: "number", integer: "integer", boolean: "boolean" };
    field.kind = kinds[types[0]!] ?? "json";
  }
  for (const name of ["minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "minLength", "maxLength"] as const) {
    const v = schema[name];
    // Zod writes the safe-integer range on every integer; it is no bound a person needs to see.
    if (typeof v === "number" && Math.abs(v) < Number.MAX_SAFE_INTEGER) field[name] = v;
  }
  if (typeof schema.pattern === "string") field.pattern = schema.pattern;
  if (typeof schema.format === "string") field.format = schema.format;
  return field;
}

/** `anyOf: [X, {type: "null"}]` is how JSON Schema often spells "X or null". */
function unwrapNullable(schema: JsonSchema): { schema: JsonSchema; nullable: boolean } {
  if (typeOf(schema).includes("null")) return { schema, nullable: true };
  const anyOf = schema.anyOf;
  if (Array.isArray(anyOf) && anyOf.length === 2) {
    const isNull = (s: unknown) => isObject(s) && s.type === "null";
    const other = anyOf.find((s) => !isNull(s));
    if (anyOf.some(isNull) && isObject(other)) return { schema: other, nullable: true };
  }
  return { schema, nullable: false };
}

function typeOf(schema: JsonSchema): string[] {
  const t = schema.type;
  if (typeof t === "string") return [t];
  return Array.isArray(t) ? t.filter((x): x is string => typeof x === "string") : [];
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function isPrimitive(v: unknown): boolean {
  return v === null || ["string", "number", "boolean"].includes(typeof v);
}

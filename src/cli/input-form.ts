import type { InputRequest } from "../contract/index.ts";
import { fieldTitle } from "../json-schema/messages.ts";

/**
 * How a field is asked for: typed text, a number, yes/no, a choice from a list, a group of fields, a list
 * of items, or raw JSON (what has no form of its own: unions, records, tuples, recursive schemas).
 */
export type FieldKind = "text" | "number" | "integer" | "boolean" | "choice" | "object" | "list" | "json";

type JsonSchema = Record<string, unknown>;

/** One question of a pause's form, read from its JSON Schema; a group or a list holds the questions inside it. */
export interface FormField {
  /** The property's name; null for the one bare value a pause asks for, or a list's item. */
  key: string | null;
  /** What a person reads: the field's title, else its key. */
  label: string;
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
  minItems?: number;
  maxItems?: number;
  pattern?: string;
  format?: string;
  /** Marked `.meta({ sensitive: true })`: asked without echoing what is typed. */
  sensitive?: boolean;
  /** The fields of a group (`object`), in the schema's order. */
  fields?: FormField[];
  /** What each item of a `list` is. */
  item?: FormField;
  /** The field's own JSON Schema, standing alone (the form's shared definitions with it): a typed value is checked with it. */
  schema: JsonSchema;
}

/**
 * The questions a pause asks, one per property of an object schema (in the schema's order), groups and
 * lists holding theirs; or a single unnamed question when it asks for a bare value.
 *
 * @example
 * formFields({ schema: { type: "object", properties: { name: { type: "string" } }, required: ["name"] } });
 * // [{ key: "name", label: "name", kind: "text", type: "string", required: true, nullable: false, schema: {...} }]
 */
export function formFields(request: Pick<InputRequest, "schema" | "initialData"> | null | undefined): FormField[] {
  if (!request) return [];
  const { schema, initialData } = request;
  const reader = new SchemaReader(schema);
  const root = reader.resolve(schema);
  if (typeOf(root).includes("object") && !isObject(root.properties)) return [];
  if (typeOf(root).includes("object")) return reader.fieldsOf(root, initialData, new Set());
  return [reader.fieldOf(null, schema, !("default" in schema) && initialData === undefined, initialData, new Set())];
}

/** Reads fields out of one JSON Schema, following its local `$ref`s. */
class SchemaReader {
  readonly #root: JsonSchema;
  readonly #defs: JsonSchema;

  constructor(root: JsonSchema) {
    this.#root = root;
    const defs = Object.fromEntries(["$defs", "definitions"].filter((k) => isObject(root[k])).map((k) => [k, root[k]]));
    this.#defs = defs;
  }

  /** The schema a local `$ref` points at, with the referring node's own keywords over it; other nodes as they are. */
  resolve(node: JsonSchema): JsonSchema {
    const ref = node.$ref;
    if (typeof ref !== "string" || !ref.startsWith("#")) return node;
    let target: unknown = this.#root;
    for (const k of ref.slice(1).split("/").filter(Boolean))
      target = isObject(target) ? target[k.replaceAll("~1", "/").replaceAll("~0", "~")] : undefined;
    if (!isObject(target)) return node;
    const { $ref: _ref, ...own } = node;
    return { ...target, ...own };
  }

  fieldsOf(object: JsonSchema, start: unknown, seen: ReadonlySet<string>): FormField[] {
    const required = Array.isArray(object.required) ? (object.required as string[]) : [];
    const initial = isObject(start) ? start : {};
    return Object.entries(object.properties as JsonSchema).map(([key, prop]) =>
      this.fieldOf(key, isObject(prop) ? prop : {}, required.includes(key), initial[key], seen),
    );
  }

  /** `seen`: the `$ref`s being read above this field; one met again is a recursive schema, asked as JSON. */
  fieldOf(key: string | null, raw: JsonSchema, required: boolean, initial: unknown, seen: ReadonlySet<string>): FormField {
    const ref = typeof raw.$ref === "string" ? raw.$ref : undefined;
    const recursive = ref !== undefined && seen.has(ref);
    const inner = ref && !recursive ? new Set([...seen, ref]) : seen;
    const outer = recursive ? raw : this.resolve(raw);
    const { schema: unwrapped, nullable } = unwrapNullable(outer);
    const schema = this.resolve(unwrapped);
    const types = typeOf(schema).filter((t) => t !== "null");
    const title = fieldTitle(raw);
    const field: FormField = {
      key,
      label: title ?? key ?? "Answer",
      kind: "json",
      type: [...types, ...(nullable ? ["null"] : [])].join(" | ") || "any",
      required,
      nullable,
      schema: { ...outer, ...this.#defs },
    };
    const fallback = "default" in outer ? outer.default : schema.default;
    if (fallback !== undefined) field.default = fallback;
    else if (initial !== undefined) field.default = initial;
    const description = outer.description ?? schema.description;
    if (typeof description === "string") field.description = description;
    if (outer.sensitive === true || schema.sensitive === true) field.sensitive = true;

    if (recursive) return field;
    if (Array.isArray(schema.enum) && schema.enum.every(isPrimitive)) {
      field.kind = "choice";
      field.choices = schema.enum.filter((v) => v !== null);
      if (schema.enum.includes(null)) field.nullable = true;
    } else if ("const" in schema && isPrimitive(schema.const)) {
      field.kind = "choice";
      field.choices = [schema.const];
    } else if (types.length === 1 && types[0] === "object" && isObject(schema.properties) && !hasUnion(schema)) {
      field.kind = "object";
      field.fields = this.fieldsOf(schema, field.default, inner);
    } else if (types.length === 1 && types[0] === "array" && isObject(schema.items) && !("prefixItems" in schema)) {
      field.kind = "list";
      field.item = { ...this.fieldOf(null, schema.items, true, undefined, inner), label: "item" };
    } else if (types.length === 1 && !hasUnion(schema)) {
      const kinds: Record<string, FieldKind> = { string: "text", number: "number", integer: "integer", boolean: "boolean" };
      field.kind = kinds[types[0]!] ?? "json";
    }
    for (const name of ["minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "minLength", "maxLength", "minItems", "maxItems"] as const) {
      const v = schema[name];
      // Zod writes the safe-integer range on every integer; it is no bound a person needs to see.
      if (typeof v === "number" && Math.abs(v) < Number.MAX_SAFE_INTEGER) field[name] = v;
    }
    if (typeof schema.pattern === "string") field.pattern = schema.pattern;
    if (typeof schema.format === "string") field.format = schema.format;
    return field;
  }
}

/**
 * Every field of a form with its place, groups and lists followed by the fields inside them: `address.zip`,
 * `lines[].sku`; `depth` counts the levels above it.
 */
export function flattenFields(fields: readonly FormField[], prefix = "", depth = 0): { name: string; depth: number; field: FormField }[] {
  return fields.flatMap((field) => {
    const name = field.key === null ? prefix || "(answer)" : prefix ? `${prefix}.${field.key}` : field.key;
    const here = { name, depth, field };
    if (field.kind === "object") return [here, ...flattenFields(field.fields!, name, depth + 1)];
    if (field.kind === "list" && field.item!.kind === "object") return [here, ...flattenFields(field.item!.fields!, `${name}[]`, depth + 1)];
    return [here];
  });
}

/** What asks a person, one question at a time (input-prompt.ts in a terminal; a script in tests). */
export interface Asker {
  /**
   * One value: text, a number, yes/no, a choice or JSON. `name` places it in the form ("Address › ZIP");
   * `current` is where it starts (its default or what was answered before); `again` when it was refused.
   * Resolves to `undefined` to leave an optional field out.
   */
  value(field: FormField, name: string, current: unknown, again: boolean): Promise<unknown>;
  /** A yes/no question about the form itself: whether to fill in an optional group. */
  confirm(message: string, initial: boolean): Promise<boolean>;
  /** What to do next with a list that holds `items`: add one, remove one (by index), or be done. */
  listStep(field: FormField, name: string, items: readonly unknown[]): Promise<"add" | "done" | { remove: number }>;
}

/**
 * Asks each field in turn, groups and lists field by field, and puts the answers together: an object of
 * the fields answered, or the bare value when the pause asks for one. Starts at `start` (the form's
 * defaults when absent). Resolves to `undefined` when there was nothing to ask.
 */
export async function askForInput(fields: readonly FormField[], asker: Asker, start?: unknown): Promise<unknown> {
  if (fields.length === 0) return undefined;
  if (isBare(fields)) return askField(fields[0]!, fields[0]!.label, start ?? fields[0]!.default, asker, false);
  return askFields(fields, "", isObject(start) ? start : {}, asker);
}

/**
 * Asks again only the fields `refused` names (JSON Pointers, as the server's and the local check's
 * errors give them), starting each at what was answered, and keeps every other answer. A refusal of the
 * whole answer asks everything again.
 */
export async function askAgain(fields: readonly FormField[], answer: unknown, refused: readonly string[], asker: Asker): Promise<unknown> {
  if (fields.length === 0) return answer;
  const targets = refusedFields(fields, refused);
  if (targets.some((t) => t.pointer === "")) return askForInput(fields, asker, answer);
  let out = structuredClone(answer);
  for (const t of targets) out = setAt(out, t.keys, await askField(t.field, t.name, getAt(out, t.keys), asker, true));
  return out;
}

function isBare(fields: readonly FormField[]): boolean {
  return fields.length === 1 && fields[0]!.key === null;
}

async function askFields(
  fields: readonly FormField[],
  prefix: string,
  current: Record<string, unknown>,
  asker: Asker,
): Promise<Record<string, unknown>> {
  const out: Record<string, unknown> = {};
  for (const f of fields) {
    const value = await askField(f, prefix ? `${prefix} › ${f.label}` : f.label, f.key! in current ? current[f.key!] : f.default, asker, false);
    if (value !== undefined) out[f.key!] = value;
  }
  return out;
}

async function askField(field: FormField, name: string, current: unknown, asker: Asker, again: boolean): Promise<unknown> {
  if (field.kind === "object") {
    // An optional group is asked about first, so that a person need not go through fields they will not fill.
    if (!field.required || field.nullable) {
      const fill = await asker.confirm(`Fill in ${name}?`, isObject(current) || (field.required && !field.nullable));
      if (!fill) return field.required ? null : undefined;
    }
    return askFields(field.fields!, name, isObject(current) ? current : {}, asker);
  }
  if (field.kind === "list") {
    const items = Array.isArray(current) ? [...current] : [];
    for (let step = await asker.listStep(field, name, items); step !== "done"; step = await asker.listStep(field, name, items)) {
      if (step === "add") items.push(await askField(field.item!, `${name} › item ${items.length + 1}`, field.item!.default, asker, false));
      else items.splice(step.remove, 1);
    }
    return items.length === 0 && !field.required && current === undefined ? undefined : items;
  }
  return asker.value(field, name, current, again);
}

/** The fields to ask again for errors at `pointers`: the deepest field each names, none inside another. */
function refusedFields(
  fields: readonly FormField[],
  pointers: readonly string[],
): { pointer: string; keys: string[]; field: FormField; name: string }[] {
  const found = new Map<string, { pointer: string; keys: string[]; field: FormField; name: string }>();
  for (const pointer of pointers) {
    const target = fieldAt(fields, pointer);
    if (target) found.set(target.pointer, target);
  }
  const all = [...found.values()];
  return all.filter((t) => !all.some((o) => o !== t && (o.pointer === "" || t.pointer.startsWith(`${o.pointer}/`))));
}

function fieldAt(fields: readonly FormField[], pointer: string): { pointer: string; keys: string[]; field: FormField; name: string } | undefined {
  const keys =
    pointer === ""
      ? []
      : pointer
          .slice(1)
          .split("/")
          .map((k) => k.replaceAll("~1", "/").replaceAll("~0", "~"));
  if (isBare(fields)) {
    // The bare value is the one field; a list's or group's inside is looked for below it.
    return descend(fields[0]!, fields[0]!.label, [], keys);
  }
  const first = fields.find((f) => f.key === keys[0]);
  if (!first) return { pointer: "", keys: [], field: fields[0]!, name: "" };
  return descend(first, first.label, [keys[0]!], keys.slice(1));
}

function descend(
  field: FormField,
  name: string,
  done: string[],
  rest: string[],
): { pointer: string; keys: string[]; field: FormField; name: string } {
  const here = { pointer: done.map((k) => `/${k.replaceAll("~", "~0").replaceAll("/", "~1")}`).join(""), keys: done, field, name };
  const [next, ...more] = rest;
  if (next === undefined) return here;
  if (field.kind === "object") {
    const child = field.fields!.find((f) => f.key === next);
    return child ? descend(child, `${name} › ${child.label}`, [...done, next], more) : here;
  }
  if (field.kind === "list" && /^\d+$/.test(next)) return descend(field.item!, `${name} › item ${Number(next) + 1}`, [...done, next], more);
  return here;
}

function getAt(value: unknown, keys: readonly string[]): unknown {
  let v = value;
  for (const k of keys) v = isObject(v) || Array.isArray(v) ? (v as Record<string, unknown>)[k] : undefined;
  return v;
}

/** `value` with `v` at `keys` (left out when `undefined`), the groups on the way made when missing. */
function setAt(value: unknown, keys: readonly string[], v: unknown): unknown {
  if (keys.length === 0) return v;
  const [k, ...rest] = keys as [string, ...string[]];
  if (Array.isArray(value)) {
    const copy = [...value];
    copy[Number(k)] = setAt(copy[Number(k)], rest, v);
    return copy;
  }
  const copy: Record<string, unknown> = isObject(value) ? { ...value } : {};
  const inner = setAt(copy[k], rest, v);
  if (inner === undefined) delete copy[k];
  else copy[k] = inner;
  return copy;
}

/** `anyOf: [X, {type: "null"}]` is how JSON Schema often spells "X or null". */
function unwrapNullable(schema: JsonSchema): { schema: JsonSchema; nullable: boolean } {
  if (typeOf(schema).includes("null")) return { schema, nullable: true };
  const anyOf = schema.anyOf;
  if (Array.isArray(anyOf) && anyOf.length === 2) {
    const isNull = (s: unknown) => isObject(s) && s.type === "null";
    const other = anyOf.find((s) => !isNull(s));
    if (anyOf.some(isNull) && isObject(other)) {
      const { anyOf: _union, ...own } = schema;
      return { schema: { ...own, ...other }, nullable: true };
    }
  }
  return { schema, nullable: false };
}

function hasUnion(schema: JsonSchema): boolean {
  return ["anyOf", "oneOf", "allOf"].some((k) => k in schema);
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

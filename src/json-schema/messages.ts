/**
 * Validation errors said for a person: one message per field in words, naming the field by its title
 * (else its path), with no regex and no keyword jargon. Used by the server's 422s, the CLI and the
 * browser's form, so that a refusal reads the same wherever it is shown.
 */

/** A JSON Schema, as the API carries it. */
export type JsonSchema = Record<string, unknown>;

/**
 * A validation error as AJV reports it (react-jsonschema-form's validator has the same fields): the
 * keyword that failed, where in the answer (a JSON Pointer), and the keyword's parameters.
 */
export interface SchemaError {
  keyword: string;
  instancePath: string;
  params: Record<string, unknown>;
  /** Set by AJV on errors about an object's property names. */
  propertyName?: string;
  message?: string;
}

/** One problem of an answer: the field's JSON Pointer ("" for the whole answer) and what is wrong, in words. */
export interface FieldMessage {
  path: string;
  message: string;
}

/**
 * The messages of AJV's errors for `answer` checked against `schema` (the errors as AJV reports them
 * with `allErrors`): one per field, the first problem of each, in the order AJV found them. Of a union
 * (`anyOf`/`oneOf`), only the branch the answer was meant for speaks: for a nullable field, the non-null
 * one; for a discriminated union, the one whose tag the answer carries.
 *
 * @example
 * fieldMessages(schema, validate.errors, answer);
 * // [{ path: "/email", message: "Email must be a valid email address" }, { path: "/name", message: "Name is required" }]
 */
export function fieldMessages(schema: JsonSchema, errors: readonly SchemaError[] | null | undefined, answer: unknown): FieldMessage[] {
  const words = new Words(schema, answer);
  const seen = new Set<string>();
  const out: FieldMessage[] = [];
  for (const problem of settleUnions(words, errors ?? [])) {
    const said = words.say(problem);
    if (!said || seen.has(said.path)) continue; // the first problem of a field is the one to fix first
    seen.add(said.path);
    out.push(said);
  }
  return out;
}

/** A format as a person names it ("email address", "date (YYYY-MM-DD)"); the format's own name for one not listed. */
export function describeFormat(format: string): string {
  return FORMATS[format] ?? format;
}

/** How a value of a format is typed, when there is a fixed way ("YYYY-MM-DD" for a date); undefined otherwise. */
export function formatHint(format: string | undefined): string | undefined {
  return format === undefined ? undefined : /\(([^)]*)\)$/.exec(FORMATS[format] ?? "")?.[1];
}

const FORMATS: Record<string, string> = {
  email: "email address",
  "idn-email": "email address",
  uri: "URL",
  url: "URL",
  iri: "URL",
  "uri-reference": "URL or relative URL",
  "iri-reference": "URL or relative URL",
  "uri-template": "URL template",
  uuid: "UUID",
  guid: "GUID",
  date: "date (YYYY-MM-DD)",
  "date-time": "date and time (YYYY-MM-DDTHH:MM:SSZ)",
  time: "time (HH:MM:SS)",
  duration: "duration (ISO 8601, e.g. P1DT2H)",
  ipv4: "IPv4 address",
  ipv6: "IPv6 address",
  cidrv4: "IPv4 range (CIDR)",
  cidrv6: "IPv6 range (CIDR)",
  hostname: "host name",
  "idn-hostname": "host name",
  e164: "phone number (+ and country code, e.g. +14155550123)",
  base64: "Base64 text",
  base64url: "Base64url text",
  byte: "Base64 text",
  jwt: "JSON Web Token",
  emoji: "emoji",
  cuid: "CUID",
  cuid2: "CUID2",
  ulid: "ULID",
  nanoid: "Nano ID",
  ksuid: "KSUID",
  xid: "XID",
  regex: "regular expression",
  "json-pointer": "JSON Pointer",
  "relative-json-pointer": "relative JSON Pointer",
  int32: "32-bit integer",
  int64: "64-bit integer",
  float: "number",
  double: "number",
  password: "password",
  binary: "binary value",
};

/** A problem to say: an AJV error, or a union's verdict already in words (`text`). */
interface Problem extends SchemaError {
  text?: string;
}

const UNIONS = new Set(["anyOf", "oneOf"]);

/**
 * Replaces each failed union by what its chosen branch said, or by one message when the answer fits no
 * branch. AJV reports a union's error right after those of its branches (and, with `allErrors`, an
 * inner union's before an outer one's), so the branches' errors are the trailing ones under its path.
 */
function settleUnions(words: Words, errors: readonly SchemaError[]): Problem[] {
  const out: Problem[] = [];
  for (const e of errors) {
    if (e.keyword === "if") continue; // "must match then": the `then` branch's own errors say why
    if (e.propertyName !== undefined && e.keyword !== "propertyNames") continue; // said by the propertyNames error
    if (!UNIONS.has(e.keyword) || Array.isArray(e.params.passingSchemas)) {
      out.push(e);
      continue;
    }
    let start = out.length;
    while (start > 0 && within(out[start - 1]!.instancePath, e.instancePath)) start--;
    const branchErrors = out.splice(start);
    out.push(...words.chooseBranch(e, branchErrors));
  }
  return out;
}

function within(path: string, ancestor: string): boolean {
  return path === ancestor || path.startsWith(`${ancestor}/`);
}

/** Splits a JSON Pointer into keys ("" is the whole value). */
function keysOf(pointer: string): string[] {
  return pointer === ""
    ? []
    : pointer
        .slice(1)
        .split("/")
        .map((k) => k.replaceAll("~1", "/").replaceAll("~0", "~"));
}

function isObject(v: unknown): v is JsonSchema {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function typesOf(node: JsonSchema): string[] {
  return typeof node.type === "string" ? [node.type] : Array.isArray(node.type) ? node.type.map(String) : [];
}

function jsonType(v: unknown): string {
  if (v === null) return "null";
  if (Array.isArray(v)) return "array";
  if (typeof v === "number") return Number.isInteger(v) ? "integer" : "number";
  return typeof v;
}

const TYPE_WORDS: Record<string, string> = {
  string: "text",
  number: "a number",
  integer: "a whole number",
  boolean: "true or false",
  array: "a list",
  object: "a group of fields",
  null: "empty",
};

/** "a, b or c". */
function orList(items: readonly string[]): string {
  return items.length <= 1 ? (items[0] ?? "") : `${items.slice(0, -1).join(", ")} or ${items.at(-1)}`;
}

function valueWords(v: unknown): string {
  return typeof v === "string" ? v : v === null ? "empty" : JSON.stringify(v);
}

/** "1 and 3" of two zero-based indexes, in order. */
function orderedPair(a: number, b: number): string {
  return `${Math.min(a, b) + 1} and ${Math.max(a, b) + 1}`;
}

function plural(n: number, one: string, many: string): string {
  return n === 1 ? `one ${one}` : `${n} ${many}`;
}

/** Reads the schema along an answer's paths: the field there, its name, and which branch of a union it is in. */
class Words {
  readonly #root: JsonSchema;
  readonly #answer: unknown;

  constructor(root: JsonSchema, answer: unknown) {
    this.#root = root;
    this.#answer = answer;
  }

  /** The problem in words, at the field it is about (a missing or extra property's own path). */
  say(p: Problem): FieldMessage | undefined {
    const params = p.params ?? {};
    if (p.keyword === "required" || p.keyword === "dependentRequired") {
      const path = `${p.instancePath}/${escapeKey(String(params.missingProperty))}`;
      const when = p.keyword === "dependentRequired" ? ` when ${this.name(`${p.instancePath}/${escapeKey(String(params.property))}`)} is given` : "";
      return { path, message: `${this.name(path)} is required${when}` };
    }
    if (p.keyword === "additionalProperties" || p.keyword === "unevaluatedProperties") {
      const key = String(params.additionalProperty ?? params.unevaluatedProperty);
      return { path: `${p.instancePath}/${escapeKey(key)}`, message: `"${key}" is not a field of this form` };
    }
    const what = p.text ?? this.#problem(p);
    if (what === undefined) return undefined;
    return { path: p.instancePath, message: `${this.name(p.instancePath)} ${what}` };
  }

  #problem(p: Problem): string | undefined {
    const params = p.params ?? {};
    const limit = Number(params.limit);
    switch (p.keyword) {
      case "type":
        return `must be ${orList(
          String(params.type)
            .split(",")
            .map((t) => TYPE_WORDS[t] ?? t),
        )}`;
      case "enum":
        return `must be one of: ${(params.allowedValues as unknown[]).map(valueWords).join(", ")}`;
      case "const":
        return `must be ${valueWords(params.allowedValue)}`;
      case "minimum":
        return `must be at least ${limit}`;
      case "maximum":
        return `must be at most ${limit}`;
      case "exclusiveMinimum":
        return `must be more than ${limit}`;
      case "exclusiveMaximum":
        return `must be less than ${limit}`;
      case "multipleOf":
        return `must be a multiple of ${String(params.multipleOf)}`;
      case "minLength":
        return limit === 1 ? "must not be empty" : `must be at least ${limit} characters long`;
      case "maxLength":
        return `must be at most ${plural(limit, "character", "characters")} long`;
      case "pattern":
      case "format": {
        // Zod writes a `pattern` beside each format it knows: both fail together, and the format says it in words.
        const format = p.keyword === "format" ? String(params.format) : this.field(p.instancePath).format;
        return typeof format === "string" ? `must be a valid ${describeFormat(format)}` : "does not match the expected pattern";
      }
      case "minItems":
        return `must have at least ${plural(limit, "item", "items")}`;
      case "maxItems":
      case "items":
        return `must have at most ${plural(limit, "item", "items")}`;
      case "uniqueItems":
        return `must not list the same item twice (items ${orderedPair(Number(params.i), Number(params.j))} are the same)`;
      case "contains":
      case "minContains":
        return "does not contain the item it needs";
      case "maxContains":
        return "contains too many of one kind of item";
      case "minProperties":
        return `must have at least ${plural(limit, "field", "fields")}`;
      case "maxProperties":
        return `must have at most ${plural(limit, "field", "fields")}`;
      case "propertyNames":
        return `has a field name that is not allowed ("${String(params.propertyName ?? p.propertyName)}")`;
      case "oneOf":
        return "fits more than one of the allowed forms";
      case "not":
      case "false schema":
        return "is not allowed here";
      default:
        return "is not valid";
    }
  }

  /**
   * What replaces a failed union's branch errors: those of the branch the answer was meant for (the one
   * it fits by type and tag); else one message, at the tag when the branches are told apart by one.
   */
  chooseBranch(union: SchemaError, branchErrors: Problem[]): Problem[] {
    const node = this.#resolve(this.#at(union.instancePath).node);
    const branches = ((node[union.keyword] as unknown[]) ?? []).filter(isObject).map((b) => this.#resolve(b));
    const value = valueAt(this.#answer, union.instancePath);
    // Branches told apart by a tag ("kind": "a" | "b"): a missing or unknown tag is the one problem to say.
    const objects = branches.filter((b) => typesOf(b).includes("object") && isObject(b.properties));
    const tagged = isObject(value) && objects.length === branches.length ? value : undefined;
    const tag = tagged && discriminator(objects);
    if (tagged && tag !== undefined) {
      const allowed = objects.map((b) => (b.properties as Record<string, JsonSchema>)[tag]!.const);
      if (tagged[tag] === undefined) return [{ keyword: "required", instancePath: union.instancePath, params: { missingProperty: tag } }];
      if (!allowed.includes(tagged[tag]))
        return [{ keyword: "enum", instancePath: `${union.instancePath}/${escapeKey(tag)}`, params: { allowedValues: allowed } }];
    }
    const chosen = branches.find((b) => this.#fits(b, value));
    if (chosen) {
      const rel = (path: string) => keysOf(path).slice(keysOf(union.instancePath).length);
      const kept = branchErrors.filter((e) => this.#reachable(chosen, rel(e.instancePath)).some((n) => produces(n, e)));
      if (kept.length > 0) return kept;
    }
    const types = [...new Set(branches.flatMap((b) => typesOf(b)))];
    const typed = branches.every((b) => typesOf(b).length > 0);
    const text =
      typed && !branches.some((b) => this.#fits({ type: b.type }, value))
        ? `must be ${orList(types.map((t) => TYPE_WORDS[t] ?? t))}`
        : "does not fit any of the allowed forms";
    return [{ keyword: union.keyword, instancePath: union.instancePath, params: {}, text }];
  }

  /** Whether `value` is the kind of value a branch is for: its type, and the constants its properties are fixed to. */
  #fits(branch: JsonSchema, value: unknown): boolean {
    if (value === undefined) return !typesOf(branch).includes("null");
    const types = typesOf(branch);
    const type = jsonType(value);
    if (types.length > 0 && !types.includes(type) && !(type === "integer" && types.includes("number"))) return false;
    if ("const" in branch && typeof branch.const !== "object") return branch.const === value;
    for (const key of ["anyOf", "oneOf"]) {
      const inner = branch[key];
      if (Array.isArray(inner) && !inner.some((b) => isObject(b) && this.#fits(this.#resolve(b), value))) return false;
    }
    if (isObject(value) && isObject(branch.properties))
      for (const [k, prop] of Object.entries(branch.properties)) {
        const p = isObject(prop) ? this.#resolve(prop) : {};
        if ("const" in p && k in value && value[k] !== p.const) return false;
      }
    return true;
  }

  /** Every schema node that can apply at `keys` below `node`, through every branch of the unions on the way. */
  #reachable(node: JsonSchema, keys: readonly string[]): JsonSchema[] {
    const here = this.#resolve(node);
    const alternatives = ["anyOf", "oneOf", "allOf"].flatMap((k) => (Array.isArray(here[k]) ? (here[k] as unknown[]).filter(isObject) : []));
    const fromBranches = alternatives.flatMap((b) => this.#reachable(b, keys));
    if (keys.length === 0) return [here, ...fromBranches];
    const child = childSchema(here, keys[0]!);
    return [...(child ? this.#reachable(child, keys.slice(1)) : []), ...fromBranches];
  }

  /** The field at `pointer`: its schema (the branch of a union its value is in) and the titles along the way. */
  #at(pointer: string): { node: JsonSchema; titles: (string | undefined)[]; field: JsonSchema } {
    let node: JsonSchema = this.#root;
    let value: unknown = this.#answer;
    const titles: (string | undefined)[] = [];
    for (const key of keysOf(pointer)) {
      const field = this.#branchOf(node, value);
      value = isObject(value) || Array.isArray(value) ? (value as Record<string, unknown>)[key] : undefined;
      node = childSchema(field, key) ?? {};
      titles.push(this.#title(node, value));
    }
    return { node, titles, field: this.#branchOf(node, value) };
  }

  /** The schema that describes `value`: `node` with its `$ref` followed, or the union's branch `value` fits (a nullable field's non-null one). */
  #branchOf(node: JsonSchema, value: unknown): JsonSchema {
    let here = this.#resolve(node);
    for (let depth = 0; depth < 8; depth++) {
      const union = (Array.isArray(here.anyOf) ? here.anyOf : Array.isArray(here.oneOf) ? here.oneOf : undefined)?.filter(isObject);
      if (!union) return here;
      const branches = union.map((b) => this.#resolve(b));
      const next = branches.find((b) => this.#fits(b, value)) ?? branches.find((b) => !typesOf(b).includes("null"));
      if (!next) return here;
      here = next;
    }
    return here;
  }

  #title(node: JsonSchema, value: unknown): string | undefined {
    for (const n of [node, this.#resolve(node), this.#branchOf(node, value)])
      if (typeof n.title === "string" && n.title.trim()) return n.title.trim();
    return undefined;
  }

  /** The schema of the field at `pointer`, the branch of a union its value is in. */
  field(pointer: string): JsonSchema {
    return this.#at(pointer).field;
  }

  /**
   * The field at `pointer` as a person names it: its title, else its path ("address.zip"); inside a list,
   * with the item ("Quantity in item 2 of Lines"); "The answer" for the whole of it.
   */
  name(pointer: string): string {
    const keys = keysOf(pointer);
    if (keys.length === 0) return "The answer";
    const { titles } = this.#at(pointer);
    const itemAt = keys.findLastIndex((k, i) => /^\d+$/.test(k) && this.#isList(keys.slice(0, i)));
    const rest = keys.slice(itemAt + 1);
    const own = rest.length ? (titles.at(-1) ?? rest.join(".")) : undefined;
    if (itemAt < 0) return own!;
    const item = `item ${Number(keys[itemAt]) + 1}`;
    const list = itemAt === 0 ? "the list" : this.name(`/${keys.slice(0, itemAt).map(escapeKey).join("/")}`);
    return own === undefined ? `${capitalize(item)} of ${list}` : `${own} in ${item} of ${list}`;
  }

  #isList(keys: readonly string[]): boolean {
    const { field } = this.#at(keys.length ? `/${keys.map(escapeKey).join("/")}` : "");
    return typesOf(field).includes("array") || "items" in field || "prefixItems" in field;
  }

  /** Follows local `$ref`s ("#/$defs/Address"); a reference it cannot follow leaves the node as it is. */
  #resolve(node: JsonSchema): JsonSchema {
    let here = node;
    for (let depth = 0; depth < 16 && typeof here.$ref === "string" && here.$ref.startsWith("#"); depth++) {
      let target: unknown = this.#root;
      for (const k of keysOf(here.$ref.slice(1))) target = isObject(target) ? target[k] : undefined;
      if (!isObject(target)) break;
      const { $ref: _ref, ...siblings } = here;
      here = { ...target, ...siblings };
    }
    return here;
  }
}

/** The schema of a property or item of `node`, if it has one. */
function childSchema(node: JsonSchema, key: string): JsonSchema | undefined {
  const props = node.properties;
  if (isObject(props) && isObject(props[key])) return props[key];
  if (/^\d+$/.test(key)) {
    const prefix = node.prefixItems;
    if (Array.isArray(prefix) && isObject(prefix[Number(key)])) return prefix[Number(key)];
    if (isObject(node.items)) return node.items;
  }
  if (isObject(node.additionalProperties)) return node.additionalProperties;
  return undefined;
}

/** Whether `node` has the keyword (with these parameters) that `e` reports. */
function produces(node: JsonSchema, e: Problem): boolean {
  const params = e.params ?? {};
  switch (e.keyword) {
    case "required":
      return Array.isArray(node.required) && node.required.includes(params.missingProperty);
    case "type":
      return String(node.type) === String(params.type);
    case "additionalProperties":
      return node.additionalProperties === false && !(isObject(node.properties) && String(params.additionalProperty) in node.properties);
    case "const":
      return node.const === params.allowedValue;
    case "enum":
    case "pattern":
    case "format":
      return JSON.stringify(node[e.keyword]) === JSON.stringify(params[e.keyword === "enum" ? "allowedValues" : e.keyword]);
    case "anyOf":
    case "oneOf":
      return Array.isArray(node.anyOf) || Array.isArray(node.oneOf);
    default:
      // A bound (minimum, maxLength, …) is this node's when the limit is the same.
      return e.keyword in node && (params.limit === undefined || node[e.keyword] === params.limit);
  }
}

/** The property every branch fixes to a different constant ("kind"), if there is one. */
function discriminator(branches: readonly JsonSchema[]): string | undefined {
  const props = branches.map((b) => b.properties as Record<string, unknown>);
  return Object.keys(props[0]!).find((k) => {
    const consts = props.map((p) => (isObject(p[k]) && "const" in p[k] ? p[k].const : undefined));
    return consts.every((c) => c !== undefined) && new Set(consts).size === consts.length;
  });
}

function valueAt(answer: unknown, pointer: string): unknown {
  let v = answer;
  for (const k of keysOf(pointer)) v = isObject(v) || Array.isArray(v) ? (v as Record<string, unknown>)[k] : undefined;
  return v;
}

function escapeKey(key: string): string {
  return key.replaceAll("~", "~0").replaceAll("/", "~1");
}

function capitalize(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}

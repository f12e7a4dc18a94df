import { fieldMessages } from "../../../src/json-schema/messages.ts";
import { humanize } from "./format.ts";

/**
 * Turns the server's per-field errors into react-jsonschema-form's error tree (`extraErrors`), which
 * nests the same way as the answer: `/address/zip` becomes `{ address: { zip: { __errors: [...] } } }`.
 */

/** RJSF's error tree: each node may carry messages for itself and children by field name or index. */
export interface ErrorTree {
  __errors?: string[];
  [field: string]: ErrorTree | string[] | undefined;
}

/** An error the server reports: a JSON pointer (INVALID_INPUT) or a path of keys (Zod issues). */
export interface ServerFieldError {
  path: string | readonly (string | number)[];
  message: string;
}

/** Splits a JSON pointer into keys ("" is the whole value; `~1` is "/", `~0` is "~"). */
export function pointerToPath(pointer: string): string[] {
  if (pointer === "" || pointer === "/") return [];
  return pointer
    .replace(/^\//, "")
    .split("/")
    .map((k) => k.replace(/~1/g, "/").replace(/~0/g, "~"));
}

/** Builds the error tree; several messages on one field are kept in order. */
export function toErrorTree(errors: readonly ServerFieldError[]): ErrorTree {
  const root: ErrorTree = {};
  for (const e of errors) {
    const keys = typeof e.path === "string" ? pointerToPath(e.path) : e.path.map(String);
    let node = root;
    for (const k of keys) {
      // "__errors" as a field name would collide with the tree's own key; such a field keeps its message at its parent.
      if (k === "__errors") break;
      const next = node[k];
      node = next && !Array.isArray(next) ? next : (node[k] = {});
    }
    (node.__errors ??= []).push(e.message);
  }
  return root;
}

/** The errors a 422 body carries: `details.errors` (JSON pointers) or `details.issues` (paths of keys). */
export function fieldErrorsOf(details: Record<string, unknown>): ServerFieldError[] {
  const out: ServerFieldError[] = [];
  const errors = details.errors;
  if (Array.isArray(errors))
    for (const e of errors)
      if (e && typeof e === "object" && typeof e.message === "string")
        out.push({ path: typeof e.path === "string" ? e.path : "", message: e.message });
  const issues = details.issues;
  if (Array.isArray(issues))
    for (const i of issues)
      if (i && typeof i === "object" && typeof i.message === "string") out.push({ path: Array.isArray(i.path) ? i.path : [], message: i.message });
  return out;
}

/** The sub-schema at `keys` of a (form) schema, following properties and items; undefined past what it says. */
function schemaAt(schema: Record<string, unknown> | undefined, keys: readonly string[]): Record<string, unknown> | undefined {
  let node = schema;
  for (const k of keys) {
    if (!node) return undefined;
    const props = node.properties as Record<string, Record<string, unknown>> | undefined;
    node = props?.[k] ?? (/^\d+$/.test(k) && node.items && typeof node.items === "object" ? (node.items as Record<string, unknown>) : undefined);
  }
  return node;
}

/**
 * A field's place as its labels read: `/address/zip` → "Address › Zip" from the schema's titles (the form's
 * own labels), an item of a list → "Tags › item 2"; the whole answer → "the answer".
 */
export function fieldLabel(schema: Record<string, unknown> | undefined, path: ServerFieldError["path"]): string {
  const keys = typeof path === "string" ? pointerToPath(path) : path.map(String);
  if (!keys.length) return "the answer";
  return keys
    .map((k, i) => {
      if (/^\d+$/.test(k) && schemaAt(schema, keys.slice(0, i))?.items) return `item ${Number(k) + 1}`;
      const title = schemaAt(schema, keys.slice(0, i + 1))?.title;
      return typeof title === "string" && title ? title : humanize(k);
    })
    .join(" › ");
}

/** A problem the browser's validator found, as react-jsonschema-form reports it. */
export interface FormError {
  name?: string | undefined;
  /** Where: ".address.zip", "['first-name']", ".tags.0". */
  property?: string | undefined;
  params?: Record<string, unknown> | undefined;
  message?: string | undefined;
}

/** The keys of a form error's property (".address.zip" → ["address", "zip"]). */
export function propertyKeys(property: string | undefined): string[] {
  const keys: string[] = [];
  // A missing property's error names it without the leading dot ("decision", "address.zip").
  for (const m of (property ?? "").matchAll(/(?:^|\.)([^.[\]]+)|\['((?:[^'\\]|\\.)*)'\]|\[(\d+)\]/g))
    keys.push(m[1] ?? m[2]?.replace(/\\(.)/g, "$1") ?? m[3]!);
  return keys;
}

/**
 * The browser's validation errors said for a person as the server and the CLI say them (json-schema/messages.ts):
 * one per field (the first), in words, naming the field by its label ("Quantity must be a whole number"), never a regex.
 */
export function formErrorsInWords<E extends FormError>(schema: Record<string, unknown>, errors: readonly E[]): E[] {
  const seen = new Set<string>();
  const out: E[] = [];
  for (const e of errors) {
    const keys = propertyKeys(e.property);
    // RJSF names a missing property itself; AJV, whose errors the shared wording reads, its parent.
    const at = e.name === "required" || e.name === "dependentRequired" ? keys.slice(0, -1) : keys;
    const instancePath = at.map((k) => `/${k.replaceAll("~", "~0").replaceAll("/", "~1")}`).join("");
    const [said] = fieldMessages(schema, [{ keyword: e.name ?? "", instancePath, params: e.params ?? {} }], undefined);
    if (!said || seen.has(said.path)) continue;
    seen.add(said.path);
    out.push({ ...e, message: said.message });
  }
  return out;
}

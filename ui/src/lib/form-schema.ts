import { humanize } from "./format.ts";

/** A JSON Schema as the API returns it. */
export type JsonSchema = Record<string, unknown>;

/**
 * Prepares a pause's (or a deployment's) JSON Schema for the form: drops `$schema` (the validator is
 * already 2020-12), and gives each property without a title a readable label ("firstName" → "First name").
 * The schema itself is not otherwise changed, so the browser checks exactly what the server will.
 */
export function formSchema(schema: JsonSchema): JsonSchema {
  const { $schema: _dialect, ...rest } = schema;
  return withTitles(rest) as JsonSchema;
}

function withTitles(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(withTitles);
  if (!node || typeof node !== "object") return node;
  const out: Record<string, unknown> = { ...(node as Record<string, unknown>) };
  const props = out.properties;
  if (props && typeof props === "object" && !Array.isArray(props)) {
    out.properties = Object.fromEntries(
      Object.entries(props as Record<string, unknown>).map(([k, v]) => {
        const child = withTitles(v);
        const titled = child && typeof child === "object" && !Array.isArray(child) && !("title" in child) ? { title: humanize(k), ...child } : child;
        return [k, titled];
      }),
    );
  }
  for (const k of ["items", "prefixItems", "anyOf", "oneOf", "allOf", "$defs", "definitions", "additionalProperties"]) {
    if (k in out && k !== "properties") {
      const v = out[k];
      out[k] = k === "$defs" || k === "definitions" ? mapValues(v) : withTitles(v);
    }
  }
  return out;
}

function mapValues(v: unknown): unknown {
  if (!v || typeof v !== "object" || Array.isArray(v)) return v;
  return Object.fromEntries(Object.entries(v as Record<string, unknown>).map(([k, s]) => [k, withTitles(s)]));
}

/** True when the schema asks for nothing a person must fill in (no required field without a default). */
export function isEmptyObjectSchema(schema: JsonSchema | null | undefined): boolean {
  if (!schema) return true;
  return schema.type === "object" && (!schema.properties || Object.keys(schema.properties as object).length === 0);
}

/** A react-jsonschema-form uiSchema: options per field, nested like the schema's properties. */
export type UiOptions = Record<string, unknown>;

/**
 * Field options the schema cannot say (of a schema prepared by `formSchema`, with its titles): selects
 * without a value read "Choose…" rather than blank; a list's buttons name the list.
 * The form's own buttons replace RJSF's submit button.
 */
export function formUiSchema(schema: JsonSchema): UiOptions {
  return { ...fieldUi(schema), "ui:submitButtonOptions": { norender: true } };
}

function fieldUi(node: JsonSchema): UiOptions {
  const ui: UiOptions = {};
  if (Array.isArray(node.enum) && !("default" in node)) ui["ui:placeholder"] = "Choose…";
  // Marked `.meta({ sensitive: true })`: typed without being shown.
  if (node.sensitive === true && node.type === "string") ui["ui:widget"] = "password";
  // The list's buttons say which list they act on ("Add item to Tags").
  if (node.type === "array" && typeof node.title === "string") ui["ui:listName"] = node.title;
  const props = node.properties;
  if (props && typeof props === "object" && !Array.isArray(props))
    for (const [k, v] of Object.entries(props as Record<string, JsonSchema>)) {
      const child = v && typeof v === "object" ? fieldUi(v) : {};
      if (Object.keys(child).length) ui[k] = child;
    }
  if (node.items && typeof node.items === "object" && !Array.isArray(node.items)) {
    const child = { ...fieldUi(node.items as JsonSchema), ...(typeof node.title === "string" ? { "ui:listName": node.title } : {}) };
    if (Object.keys(child).length) ui.items = child;
  }
  return ui;
}

import { formatTable } from "./format.ts";
import { flattenFields, type FormField } from "./input-form.ts";

/**
 * The fields of a form (a pause's input, a deployment's parameters) as a table: name, type, whether
 * required, default, allowed values or bounds, description. A group's fields follow it, indented and
 * named by their place (`address.zip`); so do those of a list's items (`lines[].sku`).
 *
 * @example
 * formatFieldTable(formFields({ schema })); // "FIELD  TYPE    REQUIRED  DEFAULT ...\nname   string  yes ..."
 */
export function formatFieldTable(fields: readonly FormField[]): string {
  return formatTable(
    ["FIELD", "TYPE", "REQUIRED", "DEFAULT", "ALLOWED", "DESCRIPTION"],
    flattenFields(fields).map(({ name, depth, field }) => fieldRow(`${"  ".repeat(depth)}${name}`, field)),
  );
}

function fieldRow(name: string, f: FormField): string[] {
  const allowed = f.choices
    ? f.choices.map((c) => JSON.stringify(c)).join(", ")
    : [
        f.minimum !== undefined ? `>= ${f.minimum}` : f.exclusiveMinimum !== undefined ? `> ${f.exclusiveMinimum}` : "",
        f.maximum !== undefined ? `<= ${f.maximum}` : f.exclusiveMaximum !== undefined ? `< ${f.exclusiveMaximum}` : "",
        f.minLength !== undefined ? `min length ${f.minLength}` : "",
        f.maxLength !== undefined ? `max length ${f.maxLength}` : "",
        f.minItems !== undefined ? `at least ${f.minItems} item${f.minItems === 1 ? "" : "s"}` : "",
        f.maxItems !== undefined ? `at most ${f.maxItems} item${f.maxItems === 1 ? "" : "s"}` : "",
        f.format ?? "",
        f.kind === "list" && f.item!.kind !== "object" ? `items: ${f.item!.type}${f.item!.format ? ` (${f.item!.format})` : ""}` : "",
      ]
        .filter(Boolean)
        .join(", ");
  const type = f.kind === "list" ? "list" : f.type;
  return [
    name,
    type,
    f.required ? "yes" : "no",
    f.default === undefined ? "" : JSON.stringify(f.default),
    allowed,
    f.description ?? (f.label !== f.key && f.label !== "Answer" ? f.label : ""),
  ];
}

/** Values of a format that fit it, for an example answer. */
const FORMAT_EXAMPLES: Record<string, string> = {
  email: "person@example.com",
  "idn-email": "person@example.com",
  uri: "https://example.com",
  url: "https://example.com",
  "uri-reference": "https://example.com",
  uuid: "123e4567-e89b-42d3-a456-426614174000",
  guid: "123e4567-e89b-42d3-a456-426614174000",
  date: "2026-01-31",
  "date-time": "2026-01-31T09:30:00Z",
  time: "09:30:00",
  duration: "P1D",
  ipv4: "192.0.2.1",
  ipv6: "2001:db8::1",
  hostname: "example.com",
  e164: "+14155550123",
  cuid: "cjld2cjxh0000qzrmn831i7rn",
  ulid: "01ARZ3NDEKTSV4RRFFQ69G5FAV",
};

/**
 * A filled-in value to show how an answer looks: the required fields and those with a default (at every
 * depth), with their defaults or placeholder values (`"<name>"`, a value of the field's format, the first choice, the
 * minimum, as many list items as needed), the bare value for a one-value form, or `undefined` when
 * no field is required or has a default.
 */
export function exampleValue(fields: readonly FormField[]): unknown {
  if (fields.length === 1 && fields[0]!.key === null) return placeholder(fields[0]!);
  const shown = fields.filter(shownInExample);
  if (shown.length === 0) return undefined;
  return Object.fromEntries(shown.map((f) => [f.key, placeholder(f)]));
}

/** The fields an example answer holds: those required, and those with a default (to show where the form starts). */
function shownInExample(f: FormField): boolean {
  return f.required || f.default !== undefined;
}

function placeholder(f: FormField): unknown {
  if (f.default !== undefined) return f.default;
  if (f.choices) return f.choices[0];
  switch (f.kind) {
    case "text": {
      const text = (f.format && FORMAT_EXAMPLES[f.format]) ?? `<${f.key ?? "text"}>`;
      return text.padEnd(f.minLength ?? 0, "x").slice(0, f.maxLength ?? Infinity);
    }
    case "boolean":
      return true;
    case "object":
      return Object.fromEntries(f.fields!.filter(shownInExample).map((c) => [c.key, placeholder(c)]));
    case "list":
      return Array.from({ length: f.minItems ?? 0 }, () => placeholder(f.item!));
    case "json":
      return f.nullable ? null : {};
    default: {
      const n = f.minimum ?? (f.exclusiveMinimum !== undefined ? Math.floor(f.exclusiveMinimum) + 1 : 0);
      return f.maximum !== undefined && n > f.maximum ? f.maximum : n;
    }
  }
}

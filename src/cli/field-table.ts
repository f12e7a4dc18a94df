import { formatTable } from "./format.ts";
import type { FormField } from "./input-form.ts";

/**
 * The fields of a form (a pause's input, a deployment's parameters) as a table: name, type, whether
 * required, default, allowed values or bounds, description.
 *
 * @example
 * formatFieldTable(formFields({ schema })); // "FIELD  TYPE    REQUIRED  DEFAULT ...\nname   string  yes ..."
 */
export function formatFieldTable(fields: readonly FormField[]): string {
  return formatTable(["FIELD", "TYPE", "REQUIRED", "DEFAULT", "ALLOWED", "DESCRIPTION"], fields.map(fieldRow));
}

function fieldRow(f: FormField): string[] {
  const allowed = f.choices
    ? f.choices.map((c) => JSON.stringify(c)).join(", ")
    : [
        f.minimum !== undefined ? `>= ${f.minimum}` : f.exclusiveMinimum !== undefined ? `> ${f.exclusiveMinimum}` : "",
        f.maximum !== undefined ? `<= ${f.maximum}` : f.exclusiveMaximum !== undefined ? `< ${f.exclusiveMaximum}` : "",
        f.minLength !== undefined ? `min length ${f.minLength}` : "",
        f.maxLength !== undefined ? `max length ${f.maxLength}` : "",
        f.format ?? "",
      ]
        .filter(Boolean)
        .join(", ");
  return [
    f.key ?? "(answer)",
    f.type,
    f.required ? "yes" : "no",
    f.default === undefined ? "" : JSON.stringify(f.default),
    allowed,
    f.description ?? "",
  ];
}

/**
 * A filled-in value to show how an answer looks: the required fields with their defaults or placeholder
 * values (`"<name>"`, the first choice, the minimum), the bare value for a one-value form, or
 * `undefined` when nothing is required.
 */
export function exampleValue(fields: readonly FormField[]): unknown {
  const placeholder = (f: FormField): unknown =>
    f.default ??
    (f.choices
      ? f.choices[0]
      : f.kind === "text"
        ? `<${f.key ?? "text"}>`
        : f.kind === "boolean"
          ? true
          : f.kind === "json"
            ? null
            : (f.minimum ?? (f.exclusiveMinimum !== undefined ? f.exclusiveMinimum + 1 : 0)));
  if (fields.length === 1 && fields[0]!.key === null) return placeholder(fields[0]!);
  const required = fields.filter((f) => f.required);
  if (required.length === 0) return undefined;
  return Object.fromEntries(required.map((f) => [f.key, placeholder(f)]));
}

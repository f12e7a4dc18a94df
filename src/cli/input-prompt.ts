import type { FormField } from "./input-form.ts";

const NONE = Symbol("none");

/**
 * Asks one field in the terminal: text and numbers with their bounds checked as typed, yes/no as a
 * confirm, a choice from a list as a select, and anything else as JSON. Resolves to `undefined` when an
 * optional field is left empty.
 */
export async function askFieldInTerminal(field: FormField): Promise<unknown> {
  // Loaded on first use: most commands never prompt.
  const { confirm, input, number, password, select } = await import("@inquirer/prompts");
  const message = messageOf(field);
  // Required with a default is not required of the person: the default is there to accept.
  const mustAnswer = field.required && field.default === undefined && !field.nullable;
  const empty = () => (field.required && field.nullable ? null : undefined);
  switch (field.kind) {
    case "boolean":
      return confirm({ message, default: field.default === undefined ? false : Boolean(field.default) });
    case "choice": {
      const choices: { value: unknown; name: string }[] = field.choices!.map((v) => ({ value: v, name: String(v) }));
      if (!mustAnswer) choices.push({ value: NONE, name: field.nullable ? "(null)" : "(leave out)" });
      const picked = await select({ message, choices, default: field.default });
      return picked === NONE ? empty() : picked;
    }
    case "number":
    case "integer": {
      const value = await number({
        message,
        default: typeof field.default === "number" ? field.default : undefined,
        required: mustAnswer,
        step: field.kind === "integer" ? 1 : "any",
        ...(field.minimum !== undefined ? { min: field.minimum } : {}),
        ...(field.maximum !== undefined ? { max: field.maximum } : {}),
        validate: (v) => (v === undefined ? true : checkExclusiveBounds(field, v)),
      });
      return value === undefined ? empty() : value;
    }
    case "text": {
      if (field.sensitive) {
        const value = await password({ message, mask: true, validate: (v) => (v === "" && !mustAnswer ? true : checkText(field, v)) });
        return value === "" && !mustAnswer ? empty() : value;
      }
      const value = await input({
        message,
        default: typeof field.default === "string" ? field.default : undefined,
        required: mustAnswer,
        validate: (v) => (v === "" && !mustAnswer ? true : checkText(field, v)),
      });
      return value === "" && !mustAnswer ? empty() : value;
    }
    case "json": {
      const value = await input({
        message: `${message} (JSON)`,
        default: field.default === undefined ? undefined : JSON.stringify(field.default),
        required: mustAnswer,
        validate: (v) => (v === "" ? true : parsesAsJson(v)),
      });
      return value === "" ? empty() : JSON.parse(value);
    }
  }
}

function messageOf(field: FormField): string {
  const name = field.key ?? "Answer";
  const bounds = [
    field.minimum !== undefined ? `≥ ${field.minimum}` : field.exclusiveMinimum !== undefined ? `> ${field.exclusiveMinimum}` : "",
    field.maximum !== undefined ? `≤ ${field.maximum}` : field.exclusiveMaximum !== undefined ? `< ${field.exclusiveMaximum}` : "",
  ].filter(Boolean);
  const hint = [field.description, bounds.join(", ")].filter(Boolean).join("; ");
  return hint ? `${name} (${hint})` : name;
}

function checkExclusiveBounds(field: FormField, v: number): true | string {
  if (field.exclusiveMinimum !== undefined && v <= field.exclusiveMinimum) return `Must be greater than ${field.exclusiveMinimum}.`;
  if (field.exclusiveMaximum !== undefined && v >= field.exclusiveMaximum) return `Must be less than ${field.exclusiveMaximum}.`;
  return true;
}

function checkText(field: FormField, v: string): true | string {
  const length = [...v].length;
  if (field.minLength !== undefined && length < field.minLength) return `Must be at least ${field.minLength} characters.`;
  if (field.maxLength !== undefined && length > field.maxLength) return `Must be at most ${field.maxLength} characters.`;
  if (field.pattern !== undefined) {
    let re: RegExp | undefined;
    try {
      re = new RegExp(field.pattern, "u");
    } catch {
      // A pattern JavaScript cannot read is left to the server to check.
    }
    if (re && !re.test(v)) return field.format ? `Must be a valid ${field.format}.` : `Must match ${field.pattern}.`;
  }
  return true;
}

function parsesAsJson(v: string): true | string {
  try {
    JSON.parse(v);
    return true;
  } catch (e) {
    return `Not valid JSON: ${(e as Error).message}`;
  }
}

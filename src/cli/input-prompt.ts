import { formatHint } from "../json-schema/messages.ts";
import type { Asker, FormField } from "./input-form.ts";
import { localCheck } from "./local-check.ts";

const NONE = Symbol("none");

/**
 * Asks in the terminal (@inquirer/prompts): text and numbers checked against their field's schema as they
 * are typed, yes/no as a confirm, a choice from a list as a select, dates with the form they are typed in,
 * lists with an add/remove/done menu, and anything else as JSON.
 */
export function terminalAsker(): Asker {
  return {
    value: askValue,
    async confirm(message, initial) {
      const { confirm } = await import("@inquirer/prompts");
      return confirm({ message, default: initial });
    },
    async listStep(field, name, items) {
      const { select } = await import("@inquirer/prompts");
      const count = items.length === 1 ? "1 item" : `${items.length} items`;
      const shown = items.map((v, i) => `\n    ${i + 1}. ${summary(v)}`).join("");
      const full = field.maxItems !== undefined && items.length >= field.maxItems;
      const short = field.minItems !== undefined && items.length < field.minItems;
      const step = await select<"add" | "remove" | "done">({
        message: `${name}: ${count}${shown}\n `,
        choices: [
          { value: "add", name: `Add an item to ${name}`, disabled: full && `(at most ${field.maxItems})` },
          { value: "remove", name: "Remove an item", disabled: items.length === 0 && "(none to remove)" },
          { value: "done", name: `Done with ${name}`, disabled: short && `(at least ${field.minItems} needed)` },
        ],
      });
      if (step !== "remove") return step;
      const remove = await select({
        message: `Remove which item of ${name}?`,
        choices: items.map((v, i) => ({ value: i, name: `${i + 1}. ${summary(v)}` })),
      });
      return { remove };
    },
  };
}

async function askValue(field: FormField, name: string, current: unknown, again: boolean): Promise<unknown> {
  // Loaded on first use: most commands never prompt.
  const { confirm, input, number, password, select } = await import("@inquirer/prompts");
  const check = await localCheck();
  const message = messageOf(field, name);
  // Required with a default is not required of the person: the default is there to accept.
  const mustAnswer = field.required && current === undefined && !field.nullable;
  const empty = () => (field.required && field.nullable ? null : undefined);
  // The same check, in the same words, as the server's: the field's own schema.
  const checked = (v: unknown) => check(field.schema, v, name)[0]?.message ?? true;
  // A refused value is put back on the line to be corrected; a default is shown, and taken with Enter.
  const prefill = again ? ("editable" as const) : ("tab" as const);
  switch (field.kind) {
    case "boolean":
      return confirm({ message, default: current === undefined ? false : Boolean(current) });
    case "choice": {
      const choices: { value: unknown; name: string }[] = field.choices!.map((v) => ({ value: v, name: String(v) }));
      if (!mustAnswer) choices.push({ value: NONE, name: field.nullable ? "(null)" : "(leave out)" });
      const picked = await select({ message, choices, default: current });
      return picked === NONE ? empty() : picked;
    }
    case "number":
    case "integer": {
      const value = await number({
        message,
        default: typeof current === "number" ? current : undefined,
        required: mustAnswer,
        step: field.kind === "integer" ? 1 : "any",
        validate: (v) => (v === undefined ? true : checked(v)),
      });
      return value === undefined ? empty() : value;
    }
    case "text": {
      if (field.sensitive) {
        const value = await password({ message, mask: true, validate: (v) => (v === "" && !mustAnswer ? true : checked(v)) });
        return value === "" && !mustAnswer ? empty() : value;
      }
      const value = await input({
        message,
        default: typeof current === "string" ? current : undefined,
        prefill,
        required: mustAnswer,
        validate: (v) => (v === "" && !mustAnswer ? true : checked(v)),
      });
      return value === "" && !mustAnswer ? empty() : value;
    }
    default: {
      const value = await input({
        message: `${message} (JSON)`,
        default: current === undefined ? undefined : JSON.stringify(current),
        prefill,
        required: mustAnswer,
        validate: (v) => (v === "" ? true : parsesAsJson(v, (parsed) => checked(parsed))),
      });
      return value === "" ? empty() : JSON.parse(value);
    }
  }
}

/** The question: the field's place, how to type it (a date's form), its bounds, its description. */
function messageOf(field: FormField, name: string): string {
  const bounds = [
    field.minimum !== undefined ? `≥ ${field.minimum}` : field.exclusiveMinimum !== undefined ? `> ${field.exclusiveMinimum}` : "",
    field.maximum !== undefined ? `≤ ${field.maximum}` : field.exclusiveMaximum !== undefined ? `< ${field.exclusiveMaximum}` : "",
  ].filter(Boolean);
  const hint = [formatHint(field.format), field.description, bounds.join(", ")].filter(Boolean).join("; ");
  return hint ? `${name} (${hint})` : name;
}

/** One item of a list on one line. */
function summary(value: unknown): string {
  const text = typeof value === "string" ? value : JSON.stringify(value);
  return text.length > 70 ? `${text.slice(0, 69)}…` : text;
}

function parsesAsJson(v: string, then: (parsed: unknown) => true | string): true | string {
  let parsed: unknown;
  try {
    parsed = JSON.parse(v);
  } catch (e) {
    return `Not valid JSON: ${(e as Error).message}`;
  }
  return then(parsed);
}

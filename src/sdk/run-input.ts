import { z } from "zod";
import type { InputRequest } from "../contract/index.ts";
import { hasRulesBeyondJsonSchema, rememberSchema, schemaIdOf } from "./input-checks.ts";

/** Options of `withInitialData`. */
export interface InitialDataOptions {
  /** Markdown shown above the form. */
  description?: string;
}

/**
 * The type of an answer a flow waits for: a Zod object schema, the values its form starts at, and a
 * Markdown description.
 *
 * @example
 * const UserName = RunInput.from(z.object({ name: z.string() }));
 * const input = await pauseFlowRun({ waitForInput: UserName.withInitialData({ name: "anonymous" }) });
 * input.name; // string
 */
export class RunInput<S extends z.ZodObject = z.ZodObject> {
  readonly schema: S;
  readonly initialData: Partial<z.input<S>> | undefined;
  readonly description: string | undefined;

  private constructor(schema: S, initialData?: Partial<z.input<S>>, description?: string) {
    this.schema = schema;
    this.initialData = initialData;
    this.description = description;
  }

  /** Makes an input type from a Zod object schema. */
  static from<S extends z.ZodObject>(schema: S): RunInput<S> {
    return new RunInput(schema);
  }

  /** A copy whose form starts at `data`, with an optional Markdown description. */
  withInitialData(data: Partial<z.input<S>>, options: InitialDataOptions = {}): RunInput<S> {
    return new RunInput(this.schema, { ...this.initialData, ...data }, options.description ?? this.description);
  }
}

/** What `waitForInput` accepts: a `RunInput`, a Zod object, or a Zod schema of a single value. */
export type WaitForInput = RunInput<z.ZodObject> | z.ZodType;

/** The answer type of a `waitForInput`. */
export type InputOf<W> = W extends RunInput<infer S> ? z.output<S> : W extends z.ZodType ? z.output<W> : undefined;

/** The schema behind a `waitForInput`. */
export function schemaOf(w: WaitForInput): z.ZodType {
  return w instanceof RunInput ? w.schema : w;
}

/**
 * The question as the server keeps it: JSON Schema from Zod's own converter (input side, so fields with
 * defaults are optional), with the initial data set as each field's `default` so forms start there.
 */
export function toInputRequest(w: WaitForInput): InputRequest {
  const schema = toJsonSchema(schemaOf(w));
  // An id only for a schema with rules its JSON Schema lacks: the server then has a process holding the
  // flow's code check each answer first. Without one, the server's own check is the whole check.
  const schemaId = hasRulesBeyondJsonSchema(schemaOf(w)) ? schemaIdOf(schema) : undefined;
  const initialData = w instanceof RunInput ? w.initialData : undefined;
  if (initialData && typeof schema.properties === "object" && schema.properties) {
    const props = schema.properties as Record<string, Record<string, unknown>>;
    for (const [k, v] of Object.entries(initialData)) if (props[k] && v !== undefined) props[k] = { ...props[k], default: v };
    // A field with a starting value need not be sent again.
    if (Array.isArray(schema.required)) schema.required = schema.required.filter((r) => !(r in initialData));
  }
  return {
    schema,
    ...(initialData !== undefined ? { initialData } : {}),
    description: w instanceof RunInput ? (w.description ?? null) : null,
    ...(schemaId ? { schemaId } : {}),
  };
}

/**
 * Lets this process check answers to pauses asked with these inputs before their runs resume (their ids
 * as `toInputRequest` makes them): a serving process knows a suspended run's schema only this way.
 */
export function rememberInputs(inputs: readonly WaitForInput[]): void {
  for (const w of inputs) {
    const schema = schemaOf(w);
    rememberSchema(schemaIdOf(toJsonSchema(schema)), schema);
  }
}

/** The JSON Schema a form (or a parameter check) uses for a Zod schema: its input side, objects closed. */
export function toJsonSchema(schema: z.ZodType): Record<string, unknown> {
  return closeObjects(z.toJSONSchema(schema, { io: "input", unrepresentable: "any" })) as Record<string, unknown>;
}

/**
 * Zod strips unknown keys where JSON Schema's input side would allow them; a form answer with a
 * misspelt field is better refused (422, "is not a field of this form") than silently dropped. Objects
 * that say nothing about extra keys (plain `z.object`) are closed; `z.looseObject` stays open.
 */
function closeObjects(node: unknown): unknown {
  if (!node || typeof node !== "object" || Array.isArray(node)) return node;
  const out: Record<string, unknown> = { ...(node as Record<string, unknown>) };
  const each = (v: unknown) => (Array.isArray(v) ? v.map(closeObjects) : closeObjects(v));
  const map = (v: unknown) => Object.fromEntries(Object.entries(v as Record<string, unknown>).map(([k, s]) => [k, closeObjects(s)]));
  for (const k of ["items", "prefixItems", "anyOf", "oneOf", "allOf", "not", "additionalProperties"]) if (k in out) out[k] = each(out[k]);
  for (const k of ["properties", "$defs"]) if (out[k] && typeof out[k] === "object") out[k] = map(out[k]);
  if (out.type === "object" && out.properties && !("additionalProperties" in out)) out.additionalProperties = false;
  return out;
}

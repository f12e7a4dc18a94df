import { createHash } from "node:crypto";
import type { z } from "zod";
import type { BatonClient } from "../client/http-client.ts";
import type { InputCheck, InputCheckReply } from "../contract/index.ts";

/**
 * The Zod schemas this process can check answers with, by schema id (a hash of their JSON Schema): those
 * its flows declare (`flow({ inputs })`) and those its pauses and suspends used. A serving process finds a
 * suspended run's schema here, since nothing of the run's own execution is left in memory.
 */
const known = new Map<string, z.ZodType>();
/** Bounds `known` for flows that make a new schema for each run: the oldest is forgotten first. */
const MAX_KNOWN = 1000;

/** The id of a schema whose JSON Schema (before initial data) is `jsonSchema`: the same in every process. */
export function schemaIdOf(jsonSchema: Record<string, unknown>): string {
  return `sha256-${createHash("sha256").update(JSON.stringify(jsonSchema)).digest("hex").slice(0, 32)}`;
}

/** Zod types whose every rule their JSON Schema carries too (with the checks below), so the server's check is the whole check. */
const PLAIN_TYPES = new Set([
  "string",
  "number",
  "boolean",
  "null",
  "literal",
  "enum",
  "any",
  "unknown",
  "never",
  "object",
  "array",
  "tuple",
  "union",
]);
/** Wrappers that add nothing JSON Schema cannot say: their inner type decides. */
const PLAIN_WRAPPERS = new Set(["optional", "nullable", "default", "prefault", "readonly", "nonoptional"]);
/**
 * Checks that JSON Schema says as well (`overwrite`, as trim, changes a value and refuses nothing). One
 * edge is left: a text's length counts UTF-16 units in Zod and characters on the server, so a text of
 * emoji at its bound can pass the server and be refused by the flow after resuming, as any answer the
 * flow's process did not check is.
 */
const PLAIN_CHECKS = new Set(["min_length", "max_length", "length_equals", "greater_than", "less_than", "number_format", "overwrite"]);
const plain = new WeakMap<object, boolean>();

/** The parts of a Zod type's definition that `hasRulesBeyondJsonSchema` reads. */
interface Def {
  type: string;
  checks?: z.core.$ZodCheck[];
  format?: string;
  coerce?: boolean;
  innerType?: z.core.$ZodType;
  shape?: Record<string, z.core.$ZodType>;
  catchall?: z.core.$ZodType;
  element?: z.core.$ZodType;
  items?: z.core.$ZodType[];
  rest?: z.core.$ZodType | null;
  options?: z.core.$ZodType[];
}

/**
 * Whether an answer to `schema` can be refused by more than its JSON Schema: a refinement, a transform, a
 * string format or pattern (the server checks those its own way), a type JSON Schema cannot carry.
 * When not, the server's check is the flow's own, and no process is asked (no round trip per answer).
 * Anything this does not know needs the flow's check.
 */
export function hasRulesBeyondJsonSchema(schema: z.ZodType): boolean {
  const seen = new Set<object>();
  const isPlain = (s: z.core.$ZodType): boolean => {
    const known_ = plain.get(s);
    if (known_ !== undefined) return known_;
    if (seen.has(s)) return false; // recursive: left to the flow
    seen.add(s);
    const def = s._zod.def as unknown as Def;
    let ok: boolean;
    if ((def.checks ?? []).some((c) => !PLAIN_CHECKS.has(c._zod.def.check))) ok = false;
    else if (PLAIN_WRAPPERS.has(def.type)) ok = isPlain(def.innerType!);
    else if (!PLAIN_TYPES.has(def.type) || (def.type === "string" && def.format) || def.coerce) ok = false;
    else if (def.type === "object") ok = Object.values(def.shape!).every(isPlain) && (!def.catchall || isPlain(def.catchall));
    else if (def.type === "array") ok = isPlain(def.element!);
    else if (def.type === "tuple") ok = def.items!.every(isPlain) && (!def.rest || isPlain(def.rest));
    else if (def.type === "union") ok = def.options!.every(isPlain);
    else ok = true;
    plain.set(s, ok);
    return ok;
  };
  return !isPlain(schema);
}

/** Lets this process check answers to pauses asked with `schema` (its JSON Schema's id: `schemaId`). */
export function rememberSchema(schemaId: string, schema: z.ZodType): void {
  known.delete(schemaId);
  if (known.size >= MAX_KNOWN) known.delete(known.keys().next().value!);
  known.set(schemaId, schema);
}

/** A Zod issue's path as a JSON pointer (`/items/0/name`; "" for the whole answer), as the server's JSON Schema errors say it. */
export function pointerOf(path: readonly PropertyKey[]): string {
  return path.map((p) => `/${String(p).replaceAll("~", "~0").replaceAll("/", "~1")}`).join("");
}

/**
 * Checks `input` with the flow's whole Zod schema (refinements, transforms, async checks): refused with
 * its issues, or accepted. A check that throws something other than a validation error could not decide
 * ("unavailable"), so that a bug in a rule never turns an answer away.
 */
export async function verdictOf(schema: z.ZodType | undefined, input: unknown): Promise<InputCheckReply> {
  if (!schema) return { outcome: "unavailable", reason: "this process does not know the pause's schema; declare it with flow({ inputs: [...] })" };
  try {
    const parsed = await schema.safeParseAsync(input);
    if (parsed.success) return { outcome: "accepted" };
    return {
      outcome: "refused",
      errors: parsed.error.issues.slice(0, 100).map((i) => ({ path: pointerOf(i.path), message: i.message.slice(0, 2000) })),
    };
  } catch (e) {
    return { outcome: "unavailable", reason: `the flow's check threw ${e instanceof Error ? `${e.name}: ${e.message}` : String(e)}`.slice(0, 2000) };
  }
}

/** Answers a check the server pushed to this process: with `schema` when given, else with a schema known here by the pause's id. */
export async function answerCheck(client: BatonClient, check: InputCheck, schema?: z.ZodType): Promise<void> {
  const reply = await verdictOf(schema ?? (check.schemaId ? known.get(check.schemaId) : undefined), check.input);
  // A verdict that cannot be delivered changes nothing: the server goes on without it when its bound passes.
  await client.replyInputCheck(check.flowRunId, check.checkId, reply).catch(() => {});
}

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

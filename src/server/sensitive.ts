import type { BatonEvent, RunInput } from "../contract/index.ts";
import type { RequestCaller } from "./request-caller.ts";

/** What a sensitive value reads as for everyone but the flow. */
export const REDACTED = "[sensitive]";

type Schema = { sensitive?: unknown; properties?: Record<string, Schema>; items?: Schema } | undefined;

/**
 * Where a pause's schema marks fields sensitive (`.meta({ sensitive: true })` in Zod), as JSON pointers;
 * `*` stands for every item of a list. `[""]` when the whole answer is.
 */
export function sensitivePaths(schema: unknown, at = ""): string[] {
  const s = schema as Schema;
  if (!s || typeof s !== "object") return [];
  if (s.sensitive === true) return [at];
  const paths: string[] = [];
  for (const [name, property] of Object.entries(s.properties ?? {}))
    paths.push(...sensitivePaths(property, `${at}/${name.replaceAll("~", "~0").replaceAll("/", "~1")}`));
  if (s.items) paths.push(...sensitivePaths(s.items, `${at}/*`));
  return paths;
}

/** `value` with what `paths` point at replaced by REDACTED; the parts on the way are copied, `value` stays as it is. */
export function redact(value: unknown, paths: readonly string[]): unknown {
  let out = value;
  for (const path of paths) out = redactAt(out, path === "" ? [] : path.slice(1).split("/"));
  return out;
}

function redactAt(value: unknown, steps: readonly string[]): unknown {
  if (steps.length === 0) return value === undefined ? value : REDACTED;
  const [step, ...rest] = steps as [string, ...string[]];
  if (step === "*") return Array.isArray(value) ? value.map((v) => redactAt(v, rest)) : value;
  if (!value || typeof value !== "object" || Array.isArray(value)) return value;
  const key = step.replaceAll("~1", "/").replaceAll("~0", "~");
  if (!Object.hasOwn(value, key)) return value;
  return { ...value, [key]: redactAt((value as Record<string, unknown>)[key], rest) };
}

/**
 * Whether `caller` is given sensitive answers: only a flow's own process (the SDK, with a key that may
 * run flows) is; people, the UI, the CLI and other programs read them as REDACTED.
 */
export function seesSensitive(caller: RequestCaller): boolean {
  if (caller.channel !== "sdk") return false;
  return caller.kind === "open" || (caller.kind === "principal" && (caller.role === "operator" || caller.role === "admin"));
}

/** A pause's answer as `caller` may read it. */
export function inputFor(caller: RequestCaller, input: RunInput): RunInput {
  const paths = sensitivePaths(input.schema);
  if (!paths.length || seesSensitive(caller)) return input;
  const answers = input.answers.map((a) => ({ ...a, input: redact(a.input, paths) }));
  const refusals = input.refusals?.map((r) => ({ ...r, value: redact(r.value, paths) }));
  if (refusals) input = { ...input, refusals };
  if (input.response === undefined) return { ...input, answers };
  // A quorum pause's response is every answer; each one's input holds the fields.
  const response = input.schema && Array.isArray(input.response) && input.answers.length ? answers : redact(input.response, paths);
  return { ...input, answers, response };
}

const redactedEvents = new WeakMap<BatonEvent, BatonEvent>();

/** An event as a reader who does not see sensitive answers gets it (made once per event, however many streams send it). */
export function redactedEvent(e: BatonEvent): BatonEvent {
  if (e.type !== "flow-run.input-submitted" || !e.payload.sensitive?.length) return e;
  let r = redactedEvents.get(e);
  if (!r) {
    const paths = e.payload.sensitive;
    const input =
      e.payload.quorum && Array.isArray(e.payload.input)
        ? e.payload.input.map((a: { input: unknown }) => ({ ...a, input: redact(a.input, paths) }))
        : redact(e.payload.input, paths);
    redactedEvents.set(e, (r = { ...e, payload: { ...e.payload, input } }));
  }
  return r;
}

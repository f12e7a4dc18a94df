import { InvalidArgumentError } from "commander";
import { BatonError } from "../contract/errors.ts";

/** Thrown when `--params` is not a JSON object; no run is created. */
export class ParamsNotJsonObjectError extends BatonError {
  static readonly code = "PARAMS_NOT_JSON_OBJECT";
  constructor(reason: string) {
    super(
      ParamsNotJsonObjectError.code,
      `--params is not a JSON object (${reason}). Give the parameters as one, e.g. --params '{"amount":120,"note":"lunch"}', or each with --param amount=120.`,
    );
  }
}

/**
 * A `--param` value: JSON when it reads as JSON (`42`, `true`, `null`, `"42"`, `{"a":1}`), else the text
 * as it is (`Ada`, `hello world`).
 *
 * @example
 * parseParamValue("42"); // 42
 * parseParamValue("Ada"); // "Ada"
 */
export function parseParamValue(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/**
 * Commander's parser of a repeated `--param key=value`: adds one `[key, value]` pair to those before it.
 * A value may itself hold `=`; only the first one splits.
 */
export function collectParam(arg: string, previous: [string, unknown][] = []): [string, unknown][] {
  const at = arg.indexOf("=");
  if (at <= 0) throw new InvalidArgumentError(`"${arg}" is not key=value; e.g. --param amount=120 or --param name=Ada.`);
  return [...previous, [arg.slice(0, at), parseParamValue(arg.slice(at + 1))]];
}

/** The parameters of a run: the `--params` object, with each `--param` set over it (the later wins). */
export function mergeParameters(params: string | undefined, pairs: readonly [string, unknown][]): Record<string, unknown> {
  let base: Record<string, unknown> = {};
  if (params !== undefined) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(params);
    } catch (e) {
      throw new ParamsNotJsonObjectError((e as Error).message);
    }
    if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed))
      throw new ParamsNotJsonObjectError(`it is ${Array.isArray(parsed) ? "an array" : parsed === null ? "null" : `a ${typeof parsed}`}`);
    base = parsed as Record<string, unknown>;
  }
  // `merged[key] = value` would set the prototype for the key "__proto__"; each is defined as plain data.
  const merged: Record<string, unknown> = { ...base };
  for (const [key, value] of pairs) Object.defineProperty(merged, key, { value, enumerable: true, writable: true, configurable: true });
  return merged;
}

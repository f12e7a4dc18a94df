import { BatonError } from "../contract/errors.ts";

/** Thrown when a task returns a value Baton cannot keep for replay. */
export class UnserializableResultError extends BatonError<{ taskName: string; path: string }> {
  static readonly code = "UNSERIALIZABLE_RESULT";
  constructor(taskName: string, path: string, what: string) {
    super(
      UnserializableResultError.code,
      `Task "${taskName}" returned a value Baton cannot keep: ${what} at ${path}. Return JSON data (objects, arrays, strings, numbers, booleans, null), Date, Map, Set, BigInt or undefined.`,
      { taskName, path },
    );
  }
}

const TAG = "$baton";

/**
 * A task's own way to keep its result as text, for types Baton's encoding does not carry (class
 * instances, ...). superjson and devalue fit as they are.
 *
 * @example
 * import superjson from "superjson";
 * task({ name: "load", serializer: { serialize: superjson.stringify, deserialize: superjson.parse } }, load);
 */
export interface ResultSerializer {
  serialize(value: unknown): string;
  deserialize(text: string): unknown;
}

/**
 * Turns a task result into JSON that keeps what plain JSON would lose. Plain JSON values stay as they
 * are; the rest become tagged objects: `{"$baton":"Date","value":"2026-01-01T00:00:00.000Z"}`, and
 * likewise `BigInt` (decimal text), `Map` (array of [key, value]), `Set` (array), `undefined`, the
 * non-finite numbers (`Number`: "NaN", "Infinity", "-Infinity"), and objects that happen to have a
 * "$baton" key (`Object`). Functions, symbols, class instances and cycles are refused.
 */
export function encodeResult(value: unknown, taskName: string, serializer?: ResultSerializer): unknown {
  if (serializer) return { [TAG]: "Serialized", value: serializer.serialize(value) };
  const seen = new Set<object>();
  const walk = (v: unknown, path: string): unknown => {
    if (v === null || typeof v === "string" || typeof v === "boolean") return v;
    if (typeof v === "number") return Number.isFinite(v) ? v : { [TAG]: "Number", value: String(v) };
    if (v === undefined) return { [TAG]: "undefined" };
    if (typeof v === "bigint") return { [TAG]: "BigInt", value: v.toString() };
    if (typeof v === "function") throw new UnserializableResultError(taskName, path, "a function");
    if (typeof v === "symbol") throw new UnserializableResultError(taskName, path, "a symbol");
    const o = v as object;
    if (seen.has(o)) throw new UnserializableResultError(taskName, path, "a circular reference");
    seen.add(o);
    try {
      if (o instanceof Date) return { [TAG]: "Date", value: Number.isNaN(o.getTime()) ? null : o.toISOString() };
      if (Array.isArray(o)) return o.map((x, i) => walk(x, `${path}[${i}]`));
      if (o instanceof Map) return { [TAG]: "Map", value: [...o].map(([k, x], i) => [walk(k, `${path}<key ${i}>`), walk(x, `${path}<value ${i}>`)]) };
      if (o instanceof Set) return { [TAG]: "Set", value: [...o].map((x, i) => walk(x, `${path}<item ${i}>`)) };
      const proto = Object.getPrototypeOf(o);
      if (proto !== Object.prototype && proto !== null)
        throw new UnserializableResultError(taskName, path, `an instance of ${proto?.constructor?.name ?? "a class"}`);
      const out: Record<string, unknown> = {};
      for (const [k, x] of Object.entries(o)) out[k] = walk(x, `${path}.${k}`);
      return TAG in out ? { [TAG]: "Object", value: out } : out;
    } finally {
      seen.delete(o);
    }
  };
  return walk(value, "result");
}

/** The inverse of `encodeResult`, with the same `serializer`. */
export function decodeResult(value: unknown, serializer?: ResultSerializer): unknown {
  if (Array.isArray(value)) return value.map((x) => decodeResult(x));
  if (value === null || typeof value !== "object") return value;
  const o = value as Record<string, unknown>;
  if (typeof o[TAG] === "string") {
    const v = o.value;
    switch (o[TAG]) {
      case "undefined":
        return undefined;
      case "Serialized":
        if (!serializer) throw new TypeError("This result was kept by a task's own serializer; give the task that serializer to read it.");
        return serializer.deserialize(v as string);
      case "Number":
        return Number(v);
      case "BigInt":
        return BigInt(v as string);
      case "Date":
        return new Date(v === null ? Number.NaN : (v as string));
      case "Map":
        return new Map((v as [unknown, unknown][]).map(([k, x]) => [decodeResult(k), decodeResult(x)]));
      case "Set":
        return new Set((v as unknown[]).map((x) => decodeResult(x)));
      case "Object":
        return Object.fromEntries(Object.entries(v as Record<string, unknown>).map(([k, x]) => [k, decodeResult(x)]));
    }
  }
  return Object.fromEntries(Object.entries(o).map(([k, x]) => [k, decodeResult(x)]));
}

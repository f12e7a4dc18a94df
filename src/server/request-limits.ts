import type { FastifyInstance } from "fastify";
import { BadRequestError } from "../contract/errors.ts";
import { hasUnstorableText } from "../contract/index.ts";

/**
 * What the API accepts in a JSON body besides its size (`bodyLimit`): deep or wide values cost the
 * server stack and time whatever their use, so they are refused before any route sees them.
 */
export const JSON_LIMITS = { depth: 64, stringLength: 512 * 1024, arrayItems: 10_000, objectProperties: 1_000 } as const;

/** A place in a body: its key and the place that holds it (none for the body itself). */
interface Place {
  key: string | number;
  in: Place | undefined;
}

/** A place as a JSON Pointer, built only for the one that breaks a limit. */
function pointer(place: Place | undefined): string {
  let path = "";
  for (let p = place; p; p = p.in) path = `/${String(p.key).replaceAll("~", "~0").replaceAll("/", "~1")}${path}`;
  return path;
}

/** Where a parsed body breaks `JSON_LIMITS`, as a field error at the first place found; undefined when it keeps them. */
export function jsonLimitBreach(value: unknown): { path: string; message: string } | undefined {
  const stack: [unknown, Place | undefined, number][] = [[value, undefined, 0]];
  while (stack.length > 0) {
    const [v, place, depth] = stack.pop()!;
    if (typeof v === "string") {
      if (v.length > JSON_LIMITS.stringLength)
        return { path: pointer(place), message: `is a text longer than ${JSON_LIMITS.stringLength} characters` };
      continue;
    }
    if (!v || typeof v !== "object") continue;
    if (depth >= JSON_LIMITS.depth) return { path: pointer(place), message: `is nested deeper than ${JSON_LIMITS.depth} levels` };
    if (Array.isArray(v)) {
      if (v.length > JSON_LIMITS.arrayItems) return { path: pointer(place), message: `is a list of more than ${JSON_LIMITS.arrayItems} items` };
      for (let i = 0; i < v.length; i++) stack.push([v[i], { key: i, in: place }, depth + 1]);
    } else {
      const keys = Object.keys(v);
      if (keys.length > JSON_LIMITS.objectProperties)
        return { path: pointer(place), message: `has more than ${JSON_LIMITS.objectProperties} fields` };
      for (const k of keys) {
        const at = { key: k, in: place };
        if (k.length > JSON_LIMITS.stringLength)
          return { path: pointer(at), message: `is a field name longer than ${JSON_LIMITS.stringLength} characters` };
        stack.push([(v as Record<string, unknown>)[k], at, depth + 1]);
      }
    }
  }
  return undefined;
}

/**
 * Parses JSON bodies with Fastify's parser (and its `__proto__` guard), then holds them to `JSON_LIMITS`
 * (400 naming where). An empty body is no body: `curl -X POST -H 'content-type: application/json'
 * .../resume` answers a pause that asks for nothing, instead of failing on "empty JSON body".
 */
export function parseJsonWithinLimits(app: FastifyInstance): void {
  const parseJson = app.getDefaultJsonParser("error", "error");
  app.removeContentTypeParser("application/json");
  app.addContentTypeParser("application/json", { parseAs: "string" }, (req, body, done) => {
    if (/^\s*$/.test(body as string)) return done(null, undefined);
    parseJson(req, body as string, (err: Error | null, value?: unknown) => {
      const breach = err ? undefined : jsonLimitBreach(value);
      if (!breach) return done(err, value);
      const where = breach.path || "(body)";
      done(
        new BadRequestError(`The request body at ${where} ${breach.message}; the limits are in the README's HTTP API section.`, [breach]),
        undefined,
      );
    });
  });
}

/**
 * Ids and names in a path or a query are identifiers: a NUL character or a lone surrogate in one is a
 * mistake (or an attack), refused with a 400 before any query runs.
 */
export function refuseUnstorableIdentifiers(api: FastifyInstance): void {
  api.addHook("preValidation", async (req) => {
    for (const [where, values] of [
      ["path", req.params],
      ["query", req.query],
    ] as const) {
      for (const [name, value] of Object.entries((values ?? {}) as Record<string, unknown>)) {
        const texts = Array.isArray(value) ? value : [value];
        if (texts.some((t) => typeof t === "string" && hasUnstorableText(t)))
          throw new BadRequestError(
            `The ${where} parameter "${name}" contains a NUL character or a lone surrogate (half of a UTF-16 pair); ids and names cannot contain them.`,
            [{ path: `/${name}`, message: "contains a NUL character or a lone surrogate" }],
          );
      }
    }
  });
}

// Requests generated from the server's OpenAPI document with fast-check: mostly shaped as each route
// expects (so they reach the services and the database), with hostile values mixed in at every level.
import fc from "fast-check";

/** A JSON Schema node as @fastify/swagger writes it (OpenAPI 3.0: `nullable`, boolean `exclusiveMinimum`). */
type Schema = Record<string, any>;

/** One generated request: where, and the body as a value or as raw text. */
export interface FuzzRequest {
  method: string;
  path: string;
  query: [string, string][];
  body?: { json: unknown } | { raw: string; contentType: string };
  headers: Record<string, string>;
}

/** One operation of the OpenAPI document. */
export interface Operation {
  method: string;
  /** The path template, e.g. /api/flow-runs/{id}. */
  path: string;
  params: { in: "path" | "query"; name: string; required: boolean; schema: Schema }[];
  body: Schema | undefined;
}

/** The operations of an OpenAPI document. */
export function operationsOf(doc: any): Operation[] {
  return Object.entries<any>(doc.paths).flatMap(([path, ops]) =>
    Object.entries<any>(ops).map(([method, op]) => ({
      method: method.toUpperCase(),
      path,
      params: (op.parameters ?? []).filter((p: any) => p.in === "path" || p.in === "query"),
      body: op.requestBody?.content?.["application/json"]?.schema,
    })),
  );
}

/** Strings no well-behaved client sends: NUL, lone surrogates, SQL and path metacharacters, odd Unicode, long text. */
export const hostileString: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom(
    "\u0000",
    "a\u0000b",
    "\ud800",
    "x\udc00",
    "\udfff\ud800",
    "' OR 1=1 --",
    "'; DROP TABLE flow_runs; --",
    '"',
    "\\",
    "%",
    "_",
    "%00",
    "../../../../etc/passwd",
    "..%2f..%2fetc%2fpasswd",
    "<script>alert(1)</script>",
    "__proto__",
    "constructor",
    "\u202e\ufeff\u200b",
    "😀",
    "\r\n\r\nX-Injected: 1",
    " ",
    "",
    "null",
    "NaN",
    "-1",
    "1e309",
    "9".repeat(400),
  ),
  fc.string({ unit: "binary", maxLength: 40 }),
  fc.string({ unit: fc.constantFrom("\u0000", "\ud800", "\udc00", "a", "'", "%"), maxLength: 20 }),
  fc.integer({ min: 1_000, max: 300_000 }).map((n) => "x".repeat(n)),
);

/** Numbers at and past the edges. */
const hostileNumber = fc.oneof(
  fc.constantFrom(0, -0, -1, 1e308, -1e308, Number.MAX_SAFE_INTEGER + 2, 2 ** 63, 0.1, 1e-320),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
);

/** Any JSON value, hostile strings included. */
const anyJson: fc.Arbitrary<unknown> = fc.letrec<{ value: unknown }>((tie) => ({
  value: fc.oneof(
    { depthSize: "small", withCrossShrink: true },
    fc.constant(null),
    fc.boolean(),
    hostileNumber,
    hostileString,
    fc.string({ maxLength: 10 }),
    fc.array(tie("value"), { maxLength: 5 }),
    fc.dictionary(fc.oneof(fc.string({ maxLength: 8 }), hostileString), tie("value"), { maxKeys: 5 }),
  ),
})).value;

/**
 * Values for a schema: valid ones most of the time, a hostile value of any type now and then, so that
 * every route is reached both with bodies it accepts and with ones it must refuse.
 * `valid` gives values the generator believes valid (known ids, for example) for named string fields.
 */
export function arbitraryOf(
  schema: Schema | undefined,
  known: Record<string, fc.Arbitrary<string>> = {},
  name = "",
  depth = 0,
): fc.Arbitrary<unknown> {
  const shaped = shapedBy(schema ?? {}, known, name, depth);
  return fc.oneof({ arbitrary: shaped, weight: 8 }, { arbitrary: hostileString, weight: 1 }, { arbitrary: anyJson, weight: 1 });
}

function shapedBy(schema: Schema, known: Record<string, fc.Arbitrary<string>>, name: string, depth: number): fc.Arbitrary<unknown> {
  const alternatives = schema.anyOf ?? schema.oneOf;
  if (alternatives) return fc.oneof(...alternatives.map((s: Schema) => shapedBy(s, known, name, depth)));
  const base = ((): fc.Arbitrary<unknown> => {
    if (schema.enum) return fc.constantFrom(...schema.enum);
    if (schema.const !== undefined) return fc.constant(schema.const);
    switch (schema.type) {
      case "string": {
        const own = known[name];
        const fitting = schema.pattern
          ? fc.stringMatching(new RegExp(schema.pattern)).filter((s) => s.length <= (schema.maxLength ?? Infinity))
          : fc.string({ minLength: schema.minLength ?? 0, maxLength: Math.min(schema.maxLength ?? 30, 30) });
        return own
          ? fc.oneof({ arbitrary: own, weight: 3 }, { arbitrary: fitting, weight: 1 }, { arbitrary: hostileString, weight: 1 })
          : fc.oneof(fitting, hostileString);
      }
      case "integer":
        return fc.oneof(fc.integer({ min: schema.minimum ?? -1000, max: schema.maximum ?? 1000 }), hostileNumber);
      case "number":
        return fc.oneof(fc.double({ min: schema.minimum ?? -1e6, max: schema.maximum ?? 1e6, noNaN: true }), hostileNumber);
      case "boolean":
        return fc.boolean();
      case "null":
        return fc.constant(null);
      case "array":
        return depth > 4
          ? fc.constant([])
          : fc.array(arbitraryOf(schema.items, known, name, depth + 1), {
              minLength: schema.minItems ?? 0,
              maxLength: Math.min(schema.maxItems ?? 4, 4),
            });
      case "object": {
        if (depth > 4) return fc.constant({});
        const props: Record<string, Schema> = schema.properties ?? {};
        const required = new Set<string>(schema.required ?? []);
        const record = fc.record(Object.fromEntries(Object.entries(props).map(([k, s]) => [k, arbitraryOf(s, known, k, depth + 1)])), {
          requiredKeys: Object.keys(props).filter((k) => required.has(k) || k === "state" || k === "type"),
        });
        const extra = schema.additionalProperties === false ? fc.constant({}) : fc.dictionary(hostileString, anyJson, { maxKeys: 2 });
        return fc.tuple(record, fc.option(extra, { freq: 4 })).map(([r, x]) => ({ ...(x ?? {}), ...r }));
      }
      default:
        return anyJson;
    }
  })();
  return schema.nullable ? fc.option(base, { nil: null, freq: 5 }) : base;
}

/** Raw bodies that are not what any route expects: broken, huge, deeply nested JSON, the wrong media type. */
const rawBody: fc.Arbitrary<{ raw: string; contentType: string }> = fc.oneof(
  fc
    .constantFrom(
      "{",
      '{"a":',
      "[1,2",
      '{"__proto__":{"polluted":true}}',
      '{"constructor":{"prototype":{"polluted":true}}}',
      "\u0000",
      '"\\ud800"',
      "nul\u0000l",
      "1e99999",
      "-",
      "\ufeff{}",
    )
    .map((raw) => ({ raw, contentType: "application/json" })),
  fc
    .integer({ min: 65, max: 100_000 })
    .map((depth) => ({ raw: `{"input":${"[".repeat(depth)}${"]".repeat(depth)}}`, contentType: "application/json" })),
  fc
    .integer({ min: 65, max: 20_000 })
    .map((depth) => ({ raw: `{"parameters":${'{"a":'.repeat(depth)}1${"}".repeat(depth)}}`, contentType: "application/json" })),
  fc.constant({ raw: `{"x":"${"y".repeat(1024 * 1024 + 1)}"}`, contentType: "application/json" }),
  fc
    .constantFrom("text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x")
    .map((contentType) => ({ raw: "a=1", contentType })),
);

/** A path parameter or query value as it travels: percent-encoded, lone surrogates as the bytes a careless client sends. */
export function encodeComponent(s: string): string {
  try {
    return encodeURIComponent(s);
  } catch {
    // A lone surrogate has no UTF-8: send what WTF-8 would (ED A0 80 for U+D800), which is invalid UTF-8.
    return [...s]
      .map((ch) => {
        const c = ch.charCodeAt(0);
        if (ch.length === 1 && c >= 0xd800 && c <= 0xdfff)
          return `%ED%${(0xa0 + ((c >> 6) & 0x1f)).toString(16).toUpperCase()}%${(0x80 + (c & 0x3f)).toString(16).toUpperCase()}`;
        return encodeURIComponent(ch);
      })
      .join("");
  }
}

/** Requests for one operation; `known` holds arbitraries of real ids and names by parameter or field name. */
export function requestsFor(op: Operation, known: Record<string, fc.Arbitrary<string>>, bodies: Map<string, Schema>): fc.Arbitrary<FuzzRequest> {
  const pathParams = op.params.filter((p) => p.in === "path");
  const queryParams = op.params.filter((p) => p.in === "query");
  const pathArb = fc.tuple(
    ...pathParams.map((p) =>
      fc.oneof({ arbitrary: known[p.name] ?? fc.string({ maxLength: 10 }), weight: 3 }, { arbitrary: hostileString, weight: 2 }),
    ),
  );
  const queryArb = fc.tuple(
    ...queryParams.map((p) =>
      fc.option(
        (arbitraryOf(p.schema, known, p.name) as fc.Arbitrary<unknown>).map((v) => (typeof v === "string" ? v : (JSON.stringify(v) ?? ""))),
        { freq: 2 },
      ),
    ),
  );
  const bodyArb: fc.Arbitrary<FuzzRequest["body"]> = op.body
    ? fc.oneof(
        { arbitrary: (op.path === "/api/batch" ? batchBody(known, bodies) : arbitraryOf(op.body, known)).map((json) => ({ json })), weight: 8 },
        { arbitrary: rawBody, weight: 1 },
        { arbitrary: fc.constant(undefined), weight: 1 },
      )
    : fc.oneof({ arbitrary: fc.constant(undefined), weight: 9 }, { arbitrary: anyJson.map((json) => ({ json })), weight: 1 });
  const headersArb = fc.record(
    {
      "x-baton-channel": fc.oneof(fc.constantFrom("ui", "cli", "link"), hostileString),
      "last-event-id": fc.oneof(fc.nat().map(String), hostileString),
    },
    { requiredKeys: [] },
  );
  return fc.tuple(pathArb, queryArb, bodyArb, headersArb).map(([pathValues, queryValues, body, headers]) => {
    let path = op.path;
    for (const [i, p] of pathParams.entries()) path = path.replace(`{${p.name}}`, encodeComponent(pathValues[i]!));
    const query = queryParams.flatMap((p, i) => (queryValues[i] == null ? [] : [[p.name, queryValues[i]!] as [string, string]]));
    return { method: op.method, path, query, ...(body ? { body } : {}), headers: headerSafe(headers) };
  });
}

/** Each batch operation's body shaped as its own endpoint's. */
function batchBody(known: Record<string, fc.Arbitrary<string>>, bodies: Map<string, Schema>): fc.Arbitrary<unknown> {
  const op = (name: string, route: string, id: fc.Arbitrary<string> | undefined) =>
    fc.record({ op: fc.constant(name), ...(id ? { id } : {}), body: arbitraryOf(bodies.get(route), known) });
  return fc.record({
    operations: fc.array(
      fc.oneof(
        op("createTaskRun", "POST /api/task-runs", undefined),
        op("setTaskRunState", "POST /api/task-runs/{id}/set-state", known.taskRunId),
        op("setFlowRunState", "POST /api/flow-runs/{id}/set-state", known.id),
        anyJson,
      ),
      { minLength: 1, maxLength: 5 },
    ),
  });
}

/** Header values fetch can send: no NUL, CR, LF or characters above U+00FF. */
function headerSafe(headers: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(headers).filter(([, v]) => /^[\t\x20-\x7e\x80-\xff]*$/.test(v)));
}

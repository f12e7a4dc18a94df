// The thread where answers are checked (schema-checker.ts sends the work): compiling a large schema can
// take seconds, and here that costs no request its answer.
import { parentPort } from "node:worker_threads";
import { compileSchema, validateInput } from "./input-validation.ts";
import type { CheckReply, CheckRequest } from "./schema-checker.ts";

parentPort!.on("message", (m: CheckRequest) => {
  let reply: CheckReply;
  try {
    if (m.kind === "compile") {
      const started = performance.now();
      compileSchema(m.schema);
      reply = { id: m.id, result: { ok: true, value: undefined }, compileMs: performance.now() - started };
    } else reply = { id: m.id, result: validateInput(m.schema, m.input) };
  } catch (e) {
    reply = { id: m.id, unusable: (e as Error).message };
  }
  parentPort!.postMessage(reply);
});
// What it checks with is loaded, and warmed on a small form (a first compile costs several times a later
// one): from now on, each check is timed, and a compile's time says what it would cost the server's thread.
compileSchema({
  type: "object",
  properties: {
    a: { type: "string", pattern: "^[a-z]+$", format: "email" },
    b: { enum: ["x", "y"] },
    c: { type: "array", items: { type: "integer" } },
  },
  required: ["a"],
});
parentPort!.postMessage("ready");

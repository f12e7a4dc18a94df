// The thread where answers are checked (schema-checker.ts sends the work): compiling a large schema can
// take seconds, and here that costs no request its answer.
import { parentPort } from "node:worker_threads";
import { compileSchema, validateInput } from "./input-validation.ts";
import type { CheckReply, CheckRequest } from "./schema-checker.ts";

parentPort!.on("message", (m: CheckRequest) => {
  let reply: CheckReply;
  try {
    if (m.kind === "compile") {
      compileSchema(m.schema);
      reply = { id: m.id, result: { ok: true, value: undefined } };
    } else reply = { id: m.id, result: validateInput(m.schema, m.input) };
  } catch (e) {
    reply = { id: m.id, unusable: (e as Error).message };
  }
  parentPort!.postMessage(reply);
});
// What it checks with is loaded: from now on, each check is timed.
parentPort!.postMessage("ready");

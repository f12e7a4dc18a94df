import { Worker } from "node:worker_threads";
import { BadRequestError, type FieldError } from "../contract/errors.ts";

type Schema = Record<string, unknown>;
type Checked = { ok: true; value: unknown } | { ok: false; errors: FieldError[] };

/** What schema-worker.ts is asked. */
type CheckWork = { kind: "compile"; schema: Schema } | { kind: "validate"; schema: Schema; input: unknown };
export type CheckRequest = CheckWork & { id: number };
/** What it answers: the check's result, or why the schema cannot be used. */
export type CheckReply = { id: number; result: Checked } | { id: number; unusable: string };

/**
 * Checks schemas and answers on a worker thread, each within `timeoutMs`: compiling a schema costs time
 * that grows with its size (seconds for a few hundred KiB, or for many counted repetitions in patterns),
 * and schemas come with requests. The server's own thread never waits for one; a check past the bound is
 * refused, and the worker, ended, is started again on the next check.
 */
export class SchemaChecker {
  readonly #timeoutMs: number;
  /** The worker, once it has loaded what it checks with (its start-up is not counted in the bound). */
  #worker: Promise<Worker> | undefined;
  /** Checks sent and not answered: how to answer each, and what to say if it is too slow. */
  readonly #pending = new Map<number, { settle: (reply: CheckReply) => void; tooSlow: string }>();
  #next = 0;

  constructor(timeoutMs = 2000) {
    this.#timeoutMs = timeoutMs;
  }

  /**
   * Resolves when `schema` can check answers; else throws a 400 that starts with `subject` ("The input
   * schema of pause "1" cannot be used to check answers") and says why, with `path` as the field in error.
   */
  async requireUsable(schema: Schema, subject: string, path: string): Promise<void> {
    const reply = await this.#ask({ kind: "compile", schema }, `it takes longer than ${this.#timeoutMs / 1000} s to compile; make it smaller`);
    if ("unusable" in reply)
      throw new BadRequestError(`${subject}: ${reply.unusable}. Change it in the flow's code.`, [{ path, message: reply.unusable }]);
  }

  /** `validateInput` of input-validation.ts, off the server's thread. */
  async validate(schema: Schema, input: unknown): Promise<Checked> {
    const reply = await this.#ask({ kind: "validate", schema, input }, `the answer could not be checked within ${this.#timeoutMs / 1000} s`);
    return "unusable" in reply ? { ok: false, errors: [{ path: "", message: reply.unusable }] } : reply.result;
  }

  /** Ends the worker; a later check starts another. */
  async close(): Promise<void> {
    const worker = this.#worker;
    this.#worker = undefined;
    await (await worker?.catch(() => undefined))?.terminate();
  }

  async #ask(request: CheckWork, tooSlow: string): Promise<CheckReply> {
    const id = ++this.#next;
    let worker: Worker;
    try {
      worker = await this.#start();
    } catch (e) {
      return { id, unusable: `the check could not start: ${(e as Error).message}` };
    }
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        // Everything queued behind the slow check is refused with it: the worker is ended, not waited for.
        for (const [pendingId, p] of this.#pending) p.settle({ id: pendingId, unusable: p.tooSlow });
        void this.close();
      }, this.#timeoutMs);
      this.#pending.set(id, {
        tooSlow,
        settle: (reply) => {
          clearTimeout(timer);
          this.#pending.delete(id);
          resolve(reply);
        },
      });
      worker.postMessage({ id, ...request });
    });
  }

  #start(): Promise<Worker> {
    if (this.#worker) return this.#worker;
    const started: Promise<Worker> = new Promise((resolve, reject) => {
      // Built, the worker is dist/server/schema-worker.js; run from the sources, the .ts beside this file.
      const file = import.meta.url.endsWith(".ts") ? "./schema-worker.ts" : "./schema-worker.js";
      const worker = new Worker(new URL(file, import.meta.url));
      worker.unref();
      worker.on("message", (reply: CheckReply | "ready") => (reply === "ready" ? resolve(worker) : this.#pending.get(reply.id)?.settle(reply)));
      worker.on("error", (e) => {
        reject(e);
        for (const [id, p] of this.#pending) p.settle({ id, unusable: `the check failed: ${e.message}` });
      });
      worker.on("exit", () => {
        if (this.#worker !== undefined && this.#worker !== started) return; // the checks waiting are a newer worker's
        this.#worker = undefined;
        // Ended by close(), as the server stops: no check waits for an answer that will not come.
        for (const [id, p] of this.#pending) p.settle({ id, unusable: "the server is stopping" });
      });
    });
    this.#worker = started;
    return started;
  }
}

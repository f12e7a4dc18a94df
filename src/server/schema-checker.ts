import { Worker } from "node:worker_threads";
import { BadRequestError, type FieldError } from "../contract/errors.ts";
import { compileSchema, isCompiled, validateInput } from "./input-validation.ts";

type Schema = Record<string, unknown>;
type Checked = { ok: true; value: unknown } | { ok: false; errors: FieldError[] };

/** What schema-worker.ts is asked. */
type CheckWork = { kind: "compile"; schema: Schema } | { kind: "validate"; schema: Schema; input: unknown };
export type CheckRequest = CheckWork & { id: number };
/** What it answers: the check's result (with the time a compile took), or why the schema cannot be used. */
export type CheckReply = { id: number; result: Checked; compileMs?: number } | { id: number; unusable: string };

/** A schema the worker compiled within this is compiled on the server's thread too, and its answers checked there. */
const MAIN_THREAD_COMPILE_MS = 20;
/** The worker ends after this long without work: it costs about 20 MB, and most servers see few new schemas. */
const IDLE_MS = 5_000;

/**
 * Checks schemas and answers without making the server's thread wait on a schema: compiling one costs
 * time that grows with its size (seconds for a few hundred KiB, or for many counted repetitions in
 * patterns), and schemas come with requests. Each new schema is compiled first on a worker thread, within
 * `timeoutMs` (past it, it is refused, and the worker, ended, is started again on the next check). One that
 * compiles quickly, as a form's schema does, is then compiled on the server's thread as well, and its
 * answers are checked there, with no hand-over: checking is linear in the answer's size (patterns run on
 * RE2, `uniqueItems` by hashing, and request-limits.ts bounds the answer). A slow one stays the worker's.
 */
export class SchemaChecker {
  readonly #timeoutMs: number;
  /** The text of schemas that took the worker longer than MAIN_THREAD_COMPILE_MS: checked there. */
  readonly #slow = new Set<string>();
  #idle: NodeJS.Timeout | undefined;
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
    const unusable = await this.#compile(schema);
    if (unusable) throw new BadRequestError(`${subject}: ${unusable}. Change it in the flow's code.`, [{ path, message: unusable }]);
  }

  /** `validateInput` of input-validation.ts, on the server's thread once the schema is known to compile quickly. */
  async validate(schema: Schema, input: unknown): Promise<Checked> {
    const unusable = await this.#compile(schema);
    // A question kept from before its schema was checked when asked: say so rather than fail.
    if (unusable) return { ok: false, errors: [{ path: "", message: `this question's schema cannot be used to check answers: ${unusable}` }] };
    if (isCompiled(schema)) return validateInput(schema, input);
    const reply = await this.#ask({ kind: "validate", schema, input }, `the answer could not be checked within ${this.#timeoutMs / 1000} s`);
    return "unusable" in reply ? { ok: false, errors: [{ path: "", message: reply.unusable }] } : reply.result;
  }

  /** Compiles a schema not seen yet on the worker, within the bound, then here if it was quick; says why it cannot be used. */
  async #compile(schema: Schema): Promise<string | undefined> {
    if (isCompiled(schema)) return undefined;
    const text = JSON.stringify(schema);
    if (this.#slow.has(text)) return undefined;
    const reply = await this.#ask({ kind: "compile", schema }, `it takes longer than ${this.#timeoutMs / 1000} s to compile; make it smaller`);
    if ("unusable" in reply) return reply.unusable;
    if ((reply.compileMs ?? Infinity) <= MAIN_THREAD_COMPILE_MS) compileSchema(schema);
    else {
      if (this.#slow.size >= 1000) this.#slow.clear();
      this.#slow.add(text);
    }
    return undefined;
  }

  /** Ends the worker; a later check starts another. */
  async close(): Promise<void> {
    clearTimeout(this.#idle);
    const worker = this.#worker;
    this.#worker = undefined;
    await (await worker?.catch(() => undefined))?.terminate();
  }

  async #ask(request: CheckWork, tooSlow: string): Promise<CheckReply> {
    const id = ++this.#next;
    clearTimeout(this.#idle);
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
          if (!this.#pending.size) this.#idle = setTimeout(() => void this.close(), IDLE_MS).unref();
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

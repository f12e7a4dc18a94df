import { randomUUID } from "node:crypto";
import type { InputCheck, InputCheckReply } from "../contract/index.ts";
import { authorize } from "./authorize.ts";
import type { RequestCaller } from "./request-caller.ts";

/** Which process may check an answer: the one waiting in the live pause, or one serving the run's deployment. */
export type CheckTarget = { workerId: string } | { deploymentName: string };

/** An event stream of a process that offered to check answers: its runs' live pauses, and/or the deployments it serves. */
export interface Checker {
  workerId: string | undefined;
  livePauses: boolean;
  deployments: ReadonlySet<string>;
  send(check: InputCheck): void;
}

/** What one server tells the others (through the PostgreSQL relay) about a check. */
type Message =
  | { kind: "input-check"; target: CheckTarget; check: InputCheck }
  | { kind: "input-check-reply"; flowRunId: string; checkId: string; reply: InputCheckReply };

/**
 * Hands an answer to a process holding the flow's code, to be checked by its Zod schema before the run
 * resumes. The request is pushed down the process's open event stream; the process answers with
 * `POST /api/flow-runs/{id}/input-checks/{checkId}`. With several servers, a process connected to another
 * one is reached through the database's relay, and its verdict comes back the same way. Nothing is kept:
 * a check that gets no verdict within its bound is simply not used.
 */
export class InputChecks {
  readonly #checkers = new Set<Checker>();
  /** Checks asked here and not yet settled, by check id: the run each is about, and what settles it. */
  readonly #pending = new Map<string, { flowRunId: string; settle: (reply: InputCheckReply) => void }>();
  /** Set when other servers share the database: sends them a message now. */
  tell: ((message: Message) => boolean) | undefined;

  /** Offers a stream's process as a checker; returns what to call when the stream closes. */
  attach(checker: Checker): () => void {
    this.#checkers.add(checker);
    return () => this.#checkers.delete(checker);
  }

  /**
   * Asks a process of `target` to check `input`; resolves with its verdict, or undefined when no process
   * on any server gave one within `timeoutMs` (none connected, it hangs, the relay could not carry it).
   */
  ask(target: CheckTarget, question: Omit<InputCheck, "checkId">, timeoutMs: number): Promise<InputCheckReply | undefined> {
    const check: InputCheck = { checkId: randomUUID(), ...question };
    const local = this.#find(target);
    if (!local && !this.tell) return Promise.resolve(undefined);
    return new Promise((resolve) => {
      const timer = setTimeout(() => settle(undefined), timeoutMs);
      const settle = (reply: InputCheckReply | undefined) => {
        clearTimeout(timer);
        this.#pending.delete(check.checkId);
        resolve(reply);
      };
      this.#pending.set(check.checkId, { flowRunId: check.flowRunId, settle });
      if (local) local.send(check);
      else if (!this.tell!({ kind: "input-check", target, check })) settle(undefined);
    });
  }

  /** A process's verdict on check `checkId` of run `flowRunId`: settles it here, or passes it to the server that asked. */
  reply(caller: RequestCaller, flowRunId: string, checkId: string, reply: InputCheckReply): void {
    authorize(caller, "flow-run:check-input", { type: "flow-run", id: flowRunId });
    const pending = this.#pending.get(checkId);
    if (pending) {
      if (pending.flowRunId === flowRunId) pending.settle(reply);
    } else this.tell?.({ kind: "input-check-reply", flowRunId, checkId, reply });
  }

  /** A message from another server: a check for a process connected here, or a verdict for a check asked here. */
  hear(message: unknown): void {
    const m = message as Message;
    if (m?.kind === "input-check") this.#find(m.target)?.send(m.check);
    else if (m?.kind === "input-check-reply") {
      const pending = this.#pending.get(m.checkId);
      if (pending?.flowRunId === m.flowRunId) pending.settle(m.reply);
    }
  }

  #find(target: CheckTarget): Checker | undefined {
    for (const c of this.#checkers)
      if ("workerId" in target ? c.livePauses && c.workerId === target.workerId : c.deployments.has(target.deploymentName)) return c;
    return undefined;
  }
}

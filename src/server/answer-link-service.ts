import { ForbiddenError, InvalidInputError, NotPausedError, PauseExpiredError } from "../contract/errors.ts";
import type { FlowRun, RunInput } from "../contract/index.ts";
import type { Storage } from "../storage/storage.ts";
import { auditEntry } from "./audit-service.ts";
import { nowMs } from "./clock.ts";
import type { AnswerLinks, LinkClaims } from "./notifications/answer-links.ts";
import type { PauseService } from "./pause-service.ts";
import { linkCaller, type Principal } from "./request-caller.ts";

/** What opening or using an answer link comes to; the route makes a page of it. */
export type LinkOutcome =
  | { kind: "invalid" }
  | { kind: "gone"; claims: LinkClaims }
  | { kind: "confirm"; claims: LinkClaims; run: FlowRun; description: string | null }
  | { kind: "done"; claims: LinkClaims; run: FlowRun }
  | { kind: "answered"; claims: LinkClaims; run: FlowRun; input: RunInput; byThisLink: boolean }
  | { kind: "expired"; claims: LinkClaims; run: FlowRun }
  | { kind: "refused"; claims: LinkClaims; run: FlowRun; status: 403 | 422; message: string };

/**
 * One-click answers: a signed link names a run, its pause key and an answer. Opening it (GET) only
 * shows what it would do, since mail scanners follow links; confirming (POST) answers, once, with the
 * channel `link`, as whom the link was sent to (see `linkCaller`), under the pause's respondents rules. A link whose pause was answered, timed out or ended says so instead.
 */
export class AnswerLinkService {
  readonly #storage: Storage;
  readonly #links: AnswerLinks;
  readonly #pauses: PauseService;
  constructor(storage: Storage, links: AnswerLinks, pauses: PauseService) {
    this.#storage = storage;
    this.#links = links;
    this.#pauses = pauses;
  }

  /** What the link would do, changing nothing. */
  async open(token: string): Promise<LinkOutcome> {
    const claims = this.#links.verify(token);
    if (!claims) return { kind: "invalid" };
    const run = await this.#storage.runs.get(claims.flowRunId);
    if (!run) return { kind: "gone", claims };
    const input = await this.#storage.inputs.get(run.id, claims.key);
    if (input?.respondedAt)
      return { kind: "answered", claims, run, input, byThisLink: input.channel === "link" && sameAnswer(input.response, claims.input) };
    const waiting = run.state.type === "PAUSED" && run.state.details.pauseKey === claims.key;
    if (!waiting || (claims.expiresAt !== null && claims.expiresAt * 1000 <= nowMs())) return { kind: "expired", claims, run };
    return { kind: "confirm", claims, run, description: input?.description ?? null };
  }

  /** Answers the pause with the link's answer, if it still waits for one. */
  async answer(token: string): Promise<LinkOutcome> {
    const opened = await this.open(token);
    if (opened.kind !== "confirm") return opened;
    const { claims } = opened;
    const caller = await this.#callerOf(claims);
    try {
      const run = await this.#pauses.resume(caller, claims.flowRunId, { input: claims.input }, claims.key);
      return { kind: "done", claims, run };
    } catch (e) {
      if (e instanceof NotPausedError || e instanceof PauseExpiredError) return this.open(token); // answered or ended meanwhile
      if (e instanceof InvalidInputError) return { kind: "refused", claims, run: opened.run, status: 422, message: e.message };
      if (e instanceof ForbiddenError) {
        // Refused like an answer through the API, and recorded like one.
        await this.#storage.transaction((tx) => tx.audit.append(auditEntry(caller, "refused", `flow-run/${claims.flowRunId}`, e.details)));
        return { kind: "refused", claims, run: opened.run, status: 403, message: e.details.reason };
      }
      throw e;
    }
  }

  /** Who answers through a link: the user it was sent to, found by their email address, else the address, else `link`. */
  async #callerOf(claims: LinkClaims): Promise<Principal> {
    const user = claims.sentTo ? await this.#storage.people.getUserByEmail(claims.sentTo) : undefined;
    return linkCaller(claims.sentTo, user);
  }
}

function sameAnswer(a: unknown, b: unknown): boolean {
  return JSON.stringify(a ?? null) === JSON.stringify(b ?? null);
}

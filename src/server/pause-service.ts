import {
  ForbiddenError,
  UserNotFoundError,
  FlowRunCancelledError,
  BadRequestError,
  InvalidInputError,
  InvalidTransitionError,
  NotPausedError,
  FlowTimeoutError,
  PauseExpiredError,
  PauseNotFoundError,
  PauseTimeoutError,
} from "../contract/errors.ts";
import {
  isSuspended,
  type Answer,
  type Channel,
  type FlowRun,
  type InputRefusal,
  type InputRequest,
  type ResumeResult,
  type RunInput,
  type ValidatedBy,
} from "../contract/index.ts";
import type { PauseBody, PauseResult, ResumeBody } from "../contract/index.ts";
import type { z } from "zod";
import type { Storage, Stores } from "../storage/storage.ts";
import { auditEntry } from "./audit-service.ts";
import { authorize } from "./authorize.ts";
import { now, nowMs } from "./clock.ts";
import type { FlowRunService } from "./flow-run-service.ts";
import type { CheckTarget, InputChecks } from "./input-checks.ts";
import { setAsideAnswer } from "./rejected-answers.ts";
import type { SchemaChecker } from "./schema-checker.ts";
import type { MetricsService } from "./metrics-service.ts";
import { ANYONE_WITH_THE_LINK, type RequestCaller, serverCaller } from "./request-caller.ts";
import { inputFor, sensitivePaths } from "./sensitive.ts";
import { newState, StaleStateError, suspendedState, type StateTransitions } from "./state-transitions.ts";

type Parsed<T extends z.ZodType> = z.output<T>;

/** Who an answer is recorded as: the caller, the person an admin answers for, and the one person it counts as. */
interface Respondent {
  respondedBy: string | null;
  onBehalfOf: string | null;
  channel: Channel;
  /** Whom the answer counts for, in a pause's respondents and its quorum. */
  person: string;
}

/** The audit entry of an answer (never its value, which may be sensitive); `count`: the answers so far of a quorum pause. */
function answerEntry(caller: RequestCaller, id: string, key: string, who: Respondent, count: number | undefined) {
  return auditEntry(caller, "flow-run.answer", `flow-run/${id}`, {
    key,
    respondedBy: who.respondedBy,
    onBehalfOf: who.onBehalfOf,
    ...(count === undefined ? {} : { answers: count }),
  });
}

/** The server acting when a pause times out, as the audit log names it. */
const TIMEOUT = serverCaller("timeout", "timeout");
/** An `onTimeout` answer: given by nobody, through the channel `timeout`. */
const TIMEOUT_RESPONDENT: Respondent = { respondedBy: null, onBehalfOf: null, channel: "timeout", person: "timeout" };

/** How answers are handed to the flow's own schema before a run resumes. */
export interface FlowChecks {
  checks: InputChecks;
  /** How long a process has to give its verdict; 0: never asked, answers are checked by their JSON Schema alone. */
  timeoutMs: number;
  /** Told when a check could not be made (no process answered in time, or its check threw): the answer goes on the JSON Schema alone. */
  warn: (message: string, details: Record<string, unknown>) => void;
}

/** Pauses: asking (pause, suspend), answering, and the questions and answers of a run. */
export class PauseService {
  readonly #storage: Storage;
  readonly #runs: FlowRunService;
  readonly #transitions: StateTransitions;
  readonly #schemas: SchemaChecker;
  readonly #metrics: MetricsService;
  readonly #flowChecks: FlowChecks | undefined;
  constructor(
    storage: Storage,
    runs: FlowRunService,
    transitions: StateTransitions,
    schemas: SchemaChecker,
    metrics: MetricsService,
    flowChecks?: FlowChecks,
  ) {
    this.#flowChecks = flowChecks;
    this.#storage = storage;
    this.#runs = runs;
    this.#transitions = transitions;
    this.#schemas = schemas;
    this.#metrics = metrics;
  }

  /**
   * Pauses a running run under `key`, recording what it asks for in the same transaction, so that a
   * paused run is never seen without its question. A key already answered returns that answer instead.
   */
  async pause(caller: RequestCaller, id: string, body: Parsed<typeof PauseBody>): Promise<PauseResult> {
    authorize(caller, "flow-run:pause", { type: "flow-run", id });
    const run = await this.#runs.load(id);
    const key = body.key ?? (await this.#nextPauseNumber(id));
    const existing = body.key === undefined ? undefined : await this.#storage.inputs.get(id, key);
    const heldBy = body.workerId;
    // A pause asked again (its request was retried) is told how it stands, unless another process has the run now.
    if (existing?.respondedAt && !body.reask) {
      await this.#transitions.checkHeld(id, heldBy);
      return { status: "ALREADY_ANSWERED", input: existing.response ?? null };
    }
    if (run.state.type === "PAUSED" && run.state.details.pauseKey === key) {
      await this.#transitions.checkHeld(id, heldBy);
      return { status: "PAUSED", flowRun: run };
    }
    if (run.state.type === "CANCELLED") throw new FlowRunCancelledError(id, run.state.message);
    if (run.state.type !== "RUNNING") {
      await this.#transitions.checkHeld(id, heldBy);
      throw new InvalidTransitionError(id, run.state.type, "PAUSED", `only a running run can pause; this one is ${run.state.name}.`);
    }
    // A run asked to suspend does so at its next pause, whatever its process knows.
    const suspend = body.suspend || (run.state.details.suspendRequested === true && run.deploymentId !== null);
    if (suspend && !run.deploymentId)
      throw new InvalidTransitionError(
        id,
        run.state.type,
        "PAUSED",
        "only a run of a deployment can suspend, since a serving process must pick it up again; use pauseFlowRun, or serve the flow.",
      );
    if (body.inputRequest)
      await this.#schemas.requireUsable(
        body.inputRequest.schema,
        `The input schema of pause "${key}" cannot be used to check answers`,
        "/inputRequest/schema",
      );
    const onTimeout = body.onTimeout === "fail" ? undefined : body.onTimeout;
    if (typeof onTimeout === "object" && body.required !== undefined)
      throw new BadRequestError(`Pause "${key}" needs ${body.required} people's answers: its onTimeout can fail or cancel it, not answer for them.`);
    if (typeof onTimeout === "object") onTimeout.answer = await this.#checkTimeoutAnswer(key, body.inputRequest, onTimeout.answer);
    const timestamp = now();
    const ownTimeoutAt = body.timeoutSeconds === null ? null : new Date(Date.parse(timestamp) + body.timeoutSeconds * 1000).toISOString();
    // A pause never outlasts its run's own deadline.
    const flowTimeoutAt =
      body.flowTimeoutAt && (!ownTimeoutAt || Date.parse(body.flowTimeoutAt) < Date.parse(ownTimeoutAt)) ? body.flowTimeoutAt : undefined;
    const timeoutAt = flowTimeoutAt ?? ownTimeoutAt;
    const state = newState(
      {
        type: "PAUSED",
        name: suspend ? "Suspended" : "Paused",
        message: `${body.inputRequest ? "Waiting for input" : "Waiting to be resumed"}${suspend ? "; no process is kept waiting" : ""}`,
        details: {
          pauseKey: key,
          pauseTimeout: timeoutAt,
          ...(flowTimeoutAt ? { flowTimeoutAt } : {}),
          inputRequest: body.inputRequest,
          ...(onTimeout ? { onTimeout } : {}),
          ...(suspend ? { suspended: true } : {}),
          ...(body.respondents?.length ? { respondents: [...new Set(body.respondents)] } : {}),
          ...(body.excludeRunCreator ? { excludeRunCreator: true } : {}),
          ...(body.required !== undefined ? { required: body.required } : {}),
          ...(body.rejected ? { rejected: body.rejected } : {}),
        },
      },
      timestamp,
    );
    const flowRun = await this.#transitions.transition(
      run,
      state,
      async (tx) => {
        if (existing?.respondedAt) await setAsideAnswer(tx, id, key);
        await tx.inputs.insertRequest(id, key, body.inputRequest, timestamp, timeoutAt);
      },
      { heldBy },
    );
    return { status: "PAUSED", flowRun };
  }

  /**
   * Answers a paused run: checks that the caller may answer this pause (its respondents, not the run's
   * creator when it says so; 403 and nothing changes), validates the input against the pause's schema
   * (422, the run stays paused), then has a process holding the flow's code check it with the flow's Zod
   * schema (422 again, the refusal recorded), then stores it and sets the run Running in one transaction.
   * Of two concurrent answers exactly one wins. A pause that needs several people (`required`) keeps each
   * answer until enough different people have answered; the last one resumes the run with all of them.
   */
  async resume(caller: RequestCaller, id: string, body: Parsed<typeof ResumeBody>, onlyKey?: string): Promise<ResumeResult> {
    authorize(caller, "flow-run:resume", { type: "flow-run", id });
    const started = performance.now();
    const run = await this.#runs.load(id);
    const key = run.state.details.pauseKey ?? "";
    if (run.state.type !== "PAUSED") throw PauseExpiredError.of(run) ?? new NotPausedError(id, run.state.type, run.state.name);
    if (onlyKey !== undefined && key !== onlyKey) throw new NotPausedError(id, run.state.type, run.state.name);
    const timeoutAt = run.state.details.pauseTimeout ?? null;
    if (timeoutAt && Date.parse(timeoutAt) <= nowMs()) {
      // Its timeout acts now, as the pause says (or did already, on another server): failed, cancelled, or
      // answered by onTimeout, the run has moved on, and this answer comes too late for it.
      const after = (await this.expire(run)) ?? (await this.#runs.load(id));
      throw new PauseExpiredError(id, key, timeoutAt, after.state.type, after.state.name);
    }
    const who = await this.#respondent(caller, run, body);
    const request = run.state.details.inputRequest;
    let value: unknown = null;
    let validatedBy: ValidatedBy = null;
    if (request) {
      const checked = await this.#schemas.validate(request.schema, body.input);
      if (!checked.ok) throw new InvalidInputError(id, checked.errors);
      value = checked.value;
      validatedBy = await this.#checkWithFlow(caller, run, key, request, value, who);
    }
    const timestamp = now();
    const comment = body.comment;
    const required = run.state.details.required;
    let answers: { previous: Answer[]; next: Answer[] } | undefined;
    if (required !== undefined) {
      answers = await this.#addAnswer(caller, run, key, who, {
        input: value,
        respondedBy: who.respondedBy,
        onBehalfOf: who.onBehalfOf,
        channel: who.channel,
        respondedAt: timestamp,
        ...(comment ? { comment } : {}),
      });
      if (answers.next.length < required) return { ...run, validatedBy };
      value = answers.next;
    }
    const resumed = await this.#answer(caller, run, key, value, who, { timestamp, answers, comment });
    this.#metrics.answered(who.channel, isSuspended(run.state), (performance.now() - started) / 1000, run.state.timestamp);
    return { ...resumed, validatedBy };
  }

  /**
   * Hands an answer that fits the JSON Schema to a process holding the flow's code: the process waiting in
   * the live pause, or for a suspended run one serving its deployment, which checks it with the flow's Zod
   * schema (refinements, transforms, async checks). A refusal is recorded (with an `input-rejected` event)
   * and thrown as a 422 like the JSON Schema's, the run staying paused. When no process gives a verdict in
   * time, or its check throws something other than a validation error, the answer goes on as checked by the
   * JSON Schema, and the flow checks it itself after it resumes (RunInputValidationError, as before).
   */
  async #checkWithFlow(
    caller: RequestCaller,
    run: FlowRun,
    key: string,
    request: InputRequest,
    value: unknown,
    who: Respondent,
  ): Promise<ValidatedBy> {
    const fc = this.#flowChecks;
    // Without a schema id the pause was not asked by the SDK with a Zod schema: there is nothing more to check.
    if (!fc || fc.timeoutMs <= 0 || !request.schemaId) return "schema";
    let target: CheckTarget | undefined;
    if (!isSuspended(run.state)) {
      const workerId = await this.#storage.runs.workerOf(run.id);
      target = workerId ? { workerId } : undefined;
    } else target = run.deploymentName ? { deploymentName: run.deploymentName } : undefined;
    if (!target) return "schema";
    const question = { flowRunId: run.id, key, input: value, schemaId: request.schemaId };
    const reply = await fc.checks.ask(target, question, fc.timeoutMs);
    if (reply?.outcome === "accepted") return "flow";
    if (reply?.outcome !== "refused") {
      fc.warn(`The answer to pause "${key}" of flow run ${run.id} was not checked by the flow's own schema; its JSON Schema accepted it.`, {
        flowRunId: run.id,
        key,
        reason: reply?.reason ?? `no process holding the flow's code answered within ${fc.timeoutMs} ms`,
      });
      return "schema";
    }
    const refusedAt = now();
    const { respondedBy, onBehalfOf, channel } = who;
    await this.#transitions.write(async (tx) => {
      await tx.inputs.addRefusal(run.id, key, { value, errors: reply.errors, respondedBy, onBehalfOf, channel, refusedAt });
      await tx.audit.append(auditEntry(caller, "flow-run.answer-refused", `flow-run/${run.id}`, { key, respondedBy, onBehalfOf }));
      const payload = {
        key,
        errors: reply.errors,
        channel,
        respondedBy,
        onBehalfOf,
        flowName: run.flowName,
        deploymentName: run.deploymentName,
        tags: run.tags,
      };
      return { result: undefined, events: [{ type: "flow-run.input-rejected", flowRunId: run.id, occurredAt: refusedAt, payload }] };
    });
    throw new InvalidInputError(run.id, reply.errors);
  }

  /**
   * Stores the answer of `run`'s pause `key` (with a quorum pause's answers) and moves the run on, in one
   * transaction guarded by its state, with its audit entry.
   */
  #answer(
    caller: RequestCaller,
    run: FlowRun,
    key: string,
    value: unknown,
    who: Respondent,
    {
      timestamp = now(),
      answers,
      urgent = true,
      comment,
    }: { timestamp?: string; answers?: { previous: Answer[]; next: Answer[] } | undefined; urgent?: boolean; comment?: string | undefined },
  ): Promise<FlowRun> {
    const id = run.id;
    const request = run.state.details.inputRequest;
    const { respondedBy, onBehalfOf, channel } = who;
    // A suspended run has no process waiting: it is scheduled, and a serving process replays it.
    const state = isSuspended(run.state)
      ? newState(
          { type: "SCHEDULED", name: "Resuming", message: `Answered at "${key}"; waiting for a serving process`, details: { resumedPauseKey: key } },
          timestamp,
        )
      : newState({ type: "RUNNING", name: "Running", message: `Resumed from pause "${key}"`, details: { resumedPauseKey: key } }, timestamp);
    const sensitive = sensitivePaths(request?.schema);
    const payload = {
      key,
      input: value,
      channel,
      respondedBy,
      onBehalfOf,
      ...(comment ? { comment } : {}),
      ...(sensitive.length ? { sensitive } : {}),
      ...(answers ? { quorum: true } : {}),
    };
    return this.#transitions.transition(
      run,
      state,
      async (tx) => {
        // The last answer of a quorum counts only if no other came meanwhile (it would be lost otherwise).
        if (answers && !(await tx.inputs.setAnswers(id, key, answers.previous, answers.next))) throw new StaleStateError(id);
        const [stored] = await Promise.all([
          tx.inputs.storeResponse(id, key, { value, respondedAt: timestamp, channel, respondedBy, onBehalfOf, comment }),
          tx.audit.append(answerEntry(caller, id, key, who, answers ? answers.next.length : undefined)),
        ]);
        if (!stored) throw new StaleStateError(id); // another answer won: the 409 names the state it left
      },
      { urgent, events: [{ type: "flow-run.input-submitted", flowRunId: id, occurredAt: timestamp, payload }] },
    );
  }

  /** The key of a pause asked without one: the next number after the run's highest numbered key, as the SDK numbers. */
  async #nextPauseNumber(id: string): Promise<string> {
    const numbers = (await this.#storage.inputs.list(id)).map((i) => (/^[1-9][0-9]*$/.test(i.key) ? Number(i.key) : 0));
    return String(Math.max(0, ...numbers) + 1);
  }

  /**
   * Who answers, and whether they may: on a server that requires sign-in, the caller, or (an admin
   * naming `respondedBy`) the person they answer for, who must be among the pause's respondents and,
   * when it says so, not the run's creator. On an open server nobody is known: the answer is recorded
   * as it names itself, and the pause's respondents cannot be checked.
   */
  async #respondent(caller: RequestCaller, run: FlowRun, body: Parsed<typeof ResumeBody>): Promise<Respondent> {
    if (caller.kind !== "principal") {
      const name = body.respondedBy ?? null;
      return { respondedBy: name, onBehalfOf: null, channel: body.channel ?? caller.channel, person: name ?? "anonymous" };
    }
    let person = caller.userName ?? caller.name;
    let groups = caller.groups;
    let onBehalfOf: string | null = null;
    if (body.respondedBy !== undefined && body.respondedBy !== person) {
      if (caller.role !== "admin")
        throw new ForbiddenError(
          "flow-run:resume",
          `answers are recorded as given by ${caller.name}; only an admin may answer on someone else's behalf (leave out respondedBy).`,
        );
      const user = await this.#storage.people.getUser(body.respondedBy);
      if (!user) throw new UserNotFoundError(body.respondedBy);
      person = onBehalfOf = user.name;
      groups = user.groups;
    }
    const { respondents, excludeRunCreator } = run.state.details;
    // Not a person: an automation an admin set up answers as it was told; a link sent where no person is
    // known (a webhook, a Slack channel) answers for whoever the automation's admin sent it to.
    if (caller.via === "server" || (caller.via === "link" && caller.userName === null && caller.name === ANYONE_WITH_THE_LINK))
      return { respondedBy: caller.name, onBehalfOf: null, channel: caller.channel, person };
    if (respondents?.length && !respondents.some((r) => (r.startsWith("group:") ? groups.includes(r.slice(6)) : r === person)))
      throw new ForbiddenError("flow-run:resume", `${person} is not among who may answer this pause (${respondents.join(", ")}).`);
    if (excludeRunCreator && run.createdBy === person)
      throw new ForbiddenError("flow-run:resume", `${person} started this run, and this pause asks for someone else's answer.`);
    return { respondedBy: caller.name, onBehalfOf, channel: caller.channel, person };
  }

  /**
   * Adds one person's answer to a quorum pause's answers (compare-and-set, retried when another came at
   * the same moment); the last one needed is returned unwritten, for the transition that resumes the run.
   */
  async #addAnswer(
    caller: RequestCaller,
    run: FlowRun,
    key: string,
    who: Respondent,
    answer: Answer,
  ): Promise<{ previous: Answer[]; next: Answer[] }> {
    const required = run.state.details.required ?? 1;
    for (let attempt = 0; ; attempt++) {
      const input = await this.#storage.inputs.get(run.id, key);
      if (!input || input.respondedAt) throw new NotPausedError(run.id, "PAUSED", "answered");
      const previous = input.answers;
      if (previous.some((a) => (a.onBehalfOf ?? a.respondedBy ?? "anonymous") === who.person))
        throw new ForbiddenError(
          "flow-run:resume",
          `${who.person} has answered this pause already; it needs ${required} different people (${previous.length} so far).`,
        );
      const next = [...previous, answer];
      if (next.length >= required) return { previous, next };
      const kept = await this.#storage.transaction(async (tx) => {
        if (!(await tx.inputs.setAnswers(run.id, key, previous, next))) return false;
        await tx.audit.append(answerEntry(caller, run.id, key, who, next.length));
        return true;
      });
      if (kept) return { previous, next };
      if (attempt >= 10) throw new StaleStateError(run.id);
    }
  }

  /** The answer a pause's `onTimeout` gives, checked against what the pause asks (400 when it does not fit). */
  async #checkTimeoutAnswer(key: string, request: InputRequest | null, answer: unknown): Promise<unknown> {
    if (!request) return null;
    const checked = await this.#schemas.validate(request.schema, answer);
    if (checked.ok) return checked.value;
    const where = checked.errors.map((e) => `${e.path || "(the answer)"}: ${e.message}`).join("; ");
    throw new BadRequestError(`The onTimeout answer of pause "${key}" does not fit its input schema (${where}).`, checked.errors);
  }

  /** Acts on every pause that timed out, as its `onTimeout` says; safe on several servers at once. Returns how many it moved. */
  async expirePauses(limit = 200): Promise<number> {
    const due = await this.#storage.runs.findExpiredPauses(now(), limit);
    let moved = 0;
    for (const run of due) if (await this.expire(run)) moved++;
    return moved;
  }

  /**
   * Acts on a run whose pause timed out: fails it (the default), cancels it, or answers it with the
   * pause's `onTimeout` answer (channel `timeout`). Undefined when it was answered, cancelled or expired
   * by another server meanwhile, which is nothing to do and nothing gone wrong.
   */
  async expire(run: FlowRun): Promise<FlowRun | undefined> {
    const key = run.state.details.pauseKey ?? "";
    const onTimeout = run.state.details.onTimeout ?? "fail";
    const timeoutAt = run.state.details.pauseTimeout ?? null;
    // The run's own deadline (its flow's timeout) may be what ran out: then no onTimeout applies, the run fails.
    const flowDeadline = run.state.details.flowTimeoutAt;
    if (typeof onTimeout === "object" && !flowDeadline)
      return this.#answer(TIMEOUT, run, key, onTimeout.answer ?? null, TIMEOUT_RESPONDENT, { urgent: false }).catch(ignoreStale);
    const error = flowDeadline ? new FlowTimeoutError(run.id, flowDeadline, key) : new PauseTimeoutError(run.id, key, timeoutAt);
    const state =
      onTimeout === "cancel" && !flowDeadline
        ? newState({ type: "CANCELLED", message: `Cancelled: nobody answered pause "${key}" by ${timeoutAt}`, details: { pauseKey: key } })
        : newState({
            type: "FAILED",
            message: error.message,
            details: { pauseKey: key, pauseTimeout: timeoutAt, error: { name: error.name, message: error.message, code: error.code } },
          });
    return this.#transitions.tryTransition(run, state, async (tx) => {
      await tx.audit.append(
        auditEntry(TIMEOUT, onTimeout === "cancel" && !flowDeadline ? "flow-run.cancel" : "flow-run.fail", `flow-run/${run.id}`, { key, timeoutAt }),
      );
    });
  }

  /** Each pause of a run, in the order asked: what it asked and what was answered; 404 for an unknown run. */
  async listInputs(caller: RequestCaller, id: string): Promise<RunInput[]> {
    await this.#runs.get(caller, id);
    const [inputs, refusals] = await Promise.all([this.#storage.inputs.list(id), this.#storage.inputs.listRefusals(id)]);
    return inputs.map((input) => inputFor(caller, withRefusals(input, refusals)));
  }

  /** One pause of a run; 404 naming the run when the run is unknown, else naming the key. */
  async getInput(caller: RequestCaller, id: string, key: string): Promise<RunInput> {
    authorize(caller, "flow-run:read", { type: "flow-run", id });
    const input = await this.#storage.inputs.get(id, key);
    if (input) return inputFor(caller, withRefusals(input, await this.#storage.inputs.listRefusals(id)));
    await this.#runs.load(id);
    throw new PauseNotFoundError(id, key);
  }

  /**
   * Suspends a deployment run, so that its process can go: a live pause (`key`, by default the current
   * one) at once; a running run (no `key`) at its next task or pause, which its process is told of by the
   * "Suspending" state. If the pause `key` was answered meanwhile, this refuses with 409 and the answer stands.
   */
  async suspend(caller: RequestCaller, id: string, key: string | undefined, reason?: string): Promise<FlowRun> {
    authorize(caller, "flow-run:suspend", { type: "flow-run", id });
    const run = await this.#runs.load(id);
    const { type, details } = run.state;
    if (key !== undefined && (type !== "PAUSED" || details.pauseKey !== key)) throw new NotPausedError(id, type, run.state.name);
    if (type !== "PAUSED" && type !== "RUNNING")
      throw new InvalidTransitionError(id, type, "PAUSED", `only a running or paused run can suspend; this one is ${run.state.name}.`);
    if (isSuspended(run.state) || details.suspendRequested) return run;
    if (!run.deploymentId)
      throw new InvalidTransitionError(id, type, "PAUSED", "only a run of a deployment can suspend, since a serving process must pick it up again.");
    const audit = async (tx: Stores) => {
      await tx.audit.append(auditEntry(caller, "flow-run.suspend", `flow-run/${id}`, { key }));
    };
    if (type === "PAUSED") return this.#transitions.transition(run, suspendedState(run.state, reason), audit);
    const suspending = newState({
      type: "RUNNING",
      name: "Suspending",
      message: reason ?? "Asked to suspend; it suspends at its next task or pause",
      details: { suspendRequested: true },
    });
    return this.#transitions.transition(run, suspending, audit, { urgent: true });
  }
}

/** A pause with the answers the flow's own rules refused before the run resumed. */
function withRefusals(input: RunInput, refusals: Map<string, InputRefusal[]>): RunInput {
  return { ...input, refusals: refusals.get(input.key) ?? [] };
}

/** A transition another writer beat: nothing to do. */
function ignoreStale(e: unknown): undefined {
  if (e instanceof NotPausedError || e instanceof FlowRunCancelledError || e instanceof InvalidTransitionError) return undefined;
  throw e;
}

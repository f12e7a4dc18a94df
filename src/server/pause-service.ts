import {
  FlowRunCancelledError,
  BadRequestError,
  InvalidInputError,
  InvalidTransitionError,
  NotPausedError,
  PauseNotFoundError,
  PauseTimeoutError,
} from "../contract/errors.ts";
import { isSuspended, type FlowRun, type RunInput } from "../contract/index.ts";
import type { PauseBody, PauseResult, ResumeBody } from "../contract/index.ts";
import type { z } from "zod";
import type { Storage } from "../storage/storage.ts";
import { authorize } from "./authorize.ts";
import { now, nowMs } from "./clock.ts";
import type { FlowRunService } from "./flow-run-service.ts";
import { compileSchema, validateInput } from "./input-validation.ts";
import type { MetricsService } from "./metrics-service.ts";
import type { RequestCaller } from "./request-caller.ts";
import { newState, StaleStateError, suspendedState, type StateTransitions } from "./state-transitions.ts";

type Parsed<T extends z.ZodType> = z.output<T>;

/** Pauses: asking (pause, suspend), answering, and the questions and answers of a run. */
export class PauseService {
  readonly #storage: Storage;
  readonly #runs: FlowRunService;
  readonly #transitions: StateTransitions;
  readonly #metrics: MetricsService;
  constructor(storage: Storage, runs: FlowRunService, transitions: StateTransitions, metrics: MetricsService) {
    this.#storage = storage;
    this.#runs = runs;
    this.#transitions = transitions;
    this.#metrics = metrics;
  }

  /**
   * Pauses a running run under `key`, recording what it asks for in the same transaction, so that a
   * paused run is never seen without its question. A key already answered returns that answer instead.
   */
  async pause(caller: RequestCaller, id: string, body: Parsed<typeof PauseBody>): Promise<PauseResult> {
    authorize(caller, "flow-run:pause", { type: "flow-run", id });
    const run = await this.#runs.load(id);
    const existing = await this.#storage.inputs.get(id, body.key);
    if (existing?.respondedAt) return { status: "ALREADY_ANSWERED", input: existing.response ?? null };
    if (run.state.type === "PAUSED" && run.state.details.pauseKey === body.key) return { status: "PAUSED", flowRun: run };
    if (run.state.type === "CANCELLED") throw new FlowRunCancelledError(id, run.state.message);
    if (run.state.type !== "RUNNING")
      throw new InvalidTransitionError(id, run.state.type, "PAUSED", `only a running run can pause; this one is ${run.state.name}.`);
    if (body.suspend && !run.deploymentId)
      throw new InvalidTransitionError(
        id,
        run.state.type,
        "PAUSED",
        "only a run of a deployment can suspend, since a serving process must pick it up again; use pauseFlowRun, or serve the flow.",
      );
    if (body.inputRequest) {
      try {
        compileSchema(body.inputRequest.schema);
      } catch (e) {
        throw new BadRequestError(`The input schema of pause "${body.key}" is not a valid JSON Schema: ${(e as Error).message}`);
      }
    }
    const timestamp = now();
    const timeoutAt = body.timeoutSeconds === null ? null : new Date(Date.parse(timestamp) + body.timeoutSeconds * 1000).toISOString();
    const state = newState(
      {
        type: "PAUSED",
        name: body.suspend ? "Suspended" : "Paused",
        message: `${body.inputRequest ? "Waiting for input" : "Waiting to be resumed"}${body.suspend ? "; no process is kept waiting" : ""}`,
        details: { pauseKey: body.key, pauseTimeout: timeoutAt, inputRequest: body.inputRequest, ...(body.suspend ? { suspended: true } : {}) },
      },
      timestamp,
    );
    const flowRun = await this.#transitions.transition(run, state, (tx) =>
      tx.inputs.insertRequest(id, body.key, body.inputRequest, timestamp, timeoutAt),
    );
    return { status: "PAUSED", flowRun };
  }

  /**
   * Answers a paused run: validates the input against the pause's schema (422, the run stays paused),
   * then stores it and sets the run Running in one transaction. Of two concurrent answers exactly one wins.
   * The answer is recorded with the channel its body names, else the caller's.
   */
  async resume(caller: RequestCaller, id: string, body: Parsed<typeof ResumeBody>): Promise<FlowRun> {
    authorize(caller, "flow-run:resume", { type: "flow-run", id });
    const started = performance.now();
    const run = await this.#runs.load(id);
    if (run.state.type !== "PAUSED") throw new NotPausedError(id, run.state.type, run.state.name);
    const key = run.state.details.pauseKey ?? "";
    const timeoutAt = run.state.details.pauseTimeout ?? null;
    if (timeoutAt && Date.parse(timeoutAt) <= nowMs()) {
      await this.#runs.expire(run);
      throw new PauseTimeoutError(id, key, timeoutAt);
    }
    const request = run.state.details.inputRequest;
    let value: unknown = null;
    if (request) {
      const checked = validateInput(request.schema, body.input);
      if (!checked.ok) throw new InvalidInputError(id, checked.errors);
      value = checked.value;
    }
    const timestamp = now();
    const respondedBy = body.respondedBy ?? null;
    const channel = body.channel ?? caller.channel;
    // A suspended run has no process waiting: it is scheduled, and a serving process replays it.
    const state = isSuspended(run.state)
      ? newState(
          { type: "SCHEDULED", name: "Resuming", message: `Answered at "${key}"; waiting for a serving process`, details: { resumedPauseKey: key } },
          timestamp,
        )
      : newState({ type: "RUNNING", name: "Running", message: `Resumed from pause "${key}"`, details: { resumedPauseKey: key } }, timestamp);
    const resumed = await this.#transitions.transition(
      run,
      state,
      async (tx) => {
        const stored = await tx.inputs.storeResponse(id, key, { value, respondedAt: timestamp, channel, respondedBy });
        if (!stored) throw new StaleStateError(id); // another answer won: the 409 names the state it left
        return [{ type: "flow-run.input-submitted", flowRunId: id, occurredAt: timestamp, payload: { key, input: value, channel, respondedBy } }];
      },
      { urgent: true },
    );
    this.#metrics.answered(channel, isSuspended(run.state), (performance.now() - started) / 1000, run.state.timestamp);
    return resumed;
  }

  /** Each pause of a run, in the order asked: what it asked and what was answered; 404 for an unknown run. */
  async listInputs(caller: RequestCaller, id: string): Promise<RunInput[]> {
    await this.#runs.get(caller, id);
    return this.#storage.inputs.list(id);
  }

  /** One pause of a run; 404 naming the run when the run is unknown, else naming the key. */
  async getInput(caller: RequestCaller, id: string, key: string): Promise<RunInput> {
    authorize(caller, "flow-run:read", { type: "flow-run", id });
    const input = await this.#storage.inputs.get(id, key);
    if (input) return input;
    await this.#runs.load(id);
    throw new PauseNotFoundError(id, key);
  }

  /**
   * Turns the live pause `key` of a deployment run into a suspend, so that its process can go. If the
   * pause was answered meanwhile, this refuses with 409 and the answer stands.
   */
  async suspend(caller: RequestCaller, id: string, key: string, reason?: string): Promise<FlowRun> {
    authorize(caller, "flow-run:suspend", { type: "flow-run", id });
    const run = await this.#runs.load(id);
    if (run.state.type !== "PAUSED" || run.state.details.pauseKey !== key) throw new NotPausedError(id, run.state.type, run.state.name);
    if (isSuspended(run.state)) return run;
    if (!run.deploymentId)
      throw new InvalidTransitionError(
        id,
        "PAUSED",
        "PAUSED",
        "only a run of a deployment can suspend, since a serving process must pick it up again.",
      );
    return this.#transitions.transition(run, suspendedState(run.state, reason));
  }
}

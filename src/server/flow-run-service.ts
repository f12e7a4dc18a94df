import { newId } from "../storage/ids.ts";
import {
  FlowRunCancelledError,
  FlowRunNotFoundError,
  BadRequestError,
  InvalidInputError,
  InvalidTransitionError,
  NotPausedError,
  PauseTimeoutError,
} from "../contract/errors.ts";
import {
  defaultStateName,
  isTerminal,
  type Channel,
  type FlowRun,
  type FlowRunPage,
  type State,
  type StateProposal,
  type StateType,
} from "../contract/index.ts";
import { CreateFlowRunBody, FlowRunFilter, PauseBody, ResumeBody, type PauseResult } from "../contract/index.ts";
import type { z } from "zod";
import type { NewEvent, StateChange, Storage, Stores } from "../storage/storage.ts";
import { now, nowMs, systemNow } from "./clock.ts";
import type { EventBus } from "./event-bus.ts";
import { compileSchema, validateInput } from "./input-validation.ts";

type Parsed<T extends z.ZodType> = z.output<T>;

/** Builds a full state from a proposal. */
export function newState(p: StateProposal, timestamp = now()): State {
  return {
    id: newId(),
    type: p.type,
    name: p.name ?? defaultStateName(p.type),
    timestamp,
    message: p.message ?? null,
    details: p.details ?? {},
  };
}

/** The start and end times implied by moving a flow or task run (`run`) to `state`. */
export function times(run: { startTime: string | null }, state: State): { startTime?: string; endTime?: string } {
  return {
    ...(state.type === "RUNNING" && !run.startTime ? { startTime: state.timestamp } : {}),
    ...(isTerminal(state.type) ? { endTime: state.timestamp } : {}),
  };
}

function encodeCursor(run: FlowRun): string {
  return Buffer.from(`${run.createdAt}|${run.id}`).toString("base64url");
}

function decodeCursor(cursor: string): { createdAt: string; id: string } {
  const [createdAt, id] = Buffer.from(cursor, "base64url").toString().split("|");
  if (!createdAt || !id) throw new BadRequestError("The cursor is not one this server gave out; start again without it.");
  return { createdAt, id };
}

/**
 * Everything that changes a flow run's state, with the orchestration rules. Each change is one
 * transaction guarded by the run's current state id, and its events are published after commit.
 */
export class FlowRunService {
  readonly storage: Storage;
  readonly bus: EventBus;
  constructor(storage: Storage, bus: EventBus) {
    this.storage = storage;
    this.bus = bus;
  }

  /** Creates a run; a run of a deployment starts SCHEDULED, for a serving process to claim. */
  async create(body: Parsed<typeof CreateFlowRunBody>, deployment?: { id: string; name: string }): Promise<FlowRun> {
    const timestamp = now();
    const state = newState(deployment ? { type: "SCHEDULED", message: "Waiting for a serving process" } : (body.state ?? { type: "PENDING" }), timestamp);
    if (state.type === "PAUSED") throw new BadRequestError("A flow run cannot start paused; create it RUNNING and pause it.");
    return this.#write(async (tx) => {
      const flow = await tx.runs.upsertFlow(body.flowName, timestamp);
      const run: FlowRun = {
        id: newId(),
        name: body.name ?? generateRunName(),
        flowId: flow.id,
        flowName: flow.name,
        deploymentId: deployment?.id ?? null,
        deploymentName: deployment?.name ?? null,
        parameters: body.parameters,
        state,
        createdAt: timestamp,
        updatedAt: timestamp,
        startTime: state.type === "RUNNING" ? timestamp : null,
        endTime: isTerminal(state.type) ? timestamp : null,
      };
      await tx.runs.insert(run, { workerId: body.workerId, scheduledAt: state.type === "SCHEDULED" ? timestamp : null, heartbeatAt: systemNow() });
      return { result: run, events: [stateEvent(run, state, null)] };
    });
  }

  async get(id: string): Promise<FlowRun> {
    const run = await this.storage.runs.get(id);
    if (!run) throw new FlowRunNotFoundError(id);
    return run;
  }

  async list(filter: Parsed<typeof FlowRunFilter>): Promise<FlowRunPage> {
    const items = await this.storage.runs.list({
      state: filter.state,
      flowName: filter.flowName,
      name: filter.name,
      ids: filter.ids,
      createdAfter: filter.createdAfter,
      createdBefore: filter.createdBefore,
      limit: filter.limit,
      before: filter.cursor ? decodeCursor(filter.cursor) : undefined,
    });
    const last = items.at(-1);
    return { items, nextCursor: items.length === filter.limit && last ? encodeCursor(last) : null };
  }

  /** Proposes a state. Without `force`, the rules below apply; with it, any change is taken. */
  async setState(id: string, proposal: StateProposal, force: boolean): Promise<FlowRun> {
    const run = await this.get(id);
    const from = run.state.type;
    const to = proposal.type;
    if (!force) {
      if (to === "PAUSED")
        throw new InvalidTransitionError(id, from, to, "pause a run with POST /api/flow-runs/{id}/pause (pauseFlowRun in a flow).");
      if (isTerminal(from)) {
        if (from === "CANCELLED") throw new FlowRunCancelledError(id, run.state.message);
        throw new InvalidTransitionError(id, from, to, "the run has already finished.");
      }
      if (from === "PAUSED" && !isTerminal(to))
        throw new InvalidTransitionError(id, from, to, "a paused run goes on only when answered: POST /api/flow-runs/{id}/resume.");
    }
    return this.#transition(run, newState(proposal));
  }

  /**
   * Pauses a running run under `key`, recording what it asks for in the same transaction, so that a
   * paused run is never seen without its question. A key already answered returns that answer instead.
   */
  async pause(id: string, body: Parsed<typeof PauseBody>): Promise<PauseResult> {
    const run = await this.get(id);
    const existing = await this.storage.inputs.get(id, body.key);
    if (existing?.respondedAt) return { status: "ALREADY_ANSWERED", input: existing.response ?? null };
    if (run.state.type === "PAUSED" && run.state.details.pauseKey === body.key) return { status: "PAUSED", flowRun: run };
    if (run.state.type === "CANCELLED") throw new FlowRunCancelledError(id, run.state.message);
    if (run.state.type !== "RUNNING")
      throw new InvalidTransitionError(id, run.state.type, "PAUSED", `only a running run can pause; this one is ${run.state.name}.`);
    if (body.name === "Suspended" && !run.deploymentId)
      throw new InvalidTransitionError(id, run.state.type, "PAUSED", "only a run of a deployment can suspend, since a serving process must pick it up again; use pauseFlowRun, or serve the flow.");
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
        name: body.name,
        message: `${body.inputRequest ? "Waiting for input" : "Waiting to be resumed"}${body.name === "Suspended" ? "; no process is kept waiting" : ""}`,
        details: { pauseKey: body.key, pauseTimeout: timeoutAt, inputRequest: body.inputRequest },
      },
      timestamp,
    );
    const flowRun = await this.#transition(run, state, (tx) =>
      tx.inputs.insertRequest(id, body.key, body.inputRequest, timestamp, timeoutAt),
    );
    return { status: "PAUSED", flowRun };
  }

  /**
   * Answers a paused run: validates the input against the pause's schema (422, the run stays paused),
   * then stores it and sets the run Running in one transaction. Of two concurrent answers exactly one wins.
   */
  async resume(id: string, body: Parsed<typeof ResumeBody>, channel: Channel): Promise<FlowRun> {
    const run = await this.get(id);
    if (run.state.type !== "PAUSED") throw new NotPausedError(id, run.state.type, run.state.name);
    const key = run.state.details.pauseKey ?? "";
    const timeoutAt = run.state.details.pauseTimeout ?? null;
    if (timeoutAt && Date.parse(timeoutAt) <= nowMs()) {
      await this.#expire(run);
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
    // A suspended run has no process waiting: it is scheduled, and a serving process replays it.
    const state = isSuspended(run.state)
      ? newState({ type: "SCHEDULED", name: "Resuming", message: `Answered at "${key}"; waiting for a serving process`, details: { resumedPauseKey: key } }, timestamp)
      : newState({ type: "RUNNING", name: "Running", message: `Resumed from pause "${key}"`, details: { resumedPauseKey: key } }, timestamp);
    return this.#transition(
      run,
      state,
      async (tx) => {
        const stored = await tx.inputs.storeResponse(id, key, { value, respondedAt: timestamp, channel, respondedBy });
        if (!stored) throw new StaleStateError(id); // another answer won: the 409 names the state it left
        return [{ type: "flow-run.input-submitted", flowRunId: id, occurredAt: timestamp, payload: { key, input: value, channel, respondedBy } }];
      },
      { urgent: true },
    );
  }

  /** Cancels a run that has not finished; a waiting pause then ends with FlowRunCancelledError. */
  async cancel(id: string, reason?: string): Promise<FlowRun> {
    const run = await this.get(id);
    if (isTerminal(run.state.type))
      throw new InvalidTransitionError(id, run.state.type, "CANCELLED", `the run has already finished (${run.state.name}).`);
    return this.#transition(run, newState({ type: "CANCELLED", message: reason ?? "Cancelled by request" }), undefined, { urgent: true });
  }

  /**
   * Turns the live pause `key` of a deployment run into a suspend, so that its process can go. If the
   * pause was answered meanwhile, this refuses with 409 and the answer stands.
   */
  async suspend(id: string, key: string, reason?: string): Promise<FlowRun> {
    const run = await this.get(id);
    if (run.state.type !== "PAUSED" || run.state.details.pauseKey !== key) throw new NotPausedError(id, run.state.type, run.state.name);
    if (isSuspended(run.state)) return run;
    if (!run.deploymentId)
      throw new InvalidTransitionError(id, "PAUSED", "PAUSED", "only a run of a deployment can suspend, since a serving process must pick it up again.");
    return this.#transition(run, suspendedState(run.state, reason));
  }

  /** Fails every run whose pause timed out; safe to run on several servers at once. Returns how many it failed. */
  async expirePauses(limit = 200): Promise<number> {
    const due = await this.storage.runs.findExpiredPauses(now(), limit);
    let failed = 0;
    for (const run of due) if (await this.#expire(run)) failed++;
    return failed;
  }

  async #expire(run: FlowRun): Promise<boolean> {
    const key = run.state.details.pauseKey ?? "";
    const error = new PauseTimeoutError(run.id, key, run.state.details.pauseTimeout ?? null);
    const state = newState({
      type: "FAILED",
      message: error.message,
      details: { pauseKey: key, error: { name: error.name, message: error.message, code: error.code } },
    });
    // Answered, cancelled or expired by another server meanwhile: nothing to do, and nothing went wrong.
    return (await this.tryTransition(run, state)) !== undefined;
  }

  /**
   * Moves `run` to `state` if nobody changed it since it was read, writing the state-changed event (and
   * whatever `extra` writes) in the same transaction.
   */
  async #transition(run: FlowRun, state: State, extra?: (tx: Stores) => Promise<NewEvent[] | void>, options: TransitionOptions = {}): Promise<FlowRun> {
    const updated = await this.tryTransition(run, state, extra, options);
    if (updated) return updated;
    // Someone else moved the run first: report what it is now.
    const current = await this.get(run.id);
    if (state.details.resumedPauseKey !== undefined) throw new NotPausedError(run.id, current.state.type, current.state.name);
    if (current.state.type === "CANCELLED") throw new FlowRunCancelledError(run.id, current.state.message);
    throw new InvalidTransitionError(run.id, current.state.type, state.type, "the run changed state meanwhile; read it again.");
  }

  /**
   * Like `#transition`, but resolves to undefined instead of throwing when someone else moved the run
   * first. `workerId` names the process that takes the run (a claim); otherwise ownership follows the
   * state: scheduled, suspended and finished runs belong to no process.
   */
  async tryTransition(
    run: FlowRun,
    state: State,
    extra?: (tx: Stores) => Promise<NewEvent[] | void>,
    { workerId, urgent }: TransitionOptions = {},
  ): Promise<FlowRun | undefined> {
    return this.#write(async (tx) => {
      const events: NewEvent[] = [];
      const more = await extra?.(tx);
      if (more) events.push(...more);
      const startEnd = times(run, state);
      const ok = await tx.runs.compareAndSetState(run.id, run.state.id, {
        state,
        pauseTimeoutAt: state.type === "PAUSED" ? (state.details.pauseTimeout ?? null) : run.state.type === "PAUSED" ? null : undefined,
        ...startEnd,
        ...ownership(state, workerId),
      });
      if (!ok) throw new StaleStateError(run.id);
      const updated: FlowRun = { ...run, state, updatedAt: state.timestamp, ...startEnd };
      events.push(stateEvent(updated, state, run.state.type));
      return { result: updated, events };
    }, urgent).catch((e) => {
      if (e instanceof StaleStateError) return undefined;
      throw e;
    });
  }

  async #write<T>(fn: (tx: Stores) => Promise<{ result: T; events: NewEvent[] }>, urgent?: boolean): Promise<T> {
    const { result, stored } = await this.storage.transaction(
      async (tx) => {
        const { result, events } = await fn(tx);
        return { result, stored: await tx.events.insert(events) };
      },
      { urgent },
    );
    this.bus.publish(stored);
    return result;
  }
}

/** How a transition is written. */
interface TransitionOptions {
  /** The process that takes the run (a claim). */
  workerId?: string | undefined;
  /** A person is waiting on it (an answer, a cancel): it goes ahead of queued writes. */
  urgent?: boolean | undefined;
}

/** Which process owns a run in `state`: none while it is scheduled, suspended or finished. */
function ownership(state: State, workerId: string | undefined): Pick<StateChange, "workerId" | "scheduledAt" | "heartbeatAt"> {
  if (state.type === "SCHEDULED") return { workerId: null, scheduledAt: state.timestamp };
  if (isTerminal(state.type) || isSuspended(state)) return { workerId: null };
  return workerId ? { workerId, heartbeatAt: systemNow() } : {};
}

/** A suspended run is paused with no process waiting in it. */
export function isSuspended(state: State): boolean {
  return state.type === "PAUSED" && state.name === "Suspended";
}

/** Thrown inside a transaction when the run's state changed since it was read. */
class StaleStateError extends Error {
  constructor(id: string) {
    super(`flow run ${id} changed state meanwhile`);
  }
}

/** The suspended twin of a live pause: same key, question and deadline. */
export function suspendedState(paused: State, reason?: string): State {
  return newState({
    type: "PAUSED",
    name: "Suspended",
    message: reason ?? "Suspended; an answer schedules it again for a serving process",
    details: paused.details,
  });
}

function stateEvent(run: FlowRun, state: State, previousType: StateType | null): NewEvent {
  return {
    type: "flow-run.state-changed",
    flowRunId: run.id,
    occurredAt: state.timestamp,
    payload: { state, previousType, flowName: run.flowName, deploymentName: run.deploymentName },
  };
}

const ADJECTIVES = ["amber", "brisk", "calm", "daring", "eager", "fair", "gentle", "hardy", "keen", "lucid", "merry", "noble", "proud", "quiet", "rapid", "steady", "tidy", "vivid", "witty", "zesty"];
const NOUNS = ["otter", "falcon", "badger", "heron", "lynx", "marten", "osprey", "panda", "quail", "raven", "stoat", "tapir", "walrus", "yak", "zebra", "bison", "crane", "dingo", "egret", "gecko"];

/** A readable default run name such as "steady-heron-4821". */
export function generateRunName(): string {
  const pick = (a: string[]) => a[Math.floor(Math.random() * a.length)]!;
  return `${pick(ADJECTIVES)}-${pick(NOUNS)}-${Math.floor(1000 + Math.random() * 9000)}`;
}

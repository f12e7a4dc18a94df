import { newId } from "../storage/ids.ts";
import { FlowRunCancelledError, InvalidTransitionError, NotPausedError, RunTakenOverError } from "../contract/errors.ts";
import { defaultStateName, isSuspended, isTerminal, type FlowRun, type State, type StateProposal, type StateType } from "../contract/index.ts";
import type { NewEvent, StateChange, Storage, StoredEvent, Stores } from "../storage/storage.ts";
import { now, systemNow } from "./clock.ts";
import type { EventBus } from "./event-bus.ts";

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

/** The suspended twin of a live pause: same key, question and deadline, marked `suspended`. */
export function suspendedState(paused: State, reason?: string): State {
  return newState({
    type: "PAUSED",
    name: "Suspended",
    message: reason ?? "Suspended; an answer schedules it again for a serving process",
    details: { ...paused.details, suspended: true },
  });
}

/**
 * The orchestration rules of a proposed state (`POST /api/flow-runs/{id}/set-state` without `force`):
 * throws when they refuse moving `run` to `to`. Pausing and answering have their own ways in, with their
 * own checks; a finished run stays finished.
 */
export function checkProposedTransition(run: FlowRun, to: StateType): void {
  const id = run.id;
  const from = run.state.type;
  if (to === "PAUSED") throw new InvalidTransitionError(id, from, to, "pause a run with POST /api/flow-runs/{id}/pause (pauseFlowRun in a flow).");
  if (isTerminal(from)) {
    if (from === "CANCELLED") throw new FlowRunCancelledError(id, run.state.message);
    throw new InvalidTransitionError(id, from, to, "the run has already finished.");
  }
  if (from === "PAUSED" && !isTerminal(to))
    throw new InvalidTransitionError(id, from, to, "a paused run goes on only when answered: POST /api/flow-runs/{id}/resume.");
}

/** Thrown inside a transaction when the run's state changed since it was read; the transaction rolls back. */
export class StaleStateError extends Error {
  constructor(id: string) {
    super(`flow run ${id} changed state meanwhile`);
  }
}

/** How a transition is written. */
export interface TransitionOptions {
  /** The process that takes the run (a claim). */
  workerId?: string | undefined;
  /** A person is waiting on it (an answer, a cancel): it goes ahead of queued writes. */
  urgent?: boolean | undefined;
  /** The process reporting: the change is written only if that process owns the run (see `checkHeld`). */
  heldBy?: string | undefined;
  /** Events that come before the state-changed one (an answer's input-submitted), stored and published with it. */
  events?: NewEvent[] | undefined;
}

/** What a transition also writes in its transaction; it throws (StaleStateError) to leave everything as it was. */
export type TransitionExtra = (tx: Stores) => Promise<void>;

/**
 * Writes state changes of flow runs. Each is one transaction guarded by the run's current state id (so
 * that of two writers that read the same state exactly one wins), with its events written in the same
 * transaction and published after it commits.
 */
export class StateTransitions {
  readonly #storage: Storage;
  readonly #bus: EventBus;
  constructor(storage: Storage, bus: EventBus) {
    this.#storage = storage;
    this.#bus = bus;
  }

  /**
   * Moves `run` to `state` if nobody changed it since it was read, writing the state-changed event (and
   * whatever `extra` writes) in the same transaction. Throws, saying what the run is now, when someone
   * else moved it first.
   */
  async transition(run: FlowRun, state: State, extra?: TransitionExtra, options: TransitionOptions = {}): Promise<FlowRun> {
    const updated = await this.tryTransition(run, state, extra, options);
    if (updated) return updated;
    // Someone else moved the run first, or took it from the process reporting: say which (runs are never deleted).
    await this.checkHeld(run.id, options.heldBy);
    const current = (await this.#storage.runs.get(run.id))!;
    if (state.details.resumedPauseKey !== undefined) throw new NotPausedError(run.id, current.state.type, current.state.name);
    if (current.state.type === "CANCELLED") throw new FlowRunCancelledError(run.id, current.state.message);
    throw new InvalidTransitionError(run.id, current.state.type, state.type, "the run changed state meanwhile; read it again.");
  }

  /**
   * Like `transition`, but resolves to undefined instead of throwing when someone else moved the run
   * first. `workerId` names the process that takes the run (a claim); otherwise ownership follows the
   * state: scheduled, suspended and finished runs belong to no process.
   */
  async tryTransition(
    run: FlowRun,
    state: State,
    extra?: TransitionExtra,
    { workerId, urgent, heldBy, events = [] }: TransitionOptions = {},
  ): Promise<FlowRun | undefined> {
    // A finished run that is retried is not finished any more.
    const startEnd = { ...times(run, state), ...(isTerminal(run.state.type) && !isTerminal(state.type) ? { endTime: null } : {}) };
    const updated: FlowRun = { ...run, state, updatedAt: state.timestamp, ...startEnd };
    return this.commit(async (tx) => {
      // The extra writes and the guarded write (with the events) go together: on PostgreSQL they leave in
      // one round trip, and the COMMIT follows. If any fails, the transaction rolls back, so the order they
      // run in does not matter.
      const [, stored] = await Promise.all([
        extra?.(tx),
        tx.runs.compareAndSetState(
          run.id,
          run.state.id,
          {
            state,
            pauseTimeoutAt: state.type === "PAUSED" ? (state.details.pauseTimeout ?? null) : run.state.type === "PAUSED" ? null : undefined,
            ...startEnd,
            ...ownership(state, workerId),
          },
          { heldBy, events: [...events, stateEvent(updated, state, run.state.type)] },
        ),
      ]);
      if (!stored) throw new StaleStateError(run.id);
      return { result: updated, stored };
    }, urgent).catch((e) => {
      if (e instanceof StaleStateError) return undefined;
      throw e;
    });
  }

  /**
   * Throws RunTakenOverError when `heldBy` names a process that does not own the run: the server gave it
   * to another process, or suspended or finished it, while that one seemed gone. A process that lost its
   * run thus cannot overwrite what the new owner did; the SDK lets the run go on this error.
   */
  async checkHeld(runId: string, heldBy: string | undefined): Promise<void> {
    if (heldBy !== undefined && (await this.#storage.runs.workerOf(runId)) !== heldBy) throw new RunTakenOverError(runId, heldBy);
  }

  /** Runs `fn` in a transaction, stores the events it returns in the same one, and publishes them once it commits. */
  write<T>(fn: (tx: Stores) => Promise<{ result: T; events: NewEvent[] }>, urgent?: boolean): Promise<T> {
    return this.commit(async (tx) => {
      const { result, events } = await fn(tx);
      return { result, stored: await tx.events.insert(events) };
    }, urgent);
  }

  /** Runs `fn` in a transaction, and publishes the events it stored (`stored`) once it commits. */
  async commit<T>(fn: (tx: Stores) => Promise<{ result: T; stored: StoredEvent[] }>, urgent?: boolean): Promise<T> {
    const { result, stored } = await this.#storage.transaction(fn, { urgent });
    this.#bus.publish(stored);
    return result;
  }
}

/** Which process owns a run in `state`: none while it is scheduled, suspended or finished. */
function ownership(state: State, workerId: string | undefined): Pick<StateChange, "workerId" | "scheduledAt" | "heartbeatAt"> {
  if (state.type === "SCHEDULED") return { workerId: null, scheduledAt: state.timestamp };
  if (isTerminal(state.type) || isSuspended(state)) return { workerId: null };
  return workerId ? { workerId, heartbeatAt: systemNow() } : {};
}

/** The event that says a run moved to `state` (from `previousType`; null for a new run). */
export function stateEvent(run: FlowRun, state: State, previousType: StateType | null): NewEvent {
  return {
    type: "flow-run.state-changed",
    flowRunId: run.id,
    occurredAt: state.timestamp,
    payload: { state, previousType, flowName: run.flowName, deploymentName: run.deploymentName, ...(run.tags.length ? { tags: run.tags } : {}) },
  };
}

import { newId } from "../storage/ids.ts";
import { FlowRunNotFoundError, BadRequestError, InvalidTransitionError, RunInputValidationError } from "../contract/errors.ts";
import { isTerminal, type Flow, type FlowRun, type FlowRunPage, type State, type StateProposal } from "../contract/index.ts";
import type { CreateFlowRunBody, FlowRunFilter } from "../contract/index.ts";
import type { z } from "zod";
import type { Storage, Stores } from "../storage/storage.ts";
import { auditEntry } from "./audit-service.ts";
import { authorize } from "./authorize.ts";
import { now, systemNow } from "./clock.ts";
import { decodeCursor, encodeCursor } from "./flow-run-cursor.ts";
import type { RequestCaller } from "./request-caller.ts";
import { setAsideAnswer } from "./rejected-answers.ts";
import { generateRunName } from "./run-names.ts";
import { checkProposedTransition, newState, stateEvent, type StateTransitions } from "./state-transitions.ts";

type Parsed<T extends z.ZodType> = z.output<T>;

/**
 * Flow runs: creating, reading and listing them, and the state changes that are not about a pause
 * (proposed states, cancelling). Methods that take a caller act
 * for a request and ask `authorize` first; the others serve other services and background loops.
 */
export class FlowRunService {
  readonly #storage: Storage;
  readonly #transitions: StateTransitions;
  constructor(storage: Storage, transitions: StateTransitions) {
    this.#storage = storage;
    this.#transitions = transitions;
  }

  /** Flows by name. */
  listFlows(caller: RequestCaller): Promise<Flow[]> {
    authorize(caller, "flow:read", { type: "flow" });
    return this.#storage.runs.listFlows();
  }

  /** Creates a run; a run of a deployment starts SCHEDULED, for a serving process to claim. */
  async create(
    caller: RequestCaller,
    body: Parsed<typeof CreateFlowRunBody>,
    deployment?: { id: string; name: string; tags: string[] },
  ): Promise<FlowRun> {
    authorize(caller, "flow-run:create", { type: "flow-run" });
    const timestamp = now();
    const state = newState(
      deployment ? { type: "SCHEDULED", message: "Waiting for a serving process" } : (body.state ?? { type: "PENDING" }),
      timestamp,
    );
    if (state.type === "PAUSED") throw new BadRequestError("A flow run cannot start paused; create it RUNNING and pause it.");
    return this.#transitions.commit(async (tx) => {
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
        createdBy: caller.kind === "principal" ? caller.name : null,
        tags: [...new Set([...(deployment?.tags ?? []), ...(body.tags ?? [])])],
      };
      const ownership = { workerId: body.workerId, scheduledAt: state.type === "SCHEDULED" ? timestamp : null, heartbeatAt: systemNow() };
      return { result: run, stored: await tx.runs.insert(run, ownership, [stateEvent(run, state, null)]) };
    });
  }

  /** One run; 404 when there is none. */
  get(caller: RequestCaller, id: string): Promise<FlowRun> {
    authorize(caller, "flow-run:read", { type: "flow-run", id });
    return this.load(id);
  }

  /** One run, or 404, for a service that has asked `authorize` already. */
  async load(id: string): Promise<FlowRun> {
    const run = await this.#storage.runs.get(id);
    if (!run) throw new FlowRunNotFoundError(id);
    return run;
  }

  /** A page of runs, newest first, and the cursor of the next page. */
  async list(caller: RequestCaller, filter: Parsed<typeof FlowRunFilter>): Promise<FlowRunPage> {
    authorize(caller, "flow-run:read", { type: "flow-run" });
    const items = await this.#storage.runs.list({
      state: filter.state,
      flowName: filter.flowName,
      name: filter.name,
      ids: filter.ids,
      deploymentName: filter.deploymentName,
      tag: filter.tag,
      createdAfter: filter.createdAfter,
      createdBefore: filter.createdBefore,
      limit: filter.limit,
      before: filter.cursor ? decodeCursor(filter.cursor) : undefined,
    });
    const last = items.at(-1);
    return { items, nextCursor: items.length === filter.limit && last ? encodeCursor(last) : null };
  }

  /** A run's state history, oldest first; 404 for an unknown run. */
  async listStates(caller: RequestCaller, id: string): Promise<State[]> {
    await this.get(caller, id);
    return this.#storage.runs.listStates(id);
  }

  /**
   * Proposes a state. Without `force`, the orchestration rules apply; with it, any change is taken.
   * `workerId` is the process reporting (the SDK's): without `force`, a run that is no longer its own is
   * refused (RunTakenOverError); with `force`, that process takes the run.
   */
  async setState(caller: RequestCaller, id: string, proposal: StateProposal, force: boolean, workerId?: string): Promise<FlowRun> {
    authorize(caller, "flow-run:set-state", { type: "flow-run", id });
    const run = await this.load(id);
    if (!force)
      try {
        checkProposedTransition(run, proposal.type);
      } catch (e) {
        // A rule's refusal to a process that lost the run says so instead.
        if (e instanceof InvalidTransitionError) await this.#transitions.checkHeld(id, workerId);
        throw e;
      }
    const record = force
      ? async (tx: Stores) => {
          await tx.audit.append(auditEntry(caller, "flow-run.force-state", `flow-run/${id}`, { from: run.state.type, to: proposal.type }));
        }
      : undefined;
    return this.#transitions.transition(run, newState(proposal), record, force ? { workerId } : { heldBy: workerId });
  }

  /** Cancels a run that has not finished; a waiting pause then ends with FlowRunCancelledError. */
  async cancel(caller: RequestCaller, id: string, reason?: string): Promise<FlowRun> {
    authorize(caller, "flow-run:cancel", { type: "flow-run", id });
    const run = await this.load(id);
    if (isTerminal(run.state.type))
      throw new InvalidTransitionError(id, run.state.type, "CANCELLED", `the run has already finished (${run.state.name}).`);
    return this.#transitions.transition(
      run,
      newState({ type: "CANCELLED", message: reason ?? "Cancelled by request" }),
      async (tx) => {
        await tx.audit.append(auditEntry(caller, "flow-run.cancel", `flow-run/${id}`, { from: run.state.type, reason: reason ?? null }));
      },
      { urgent: true },
    );
  }

  /**
   * Schedules a failed, crashed or cancelled run of a deployment again: a serving process claims it and
   * replays it, completed tasks and accepted answers included. An answer the flow rejected (the run
   * failed with RunInputValidationError) is set aside under `<key>-rejected-<n>`, so that the pause asks again.
   */
  async retry(caller: RequestCaller, id: string): Promise<FlowRun> {
    authorize(caller, "flow-run:retry", { type: "flow-run", id });
    const run = await this.load(id);
    const { type, name, details } = run.state;
    if (type !== "FAILED" && type !== "CRASHED" && type !== "CANCELLED")
      throw new InvalidTransitionError(id, type, "SCHEDULED", `only a failed, crashed or cancelled run can be retried; this one is ${name}.`);
    if (!run.deploymentId)
      throw new InvalidTransitionError(
        id,
        type,
        "SCHEDULED",
        "only a run of a deployment can be retried, since a serving process runs it again; call its flow again instead.",
      );
    const rejected = details.error?.code === RunInputValidationError.code ? details.pauseKey : undefined;
    const state = newState({
      type: "SCHEDULED",
      name: "AwaitingRetry",
      message: `Retry asked for${rejected ? `; pause "${rejected}" asks again` : ""}; a serving process runs it again, replaying what completed`,
    });
    return this.#transitions.transition(
      run,
      state,
      async (tx) => {
        if (rejected) await setAsideAnswer(tx, id, rejected);
      },
      { urgent: true },
    );
  }
}

import { newId } from "../storage/ids.ts";
import { BadRequestError, FlowRunCancelledError, FlowRunNotFoundError, InvalidTransitionError, TaskRunNotFoundError } from "../contract/errors.ts";
import { isTerminal, type TaskRun } from "../contract/index.ts";
import type { CreateTaskRunBody, SetTaskRunStateBody } from "../contract/index.ts";
import type { z } from "zod";
import type { Storage } from "../storage/storage.ts";
import { authorize } from "./authorize.ts";
import type { FlowRunService } from "./flow-run-service.ts";
import type { RequestCaller } from "./request-caller.ts";
import { newState, times } from "./state-transitions.ts";

/** Results are kept as JSON in the database; past this size a task must return something smaller. */
export const MAX_RESULT_BYTES = 512 * 1024;

/** Task runs: created per task call, with their state and persisted result. */
export class TaskRunService {
  readonly #storage: Storage;
  readonly #runs: FlowRunService;
  constructor(storage: Storage, runs: FlowRunService) {
    this.#storage = storage;
    this.#runs = runs;
  }

  /** Creates the task run, or returns the existing one with the same key in this flow run. */
  async create(caller: RequestCaller, body: z.output<typeof CreateTaskRunBody>): Promise<{ taskRun: TaskRun; created: boolean }> {
    authorize(caller, "task-run:write", { type: "task-run", flowRunId: body.flowRunId });
    const flowRun = await this.#storage.runs.getStatus(body.flowRunId);
    if (!flowRun) throw new FlowRunNotFoundError(body.flowRunId);
    if (flowRun.type === "CANCELLED") throw new FlowRunCancelledError(body.flowRunId, flowRun.message);
    const state = newState(body.state);
    const taskRun: TaskRun = {
      id: newId(),
      flowRunId: body.flowRunId,
      name: body.name,
      taskKey: body.taskKey,
      state,
      attempts: 1,
      createdAt: state.timestamp,
      startTime: state.type === "RUNNING" ? state.timestamp : null,
      endTime: isTerminal(state.type) ? state.timestamp : null,
    };
    if (await this.#storage.transaction((tx) => tx.tasks.insert(taskRun))) return { taskRun, created: true };
    // The key exists already (a retried request, or a replay): that task run is the answer.
    return { taskRun: (await this.#storage.tasks.findByKey(body.flowRunId, body.taskKey))!, created: false };
  }

  /** One task run; 404 when there is none. */
  get(caller: RequestCaller, id: string): Promise<TaskRun> {
    authorize(caller, "task-run:read", { type: "task-run", id });
    return this.#load(id);
  }

  async #load(id: string): Promise<TaskRun> {
    const run = await this.#storage.tasks.get(id);
    if (!run) throw new TaskRunNotFoundError(id);
    return run;
  }

  /** Sets a task run's state, keeping its result when it completes; a completed task run keeps its state. */
  async setState(caller: RequestCaller, id: string, body: z.output<typeof SetTaskRunStateBody>): Promise<TaskRun> {
    authorize(caller, "task-run:write", { type: "task-run", id });
    const run = await this.#load(id);
    if (run.state.type === "COMPLETED")
      throw new InvalidTransitionError(id, run.state.type, body.state.type, "a completed task run keeps its result.");
    const state = newState(body.state);
    let result: string | undefined;
    if (body.result !== undefined && state.type === "COMPLETED") {
      result = JSON.stringify(body.result);
      if (Buffer.byteLength(result) > MAX_RESULT_BYTES)
        throw new BadRequestError(
          `The result of task "${run.name}" is ${Buffer.byteLength(result)} bytes as JSON; results are kept up to ${MAX_RESULT_BYTES} bytes. Return a smaller value (an id or a path to the data).`,
        );
    }
    const fields = {
      ...(result !== undefined ? { result } : {}),
      ...(body.attempts !== undefined ? { attempts: body.attempts } : {}),
      ...times(run, state),
    };
    await this.#storage.transaction((tx) => tx.tasks.updateState(run, state, fields));
    return {
      ...run,
      state,
      ...(body.result !== undefined && state.type === "COMPLETED" ? { result: body.result } : {}),
      attempts: body.attempts ?? run.attempts,
      startTime: fields.startTime ?? run.startTime,
      endTime: fields.endTime ?? run.endTime,
    };
  }

  /** A flow run's task runs in call order; 404 for an unknown run. */
  async listForRun(caller: RequestCaller, flowRunId: string): Promise<TaskRun[]> {
    authorize(caller, "task-run:read", { type: "task-run", flowRunId });
    await this.#runs.load(flowRunId);
    return this.#storage.tasks.list(flowRunId);
  }
}

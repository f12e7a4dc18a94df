import { newId } from "../storage/ids.ts";
import {
  BadRequestError,
  FlowRunCancelledError,
  FlowRunNotFoundError,
  InvalidTransitionError,
  ResultTooLargeError,
  RunTakenOverError,
  TaskResultNotFoundError,
  TaskRunNotFoundError,
} from "../contract/errors.ts";
import { isTerminal, MAX_ROW_RESULT_BYTES, type TaskRun } from "../contract/index.ts";
import type { CreateTaskRunBody, SetTaskRunStateBody } from "../contract/index.ts";
import type { z } from "zod";
import type { Storage } from "../storage/storage.ts";
import { authorize } from "./authorize.ts";
import type { FlowRunService } from "./flow-run-service.ts";
import type { RequestCaller } from "./request-caller.ts";
import { newState } from "./state-transitions.ts";

/** Task runs: created per task call, with their state and persisted result. */
export class TaskRunService {
  readonly #storage: Storage;
  readonly #runs: FlowRunService;
  readonly #resultMaxBytes: number;
  /** `resultMaxBytes`: the largest result the result store takes (BATON_RESULT_MAX_BYTES). */
  constructor(storage: Storage, runs: FlowRunService, resultMaxBytes: number) {
    this.#storage = storage;
    this.#runs = runs;
    this.#resultMaxBytes = resultMaxBytes;
  }

  /** Creates the task run, or returns the existing one with the same key in this flow run. */
  async create(caller: RequestCaller, body: z.output<typeof CreateTaskRunBody>): Promise<{ taskRun: TaskRun; created: boolean }> {
    authorize(caller, "task-run:write", { type: "task-run", flowRunId: body.flowRunId });
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
    if (await this.#storage.transaction((tx) => tx.tasks.insert(taskRun, body.workerId))) return { taskRun, created: true };
    // Nothing written: say why. The flow run is missing, cancelled or another process's (as for a state
    // report, see `updateState`), or the key exists already (a retried request, or a replay): that task
    // run is the answer.
    const flowRun = await this.#storage.runs.getStatus(body.flowRunId);
    if (!flowRun) throw new FlowRunNotFoundError(body.flowRunId);
    if (flowRun.type === "CANCELLED") throw new FlowRunCancelledError(body.flowRunId, flowRun.message);
    if (body.workerId !== undefined && flowRun.workerId !== null && flowRun.workerId !== body.workerId)
      throw new RunTakenOverError(body.flowRunId, body.workerId);
    const existing = await this.#storage.tasks.findByKey(body.flowRunId, body.taskKey);
    // None: the run changed back between the insert and the read above; try again.
    return existing ? { taskRun: existing, created: false } : this.create(caller, body);
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
    const state = newState(body.state);
    if (body.resultUploaded && (body.result !== undefined || state.type !== "COMPLETED"))
      throw new BadRequestError("`resultUploaded: true` goes with a COMPLETED state and no `result`: the result is the one uploaded.");
    let result: string | undefined;
    if (body.result !== undefined && state.type === "COMPLETED") {
      result = JSON.stringify(body.result);
      if (Buffer.byteLength(result) > MAX_ROW_RESULT_BYTES)
        throw new BadRequestError(
          `The result of task "${(await this.#load(id)).name}" is ${Buffer.byteLength(result)} bytes as JSON; a task run's row keeps up to ${MAX_ROW_RESULT_BYTES} bytes. Upload a larger one with PUT /api/task-runs/${id}/result, then set the state with \`resultUploaded: true\` (the SDK does this by itself).`,
        );
    }
    const fields = {
      ...(result !== undefined ? { result } : {}),
      ...(body.attempts !== undefined ? { attempts: body.attempts } : {}),
      ...(state.type === "RUNNING" ? { startTime: state.timestamp } : {}),
      ...(isTerminal(state.type) ? { endTime: state.timestamp } : {}),
    };
    // Written without reading the task run first: the update's conditions are the checks.
    const written = await this.#storage.transaction(async (tx) => {
      // The reference is set in the transaction that finds the upload, so a completed task run never lacks its result.
      const bytes = body.resultUploaded ? await tx.tasks.resultBytes(id) : undefined;
      if (body.resultUploaded && bytes === undefined)
        throw new BadRequestError(`Task run ${id} has no uploaded result: PUT /api/task-runs/${id}/result first.`);
      return tx.tasks.updateState(id, state, bytes === undefined ? fields : { ...fields, resultBytes: bytes }, body.workerId);
    });
    if (written) return written;
    // Nothing written: the task run is missing (404), completed, or its flow run is another process's now.
    const run = await this.#load(id);
    if (run.state.type === "COMPLETED")
      throw new InvalidTransitionError(id, run.state.type, body.state.type, "a completed task run keeps its result.");
    if (body.workerId !== undefined) throw new RunTakenOverError(run.flowRunId, body.workerId);
    throw new InvalidTransitionError(id, run.state.type, body.state.type, "the task run changed meanwhile; send the report again.");
  }

  /**
   * Keeps a result too large for the task run's row in the result store: `contentLength` bytes read from
   * `body`. A size past BATON_RESULT_MAX_BYTES is refused before a byte is read (the request's content-length,
   * which Node holds the body to, is required for this). The task run refers to it once set COMPLETED with
   * `resultUploaded: true`; an upload again (a retry) replaces it.
   */
  async storeResult(
    caller: RequestCaller,
    id: string,
    contentLength: number | undefined,
    body: AsyncIterable<Uint8Array> | undefined,
  ): Promise<{ bytes: number }> {
    authorize(caller, "task-result:write", { type: "task-run", id });
    if (!body || contentLength === undefined || !Number.isFinite(contentLength))
      throw new BadRequestError("Send the result's JSON text as the body, with content-type application/octet-stream and a content-length.");
    const run = await this.#load(id);
    if (run.state.type === "COMPLETED")
      throw new InvalidTransitionError(id, run.state.type, run.state.type, "a completed task run keeps its result.");
    if (contentLength > this.#resultMaxBytes) throw new ResultTooLargeError(id, run.name, contentLength, this.#resultMaxBytes);
    const chunks: Uint8Array[] = [];
    for await (const chunk of body) chunks.push(chunk);
    const data = Buffer.concat(chunks);
    await this.#storage.transaction((tx) => tx.tasks.putResult(id, data));
    return { bytes: data.byteLength };
  }

  /** The result a task run keeps in the result store, as the JSON text's bytes; only to whoever may read its run. */
  async readResult(caller: RequestCaller, id: string): Promise<Uint8Array> {
    const run = await this.#load(id);
    authorize(caller, "task-result:read", { type: "task-run", id, flowRunId: run.flowRunId });
    const data = run.storedResult && (await this.#storage.tasks.getResult(id));
    if (!data) throw new TaskResultNotFoundError(id);
    return data;
  }

  /** A flow run's task runs in call order; 404 for an unknown run. */
  async listForRun(caller: RequestCaller, flowRunId: string): Promise<TaskRun[]> {
    authorize(caller, "task-run:read", { type: "task-run", flowRunId });
    await this.#runs.load(flowRunId);
    return this.#storage.tasks.list(flowRunId);
  }
}

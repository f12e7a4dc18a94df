import type { Selectable } from "kysely";
import type { Answer, FlowRun, Log, RunInput, State, StateType, TaskRun, Channel, LogLevel } from "../contract/index.ts";
import type { FlowRunTable, LogTable, RunInputTable, StateTable, TaskRunTable } from "./schema.ts";
import { decodeText, encodeText } from "./text-codec.ts";

/** Parses a JSON text column; null stays null. */
export function fromJson<T = unknown>(text: string | null): T | undefined {
  return text === null ? undefined : (JSON.parse(text) as T);
}

/** The state columns of a row, as a contract `State`. */
export function stateOf(
  row: Pick<Selectable<FlowRunTable>, "state_id" | "state_type" | "state_name" | "state_timestamp" | "state_message" | "state_details">,
): State {
  return {
    id: row.state_id,
    type: row.state_type as StateType,
    name: row.state_name,
    timestamp: row.state_timestamp,
    message: decodeText(row.state_message),
    details: JSON.parse(row.state_details),
  };
}

/** Turns a state into the columns that hold a current state. */
export function stateColumns(state: State) {
  return {
    state_id: state.id,
    state_type: state.type,
    state_name: state.name,
    state_timestamp: state.timestamp,
    state_message: encodeText(state.message),
    state_details: JSON.stringify(state.details),
  };
}

/** A `flow_runs` row as a contract `FlowRun`. */
export function flowRunOf(row: Selectable<FlowRunTable>): FlowRun {
  return {
    id: row.id,
    name: row.name,
    flowId: row.flow_id,
    flowName: row.flow_name,
    deploymentId: row.deployment_id,
    deploymentName: row.deployment_name,
    parameters: JSON.parse(row.parameters),
    state: stateOf(row),
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    startTime: row.start_time,
    endTime: row.end_time,
    createdBy: row.created_by,
    // Undefined on a database older than 0012 (a test's).
    tags: row.tags ? JSON.parse(row.tags) : [],
  };
}

/** A `flow_run_states` row as a contract `State`. */
export function stateHistoryOf(row: Selectable<StateTable>): State {
  return {
    id: row.id,
    type: row.type as StateType,
    name: row.name,
    timestamp: row.timestamp,
    message: decodeText(row.message),
    details: JSON.parse(row.details),
  };
}

/** A `task_runs` row as a contract `TaskRun`; its result, when it has one, parsed. */
export function taskRunOf(row: Selectable<TaskRunTable>): TaskRun {
  return {
    id: row.id,
    flowRunId: row.flow_run_id,
    name: row.name,
    taskKey: row.task_key,
    state: stateOf(row),
    ...(row.result === null ? {} : { result: JSON.parse(row.result) }),
    ...(row.result_bytes === null ? {} : { storedResult: { bytes: row.result_bytes } }),
    attempts: row.attempts,
    createdAt: row.created_at,
    startTime: row.start_time,
    endTime: row.end_time,
  };
}

/** A `run_inputs` row as a contract `RunInput`: a pause's question and, once answered, its answer. */
export function runInputOf(row: Selectable<RunInputTable>): RunInput {
  return {
    flowRunId: row.flow_run_id,
    key: row.key,
    schema: fromJson(row.schema) ?? null,
    ...(row.initial_data === null ? {} : { initialData: JSON.parse(row.initial_data) }),
    description: decodeText(row.description),
    requestedAt: row.requested_at,
    timeoutAt: row.timeout_at,
    ...(row.response === null ? {} : { response: JSON.parse(row.response) }),
    respondedAt: row.responded_at,
    channel: row.channel as Channel | null,
    respondedBy: row.responded_by,
    onBehalfOf: row.on_behalf_of,
    comment: decodeText(row.comment ?? null),
    answers: fromJson<Answer[]>(row.answers) ?? [],
  };
}

/** A `logs` row as a contract `Log`. */
export function logOf(row: Selectable<LogTable>): Log {
  return {
    id: Number(row.id),
    flowRunId: row.flow_run_id,
    taskRunId: row.task_run_id,
    level: row.level as LogLevel,
    message: decodeText(row.message),
    timestamp: row.timestamp,
  };
}

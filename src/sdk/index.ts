/**
 * Baton's SDK: what runs inside your process.
 *
 * @example
 * import { z } from "zod";
 * import { flow, pauseFlowRun, getRunLogger, RunInput } from "baton";
 *
 * const UserName = RunInput.from(z.object({ name: z.string() }));
 * const greet = flow("greet-user", async () => {
 *   const { name } = await pauseFlowRun({ waitForInput: UserName });
 *   getRunLogger().info(`Hello, ${name}!`);
 * });
 * await greet();
 */
export { flow } from "./flow.ts";
export type { Flow, FlowOptions, RunOptions } from "./flow.ts";
export { task } from "./task.ts";
export type { Task, TaskOptions } from "./task.ts";
export { pauseFlowRun, suspendFlowRun } from "./pause-flow-run.ts";
export type { AnswerOf, OnTimeoutOption, PauseAnswer, PauseOptions, RespondentOptions, SuspendOptions } from "./pause-flow-run.ts";
export { sendInput, receiveInput, createFlowRunInput, readFlowRunInput, deleteFlowRunInput, filterFlowRunInput } from "./messages.ts";
export type { SendInputOptions, ReceiveInputOptions, ReceivedInput, ReceivedItem, RunInputOptions } from "./messages.ts";
export { serve, runDeployment } from "./serve.ts";
export type { ServeOptions } from "./serve.ts";
export { SuspendSignal } from "./suspend-signal.ts";
export { encodeResult, decodeResult, UnserializableResultError } from "./result-serializer.ts";
export type { ResultSerializer } from "./result-serializer.ts";
export { resumeFlowRun, cancelFlowRun } from "./resume-flow-run.ts";
export type { ResumeOptions } from "./resume-flow-run.ts";
export { RunInput } from "./run-input.ts";
export type { InitialDataOptions, InputOf, WaitForInput } from "./run-input.ts";
export { getRunContext } from "./run-context.ts";
export type { RunContext, TaskRunContext } from "./run-context.ts";
export { getRunLogger } from "./logger.ts";
export type { RunLogger } from "./logger.ts";
export { parseDuration } from "../contract/duration.ts";
export {
  BatonError,
  FlowRunNotFoundError,
  TaskRunNotFoundError,
  PauseNotFoundError,
  RouteNotFoundError,
  NotPausedError,
  InvalidInputError,
  InvalidTransitionError,
  RunTakenOverError,
  MessageNotFoundError,
  MessageExistsError,
  RunNotReceivingError,
  PauseExpiredError,
  PauseTimeoutError,
  FlowTimeoutError,
  RunInputValidationError,
  FlowRunCancelledError,
  FlowRunEndedError,
  DeploymentNotFoundError,
  ChannelNotFoundError,
  ChannelConflictError,
  AutomationNotFoundError,
  DeliveryNotFoundError,
  NotADeploymentRunError,
  ReplayDivergenceError,
  MissingContextError,
  ParametersValidationError,
  PayloadTooLargeError,
  ResultTooLargeError,
  TaskResultNotFoundError,
  HeadersTooLargeError,
  BadRequestError,
  ServerUnreachableError,
  InternalServerError,
  DatabaseUnavailableError,
  UnexpectedResponseError,
  ConfigError,
} from "../contract/errors.ts";
export type { FieldError, RunInputIssue } from "../contract/errors.ts";
export type { FlowRun, State, StateType, TaskRun, RunInput as RunInputRecord, OnTimeout, Message } from "../contract/index.ts";

/**
 * Baton's errors. Each has a stable `code`, a message that says what happened and what to do, and
 * structured `details`. Those the API answers with are listed, with their HTTP status, in
 * `error-registry.ts`: the server's error handler and the client both work from that list.
 */

/** A JSON Schema or Zod failure at one place of a value; `path` is a JSON pointer ("" is the whole value). */
export interface FieldError {
  path: string;
  message: string;
}

/**
 * The base class of every error Baton throws on purpose. Each subclass names its `code` once, as a
 * static (`NotPausedError.code`), and says its `details` in its type.
 *
 * @example
 * try {
 *   await client.resume(id, { input });
 * } catch (e) {
 *   if (e instanceof NotPausedError) console.log(`already ${e.details.stateName}`);
 *   else throw e;
 * }
 */
export class BatonError<Details extends object = Record<string, unknown>> extends Error {
  readonly code: string;
  readonly details: Details;
  constructor(code: string, message: string, details: Details = {} as Details, options?: ErrorOptions) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
    this.details = details;
  }
  /** The body the server answers with. */
  toJSON(): { code: string; message: string; details: Details } {
    return { code: this.code, message: this.message, details: this.details };
  }
}

/** Thrown when no flow run has the given id. */
export class FlowRunNotFoundError extends BatonError<{ flowRunId: string }> {
  static readonly code = "FLOW_RUN_NOT_FOUND";
  constructor(flowRunId: string) {
    super(FlowRunNotFoundError.code, `No flow run has the id ${flowRunId}; list runs with \`baton flow-run ls\`.`, { flowRunId });
  }
}

/** Thrown when no task run has the given id. */
export class TaskRunNotFoundError extends BatonError<{ taskRunId: string }> {
  static readonly code = "TASK_RUN_NOT_FOUND";
  constructor(taskRunId: string) {
    super(TaskRunNotFoundError.code, `No task run has the id ${taskRunId}.`, { taskRunId });
  }
}

/** Thrown when a task run has no result in the result store. */
export class TaskResultNotFoundError extends BatonError<{ taskRunId: string }> {
  static readonly code = "TASK_RESULT_NOT_FOUND";
  constructor(taskRunId: string) {
    super(
      TaskResultNotFoundError.code,
      `Task run ${taskRunId} has no result in the result store: only a task run with \`storedResult\` has one (a smaller kept result is its \`result\`).`,
      { taskRunId },
    );
  }
}

/** Thrown when no deployment has the given name. */
export class DeploymentNotFoundError extends BatonError<{ name: string }> {
  static readonly code = "DEPLOYMENT_NOT_FOUND";
  constructor(name: string) {
    super(
      DeploymentNotFoundError.code,
      `No deployment is named "${name}"; list them with \`baton deployment ls\`. A flow becomes a deployment when a process serves it.`,
      { name },
    );
  }
}

/** Thrown when no notification channel has the given name or id. */
export class ChannelNotFoundError extends BatonError<{ channel: string }> {
  static readonly code = "CHANNEL_NOT_FOUND";
  constructor(channel: string) {
    super(ChannelNotFoundError.code, `No channel is named "${channel}"; list them with \`baton channel ls\`, add one with \`baton channel add\`.`, {
      channel,
    });
  }
}

/** Thrown when a channel cannot be added or removed as asked: its name is taken, or automations use it. */
export class ChannelConflictError extends BatonError<{ channel: string; reason: string }> {
  static readonly code = "CHANNEL_CONFLICT";
  constructor(channel: string, reason: string) {
    super(ChannelConflictError.code, `Channel "${channel}": ${reason}`, { channel, reason });
  }
}

/** Thrown when no automation has the given id. */
export class AutomationNotFoundError extends BatonError<{ automationId: string }> {
  static readonly code = "AUTOMATION_NOT_FOUND";
  constructor(automationId: string) {
    super(AutomationNotFoundError.code, `No automation has the id ${automationId}; list them with \`baton automation ls\`.`, { automationId });
  }
}

/** Thrown when no delivery has the given id. */
export class DeliveryNotFoundError extends BatonError<{ deliveryId: string }> {
  static readonly code = "DELIVERY_NOT_FOUND";
  constructor(deliveryId: string) {
    super(DeliveryNotFoundError.code, `No delivery has the id ${deliveryId}; list them with \`baton delivery ls\`.`, { deliveryId });
  }
}

/** Thrown when a flow run has no pause with the given key. */
export class PauseNotFoundError extends BatonError<{ flowRunId: string; pauseKey: string }> {
  static readonly code = "PAUSE_NOT_FOUND";
  constructor(flowRunId: string, pauseKey: string) {
    super(PauseNotFoundError.code, `Flow run ${flowRunId} has no pause with the key "${pauseKey}".`, { flowRunId, pauseKey });
  }
}

/** Thrown when a request names no route of the API (a wrong path or method). */
export class RouteNotFoundError extends BatonError<{ method: string; url: string }> {
  static readonly code = "ROUTE_NOT_FOUND";
  constructor(method: string, url: string) {
    super(RouteNotFoundError.code, `No route ${method} ${url}; the API is described at /api/openapi.json.`, { method, url });
  }
}

/** Thrown when a resume targets a run that is not paused (already answered, cancelled, finished, ...). */
export class NotPausedError extends BatonError<{ flowRunId: string; stateType: string; stateName: string }> {
  static readonly code = "NOT_PAUSED";
  constructor(flowRunId: string, stateType: string, stateName: string) {
    super(
      NotPausedError.code,
      `Flow run ${flowRunId} is not paused: it is ${stateName} (${stateType}). Only a paused run can be resumed; it may have been answered already.`,
      { flowRunId, stateType, stateName },
    );
  }
}

/** Thrown when a bulk approve or reject reaches a pause that asks for more than a yes or no (or a reject, a pause that asks nothing). */
export class NotYesNoError extends BatonError<{ flowRunId: string; pauseKey: string; reason: string }> {
  static readonly code = "NOT_YES_NO";
  constructor(flowRunId: string, pauseKey: string, reason: string) {
    super(
      NotYesNoError.code,
      `Pause "${pauseKey}" of flow run ${flowRunId} ${reason}; answer it on its own, in the inbox or with \`baton flow-run resume\`.`,
      {
        flowRunId,
        pauseKey,
        reason,
      },
    );
  }
}

/** Thrown when a state change breaks the orchestration rules (for example, leaving a terminal state). */
export class InvalidTransitionError extends BatonError<{ flowRunId: string; from: string; to: string; reason: string }> {
  static readonly code = "INVALID_TRANSITION";
  constructor(flowRunId: string, from: string, to: string, reason: string) {
    super(InvalidTransitionError.code, `Flow run ${flowRunId} cannot go from ${from} to ${to}: ${reason}`, { flowRunId, from, to, reason });
  }
}

/**
 * Thrown when a process reports on a run that is no longer its own: the server gave it to another process
 * (this one missed its heartbeats, or its event stream closed) or suspended it. The process lets it go.
 */
export class RunTakenOverError extends BatonError<{ flowRunId: string; workerId: string }> {
  static readonly code = "RUN_TAKEN_OVER";
  constructor(flowRunId: string, workerId: string) {
    super(
      RunTakenOverError.code,
      `Flow run ${flowRunId} is not run by process ${workerId} any more: the server gave it to another process or suspended it (this one seemed gone). Its report was not applied.`,
      { flowRunId, workerId },
    );
  }
}

/**
 * Thrown when an answer does not match what the pause asked for (the run stays paused), or a message what
 * its receiver receives (`messageKey`: the message's key prefix; the message is not kept).
 */
export class InvalidInputError extends BatonError<{ flowRunId: string; errors: FieldError[]; messageKey?: string }> {
  static readonly code = "INVALID_INPUT";
  readonly errors: FieldError[];
  constructor(flowRunId: string, errors: FieldError[], messageKey?: string) {
    const list = errors.map((e) => `${e.path || "(input)"}: ${e.message}`).join("; ");
    const what =
      messageKey === undefined
        ? "The input does not match what the pause asks for, and the run stays paused."
        : `The message does not match what flow run ${flowRunId} receives under "${messageKey}", and was not sent; correct it and send again.`;
    super(InvalidInputError.code, `${what} ${list}`, { flowRunId, errors, ...(messageKey === undefined ? {} : { messageKey }) });
    this.errors = errors;
  }
}

/** Thrown when a run has no message (or run input) under a key. */
export class MessageNotFoundError extends BatonError<{ flowRunId: string; key: string }> {
  static readonly code = "MESSAGE_NOT_FOUND";
  constructor(flowRunId: string, key: string) {
    super(
      MessageNotFoundError.code,
      `Flow run ${flowRunId} has no input under the key "${key}"; list them with \`baton flow-run messages ${flowRunId}\`.`,
      {
        flowRunId,
        key,
      },
    );
  }
}

/** Thrown when a run input is created under a key the run already has. */
export class MessageExistsError extends BatonError<{ flowRunId: string; key: string }> {
  static readonly code = "MESSAGE_EXISTS";
  constructor(flowRunId: string, key: string) {
    super(MessageExistsError.code, `Flow run ${flowRunId} already has an input under the key "${key}"; delete it first, or choose another key.`, {
      flowRunId,
      key,
    });
  }
}

/** Thrown when a message is sent to a run that has finished: nothing would ever read it. */
export class RunNotReceivingError extends BatonError<{ flowRunId: string; stateName: string }> {
  static readonly code = "RUN_NOT_RECEIVING";
  constructor(flowRunId: string, stateName: string) {
    super(RunNotReceivingError.code, `Flow run ${flowRunId} is ${stateName}: it receives no more messages. Send to a run that is still going.`, {
      flowRunId,
      stateName,
    });
  }
}

/** Thrown when a request body or query is malformed. */
export class BadRequestError extends BatonError<{ errors: FieldError[] }> {
  static readonly code = "BAD_REQUEST";
  constructor(message: string, errors: FieldError[] = []) {
    super(BadRequestError.code, message, { errors });
  }
}

/** Thrown when a request body is larger than the server accepts. */
export class PayloadTooLargeError extends BatonError<{ limitBytes: number }> {
  static readonly code = "PAYLOAD_TOO_LARGE";
  constructor(limitBytes: number) {
    super(PayloadTooLargeError.code, `The request body is larger than ${limitBytes} bytes; send a smaller answer.`, { limitBytes });
  }
}

/** Thrown when a task's result is larger than the server keeps (`BATON_RESULT_MAX_BYTES`). */
export class ResultTooLargeError extends BatonError<{ taskRunId: string; taskName: string; bytes: number; limitBytes: number }> {
  static readonly code = "RESULT_TOO_LARGE";
  constructor(taskRunId: string, taskName: string, bytes: number, limitBytes: number) {
    super(
      ResultTooLargeError.code,
      `The result of task "${taskName}" is at least ${bytes} bytes as JSON; the server keeps results up to ${limitBytes} bytes (BATON_RESULT_MAX_BYTES). Return a smaller value (an id or a path to the data), or raise BATON_RESULT_MAX_BYTES on the server.`,
      { taskRunId, taskName, bytes, limitBytes },
    );
  }
}

/** Thrown when a request's line and headers are larger than the server reads (an id or a query far too long). */
export class HeadersTooLargeError extends BatonError<{ limitBytes: number }> {
  static readonly code = "HEADERS_TOO_LARGE";
  constructor(limitBytes: number) {
    super(
      HeadersTooLargeError.code,
      `The request's address and headers are larger than ${limitBytes} bytes; send long values in a JSON body instead.`,
      { limitBytes },
    );
  }
}

/** Thrown by the client when the server failed unexpectedly (HTTP 500); what went wrong is in the server's log. */
export class InternalServerError extends BatonError<Record<string, never>> {
  static readonly code = "INTERNAL";
  constructor() {
    super(InternalServerError.code, "The server failed unexpectedly; its log has the details.", {});
  }
}

/**
 * Thrown by the client when the server cannot reach its database for now (HTTP 503): nothing was changed
 * that was not committed whole, and the same request may be sent again in a moment (the SDK does).
 */
export class DatabaseUnavailableError extends BatonError<Record<string, never>> {
  static readonly code = "DATABASE_UNAVAILABLE";
  constructor() {
    super(DatabaseUnavailableError.code, "The server cannot reach its database right now; send the request again in a moment.", {});
  }
}

/** Thrown when a pause's timeout passed before the answer came; the run is failed. */
export class PauseTimeoutError extends BatonError<{ flowRunId: string; pauseKey: string; timeoutAt: string | null }> {
  static readonly code = "PAUSE_TIMEOUT";
  constructor(flowRunId: string, pauseKey: string, timeoutAt: string | null) {
    super(
      PauseTimeoutError.code,
      `The pause "${pauseKey}" of flow run ${flowRunId} timed out${timeoutAt ? ` at ${timeoutAt}` : ""} without an answer; the run is failed. Give \`pauseFlowRun\` a longer \`timeout\` if people need more time.`,
      { flowRunId, pauseKey, timeoutAt },
    );
  }
}

/**
 * Thrown when an answer comes for a pause that timed out: the pause can no longer be answered, and the
 * run was failed (or has moved on since). The API answers it with 409 `PAUSE_EXPIRED`.
 */
export class PauseExpiredError extends BatonError<{
  flowRunId: string;
  pauseKey: string;
  timeoutAt: string | null;
  stateType: string;
  stateName: string;
}> {
  static readonly code = "PAUSE_EXPIRED";
  constructor(flowRunId: string, pauseKey: string, timeoutAt: string | null, stateType: string, stateName: string) {
    super(
      PauseExpiredError.code,
      `The pause "${pauseKey}" of flow run ${flowRunId} timed out${timeoutAt ? ` at ${timeoutAt}` : ""} and can no longer be answered; the run is ${stateName} (${stateType}). To ask again, retry the run (\`baton flow-run retry ${flowRunId}\`, for a run of a deployment) or start a new one.`,
      { flowRunId, pauseKey, timeoutAt, stateType, stateName },
    );
  }

  /** The error for answering `run` if its current state is the failure of a timed-out pause; else undefined. */
  static of(run: {
    id: string;
    state: {
      type: string;
      name: string;
      details: { pauseKey?: string | undefined; pauseTimeout?: string | null | undefined; error?: { code?: string | undefined } | undefined };
    };
  }): PauseExpiredError | undefined {
    const { details } = run.state;
    if (details.error?.code !== PauseTimeoutError.code && details.error?.code !== FlowTimeoutError.code) return undefined;
    return new PauseExpiredError(run.id, details.pauseKey ?? "", details.pauseTimeout ?? null, run.state.type, run.state.name);
  }
}

/** Thrown when a flow run passed its flow's `timeout` (waits for people included); the run is failed. */
export class FlowTimeoutError extends BatonError<{ flowRunId: string; timeoutAt: string; pauseKey: string | null }> {
  static readonly code = "FLOW_TIMEOUT";
  /** `pauseKey`: the pause the run was waiting at, if it was. */
  constructor(flowRunId: string, timeoutAt: string, pauseKey?: string | null) {
    super(
      FlowTimeoutError.code,
      `Flow run ${flowRunId} passed its flow's timeout at ${timeoutAt}${pauseKey ? ` while waiting at pause "${pauseKey}"` : ""} and is failed. Give \`flow({ timeout })\` more time if the run needs it.`,
      { flowRunId, timeoutAt, pauseKey: pauseKey ?? null },
    );
  }
}

/** One Zod issue of a `RunInputValidationError`. */
export interface RunInputIssue {
  path: PropertyKey[];
  message: string;
  code?: string;
}

/** Thrown by `pauseFlowRun` when the answer passed the JSON Schema but failed the schema's own checks (refine). */
export class RunInputValidationError extends BatonError<{
  flowRunId: string;
  pauseKey: string;
  issues: { path: string[]; message: string; code: string | undefined }[];
}> {
  static readonly code = "RUN_INPUT_VALIDATION";
  /** The Zod issues, as data. */
  readonly issues: readonly RunInputIssue[];
  constructor(flowRunId: string, pauseKey: string, issues: readonly RunInputIssue[]) {
    const list = issues.map((i) => `${i.path.map(String).join(".") || "(input)"}: ${i.message}`).join("; ");
    super(RunInputValidationError.code, `The answer to pause "${pauseKey}" failed validation: ${list}`, {
      flowRunId,
      pauseKey,
      issues: issues.map((i) => ({ path: i.path.map(String), message: i.message, code: i.code })),
    });
    this.issues = issues;
  }
}

/** Thrown when a run was cancelled: in its flow (at the pause it waited at, or its next report), and to any later write. */
export class FlowRunCancelledError extends BatonError<{ flowRunId: string; reason: string | null }> {
  static readonly code = "FLOW_RUN_CANCELLED";
  constructor(flowRunId: string, reason?: string | null) {
    super(FlowRunCancelledError.code, `Flow run ${flowRunId} was cancelled${reason ? `: ${reason}` : "."}`, { flowRunId, reason: reason ?? null });
  }
}

/** Thrown inside a flow when its run was ended from outside (forced to Failed, Crashed, ...) while it waited. */
export class FlowRunEndedError extends BatonError<{ flowRunId: string; stateName: string }> {
  static readonly code = "FLOW_RUN_ENDED";
  constructor(flowRunId: string, stateName: string, message?: string | null) {
    super(FlowRunEndedError.code, `Flow run ${flowRunId} was set ${stateName} while it waited${message ? `: ${message}` : "."}`, {
      flowRunId,
      stateName,
    });
  }
}

/**
 * Thrown in a flow that was still waiting for an answer when its process's connection to the server was
 * shut down (a `baton/testing` server closed): the run is neither answered nor ended on the server.
 */
export class RuntimeClosedError extends BatonError<{ flowRunId: string; pauseKey: string }> {
  static readonly code = "RUNTIME_CLOSED";
  constructor(flowRunId: string, pauseKey: string) {
    super(
      RuntimeClosedError.code,
      `Flow run ${flowRunId} was still waiting at pause "${pauseKey}" when this process's connection to the Baton server was shut down (its test server closed). Answer or cancel the run before the test ends, or catch this error if the test leaves it waiting on purpose.`,
      { flowRunId, pauseKey },
    );
  }
}

/** Thrown when a replayed run calls a different task at a position than its recorded history has there. */
export class ReplayDivergenceError extends BatonError<{ flowRunId: string; taskKey: string; recorded: string; called: string }> {
  static readonly code = "REPLAY_DIVERGED";
  constructor(flowRunId: string, taskKey: string, recorded: string, called: string) {
    super(
      ReplayDivergenceError.code,
      `Flow run ${flowRunId} diverged from its recorded history at task call ${taskKey}: the history has task "${recorded}" there, but this execution called "${called}". A flow must call its tasks in the same order each time it runs up to a suspend; give a task an explicit \`key\` where the order can vary.`,
      { flowRunId, taskKey, recorded, called },
    );
  }
}

/** Thrown when `suspendFlowRun` (or `suspendAfter`) is used in a run that no serving process could pick up again. */
export class NotADeploymentRunError extends BatonError<{ flowRunId: string }> {
  static readonly code = "NOT_A_DEPLOYMENT_RUN";
  constructor(flowRunId: string, what: string) {
    super(
      NotADeploymentRunError.code,
      `${what} needs a run of a deployment, because a serving process must pick the run up again once it is answered; flow run ${flowRunId} was started by calling its flow directly. Serve the flow with \`serve(myFlow)\` and start runs with \`runDeployment(name)\` (or \`baton deployment run NAME\`), or use \`pauseFlowRun\` to keep this process waiting.`,
      { flowRunId },
    );
  }
}

/** Thrown when a function that needs a flow run (`getRunContext`, `pauseFlowRun`, ...) is called outside one. */
export class MissingContextError extends BatonError {
  static readonly code = "MISSING_CONTEXT";
  constructor(what: string) {
    super(
      MissingContextError.code,
      `${what} can only be called inside a flow run. Call it from the function given to \`flow()\` (or from a task it calls).`,
    );
  }
}

/** Thrown when flow parameters fail the flow's `parameters` schema; no run is created. */
export class ParametersValidationError extends BatonError<{ flowName: string; errors: FieldError[] }> {
  static readonly code = "INVALID_PARAMETERS";
  constructor(flowName: string, errors: FieldError[]) {
    const list = errors.map((e) => `${e.path || "(parameters)"}: ${e.message}`).join("; ");
    super(ParametersValidationError.code, `The parameters of flow "${flowName}" are not valid: ${list}`, { flowName, errors });
  }
}

/** Thrown when the Baton server cannot be reached. */
export class ServerUnreachableError extends BatonError<{ url: string }> {
  static readonly code = "SERVER_UNREACHABLE";
  constructor(url: string, cause?: unknown) {
    super(
      ServerUnreachableError.code,
      `No Baton server answers at ${url}. Start one with \`npx baton server start\` (or \`npm start\` in the Baton repository), or set BATON_API_URL to the server's API address.`,
      { url },
      { cause },
    );
  }
}

/** Thrown when a configuration value (a `BATON_*` variable or an option) is not valid. */
export class ConfigError extends BatonError {
  static readonly code = "CONFIG";
  constructor(message: string) {
    super(ConfigError.code, message);
  }
}

/**
 * Thrown by the client when the server answers with an error it does not know: a code it has no class
 * for (a newer server?), details that do not fit the class the code names, or a body that is not
 * Baton's (a proxy's error page). The answer is kept in `details`.
 */
export class UnexpectedResponseError extends BatonError<{ status: number; responseCode: string | null; responseDetails: Record<string, unknown> }> {
  static readonly code = "UNEXPECTED_RESPONSE";
  constructor(status: number, responseCode: string | null, message: string | null, responseDetails: Record<string, unknown> = {}) {
    super(UnexpectedResponseError.code, message || `The server answered with HTTP ${status}.`, { status, responseCode, responseDetails });
  }
}

/** Thrown when a request whose server requires sign-in carries no valid credentials. */
export class UnauthenticatedError extends BatonError<{ reason: string }> {
  static readonly code = "UNAUTHENTICATED";
  constructor(reason: string) {
    super(
      UnauthenticatedError.code,
      `${reason} Send an API key as \`Authorization: Bearer <key>\` (the CLI, the SDK and the client read BATON_API_KEY; an admin makes one with \`baton api-key create\`), or sign in to the web UI.`,
      { reason },
    );
  }
}

/** Thrown when the caller is known but may not do what it asks; nothing was changed. */
export class ForbiddenError extends BatonError<{ action: string; reason: string }> {
  static readonly code = "FORBIDDEN";
  constructor(action: string, reason: string) {
    super(ForbiddenError.code, `Not allowed to ${action}: ${reason}`, { action, reason });
  }
}

/** Thrown for a request that names a host the server does not answer for (a DNS-rebinding attempt, or a missing BATON_PUBLIC_URL). */
export class HostNotAllowedError extends BatonError<{ host: string }> {
  static readonly code = "HOST_NOT_ALLOWED";
  constructor(host: string) {
    super(
      HostNotAllowedError.code,
      `This server does not answer for the host "${host}". It answers for loopback names and IP addresses; set BATON_PUBLIC_URL to the address people use to reach it.`,
      { host },
    );
  }
}

/** Thrown for a state-changing request that a page of another site made a browser send. */
export class CrossSiteRequestError extends BatonError<{ origin: string | null }> {
  static readonly code = "CROSS_SITE_REQUEST";
  constructor(origin: string | null) {
    super(
      CrossSiteRequestError.code,
      `Refused a state-changing request sent by a page of another site${origin ? ` (${origin})` : ""}. List trusted origins in BATON_CORS_ORIGINS.`,
      { origin },
    );
  }
}

/** Thrown when a client has failed to authenticate too often; it may try again after `retryAfterSeconds`. */
export class TooManyAttemptsError extends BatonError<{ retryAfterSeconds: number }> {
  static readonly code = "TOO_MANY_ATTEMPTS";
  constructor(retryAfterSeconds: number) {
    super(TooManyAttemptsError.code, `Too many failed sign-in attempts from this address; try again in ${retryAfterSeconds} s.`, {
      retryAfterSeconds,
    });
  }
}

/** Thrown when no user has the given name. */
export class UserNotFoundError extends BatonError<{ name: string }> {
  static readonly code = "USER_NOT_FOUND";
  constructor(name: string) {
    super(UserNotFoundError.code, `No user is named "${name}"; list them with \`baton user ls\`.`, { name });
  }
}

/** Thrown when a user of that name exists already. */
export class UserExistsError extends BatonError<{ name: string }> {
  static readonly code = "USER_EXISTS";
  constructor(name: string) {
    super(UserExistsError.code, `A user named "${name}" exists already; change their password with \`baton user passwd ${name}\`.`, { name });
  }
}

/** Thrown when no API key has the given id (or it was revoked). */
export class ApiKeyNotFoundError extends BatonError<{ id: string }> {
  static readonly code = "API_KEY_NOT_FOUND";
  constructor(id: string) {
    super(ApiKeyNotFoundError.code, `No active API key has the id ${id}; list them with \`baton api-key ls\`.`, { id });
  }
}

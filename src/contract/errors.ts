/**
 * Baton's errors. Each has a stable `code`, a message that says what happened and what to do, and
 * structured `details`. The server turns them into HTTP responses `{ code, message, details }` in one
 * place, and the client turns those back into the same classes.
 */

/** A JSON Schema or Zod failure at one place of a value; `path` is a JSON pointer ("" is the whole value). */
export interface FieldError {
  path: string;
  message: string;
}

/** The base class of every error Baton throws on purpose. */
export class BatonError extends Error {
  readonly code: string;
  readonly details: Record<string, unknown>;
  constructor(code: string, message: string, details: Record<string, unknown> = {}, options?: ErrorOptions) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
    this.details = details;
  }
  /** The body the server answers with. */
  toJSON(): { code: string; message: string; details: Record<string, unknown> } {
    return { code: this.code, message: this.message, details: this.details };
  }
}

/** Thrown when no flow run has the given id. */
export class FlowRunNotFoundError extends BatonError {
  constructor(flowRunId: string) {
    super("FLOW_RUN_NOT_FOUND", `No flow run has the id ${flowRunId}; list runs with \`baton flow-run ls\`.`, {
      flowRunId,
    });
  }
}

/** Thrown when no task run has the given id. */
export class TaskRunNotFoundError extends BatonError {
  constructor(taskRunId: string) {
    super("TASK_RUN_NOT_FOUND", `No task run has the id ${taskRunId}.`, { taskRunId });
  }
}

/** Thrown when no deployment has the given name. */
export class DeploymentNotFoundError extends BatonError {
  constructor(name: string) {
    super("DEPLOYMENT_NOT_FOUND", `No deployment is named "${name}"; list them with \`baton deployment ls\`. A flow becomes a deployment when a process serves it.`, { name });
  }
}

/** Thrown when a resume targets a run that is not paused (already answered, cancelled, finished, ...). */
export class NotPausedError extends BatonError {
  constructor(flowRunId: string, stateType: string, stateName: string) {
    super(
      "NOT_PAUSED",
      `Flow run ${flowRunId} is not paused: it is ${stateName} (${stateType}). Only a paused run can be resumed; it may have been answered already.`,
      { flowRunId, stateType, stateName },
    );
  }
}

/** Thrown when a state change breaks the orchestration rules (for example, leaving a terminal state). */
export class InvalidTransitionError extends BatonError {
  constructor(flowRunId: string, from: string, to: string, reason: string) {
    super("INVALID_TRANSITION", `Flow run ${flowRunId} cannot go from ${from} to ${to}: ${reason}`, {
      flowRunId,
      from,
      to,
    });
  }
}

/** Thrown when an answer does not match what the pause asked for; the run stays paused. */
export class InvalidInputError extends BatonError {
  readonly errors: FieldError[];
  constructor(flowRunId: string, errors: FieldError[]) {
    const list = errors.map((e) => `${e.path || "(input)"}: ${e.message}`).join("; ");
    super("INVALID_INPUT", `The input does not match what the pause asks for, and the run stays paused. ${list}`, {
      flowRunId,
      errors,
    });
    this.errors = errors;
  }
}

/** Thrown when a request body or query is malformed. */
export class BadRequestError extends BatonError {
  constructor(message: string, errors: FieldError[] = []) {
    super("BAD_REQUEST", message, { errors });
  }
}

/** Thrown when a request body is larger than the server accepts. */
export class PayloadTooLargeError extends BatonError {
  constructor(limitBytes: number) {
    super("PAYLOAD_TOO_LARGE", `The request body is larger than ${limitBytes} bytes; send a smaller answer.`, {
      limitBytes,
    });
  }
}

/** Thrown when a pause's timeout passed before the answer came; the run is failed. */
export class PauseTimeoutError extends BatonError {
  constructor(flowRunId: string, pauseKey: string, timeoutAt: string | null) {
    super(
      "PAUSE_TIMEOUT",
      `The pause "${pauseKey}" of flow run ${flowRunId} timed out${timeoutAt ? ` at ${timeoutAt}` : ""} without an answer; the run is failed. Give \`pauseFlowRun\` a longer \`timeout\` if people need more time.`,
      { flowRunId, pauseKey, timeoutAt },
    );
  }
}

/** Thrown by `pauseFlowRun` when the answer passed the JSON Schema but failed the schema's own checks (refine). */
export class RunInputValidationError extends BatonError {
  /** The Zod issues, as data. */
  readonly issues: readonly { path: PropertyKey[]; message: string; code?: string }[];
  constructor(flowRunId: string, pauseKey: string, issues: readonly { path: PropertyKey[]; message: string; code?: string }[]) {
    const list = issues.map((i) => `${i.path.map(String).join(".") || "(input)"}: ${i.message}`).join("; ");
    super("RUN_INPUT_VALIDATION", `The answer to pause "${pauseKey}" failed validation: ${list}`, {
      flowRunId,
      pauseKey,
      issues: issues.map((i) => ({ path: i.path.map(String), message: i.message, code: i.code })),
    });
    this.issues = issues;
  }
}

/** Thrown inside a flow when its run was cancelled (for example, while it waited for an answer). */
export class FlowRunCancelledError extends BatonError {
  constructor(flowRunId: string, message?: string | null) {
    super("FLOW_RUN_CANCELLED", `Flow run ${flowRunId} was cancelled${message ? `: ${message}` : "."}`, { flowRunId });
  }
}

/** Thrown inside a flow when its run was ended from outside (forced to Failed, Crashed, ...) while it waited. */
export class FlowRunEndedError extends BatonError {
  constructor(flowRunId: string, stateName: string, message?: string | null) {
    super("FLOW_RUN_ENDED", `Flow run ${flowRunId} was set ${stateName} while it waited${message ? `: ${message}` : "."}`, { flowRunId, stateName });
  }
}

/**
 * Thrown in a flow that was still waiting for an answer when its process's connection to the server was
 * shut down (a `baton/testing` server closed): the run is neither answered nor ended on the server.
 */
export class RuntimeClosedError extends BatonError {
  constructor(flowRunId: string, pauseKey: string) {
    super(
      "RUNTIME_CLOSED",
      `Flow run ${flowRunId} was still waiting at pause "${pauseKey}" when this process's connection to the Baton server was shut down (its test server closed). Answer or cancel the run before the test ends, or catch this error if the test leaves it waiting on purpose.`,
      { flowRunId, pauseKey },
    );
  }
}

/** Thrown when a replayed run calls a different task at a position than its recorded history has there. */
export class ReplayDivergenceError extends BatonError {
  constructor(flowRunId: string, taskKey: string, recorded: string, called: string) {
    super(
      "REPLAY_DIVERGED",
      `Flow run ${flowRunId} diverged from its recorded history at task call ${taskKey}: the history has task "${recorded}" there, but this execution called "${called}". A flow must call its tasks in the same order each time it runs up to a suspend; give a task an explicit \`key\` where the order can vary.`,
      { flowRunId, taskKey, recorded, called },
    );
  }
}

/** Thrown when `suspendFlowRun` (or `suspendAfter`) is used in a run that no serving process could pick up again. */
export class NotADeploymentRunError extends BatonError {
  constructor(flowRunId: string, what: string) {
    super(
      "NOT_A_DEPLOYMENT_RUN",
      `${what} needs a run of a deployment, because a serving process must pick the run up again once it is answered; flow run ${flowRunId} was started by calling its flow directly. Serve the flow with \`serve(myFlow)\` and start runs with \`runDeployment(name)\` (or \`baton deployment run NAME\`), or use \`pauseFlowRun\` to keep this process waiting.`,
      { flowRunId },
    );
  }
}

/** Thrown when a function that needs a flow run (`getRunContext`, `pauseFlowRun`, ...) is called outside one. */
export class MissingContextError extends BatonError {
  constructor(what: string) {
    super(
      "MISSING_CONTEXT",
      `${what} can only be called inside a flow run. Call it from the function given to \`flow()\` (or from a task it calls).`,
    );
  }
}

/** Thrown when flow parameters fail the flow's `parameters` schema; no run is created. */
export class ParametersValidationError extends BatonError {
  constructor(flowName: string, errors: FieldError[]) {
    const list = errors.map((e) => `${e.path || "(parameters)"}: ${e.message}`).join("; ");
    super("INVALID_PARAMETERS", `The parameters of flow "${flowName}" are not valid: ${list}`, { flowName, errors });
  }
}

/** Thrown when the Baton server cannot be reached. */
export class ServerUnreachableError extends BatonError {
  constructor(url: string, cause?: unknown) {
    super(
      "SERVER_UNREACHABLE",
      `No Baton server answers at ${url}. Start one with \`npx baton server start\` (or \`npm start\` in the Baton repository), or set BATON_API_URL to the server's API address.`,
      { url },
      { cause },
    );
  }
}

/** Thrown when a configuration value (a `BATON_*` variable or an option) is not valid. */
export class ConfigError extends BatonError {
  constructor(message: string) {
    super("CONFIG", message);
  }
}

/** Thrown when the server answers with an error this client does not know. */
export class UnexpectedResponseError extends BatonError {
  constructor(status: number, code: string, message: string, details: Record<string, unknown>) {
    super(code || "UNEXPECTED_RESPONSE", message || `The server answered with HTTP ${status}.`, { status, ...details });
  }
}

/** Rebuilds the error class a server response names, so callers can `instanceof` it. */
export function errorFromResponse(
  status: number,
  body: { code?: string; message?: string; details?: Record<string, unknown> } | undefined,
): BatonError {
  const code = body?.code ?? "";
  const message = body?.message ?? `The server answered with HTTP ${status}.`;
  const details = body?.details ?? {};
  const restore = (e: BatonError): BatonError => {
    e.message = message;
    Object.assign(e.details, details);
    return e;
  };
  switch (code) {
    case "FLOW_RUN_NOT_FOUND":
      return restore(new FlowRunNotFoundError(String(details.flowRunId ?? "")));
    case "DEPLOYMENT_NOT_FOUND":
      return restore(new DeploymentNotFoundError(String(details.name ?? "")));
    case "TASK_RUN_NOT_FOUND":
      return restore(new TaskRunNotFoundError(String(details.taskRunId ?? "")));
    case "NOT_PAUSED":
      return restore(new NotPausedError(String(details.flowRunId ?? ""), String(details.stateType ?? ""), String(details.stateName ?? "")));
    case "INVALID_TRANSITION":
      return restore(new InvalidTransitionError(String(details.flowRunId ?? ""), String(details.from ?? ""), String(details.to ?? ""), ""));
    case "INVALID_INPUT":
      return restore(new InvalidInputError(String(details.flowRunId ?? ""), (details.errors as FieldError[]) ?? []));
    case "INVALID_PARAMETERS":
      return restore(new ParametersValidationError(String(details.flowName ?? ""), (details.errors as FieldError[]) ?? []));
    case "FLOW_RUN_CANCELLED":
      return restore(new FlowRunCancelledError(String(details.flowRunId ?? "")));
    case "PAUSE_TIMEOUT":
      return restore(new PauseTimeoutError(String(details.flowRunId ?? ""), String(details.pauseKey ?? ""), (details.timeoutAt as string) ?? null));
    case "BAD_REQUEST":
      return restore(new BadRequestError(message, (details.errors as FieldError[]) ?? []));
    case "PAYLOAD_TOO_LARGE":
      return restore(new PayloadTooLargeError(Number(details.limitBytes ?? 0)));
    default:
      return new UnexpectedResponseError(status, code, message, details);
  }
}

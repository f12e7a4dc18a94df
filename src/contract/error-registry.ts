import { z } from "zod";
import {
  ApiKeyNotFoundError,
  BadRequestError,
  CrossSiteRequestError,
  ForbiddenError,
  HostNotAllowedError,
  TooManyAttemptsError,
  UnauthenticatedError,
  UserExistsError,
  UserNotFoundError,
  AutomationNotFoundError,
  ChannelConflictError,
  ChannelNotFoundError,
  DeliveryNotFoundError,
  type BatonError,
  DeploymentNotFoundError,
  FlowRunCancelledError,
  FlowRunNotFoundError,
  InternalServerError,
  DatabaseUnavailableError,
  InvalidInputError,
  InvalidTransitionError,
  RunTakenOverError,
  MessageExistsError,
  MessageNotFoundError,
  RunNotReceivingError,
  NotPausedError,
  NotYesNoError,
  ParametersValidationError,
  PauseNotFoundError,
  PauseExpiredError,
  PayloadTooLargeError,
  ResultTooLargeError,
  HeadersTooLargeError,
  RouteNotFoundError,
  TaskRunNotFoundError,
  TaskResultNotFoundError,
} from "./errors.ts";

/** An error class, with the code it names once as a static. */
export type ErrorClass<E extends BatonError<object> = BatonError<object>> = (abstract new (...args: never[]) => E) & { readonly code: string };

/** An error the API answers with: its class, its HTTP status, and how the client builds it again. */
export interface ApiError<E extends BatonError<object> = BatonError<object>> {
  /** The class; its static `code` is the `code` of the response body. */
  readonly error: ErrorClass<E>;
  /** The HTTP status the server answers with. */
  readonly status: number;
  /** The shape of the response's `details`, checked before `rebuild` is given them. */
  readonly details: z.ZodType<E["details"]>;
  /** The error again, from the response's `details` (and `message`, for the classes made from one). */
  rebuild(details: E["details"], message: string): E;
}

function apiError<E extends BatonError<object>>(
  error: ErrorClass<E>,
  status: number,
  details: z.ZodType<E["details"]>,
  rebuild: (details: E["details"], message: string) => E,
): ApiError<E> {
  return { error, status, details, rebuild };
}

const FieldErrors = z.array(z.object({ path: z.string(), message: z.string() }));

/**
 * Every error the API answers with, as `{ code, message, details }` and the status here. The server's
 * error handler takes the status from this list, and the client builds the same class again from the
 * body; a `BatonError` whose code is not here reaches the API only by mistake, and answers 500.
 */
export const API_ERRORS: readonly ApiError[] = [
  apiError(BadRequestError, 400, z.object({ errors: FieldErrors }), (d, message) => new BadRequestError(message, d.errors)),
  apiError(UnauthenticatedError, 401, z.object({ reason: z.string() }), (d) => new UnauthenticatedError(d.reason)),
  apiError(ForbiddenError, 403, z.object({ action: z.string(), reason: z.string() }), (d) => new ForbiddenError(d.action, d.reason)),
  apiError(HostNotAllowedError, 403, z.object({ host: z.string() }), (d) => new HostNotAllowedError(d.host)),
  apiError(CrossSiteRequestError, 403, z.object({ origin: z.string().nullable() }), (d) => new CrossSiteRequestError(d.origin)),
  apiError(UserNotFoundError, 404, z.object({ name: z.string() }), (d) => new UserNotFoundError(d.name)),
  apiError(ApiKeyNotFoundError, 404, z.object({ id: z.string() }), (d) => new ApiKeyNotFoundError(d.id)),
  apiError(UserExistsError, 409, z.object({ name: z.string() }), (d) => new UserExistsError(d.name)),
  apiError(TooManyAttemptsError, 429, z.object({ retryAfterSeconds: z.number() }), (d) => new TooManyAttemptsError(d.retryAfterSeconds)),
  apiError(FlowRunNotFoundError, 404, z.object({ flowRunId: z.string() }), (d) => new FlowRunNotFoundError(d.flowRunId)),
  apiError(TaskRunNotFoundError, 404, z.object({ taskRunId: z.string() }), (d) => new TaskRunNotFoundError(d.taskRunId)),
  apiError(TaskResultNotFoundError, 404, z.object({ taskRunId: z.string() }), (d) => new TaskResultNotFoundError(d.taskRunId)),
  apiError(DeploymentNotFoundError, 404, z.object({ name: z.string() }), (d) => new DeploymentNotFoundError(d.name)),
  apiError(
    PauseNotFoundError,
    404,
    z.object({ flowRunId: z.string(), pauseKey: z.string() }),
    (d) => new PauseNotFoundError(d.flowRunId, d.pauseKey),
  ),
  apiError(ChannelNotFoundError, 404, z.object({ channel: z.string() }), (d) => new ChannelNotFoundError(d.channel)),
  apiError(AutomationNotFoundError, 404, z.object({ automationId: z.string() }), (d) => new AutomationNotFoundError(d.automationId)),
  apiError(DeliveryNotFoundError, 404, z.object({ deliveryId: z.string() }), (d) => new DeliveryNotFoundError(d.deliveryId)),
  apiError(RouteNotFoundError, 404, z.object({ method: z.string(), url: z.string() }), (d) => new RouteNotFoundError(d.method, d.url)),
  apiError(
    NotPausedError,
    409,
    z.object({ flowRunId: z.string(), stateType: z.string(), stateName: z.string() }),
    (d) => new NotPausedError(d.flowRunId, d.stateType, d.stateName),
  ),
  apiError(
    NotYesNoError,
    409,
    z.object({ flowRunId: z.string(), pauseKey: z.string(), reason: z.string() }),
    (d) => new NotYesNoError(d.flowRunId, d.pauseKey, d.reason),
  ),
  apiError(
    InvalidTransitionError,
    409,
    z.object({ flowRunId: z.string(), from: z.string(), to: z.string(), reason: z.string() }),
    (d) => new InvalidTransitionError(d.flowRunId, d.from, d.to, d.reason),
  ),
  apiError(RunTakenOverError, 409, z.object({ flowRunId: z.string(), workerId: z.string() }), (d) => new RunTakenOverError(d.flowRunId, d.workerId)),
  apiError(
    FlowRunCancelledError,
    409,
    z.object({ flowRunId: z.string(), reason: z.string().nullable() }),
    (d) => new FlowRunCancelledError(d.flowRunId, d.reason),
  ),
  apiError(
    PauseExpiredError,
    409,
    z.object({ flowRunId: z.string(), pauseKey: z.string(), timeoutAt: z.string().nullable(), stateType: z.string(), stateName: z.string() }),
    (d) => new PauseExpiredError(d.flowRunId, d.pauseKey, d.timeoutAt, d.stateType, d.stateName),
  ),
  apiError(ChannelConflictError, 409, z.object({ channel: z.string(), reason: z.string() }), (d) => new ChannelConflictError(d.channel, d.reason)),
  apiError(PayloadTooLargeError, 413, z.object({ limitBytes: z.number() }), (d) => new PayloadTooLargeError(d.limitBytes)),
  apiError(
    ResultTooLargeError,
    413,
    z.object({ taskRunId: z.string(), taskName: z.string(), bytes: z.number(), limitBytes: z.number() }),
    (d) => new ResultTooLargeError(d.taskRunId, d.taskName, d.bytes, d.limitBytes),
  ),
  apiError(HeadersTooLargeError, 431, z.object({ limitBytes: z.number() }), (d) => new HeadersTooLargeError(d.limitBytes)),
  apiError(
    InvalidInputError,
    422,
    z.object({ flowRunId: z.string(), errors: FieldErrors, messageKey: z.string().optional() }),
    (d) => new InvalidInputError(d.flowRunId, d.errors, d.messageKey),
  ),
  apiError(MessageNotFoundError, 404, z.object({ flowRunId: z.string(), key: z.string() }), (d) => new MessageNotFoundError(d.flowRunId, d.key)),
  apiError(MessageExistsError, 409, z.object({ flowRunId: z.string(), key: z.string() }), (d) => new MessageExistsError(d.flowRunId, d.key)),
  apiError(
    RunNotReceivingError,
    409,
    z.object({ flowRunId: z.string(), stateName: z.string() }),
    (d) => new RunNotReceivingError(d.flowRunId, d.stateName),
  ),
  apiError(
    ParametersValidationError,
    422,
    z.object({ flowName: z.string(), errors: FieldErrors }),
    (d) => new ParametersValidationError(d.flowName, d.errors),
  ),
  apiError(InternalServerError, 500, z.object({}), () => new InternalServerError()),
  apiError(DatabaseUnavailableError, 503, z.object({}), () => new DatabaseUnavailableError()),
];

/** The entry of each code of `API_ERRORS`. */
export const API_ERROR_BY_CODE: ReadonlyMap<string, ApiError> = new Map(API_ERRORS.map((entry) => [entry.error.code, entry]));

/** The HTTP status the server answers `error` with; undefined when the API does not answer with it. */
export function apiErrorStatus(error: BatonError<object>): number | undefined {
  return API_ERROR_BY_CODE.get(error.code)?.status;
}

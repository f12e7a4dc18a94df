import { API_ERROR_BY_CODE } from "../contract/error-registry.ts";
import { type BatonError, UnexpectedResponseError } from "../contract/errors.ts";

/** The body of an error response, as far as the client can trust it. */
export interface ErrorResponseBody {
  code?: unknown;
  message?: unknown;
  details?: unknown;
}

/**
 * The error a server response names, as the same class the server threw (so callers can `instanceof`
 * it), with its fields from `details` and the server's message. A code this client has no class for,
 * or details that do not fit the class, give an `UnexpectedResponseError` that keeps the answer.
 *
 * @example
 * errorFromResponse(409, { code: "NOT_PAUSED", message: "…", details: { flowRunId: "r1", stateType: "COMPLETED", stateName: "Completed" } });
 * // NotPausedError, details.stateName "Completed"
 */
export function errorFromResponse(status: number, body: ErrorResponseBody | undefined): BatonError<object> {
  const code = typeof body?.code === "string" ? body.code : null;
  const message = typeof body?.message === "string" && body.message ? body.message : `The server answered with HTTP ${status}.`;
  const details = isRecord(body?.details) ? body.details : {};
  const entry = code === null ? undefined : API_ERROR_BY_CODE.get(code);
  const parsed = entry?.details.safeParse(details);
  if (!entry || !parsed?.success) return new UnexpectedResponseError(status, code, message, details);
  const error = entry.rebuild(parsed.data, message);
  error.message = message;
  // What a newer server adds to the details is kept too.
  Object.assign(error.details, details);
  return error;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

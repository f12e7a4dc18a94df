import type { FastifyError, FastifyReply, FastifyRequest } from "fastify";
import { hasZodFastifySchemaValidationErrors } from "fastify-type-provider-zod";
import { apiErrorStatus } from "../contract/error-registry.ts";
import { BadRequestError, BatonError, ForbiddenError, InternalServerError, PayloadTooLargeError } from "../contract/errors.ts";

/**
 * The status and `{ code, message, details }` body of an error thrown by Baton's own code, with the status
 * the contract's error registry gives its code; undefined for a bug (an error the API does not answer with).
 */
export function errorResponse(error: unknown): { status: number; body: ReturnType<BatonError["toJSON"]> } | undefined {
  if (!(error instanceof BatonError)) return undefined;
  const status = apiErrorStatus(error);
  return status === undefined ? undefined : { status, body: error.toJSON() };
}

/** The body of a 500: what went wrong is in the server's log, not in the answer. */
export const INTERNAL_ERROR_BODY = new InternalServerError().toJSON();

/**
 * Turns any thrown error into `{ code, message, details }` with the status its code maps to; an error the
 * API does not answer with is logged and answers 500.
 */
export function errorHandler(error: FastifyError, request: FastifyRequest, reply: FastifyReply): void {
  const known = errorResponse(fromFastify(error, request));
  if (known) {
    reply.status(known.status).send(known.body);
    return;
  }
  request.log.error({ err: error }, "unexpected error");
  reply.status(500).send(INTERNAL_ERROR_BODY);
}

/** Fastify's errors for a request it refused, as Baton's; any other error as it is. */
function fromFastify(error: FastifyError, request: FastifyRequest): unknown {
  if (error instanceof BatonError) return error;
  if (hasZodFastifySchemaValidationErrors(error)) {
    const where = error.validationContext ?? "body";
    const errors = error.validation.map((v) => ({ path: v.instancePath, message: v.message ?? "is not valid" }));
    return new BadRequestError(
      `The request ${where} is not valid: ${errors.map((x) => `${x.path || `(${where})`} ${x.message}`).join("; ")}`,
      errors,
    );
  }
  if (error.code === "FST_CSRF_INVALID_TOKEN" || error.code === "FST_CSRF_MISSING_SECRET")
    return new ForbiddenError("write with the web UI's session", "the request lacks the page's CSRF token (x-csrf-token); reload the page.");
  if (error.code === "FST_ERR_CTP_BODY_TOO_LARGE") return new PayloadTooLargeError(request.routeOptions.bodyLimit ?? 1024 * 1024);
  if (error.code === "FST_ERR_CTP_INVALID_JSON_BODY" || error.code === "FST_ERR_CTP_EMPTY_JSON_BODY")
    return new BadRequestError(`The request body is not valid JSON: ${error.message}`);
  if (error.code === "FST_ERR_CTP_INVALID_MEDIA_TYPE")
    return new BadRequestError("Send the body as JSON with the header Content-Type: application/json.");
  if (typeof error.statusCode === "number" && error.statusCode < 500) return new BadRequestError(error.message);
  return error;
}

import type { FastifyError, FastifyReply, FastifyRequest } from "fastify";
import { hasZodFastifySchemaValidationErrors } from "fastify-type-provider-zod";
import { BadRequestError, BatonError, PayloadTooLargeError } from "../contract/errors.ts";

/** The one place where errors become HTTP statuses. */
const STATUS_BY_CODE: Record<string, number> = {
  BAD_REQUEST: 400,
  FLOW_RUN_NOT_FOUND: 404,
  TASK_RUN_NOT_FOUND: 404,
  DEPLOYMENT_NOT_FOUND: 404,
  NOT_FOUND: 404,
  NOT_PAUSED: 409,
  INVALID_TRANSITION: 409,
  FLOW_RUN_CANCELLED: 409,
  PAUSE_TIMEOUT: 409,
  PAYLOAD_TOO_LARGE: 413,
  INVALID_INPUT: 422,
  INVALID_PARAMETERS: 422,
};

/** The status and `{ code, message, details }` body of an error thrown by Baton's own code; undefined for a bug. */
export function errorResponse(error: unknown): { status: number; body: ReturnType<BatonError["toJSON"]> } | undefined {
  if (!(error instanceof BatonError)) return undefined;
  return { status: STATUS_BY_CODE[error.code] ?? 400, body: error.toJSON() };
}

/** The body of a 500: what went wrong is in the server's log, not in the answer. */
export const INTERNAL_ERROR_BODY = { code: "INTERNAL", message: "The server failed unexpectedly; its log has the details.", details: {} };

/** Turns any thrown error into `{ code, message, details }` with the status its code maps to. */
export function errorHandler(error: FastifyError, request: FastifyRequest, reply: FastifyReply): void {
  let e: BatonError;
  if (error instanceof BatonError) e = error;
  else if (hasZodFastifySchemaValidationErrors(error)) {
    const where = error.validationContext ?? "body";
    const errors = error.validation.map((v) => ({ path: v.instancePath, message: v.message ?? "is not valid" }));
    e = new BadRequestError(
      `The request ${where} is not valid: ${errors.map((x) => `${x.path || "(" + where + ")"} ${x.message}`).join("; ")}`,
      errors,
    );
  } else if (error.code === "FST_ERR_CTP_BODY_TOO_LARGE") e = new PayloadTooLargeError(request.routeOptions.bodyLimit ?? 1024 * 1024);
  else if (error.code === "FST_ERR_CTP_INVALID_JSON_BODY" || error.code === "FST_ERR_CTP_EMPTY_JSON_BODY")
    e = new BadRequestError(`The request body is not valid JSON: ${error.message}`);
  else if (error.code === "FST_ERR_CTP_INVALID_MEDIA_TYPE")
    e = new BadRequestError("Send the body as JSON with the header Content-Type: application/json.");
  else if (typeof error.statusCode === "number" && error.statusCode < 500) e = new BadRequestError(error.message);
  else {
    request.log.error({ err: error }, "unexpected error");
    reply.status(500).send(INTERNAL_ERROR_BODY);
    return;
  }
  const { status, body } = errorResponse(e)!;
  reply.status(status).send(body);
}

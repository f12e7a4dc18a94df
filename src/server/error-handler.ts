import type { FastifyError, FastifyReply, FastifyRequest } from "fastify";
import { hasZodFastifySchemaValidationErrors } from "fastify-type-provider-zod";
import { apiErrorStatus } from "../contract/error-registry.ts";
import http from "node:http";
import type { Duplex } from "node:stream";
import {
  BadRequestError,
  BatonError,
  DatabaseUnavailableError,
  ForbiddenError,
  HeadersTooLargeError,
  InternalServerError,
  PayloadTooLargeError,
} from "../contract/errors.ts";
import { isDatabaseUnavailable } from "../storage/storage.ts";

/**
 * The status and `{ code, message, details }` body of an error thrown by Baton's own code, with the status
 * the contract's error registry gives its code; undefined for a bug (an error the API does not answer with).
 */
export function errorResponse(error: unknown): { status: number; body: ReturnType<BatonError["toJSON"]> } | undefined {
  // The database away for a moment is no bug: a 503 says to send the request again.
  if (isDatabaseUnavailable(error)) error = new DatabaseUnavailableError();
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

/**
 * Answers a request Node's HTTP parser refused before Fastify saw it (headers too large, a malformed
 * request line) with the same `{ code, message, details }` as any other refusal, then closes the socket.
 */
export function clientErrorHandler(error: NodeJS.ErrnoException, socket: Duplex): void {
  if (error.code === "ECONNRESET" || socket.destroyed) return;
  const [status, body] =
    error.code === "HPE_HEADER_OVERFLOW"
      ? [431, new HeadersTooLargeError(http.maxHeaderSize).toJSON()]
      : [400, new BadRequestError(`The request is not valid HTTP (${error.code ?? error.message}).`).toJSON()];
  const text = JSON.stringify(body);
  socket.end(
    `HTTP/1.1 ${status} ${http.STATUS_CODES[status]}\r\nContent-Type: application/json; charset=utf-8\r\nX-Content-Type-Options: nosniff\r\nContent-Length: ${Buffer.byteLength(text)}\r\nConnection: close\r\n\r\n${text}`,
  );
}

/** Answers a path Fastify cannot decode (invalid UTF-8 in its escapes), refused before any hook runs. */
export function frameworkErrorHandler(error: FastifyError, _request: FastifyRequest, reply: FastifyReply): void {
  reply
    .status(400)
    .header("x-content-type-options", "nosniff")
    .send(new BadRequestError(`The request's path cannot be decoded (${error.message}); percent-encode it as UTF-8.`).toJSON());
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

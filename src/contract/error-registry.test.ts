import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import Fastify, { type FastifyInstance } from "fastify";
import { errorFromResponse } from "../client/error-from-response.ts";
import { errorHandler } from "../server/error-handler.ts";
import { API_ERROR_BY_CODE, API_ERRORS } from "./error-registry.ts";
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
  BatonError,
  ConfigError,
  DeploymentNotFoundError,
  FlowRunCancelledError,
  FlowRunNotFoundError,
  InternalServerError,
  InvalidInputError,
  InvalidTransitionError,
  RunTakenOverError,
  MessageExistsError,
  MessageNotFoundError,
  NotPausedError,
  NotYesNoError,
  RunNotReceivingError,
  ParametersValidationError,
  PauseNotFoundError,
  PauseExpiredError,
  PayloadTooLargeError,
  ResultTooLargeError,
  HeadersTooLargeError,
  DatabaseUnavailableError,
  RouteNotFoundError,
  TaskRunNotFoundError,
  TaskResultNotFoundError,
  UnexpectedResponseError,
} from "./errors.ts";

/** One error of each code the API answers with, as the server would throw it. */
const EXAMPLES: Record<string, BatonError<object>> = {
  BAD_REQUEST: new BadRequestError("The request body is not valid: /name is required", [{ path: "/name", message: "is required" }]),
  FLOW_RUN_NOT_FOUND: new FlowRunNotFoundError("run-1"),
  TASK_RUN_NOT_FOUND: new TaskRunNotFoundError("task-1"),
  TASK_RESULT_NOT_FOUND: new TaskResultNotFoundError("task-1"),
  RESULT_TOO_LARGE: new ResultTooLargeError("task-1", "load", 70_000_000, 64 * 1024 * 1024),
  DEPLOYMENT_NOT_FOUND: new DeploymentNotFoundError("expense"),
  PAUSE_NOT_FOUND: new PauseNotFoundError("run-1", "approval"),
  ROUTE_NOT_FOUND: new RouteNotFoundError("GET", "/api/nothing"),
  CHANNEL_NOT_FOUND: new ChannelNotFoundError("ops"),
  AUTOMATION_NOT_FOUND: new AutomationNotFoundError("auto-1"),
  DELIVERY_NOT_FOUND: new DeliveryNotFoundError("delivery-1"),
  CHANNEL_CONFLICT: new ChannelConflictError("ops", "a channel of this name exists already."),
  NOT_PAUSED: new NotPausedError("run-1", "COMPLETED", "Completed"),
  NOT_YES_NO: new NotYesNoError("run-1", "approval", "asks for more than a yes or no"),
  MESSAGE_NOT_FOUND: new MessageNotFoundError("run-1", "greeting-1"),
  MESSAGE_EXISTS: new MessageExistsError("run-1", "greeting-1"),
  RUN_NOT_RECEIVING: new RunNotReceivingError("run-1", "Completed"),
  INVALID_TRANSITION: new InvalidTransitionError("run-1", "COMPLETED", "RUNNING", "the run has already finished."),
  RUN_TAKEN_OVER: new RunTakenOverError("run-1", "process-a"),
  FLOW_RUN_CANCELLED: new FlowRunCancelledError("run-1", "stop at once"),
  PAUSE_EXPIRED: new PauseExpiredError("run-1", "approval", "2026-01-01T00:00:00.000Z", "FAILED", "Failed"),
  PAYLOAD_TOO_LARGE: new PayloadTooLargeError(1024 * 1024),
  HEADERS_TOO_LARGE: new HeadersTooLargeError(16 * 1024),
  INVALID_INPUT: new InvalidInputError("run-1", [{ path: "/size", message: "must be one of S, M, L" }]),
  INVALID_PARAMETERS: new ParametersValidationError("expense", [{ path: "/amount", message: "must be a number" }]),
  INTERNAL: new InternalServerError(),
  UNAUTHENTICATED: new UnauthenticatedError("This server requires sign-in."),
  FORBIDDEN: new ForbiddenError("flow-run:cancel", "the role viewer may only read."),
  HOST_NOT_ALLOWED: new HostNotAllowedError("attacker.example"),
  CROSS_SITE_REQUEST: new CrossSiteRequestError("https://attacker.example"),
  USER_NOT_FOUND: new UserNotFoundError("alice"),
  API_KEY_NOT_FOUND: new ApiKeyNotFoundError("key-1"),
  USER_EXISTS: new UserExistsError("alice"),
  TOO_MANY_ATTEMPTS: new TooManyAttemptsError(60),
  DATABASE_UNAVAILABLE: new DatabaseUnavailableError(),
};

/** What a caller can read of an error: its class, code, message and own fields, as JSON. */
function observed(error: BatonError<object>) {
  return { class: error.constructor, code: error.code, message: error.message, fields: JSON.parse(JSON.stringify({ ...error })) as unknown };
}

describe("the error registry", () => {
  let app: FastifyInstance;
  before(async () => {
    app = Fastify();
    app.setErrorHandler(errorHandler);
    app.get<{ Params: { code: string } }>("/throw/:code", (req) => {
      throw EXAMPLES[req.params.code] ?? new ConfigError("an error the API does not answer with");
    });
    await app.ready();
  });
  after(() => app.close());

  test("every code has a class that names it and an HTTP error status, and no two classes share a code", () => {
    for (const { error, status } of API_ERRORS) {
      assert.ok(error.prototype instanceof BatonError, `${error.name} is a BatonError`);
      assert.ok(Object.hasOwn(error, "code"), `${error.name} names its own code`);
      assert.ok(Number.isInteger(status) && status >= 400 && status <= 599, `${error.name}: ${status}`);
    }
    const codes = API_ERRORS.map((e) => e.error.code);
    assert.equal(new Set(codes).size, codes.length, `codes: ${codes.join(", ")}`);
    const classes = API_ERRORS.map((e) => e.error);
    assert.equal(new Set(classes).size, classes.length);
    assert.equal(API_ERROR_BY_CODE.size, API_ERRORS.length);
    assert.deepEqual(Object.keys(EXAMPLES).sort(), [...codes].sort(), "this test has an example of each code");
  });

  for (const { error: errorClass, status } of API_ERRORS) {
    test(`${errorClass.name} (${errorClass.code}) answers ${status} with { code, message, details }, and the client builds it again with the same class, message and fields`, async () => {
      const thrown = EXAMPLES[errorClass.code]!;
      assert.equal(thrown.constructor, errorClass);
      assert.equal(thrown.code, errorClass.code);
      const res = await app.inject(`/throw/${errorClass.code}`);
      assert.equal(res.statusCode, status);
      const body = res.json();
      assert.deepEqual(body, { code: thrown.code, message: thrown.message, details: JSON.parse(JSON.stringify(thrown.details)) });
      const rebuilt = errorFromResponse(res.statusCode, body);
      assert.ok(rebuilt instanceof errorClass);
      assert.deepEqual(observed(rebuilt), observed(thrown));
    });
  }

  test("an error the API does not answer with is a 500 that says only that the server failed, which the client reads as InternalServerError", async () => {
    const res = await app.inject("/throw/CONFIG");
    assert.equal(res.statusCode, 500);
    assert.deepEqual(res.json(), { code: "INTERNAL", message: "The server failed unexpectedly; its log has the details.", details: {} });
    assert.ok(errorFromResponse(res.statusCode, res.json()) instanceof InternalServerError);
  });

  test("the client keeps the server's message, and details a newer server adds", () => {
    const e = errorFromResponse(409, {
      code: "NOT_PAUSED",
      message: "Worded otherwise by another version.",
      details: { flowRunId: "run-1", stateType: "COMPLETED", stateName: "Completed", since: "2026-01-01" },
    });
    assert.ok(e instanceof NotPausedError);
    assert.equal(e.message, "Worded otherwise by another version.");
    assert.deepEqual(e.details, { flowRunId: "run-1", stateType: "COMPLETED", stateName: "Completed", since: "2026-01-01" });
  });

  test("an unknown code, details that do not fit the code's class, or a body that is not Baton's give UnexpectedResponseError with what came", () => {
    const unknown = errorFromResponse(418, { code: "TEAPOT", message: "I am a teapot.", details: { spout: 1 } });
    assert.ok(unknown instanceof UnexpectedResponseError);
    assert.equal(unknown.code, "UNEXPECTED_RESPONSE");
    assert.equal(unknown.message, "I am a teapot.");
    assert.deepEqual(unknown.details, { status: 418, responseCode: "TEAPOT", responseDetails: { spout: 1 } });

    const misfit = errorFromResponse(409, { code: "NOT_PAUSED", message: "Not paused.", details: { flowRunId: 7 } });
    assert.ok(misfit instanceof UnexpectedResponseError);
    assert.equal(misfit.details.responseCode, "NOT_PAUSED");

    const proxy = errorFromResponse(502, undefined);
    assert.ok(proxy instanceof UnexpectedResponseError);
    assert.equal(proxy.message, "The server answered with HTTP 502.");
    assert.deepEqual(proxy.details, { status: 502, responseCode: null, responseDetails: {} });
  });
});

describe("error classes across the source", () => {
  const root = join(import.meta.dirname, "..");
  const sources = readdirSync(root, { recursive: true, encoding: "utf8" })
    .filter((f) => f.endsWith(".ts") && !f.endsWith(".test.ts"))
    .map((f) => ({ file: f, text: readFileSync(join(root, f), "utf8") }));

  test("each BatonError subclass names a code of its own, and no error is made with an inline code", () => {
    const owners = new Map<string, string>();
    for (const { file, text } of sources) {
      assert.doesNotMatch(text, /new BatonError\(/, `${file} makes a BatonError with an inline code; give the situation its class`);
      for (const m of text.matchAll(/class (\w+) extends BatonError\b/g)) {
        const name = m[1]!;
        // The class's own static, before its constructor.
        const head = text.slice(m.index, text.indexOf("constructor(", m.index));
        const code = /static readonly code = "([A-Z_]+)";/.exec(head)?.[1];
        assert.ok(code, `${file}: ${name} has no \`static readonly code\``);
        assert.ok(!owners.has(code), `${name} (${file}) and ${owners.get(code)} share the code ${code}`);
        owners.set(code, `${name} (${file})`);
        assert.match(text, new RegExp(`super\\(\\s*${name}\\.code\\b`), `${file}: ${name} passes its own code to super()`);
      }
    }
    for (const { error } of API_ERRORS) assert.ok(owners.has(error.code), `${error.code} is found in the source`);
  });
});

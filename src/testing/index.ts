/**
 * Baton's test kit, for tests of your flows in any runner (node:test, vitest, jest): a real server in the
 * test process, on a temporary database, that flows called in the test report to.
 *
 * @example
 * import assert from "node:assert/strict";
 * import { afterEach, beforeEach, test } from "node:test";
 * import { startTestServer, type TestServer } from "baton/testing";
 * import { approve } from "./approve.ts";
 *
 * let server: TestServer;
 * beforeEach(async () => (server = await startTestServer()));
 * afterEach(() => server.close());
 *
 * test("an approved expense is paid", async () => {
 *   const done = approve({ amount: 120 });
 *   const pause = await server.waitForPause({ flowName: "approve" });
 *   await server.answer(pause.flowRun.id, { approved: true }, { respondedBy: "test" });
 *   assert.equal(await done, "paid");
 * });
 */
export { startTestServer } from "./test-server.ts";
export type { AnswerOptions, StartTestServerOptions, TestServer } from "./test-server.ts";
export type { Pause, PauseFilter, WaitForPauseOptions } from "./wait-for-pause.ts";
export { RunEndedBeforePauseError, TestServerClosedError, TestServerOpenError, WaitForPauseTimeoutError } from "./errors.ts";
export { RuntimeClosedError } from "../contract/errors.ts";

import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createClient, type BatonClient } from "../client/index.ts";
import type { FlowRun } from "../contract/index.ts";
import { parseDuration } from "../contract/duration.ts";
import { closeRuntime } from "../sdk/runtime.ts";
import { startServer, type BatonServer, type ServerOptions } from "../server/index.ts";
import { advanceClock, nowMs, resetClock } from "../server/clock.ts";
import { TestServerClosedError, TestServerOpenError } from "./errors.ts";
import { waitForPause, type Pause, type PauseFilter, type WaitForPauseOptions } from "./wait-for-pause.ts";

/** Options of `startTestServer`. */
export interface StartTestServerOptions {
  /** The server's log level; default "warn". */
  logLevel?: ServerOptions["logLevel"];
  /** Check every response body against its schema (Baton's own suite does); default false. */
  checkResponses?: boolean;
}

/** Options of `answer`. */
export interface AnswerOptions {
  /** Who answers, kept with the answer. */
  respondedBy?: string;
}

/** A Baton server embedded in the test process, on its own temporary SQLite database. */
export interface TestServer {
  /** The server's address, e.g. `http://127.0.0.1:53211`; the API is under `/api`, the web UI at `/`. */
  readonly url: string;
  /** The API's address, `<url>/api`: what `BATON_API_URL` and `createClient({ apiUrl })` take. */
  readonly apiUrl: string;
  /** A client of this server; answers it gives are recorded with the channel `api`. */
  readonly client: BatonClient;
  /**
   * Resolves when run `runId`, or the first run of `{ flowName }`, is paused (at `key`, if given), including
   * a pause made before the call. Rejects with RunEndedBeforePauseError as soon as the run ends without
   * pausing, and with WaitForPauseTimeoutError after `timeout` (default 10 s).
   */
  waitForPause(runId: string | PauseFilter, options?: WaitForPauseOptions): Promise<Pause>;
  /**
   * Answers a paused run through the API and returns the run, now running again. `input` is the answer
   * itself; leave it out when the pause asks for nothing.
   * @throws InvalidInputError when the answer does not match the pause's schema (the run stays paused).
   * @throws NotPausedError when the run is not paused.
   */
  answer(flowRunId: string, input?: unknown, options?: AnswerOptions): Promise<FlowRun>;
  /**
   * Moves the server's clock forward by `duration` (seconds, or "15m", "7d") and fails at once the runs
   * whose pause timed out meanwhile; a flow waiting in such a pause, in this process or another, then
   * throws PauseTimeoutError. Timers in flow code, heartbeats and `timeout`s of `waitForPause` keep
   * real time.
   */
  advanceTime(duration: number | string): Promise<void>;
  /**
   * Stops the server and removes its database. Flows of this process still waiting for an answer end
   * with RuntimeClosedError; the SDK's connection closes, so that nothing keeps the process alive and the
   * next `startTestServer()` can take over.
   */
  close(): Promise<void>;
}

/** The server this process's SDK reports to, while one is open. */
let current: BatonServer | undefined;

/**
 * Starts a real Baton server on a fresh temporary SQLite database and a free port, and points this
 * process's SDK at it: flows called from now on report to it, and so do child processes started with
 * this process's environment (`BATON_API_URL` is set until `close()`). One server at a time per process;
 * the `BATON_*` variables of the environment do not change it.
 */
export async function startTestServer(options: StartTestServerOptions = {}): Promise<TestServer> {
  if (current) throw new TestServerOpenError(current.apiUrl);
  const home = await mkdtemp(join(tmpdir(), "baton-test-"));
  let server: BatonServer;
  try {
    server = await startServer(
      { host: "127.0.0.1", port: 0, home, logLevel: options.logLevel ?? "warn", checkResponses: options.checkResponses ?? false },
      {},
    );
  } catch (e) {
    await rm(home, { recursive: true, force: true });
    throw e;
  }
  current = server;
  // A runtime made before points at another server (or none): the next flow call makes one for this one.
  await closeRuntime();
  const previousApiUrl = process.env.BATON_API_URL;
  process.env.BATON_API_URL = server.apiUrl;
  const client = createClient({ apiUrl: server.apiUrl });
  const closing = new AbortController();
  const assertOpen = (what: string) => {
    if (closing.signal.aborted) throw new TestServerClosedError(`before ${what}`);
  };

  return {
    url: server.apiUrl.replace(/\/api$/, ""),
    apiUrl: server.apiUrl,
    client,
    waitForPause(target, waitOptions = {}) {
      return waitForPause(client, target, waitOptions, { since: nowMs(), signal: closing.signal });
    },
    async answer(flowRunId, input, answerOptions = {}) {
      assertOpen(`answer(${flowRunId})`);
      return client.resume(flowRunId, { input, ...answerOptions });
    },
    async advanceTime(duration) {
      assertOpen(`advanceTime(${JSON.stringify(duration)})`);
      advanceClock(parseDuration(duration, "duration of advanceTime") * 1000);
      await server.expirePauses();
    },
    async close() {
      if (closing.signal.aborted) return;
      closing.abort();
      try {
        // First, while the server still answers: logs are sent and waiting flows fail there.
        await closeRuntime();
        await client.close();
        await server.close();
      } finally {
        resetClock();
        if (process.env.BATON_API_URL === server.apiUrl) {
          if (previousApiUrl === undefined) delete process.env.BATON_API_URL;
          else process.env.BATON_API_URL = previousApiUrl;
        }
        current = undefined;
        await rm(home, { recursive: true, force: true });
      }
    },
  };
}

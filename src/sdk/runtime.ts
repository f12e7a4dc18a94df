import { randomUUID } from "node:crypto";
import { BatonClient } from "../client/http-client.ts";
import { Heartbeats } from "./heartbeats.ts";
import { LogShipper } from "./log-shipper.ts";
import { MessageWatcher } from "./message-watcher.ts";
import { PauseWatcher } from "./pause-watcher.ts";
import { SuspendSignal } from "./suspend-signal.ts";

/** The SDK's connection to the server, made on first use (never at import time). */
export interface Runtime {
  client: BatonClient;
  logs: LogShipper;
  pauses: PauseWatcher;
  /** Wakes `receiveInput` when a message is sent to its run. */
  messages: MessageWatcher;
  heartbeats: Heartbeats;
  /** This process, as the server knows it: the owner of the runs it executes. */
  workerId: string;
  /** Whether run log lines are also printed (`BATON_LOG_TO_CONSOLE`, default true). */
  logToConsole: boolean;
}

let runtime: Runtime | undefined;

/** The process's runtime, created from `BATON_API_URL` on first use. */
export function getRuntime(): Runtime {
  if (!runtime) {
    // A report the server could not take while it (or its database) restarts is sent again, rather than fail the run.
    const client = new BatonClient({ channel: "sdk", retrySeconds: Number(process.env.BATON_RETRY_SECONDS ?? 60) });
    const workerId = randomUUID();
    const pauses = new PauseWatcher(client, workerId);
    const interval = Number(process.env.BATON_HEARTBEAT_INTERVAL_SECONDS ?? 10);
    const heartbeats = new Heartbeats(client, workerId, interval > 0 ? interval : 10, (ctx) => {
      // The server gave this run to another process (or suspended it): stop at the next step.
      ctx.control.stopped ??= new SuspendSignal(ctx.flowRun.id, "", "was taken over by the server after missed heartbeats");
      pauses.abandon(ctx.flowRun.id);
    });
    runtime = {
      client,
      logs: new LogShipper(client),
      pauses,
      messages: new MessageWatcher(client, workerId),
      heartbeats,
      workerId,
      logToConsole: !/^(0|false|no)$/i.test(process.env.BATON_LOG_TO_CONSOLE ?? ""),
    };
  }
  return runtime;
}

/**
 * Shuts the process's runtime down and forgets it, so that the next use makes a new one from
 * `BATON_API_URL`: buffered log lines are sent, flows still waiting for an answer here end with
 * RuntimeClosedError, and the event stream, heartbeats and connections close, so that nothing keeps the
 * process alive. Not public API: `baton/testing` uses it to point the SDK at one test server after another.
 */
export async function closeRuntime(): Promise<void> {
  const closing = runtime;
  if (!closing) return;
  runtime = undefined;
  closing.heartbeats.stop();
  closing.pauses.close();
  closing.messages.close();
  await closing.logs.close();
  await closing.client.close();
}

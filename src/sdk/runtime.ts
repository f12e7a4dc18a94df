import { BatonClient } from "../client/http-client.ts";
import { LogShipper } from "./log-shipper.ts";
import { PauseWatcher } from "./pause-watcher.ts";

/** The SDK's connection to the server, made on first use (never at import time). */
export interface Runtime {
  client: BatonClient;
  logs: LogShipper;
  pauses: PauseWatcher;
  /** Whether run log lines are also printed (`BATON_LOG_TO_CONSOLE`, default true). */
  logToConsole: boolean;
}

let runtime: Runtime | undefined;

/** The process's runtime, created from `BATON_API_URL` on first use. */
export function getRuntime(): Runtime {
  if (!runtime) {
    const client = new BatonClient({ channel: "sdk" });
    runtime = {
      client,
      logs: new LogShipper(client),
      pauses: new PauseWatcher(client),
      logToConsole: !/^(0|false|no)$/i.test(process.env.BATON_LOG_TO_CONSOLE ?? ""),
    };
  }
  return runtime;
}

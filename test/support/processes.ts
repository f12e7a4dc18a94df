import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { after } from "node:test";
import { createTempDatabase, postgresUnavailable } from "./postgres.ts";

const ROOT = new URL("../../", import.meta.url).pathname;

/** A child process whose output is collected as it comes. */
export interface Child {
  readonly process: ChildProcess;
  output(): string;
  /** Resolves when a line matching `pattern` has been printed (stdout or stderr). */
  waitForOutput(pattern: RegExp | string, timeoutMs?: number): Promise<string>;
  /** Resolves with the exit code. */
  readonly exited: Promise<number | null>;
  kill(signal?: NodeJS.Signals): void;
}

/** Children still running; killed when the test file ends, so a failed test cannot leave one holding it open. */
const live = new Set<ChildProcess>();
after(() => {
  for (const child of live) child.kill("SIGKILL");
});

/** Runs `node <args>` in the repository (or in `options.cwd`) with extra environment, collecting its output. */
export function spawnNode(args: string[], env: Record<string, string> = {}, options: { stdin?: boolean; cwd?: string } = {}): Child {
  const child = spawn(process.execPath, args, {
    cwd: options.cwd ?? ROOT,
    env: { ...process.env, BATON_LOG_LEVEL: "warn", BATON_CHECK_RESPONSES: "1", ...env },
    stdio: [options.stdin ? "pipe" : "ignore", "pipe", "pipe"],
  });
  let out = "";
  const watchers = new Set<() => void>();
  const onData = (d: Buffer) => {
    out += d.toString();
    for (const w of watchers) w();
  };
  child.stdout!.on("data", onData);
  child.stderr!.on("data", onData);
  live.add(child);
  const exited = new Promise<number | null>((resolve) =>
    child.on("exit", (code) => {
      live.delete(child);
      resolve(code);
    }),
  );
  return {
    process: child,
    output: () => out,
    exited,
    kill: (signal = "SIGTERM") => void child.kill(signal),
    waitForOutput(pattern, timeoutMs = 15_000) {
      const test = (s: string) => (typeof pattern === "string" ? s.includes(pattern) : pattern.test(s));
      return new Promise((resolve, reject) => {
        const check = () => {
          if (test(out)) {
            cleanup();
            resolve(out);
          }
        };
        const timer = setTimeout(() => {
          cleanup();
          reject(new Error(`timed out after ${timeoutMs} ms waiting for ${pattern} in output:\n${out}`));
        }, timeoutMs);
        const gone = () => {
          if (!test(out)) {
            cleanup();
            reject(new Error(`process exited before printing ${pattern}; output:\n${out}`));
          }
        };
        const cleanup = () => {
          clearTimeout(timer);
          watchers.delete(check);
          child.off("exit", gone);
        };
        watchers.add(check);
        child.on("exit", gone);
        check();
      });
    },
  };
}

/** A real server in a child process, on a fresh SQLite file or a fresh PostgreSQL database. */
export interface TestServer {
  readonly apiUrl: string;
  readonly backend: Backend;
  readonly child: Child;
  /** The PostgreSQL database it uses, if any. */
  readonly databaseUrl: string | undefined;
  /** Environment for a flow process that should talk to this server. */
  readonly env: Record<string, string>;
  /** Stops the server (the database stays, for a restart). */
  stop(): Promise<void>;
  /** Starts the server again on the same database and port. */
  restart(): Promise<void>;
  /** Stops it and removes its database. */
  close(): Promise<void>;
}

export type Backend = "sqlite" | "postgres";

/** Starts a server process for `backend`. */
export async function startTestServer(backend: Backend, extraEnv: Record<string, string> = {}): Promise<TestServer> {
  const home = mkdtempSync(join(tmpdir(), "baton-test-"));
  // A server given BATON_DATABASE_URL shares that database (several servers on one PostgreSQL).
  const db = backend === "postgres" && !extraEnv.BATON_DATABASE_URL ? await createTempDatabase() : undefined;
  const baseEnv: Record<string, string> = {
    BATON_HOME: home,
    BATON_EXPIRY_INTERVAL_SECONDS: "0.2",
    ...(db ? { BATON_DATABASE_URL: db.url } : {}),
    ...extraEnv,
  };
  let port = "0";
  let child!: Child;
  let apiUrl = "";
  const launch = async () => {
    child = spawnNode(["test/support/run-server.ts"], { ...baseEnv, BATON_PORT: port });
    // The line that announces the address; with BATON_LOG_LEVEL=info the server's own log lines may come first.
    const line = await new Promise<string>((resolve, reject) => {
      const rl = createInterface({ input: child.process.stdout! });
      rl.on("line", (l) => l.startsWith('{"apiUrl":') && resolve(l));
      child.exited.then(() => reject(new Error(`server exited: ${child.output()}`)));
    });
    apiUrl = (JSON.parse(line) as { apiUrl: string }).apiUrl;
    port = new URL(apiUrl).port;
  };
  await launch();
  const stop = async () => {
    child.kill("SIGTERM");
    await child.exited;
  };
  return {
    get apiUrl() {
      return apiUrl;
    },
    backend,
    databaseUrl: baseEnv.BATON_DATABASE_URL,
    get child() {
      return child;
    },
    get env() {
      return { BATON_API_URL: apiUrl, BATON_LOG_TO_CONSOLE: "true" };
    },
    stop,
    restart: launch,
    async close() {
      await stop();
      await db?.drop();
      rmSync(home, { recursive: true, force: true });
    },
  };
}

/** The backends to run a suite on, with the reason PostgreSQL is skipped when it is. */
export async function backends(): Promise<{ backend: Backend; skip: string | false }[]> {
  const pgReason = await postgresUnavailable();
  return [
    { backend: "sqlite", skip: false },
    { backend: "postgres", skip: pgReason ?? false },
  ];
}

/** Runs `baton <args>` from the sources in a child process, with `stdin` written to it; resolves with its exit code and output apart. */
export async function runBaton(
  args: string[],
  env: Record<string, string>,
  stdin?: string,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawnNode(["src/cli/main.ts", ...args], env, { stdin: stdin !== undefined });
  let stdout = "";
  let stderr = "";
  child.process.stdout!.on("data", (d: Buffer) => (stdout += d.toString()));
  child.process.stderr!.on("data", (d: Buffer) => (stderr += d.toString()));
  if (stdin !== undefined) child.process.stdin!.end(stdin);
  const code = await new Promise<number | null>((resolve) => child.process.on("close", resolve));
  return { code, stdout, stderr };
}

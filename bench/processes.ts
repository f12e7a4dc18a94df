import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { createInterface } from "node:readline";
import { sleep } from "./lib.ts";

const root = new URL("..", import.meta.url).pathname;
/** Set to a directory to have the server and the processes running flows write V8 CPU profiles there. */
const CPU_PROF_DIR = process.env.BENCH_CPU_PROF_DIR;

/**
 * Set to a PostgreSQL URL (e.g. postgres://postgres@127.0.0.1:5432/test) to run the server on PostgreSQL: the
 * bench creates a database of its own beside the URL's, with a random name, and drops it when it ends.
 */
const POSTGRES_URL = process.env.BENCH_POSTGRES_URL;

/** Node options that make a process write its CPU profile as `<name>.cpuprofile` in BENCH_CPU_PROF_DIR, if set. */
export function profileArgs(name: string): string[] {
  return CPU_PROF_DIR ? ["--cpu-prof", `--cpu-prof-dir=${CPU_PROF_DIR}`, `--cpu-prof-name=${name}.cpuprofile`] : [];
}

/**
 * A bench's child processes and its temporary BATON_HOME: all stopped and removed together, however the
 * bench ends (finished, failed, or killed).
 */
export class BenchProcesses {
  readonly children: ChildProcess[] = [];
  readonly home: string;
  /** The PostgreSQL database the server uses (BENCH_POSTGRES_URL), or undefined for SQLite in `home`. */
  readonly databaseUrl: string | undefined;
  #stopping = false;
  #beforeStop: (() => void) | undefined;

  constructor(prefix: string) {
    this.home = mkdtempSync(join(tmpdir(), prefix));
    let dropDatabase = () => {};
    if (POSTGRES_URL) {
      const name = `baton_bench_${randomBytes(6).toString("hex")}`;
      psql(POSTGRES_URL, `CREATE DATABASE ${name}`);
      const url = new URL(POSTGRES_URL);
      url.pathname = `/${name}`;
      this.databaseUrl = url.toString();
      dropDatabase = () => psql(POSTGRES_URL, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    }
    process.on("exit", () => {
      for (const c of this.children) if (c.exitCode === null && c.signalCode === null) c.kill("SIGKILL");
      rmSync(this.home, { recursive: true, force: true });
      dropDatabase();
    });
  }

  get stopping(): boolean {
    return this.#stopping;
  }

  /** Something to close first when the bench stops (an event stream). */
  beforeStop(fn: () => void): void {
    this.#beforeStop = fn;
  }

  /**
   * Runs the bench's body, then stops everything and exits: 0 when it is done, 1 when it throws, 2 when
   * it is still running after `deadlineMs`.
   */
  async run(deadlineMs: number, body: () => Promise<void>): Promise<void> {
    const deadline = setTimeout(() => {
      console.error(`bench failed: still running after ${deadlineMs / 1000} s`);
      void this.shutdown(2);
    }, deadlineMs);
    try {
      await body();
      clearTimeout(deadline);
      await this.shutdown(0);
    } catch (e) {
      if (!this.#stopping) {
        console.error(`bench failed: ${(e as Error).stack ?? e}`);
        await this.shutdown(1);
      }
    }
  }

  /** Stops the bench with a failure; from an event handler, use `abort` (a throw there would skip the clean-up). */
  fail(message: string): never {
    this.abort(message);
    throw new Error(message);
  }

  abort(message: string): void {
    if (this.#stopping) return;
    console.error(`bench failed: ${message}`);
    void this.shutdown(1);
  }

  async shutdown(code: number): Promise<void> {
    if (this.#stopping) return;
    this.#stopping = true;
    this.#beforeStop?.();
    const children = this.children;
    const exited = (c: ChildProcess) => (c.exitCode !== null || c.signalCode !== null ? Promise.resolve() : new Promise((r) => c.once("exit", r)));
    // Children that run flows exit by themselves when asked, so that their CPU profiles (if any) are written.
    for (const c of children) if (c.connected) c.send({ cmd: "exit" });
    await Promise.race([Promise.all(children.filter((c) => c.connected).map(exited)), sleep(2000)]);
    for (const c of children) if (c.exitCode === null) c.kill("SIGTERM");
    await Promise.race([Promise.all(children.map(exited)), sleep(3000)]);
    for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill("SIGKILL");
    rmSync(this.home, { recursive: true, force: true });
    process.exit(code);
  }

  /**
   * Starts the server as a user does: `baton server start` (on a free port), run through its shebang
   * with this Node and the Node flags set there, and with the compile cache that the first start fills.
   * Its exit fails the bench. `env` adds to (or overrides) its environment.
   */
  async startServer(env: Record<string, string> = {}): Promise<{ child: ChildProcess; apiUrl: string }> {
    const nodeOptions = [...profileArgs("server"), process.env.BENCH_SERVER_NODE_OPTIONS ?? ""].join(" ").trim();
    const child = spawn(join(root, "bin/baton.js"), ["server", "start", "--port", "0"], {
      cwd: root,
      env: {
        ...process.env,
        PATH: `${dirname(process.execPath)}:${process.env.PATH ?? ""}`,
        BATON_HOME: this.home,
        ...(this.databaseUrl ? { BATON_DATABASE_URL: this.databaseUrl } : {}),
        BATON_LOG_LEVEL: "warn",
        ...(nodeOptions ? { NODE_OPTIONS: nodeOptions } : {}),
        ...env,
      },
      stdio: ["ignore", "pipe", "inherit"],
    });
    this.children.push(child);
    child.on("exit", (code) => this.abort(`the server process exited with ${code}`));
    const line = await new Promise<string>((resolve) => createInterface({ input: child.stdout! }).once("line", resolve));
    const apiUrl = /API at (http:\/\/\S+\/api)\)/.exec(line)?.[1];
    if (!apiUrl) this.fail(`the server's first line does not give its API address: ${line}`);
    return { child, apiUrl };
  }

  /** What the server stores in, for the bench's first line. */
  get databaseName(): string {
    return this.databaseUrl ? `PostgreSQL ${this.databaseUrl}` : `SQLite in ${this.home}`;
  }
}

/** Runs one statement with psql, synchronously (it must also run in the exit handler). */
function psql(url: string, statement: string): void {
  const r = spawnSync("psql", [url, "-v", "ON_ERROR_STOP=1", "-qc", statement], { encoding: "utf8" });
  if (r.status !== 0) throw new Error(`psql failed on "${statement}": ${r.stderr || r.error?.message}`);
}

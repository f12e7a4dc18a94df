import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { chownSync, closeSync, existsSync, mkdtempSync, openSync, readFileSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";

/** Debian's PostgreSQL binaries, newest version first. */
function binaries(): string | undefined {
  for (const version of ["17", "16", "15", "14"]) {
    const dir = `/usr/lib/postgresql/${version}/bin`;
    if (existsSync(join(dir, "initdb"))) return dir;
  }
  return undefined;
}

/** Why a private cluster cannot be made here (no binaries, no `postgres` user to run them as root), or undefined. */
export function privatePostgresUnavailable(): string | undefined {
  if (!binaries()) return "no PostgreSQL binaries in /usr/lib/postgresql/*/bin";
  if (process.getuid?.() === 0 && spawnSync("id", ["-u", "postgres"]).status !== 0)
    return "running as root, with no postgres user to run PostgreSQL as";
  return undefined;
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const { port } = server.address() as { port: number };
  await new Promise((r) => server.close(r));
  return port;
}

/**
 * A PostgreSQL cluster of a test's own, from Debian's binaries, on a port of its own, so that the test
 * may kill it (-9) and restart it without disturbing anyone else's database.
 */
export class PrivatePostgres {
  readonly url: string;
  readonly #dir: string;
  readonly #port: number;
  readonly #bin: string;
  #postmaster: ChildProcess | undefined;

  private constructor(dir: string, port: number, bin: string) {
    this.#dir = dir;
    this.#port = port;
    this.#bin = bin;
    this.url = `postgres://postgres@127.0.0.1:${port}/postgres`;
  }

  /** Makes the cluster (initdb) and starts it. */
  static async create(): Promise<PrivatePostgres> {
    const dir = mkdtempSync(join(tmpdir(), "baton-pg-"));
    const cluster = new PrivatePostgres(dir, await freePort(), binaries()!);
    const { uid, gid } = cluster.#as();
    if (uid !== undefined) chownSync(dir, uid, gid!);
    const init = cluster.#run(["initdb", "-D", join(dir, "data"), "-A", "trust", "-U", "postgres", "--no-sync", "-E", "UTF8"]);
    if (init.status !== 0) throw new Error(`initdb failed: ${init.stderr}`);
    await cluster.start();
    return cluster;
  }

  /** PostgreSQL refuses to run as root: then its programs run as the `postgres` user, as direct children (so that they are reaped). */
  #as(): { uid?: number; gid?: number } {
    if (process.getuid?.() !== 0) return {};
    const id = (flag: string) => Number(spawnSync("id", [flag, "postgres"], { encoding: "utf8" }).stdout.trim());
    return { uid: id("-u"), gid: id("-g") };
  }

  #run(args: string[]) {
    const [program, ...rest] = args;
    return spawnSync(join(this.#bin, program!), rest, { encoding: "utf8", ...this.#as() });
  }

  /** Starts the postmaster (after a kill, PostgreSQL recovers from its write-ahead log first); resolves once it answers. */
  async start(): Promise<void> {
    const args = [
      "-D",
      join(this.#dir, "data"),
      "-p",
      String(this.#port),
      "-k",
      this.#dir,
      "-c",
      "listen_addresses=127.0.0.1",
      "-c",
      "synchronous_commit=on",
      "-c",
      "fsync=on",
    ];
    // Its own process group, so that a kill reaches every backend at once, as a crash of the machine would.
    const log = openSync(join(this.#dir, "postgres.log"), "a");
    this.#postmaster = spawn(join(this.#bin, "postgres"), args, { detached: true, stdio: ["ignore", log, log], ...this.#as() });
    closeSync(log);
    for (const deadline = Date.now() + 30_000; ; ) {
      const client = new pg.Client({ connectionString: this.url, connectionTimeoutMillis: 1000 });
      try {
        await client.connect();
        await client.query("select 1");
        return;
      } catch (e) {
        if (Date.now() > deadline)
          throw new Error(`the private PostgreSQL did not start: ${(e as Error).message}\n${readFileSync(join(this.#dir, "postgres.log"), "utf8")}`);
        await new Promise((r) => setTimeout(r, 100));
      } finally {
        await client.end().catch(() => {});
      }
    }
  }

  /** kill -9 of the postmaster and all its backends at once. */
  kill(): Promise<void> {
    return this.#signal(-1, "SIGKILL");
  }

  /** A clean stop (PostgreSQL's fast shutdown: open transactions rolled back, connections closed); `start()` again after. */
  stop(): Promise<void> {
    return this.#signal(1, "SIGINT");
  }

  /** Sends `signal` to the postmaster (`group` -1: and its backends, as one process group); resolves once it has exited. */
  async #signal(group: 1 | -1, signal: NodeJS.Signals): Promise<void> {
    const p = this.#postmaster;
    if (!p || p.exitCode !== null || p.signalCode !== null) return;
    const exited = new Promise((r) => p.once("exit", r));
    process.kill(group * p.pid!, signal);
    await exited;
  }

  /** Stops it for good and removes its files. */
  async destroy(): Promise<void> {
    await this.kill();
    rmSync(this.#dir, { recursive: true, force: true });
  }
}

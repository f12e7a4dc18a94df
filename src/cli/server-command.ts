import { join } from "node:path";
import { InvalidArgumentError, type Command } from "commander";
import { BatonError } from "../contract/errors.ts";
import type { BatonServer, ServerOptions } from "../server/index.ts";
import { batonCommand } from "./cli-client.ts";
import { startExamples } from "./example-run.ts";
import { onStopSignal } from "./stop-signal.ts";

/** Options of `baton server start`. */
interface StartOptions {
  host?: string;
  port?: number;
  withExamples?: boolean;
  insecureNoAuth?: boolean;
}

/**
 * `baton server start`: the API and its event stream on SQLite (default) or PostgreSQL
 * (`BATON_DATABASE_URL`), until Ctrl+C.
 */
export function addServerCommands(program: Command): void {
  const group = program.command("server").description("Run the Baton server");
  group
    .command("start")
    .description("Start the server; it stops cleanly on Ctrl+C (SIGINT) or SIGTERM")
    .option("--host <host>", "the address to listen on (default BATON_HOST, else 127.0.0.1)")
    .option("--port <port>", "the port to listen on (default BATON_PORT, else 4200)", parsePort)
    .option("--with-examples", "also serve the example flows as deployments, and start one run (greet-user) that waits for an answer")
    .option("--insecure-no-auth", "with no user defined, serve without sign-in even on a non-loopback address: anyone who reaches it can do anything")
    .action((opts: StartOptions) => runServer(opts));
}

async function runServer(opts: StartOptions): Promise<void> {
  const options: ServerOptions = {
    ...(opts.host ? { host: opts.host } : {}),
    ...(opts.port !== undefined ? { port: opts.port } : {}),
    ...(opts.insecureNoAuth ? { insecureNoAuth: true } : {}),
  };
  // Loaded here, not at the top: the server's dependencies would slow every other command down.
  const { isLoopback, resolveServerConfig, startServer } = await import("../server/index.ts");
  const config = resolveServerConfig(options);
  let server: BatonServer;
  try {
    server = await startServer(options);
  } catch (e) {
    throw startError(e, config.host, config.port);
  }
  const print = (line: string) => process.stdout.write(`${line}\n`);
  const cli = (args: string) => batonCommand(args, server.apiUrl);
  print(
    `Baton server at ${server.apiUrl.replace(/\/api$/, "")} (open it in a browser to answer runs; API at ${server.apiUrl}), database ${databaseOf(server)}. ` +
      `Paused runs: ${cli("flow-run ls --state PAUSED")}; answer one: ${cli("flow-run resume <id>")}. Ctrl+C stops it.`,
  );
  if (!server.open) print("Sign-in required: clients send an API key (BATON_API_KEY); people sign in to the web UI.");
  else if (isLoopback(server.config.host))
    print(`Open local mode: no users, so anyone on this machine may do anything. Require sign-in: ${cli("user add NAME --role admin")}.`);
  else
    for (let i = 0; i < 3; i++)
      process.stderr.write(
        `WARNING: --insecure-no-auth: ${server.config.host} is served WITHOUT AUTHENTICATION. Anyone who reaches it can read every answer, answer, cancel and change every run.\n`,
      );

  const examples = opts.withExamples
    ? startExamples({
        apiUrl: server.apiUrl,
        print,
        onPaused: (id, deployments) => {
          print(
            `Example run ${id} (greet-user) is waiting for a name. Answer it: ${cli(`flow-run resume ${id} --input '{"name":"Ada"}'`)}` +
              ` (or leave out --input to be asked).`,
          );
          const names = deployments.length ? ` (${deployments.join(", ")})` : "";
          print(`Start a run of any example${names}: ${cli("deployment run <name>")}; list them: ${cli("deployment ls")}.`);
        },
      })
    : undefined;

  const signal = await new Promise<NodeJS.Signals>((resolve) => onStopSignal(resolve));
  print(`Stopping the Baton server (${signal})...`);
  await examples?.stop();
  await server.close();
  print("Stopped.");
}

/** "SQLite /home/ada/.baton/baton.sqlite" or "PostgreSQL db.example.com:5432/baton" (no password). */
function databaseOf(server: BatonServer): string {
  const url = server.config.databaseUrl;
  if (server.storage.dialect === "postgres" && url) {
    const u = new URL(url);
    return `PostgreSQL ${u.hostname}${u.port ? `:${u.port}` : ""}${u.pathname}`;
  }
  return `SQLite ${url ? url.replace(/^sqlite:(\/\/)?/, "") : join(server.config.home, "baton.sqlite")}`;
}

/** Thrown when `baton server start` finds its port taken. */
export class AddressInUseError extends BatonError<{ host: string; port: number }> {
  static readonly code = "ADDRESS_IN_USE";
  constructor(host: string, port: number) {
    super(
      AddressInUseError.code,
      `Port ${port} on ${host} is already in use (another Baton server?). Stop that one, or start on another port with --port.`,
      { host, port },
    );
  }
}

/** Thrown when `baton server start` may not listen on its port (one below 1024, without privileges). */
export class AddressNotAllowedError extends BatonError<{ host: string; port: number }> {
  static readonly code = "ADDRESS_NOT_ALLOWED";
  constructor(host: string, port: number) {
    super(AddressNotAllowedError.code, `Listening on ${host}:${port} is not allowed; ports below 1024 need privileges. Pick another with --port.`, {
      host,
      port,
    });
  }
}

/** Thrown when `baton server start` is given a host that is not an address of this machine. */
export class AddressNotAvailableError extends BatonError<{ host: string }> {
  static readonly code = "ADDRESS_NOT_AVAILABLE";
  constructor(host: string) {
    super(AddressNotAvailableError.code, `${host} is not an address of this machine; pick another with --host.`, { host });
  }
}

/** Thrown when `baton server start` fails for any other reason; the cause is kept. */
export class ServerStartError extends BatonError {
  static readonly code = "SERVER_START";
  constructor(cause: unknown) {
    super(ServerStartError.code, `The Baton server could not start: ${(cause as Error).message ?? String(cause)}`, {}, { cause });
  }
}

/** Turns a failed start into one line a person can act on. */
function startError(error: unknown, host: string, port: number): unknown {
  if (error instanceof BatonError) return error;
  const code = (error as NodeJS.ErrnoException).code;
  if (code === "EADDRINUSE") return new AddressInUseError(host, port);
  if (code === "EACCES") return new AddressNotAllowedError(host, port);
  if (code === "EADDRNOTAVAIL" || code === "ENOTFOUND") return new AddressNotAvailableError(host);
  return new ServerStartError(error);
}

function parsePort(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new InvalidArgumentError("use a port number from 0 to 65535.");
  return n;
}

import { Command } from "commander";
import { exitCodeOf, reportError } from "./cli-errors.ts";
import { addDeploymentCommands } from "./deployment-command.ts";
import { addFlowRunCommands } from "./flow-run-command.ts";
import { addInitCommand } from "./init-command.ts";
import { addAuditCommands, addPeopleCommands } from "./people-command.ts";
import { addNotificationCommands } from "./notification-commands.ts";
import { addServeCommand } from "./serve-command.ts";
import { packageManifest } from "./package-manifest.ts";
import { addServerCommands } from "./server-command.ts";

/**
 * Builds the `baton` command line: `server start`, `flow-run ls | inspect | resume | cancel | logs`,
 * `deployment ls | inspect | run`, `channel add | ls | test | rm`, `automation create | ls | inspect | enable |
 * disable | rm`, `delivery ls`, `serve`, `init`, `user add | ls | rm | passwd`, `api-key create | ls | revoke` and
 * `audit ls | verify`.
 */
export function createProgram(): Command {
  const program = new Command("baton")
    .description("Baton: flows that run on their own until they need a person, then ask and go on.")
    .version(packageManifest.version)
    .option("--api-url <url>", "the Baton API to talk to (default BATON_API_URL, else http://127.0.0.1:4200/api)")
    // Set before the commands are added, which inherit it: usage errors are thrown, not exited on.
    .exitOverride();
  addServerCommands(program);
  addFlowRunCommands(program);
  addDeploymentCommands(program);
  addNotificationCommands(program);
  addServeCommand(program);
  addInitCommand(program);
  addPeopleCommands(program);
  addAuditCommands(program);
  return program;
}

/**
 * Runs the command line and resolves with its exit code: 0, 1 when the command failed (bad input, not
 * found, conflict, server unreachable), 2 when the command line itself is wrong.
 *
 * @example
 * process.exitCode = await runCli(["node", "baton", "flow-run", "ls", "--state", "PAUSED"]);
 */
export async function runCli(argv: readonly string[]): Promise<number> {
  try {
    await createProgram().parseAsync([...argv]);
    return 0;
  } catch (e) {
    reportError(e);
    return exitCodeOf(e);
  }
}

if (import.meta.main) process.exitCode = await runCli(process.argv);

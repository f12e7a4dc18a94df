import type { Command } from "commander";
import { createClient, DEFAULT_API_URL, type BatonClient } from "../client/index.ts";

/** The API client a command talks through: `--api-url`, else `BATON_API_URL`, with answers recorded as channel "cli". */
export function clientOf(command: Command): BatonClient {
  const { apiUrl } = command.optsWithGlobals<{ apiUrl?: string }>();
  return createClient({ apiUrl, channel: "cli" });
}

/**
 * How a person should type a Baton command in this shell: `npm run baton --` when this command itself
 * came from this repository's `npm start` or `npm run baton` (where no `baton` is on the PATH); `npx baton`
 * when it came through npx or a project's `npm run` script (Baton installed in a project, not globally);
 * else `baton`. Other npm commands (`npm test`) run the CLI as a program, not for a person.
 */
export function commandPrefix(): string {
  const event = process.env.npm_lifecycle_event;
  if (event === "start" || event === "baton") return "npm run baton --";
  const command = process.env.npm_command;
  return command === "exec" || command === "run-script" ? "npx baton" : "baton";
}

/** Quotes a value for a POSIX shell when it needs it. */
export function shellQuote(value: string): string {
  return /^[\w@%+=:,./-]+$/.test(value) ? value : `'${value.replaceAll("'", `'\\''`)}'`;
}

/**
 * A Baton command as a person should type it to reach the API at `apiUrl`: with `--api-url` only when
 * that is not where `BATON_API_URL` (or the default) already points.
 *
 * @example
 * batonCommand("flow-run logs 3f2a... --follow", client.apiUrl); // "baton flow-run logs 3f2a... --follow"
 */
export function batonCommand(args: string, apiUrl: string): string {
  const expected = (process.env.BATON_API_URL ?? DEFAULT_API_URL).replace(/\/+$/, "");
  return `${commandPrefix()} ${args}${apiUrl.replace(/\/+$/, "") === expected ? "" : ` --api-url ${shellQuote(apiUrl)}`}`;
}

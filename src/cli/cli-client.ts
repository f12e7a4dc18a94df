import type { Command } from "commander";
import { createClient, type BatonClient } from "../client/index.ts";

/** The API client a command talks through: `--api-url`, else `BATON_API_URL`, with answers recorded as channel "cli". */
export function clientOf(command: Command): BatonClient {
  const { apiUrl } = command.optsWithGlobals<{ apiUrl?: string }>();
  return createClient({ apiUrl, channel: "cli" });
}

/**
 * How a person should type a Baton command in this shell: `npm run baton --` inside an npm script
 * (where no `baton` is on the PATH), else `baton`.
 */
export function commandPrefix(): string {
  return process.env.npm_lifecycle_event ? "npm run baton --" : "baton";
}

/** Quotes a value for a POSIX shell when it needs it. */
export function shellQuote(value: string): string {
  return /^[\w@%+=:,./-]+$/.test(value) ? value : `'${value.replaceAll("'", `'\\''`)}'`;
}

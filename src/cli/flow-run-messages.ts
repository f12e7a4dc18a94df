import type { Command } from "commander";
import type { Message } from "../contract/index.ts";
import { clientOf } from "./cli-client.ts";
import { InputNotJsonError } from "./cli-errors.ts";
import { formatJson, formatPath, formatTable, formatTime } from "./format.ts";

/**
 * `baton flow-run send`, `messages` and `input ...`: messages into a running flow, and run inputs by key.
 *
 * @example
 * baton flow-run send 3f2a... --input '"Ada"' --key name
 * baton flow-run messages 3f2a...
 * baton flow-run input create 3f2a... approved-by --input '{"name":"Ada"}'
 */
export function addMessageCommands(group: Command): void {
  group
    .command("send")
    .description("Send a message to a running flow (its receiveInput reads it); refused at once if it fails what the run receives")
    .argument("<id>", "the flow run's id")
    .requiredOption("--input <json>", `the message as JSON, e.g. '{"name":"Ada"}', 42 or '"text"'`)
    .option("--key <prefix>", 'the key prefix the flow receives by (its keyPrefix); default "message"')
    .action(async (id: string, opts: { input: string; key?: string }, command: Command) => {
      const message = await clientOf(command).sendMessage(id, { value: parseInput(opts.input), ...(opts.key ? { key: opts.key } : {}) });
      print(`Sent "${message.key}" to flow run ${id}.`);
    });

  group
    .command("messages")
    .description("List a run's messages and inputs by key, oldest first: who sent each, when, and whether the run read it")
    .argument("<id>", "the flow run's id")
    .option("--key-prefix <prefix>", "only those whose key starts with this")
    .option("--limit <n>", "at most this many (1-1000)", (v) => Number(v), 100)
    .option("--json", "print the API's message objects as JSON")
    .action(async (id: string, opts: { keyPrefix?: string; limit: number; json?: boolean }, command: Command) => {
      const messages = await clientOf(command).listMessages(id, { keyPrefix: opts.keyPrefix, limit: opts.limit });
      if (opts.json) return print(JSON.stringify(messages, null, 2));
      if (!messages.length) return print("No messages.");
      print(
        formatTable(
          ["KEY", "SENDER", "SENT", "READ", "VALUE"],
          messages.map((m) => [m.key, m.sender ?? m.sentBy ?? `(${m.channel})`, formatTime(m.sentAt), readStatus(m), formatJson(m.value)]),
        ),
      );
    });

  const input = group.command("input").description("A run's inputs by key (Prefect's flow run input): create, read, delete");
  input
    .command("create")
    .description("Keep a value on a run under a key (refused if the run has the key)")
    .argument("<id>", "the flow run's id")
    .argument("<key>", "lowercase letters, digits and dashes")
    .requiredOption("--input <json>", "the value as JSON")
    .action(async (id: string, key: string, opts: { input: string }, command: Command) => {
      await clientOf(command).createRunInput(id, key, parseInput(opts.input));
      print(`Kept "${key}" on flow run ${id}.`);
    });
  input
    .command("read")
    .description("Print the value kept on a run under a key, as JSON")
    .argument("<id>", "the flow run's id")
    .argument("<key>", "the input's key")
    .action(async (id: string, key: string, _opts: unknown, command: Command) => {
      print(JSON.stringify((await clientOf(command).readRunInput(id, key)).value));
    });
  input
    .command("delete")
    .description("Delete the input kept on a run under a key")
    .argument("<id>", "the flow run's id")
    .argument("<key>", "the input's key")
    .action(async (id: string, key: string, _opts: unknown, command: Command) => {
      await clientOf(command).deleteRunInput(id, key);
      print(`Deleted "${key}" of flow run ${id}.`);
    });
}

function readStatus(m: Message): string {
  if (m.refusal) return `refused (${m.refusal.map((e) => `${formatPath(e.path, "(message)")}: ${e.message}`).join("; ")})`;
  return m.consumedAt ? formatTime(m.consumedAt) : "not yet";
}

function parseInput(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new InputNotJsonError((e as Error).message);
  }
}

function print(text: string): void {
  process.stdout.write(`${text}\n`);
}

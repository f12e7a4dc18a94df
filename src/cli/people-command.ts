import { type Command, InvalidArgumentError, Option } from "commander";
import { BatonError } from "../contract/errors.ts";
import { Role } from "../contract/index.ts";
import { formatTable, formatTime } from "./format.ts";
import { withAdminAccess } from "./admin-access.ts";

const roleOption = () => new Option("--role <role>", "viewer, responder, operator or admin").choices(Role.options).makeOptionMandatory();

/**
 * `baton user ...` and `baton api-key ...`: who may sign in and answer, and the keys programs use. On
 * the database itself unless an API key (BATON_API_KEY, an admin's) or `--api-url` says to use a server.
 *
 * @example
 * baton user add alice --role responder --group finance
 * baton api-key create --name worker --role operator
 */
export function addPeopleCommands(program: Command): void {
  const users = program.command("user").description("Manage users: who may sign in to the web UI and answer");
  users
    .command("add")
    .description("Add a user; the password is asked for (or read from stdin with --password-stdin)")
    .argument("<name>", "the user's name, as in a pause's respondents")
    .addOption(roleOption())
    .option("--group <group>", "a group the user belongs to (as in `group:finance`); repeat for more", collect, [])
    .option("--email <email>", "the user's email address")
    .option("--password-stdin", "read the password from standard input instead of asking")
    .action(async (name: string, opts: { role: Role; group: string[]; email?: string; passwordStdin?: boolean }, command: Command) => {
      const password = await readPassword(opts.passwordStdin);
      await withAdminAccess(command, async (people) => {
        const user = await people.createUser({ name, role: opts.role, groups: opts.group, email: opts.email, password });
        print(`Added ${user.name} (${user.role}${user.groups.length ? `, groups ${user.groups.join(", ")}` : ""}) to ${people.where}.`);
        if (password === undefined) print(`No password set: they can use API keys; set one with \`baton user passwd ${user.name}\`.`);
      });
    });
  users
    .command("ls")
    .description("List users")
    .option("--json", "print the users as JSON")
    .action((opts: { json?: boolean }, command: Command) =>
      withAdminAccess(command, async (people) => {
        const list = await people.listUsers();
        if (opts.json) return print(JSON.stringify(list, null, 2));
        if (!list.length) return print("No users: a server on a loopback address runs open. Add one with `baton user add NAME --role admin`.");
        print(
          formatTable(
            ["NAME", "ROLE", "GROUPS", "EMAIL", "ADDED"],
            list.map((u) => [u.name, u.role, u.groups.join(",") || "-", u.email ?? "-", formatTime(u.createdAt)]),
          ),
        );
      }),
    );
  users
    .command("rm")
    .description("Remove a user; their API keys are revoked")
    .argument("<name>")
    .action((name: string, _opts: unknown, command: Command) =>
      withAdminAccess(command, async (people) => {
        await people.removeUser(name);
        print(`Removed ${name}; their API keys no longer work.`);
      }),
    );
  users
    .command("passwd")
    .description("Set a user's password")
    .argument("<name>")
    .option("--password-stdin", "read the password from standard input instead of asking")
    .action(async (name: string, opts: { passwordStdin?: boolean }, command: Command) => {
      const password = await readPassword(opts.passwordStdin);
      if (password === undefined)
        throw new InvalidArgumentError("give the password on standard input with --password-stdin, or run this in a terminal.");
      await withAdminAccess(command, async (people) => {
        await people.setUserPassword(name, password);
        print(`Set the password of ${name}.`);
      });
    });

  const keys = program.command("api-key").description("Manage API keys: what the CLI, flows and serving processes authenticate with");
  keys
    .command("create")
    .description("Make an API key and print it, this once")
    .requiredOption("--name <name>", "what the key is for, e.g. worker-1")
    .addOption(roleOption())
    .option("--user <name>", "the user the key acts as (answers are recorded as theirs); without it, the key is its own")
    .action((opts: { name: string; role: Role; user?: string }, command: Command) =>
      withAdminAccess(command, async (people) => {
        const { apiKey, token } = await people.createApiKey({ name: opts.name, role: opts.role, userName: opts.user });
        process.stderr.write(
          `Made API key ${apiKey.id} (${apiKey.name}, ${apiKey.role}${apiKey.userName ? `, as ${apiKey.userName}` : ""}). ` +
            "This is the only time it is shown; give it to the program as BATON_API_KEY:\n",
        );
        print(token);
      }),
    );
  keys
    .command("ls")
    .description("List API keys (never their secrets)")
    .option("--json", "print the keys as JSON")
    .action((opts: { json?: boolean }, command: Command) =>
      withAdminAccess(command, async (people) => {
        const list = await people.listApiKeys();
        if (opts.json) return print(JSON.stringify(list, null, 2));
        if (!list.length) return print("No API keys. Make one with `baton api-key create --name NAME --role ROLE`.");
        print(
          formatTable(
            ["ID", "NAME", "ROLE", "USER", "CREATED", "REVOKED"],
            list.map((k) => [k.id, k.name, k.role, k.userName ?? "-", formatTime(k.createdAt), formatTime(k.revokedAt)]),
          ),
        );
      }),
    );
  keys
    .command("revoke")
    .description("Revoke an API key: it stops working at once on this server, within 15 s on others")
    .argument("<id>")
    .action((id: string, _opts: unknown, command: Command) =>
      withAdminAccess(command, async (people) => {
        await people.revokeApiKey(id);
        print(`Revoked API key ${id}.`);
      }),
    );
}

/**
 * `baton audit ls` and `baton audit verify`: the audit log, and the check of its hash chain (exit code 1
 * when it is broken).
 */
export function addAuditCommands(program: Command): void {
  const audit = program.command("audit").description("Read the audit log and check that nothing in it was edited or removed");
  audit
    .command("ls")
    .description("List audit log entries, oldest first")
    .option("--after <seq>", "entries after this number", parseCount)
    .option("--limit <n>", "at most this many (default 100, at most 1000)", parseCount)
    .option("--target <target>", "only those about one thing, e.g. flow-run/<id> or user/alice")
    .option("--json", "print the entries as JSON")
    .action((opts: { after?: number; limit?: number; target?: string; json?: boolean }, command: Command) =>
      withAdminAccess(command, async (access) => {
        const entries = await access.listAudit({ after: opts.after, limit: opts.limit, target: opts.target });
        if (opts.json) return print(JSON.stringify(entries, null, 2));
        if (!entries.length) return print("No audit entries.");
        print(
          formatTable(
            ["SEQ", "AT", "ACTOR", "ACTION", "TARGET", "DETAILS"],
            entries.map((e) => [String(e.seq), formatTime(e.at), e.actor, e.action, e.target, JSON.stringify(e.details)]),
          ),
        );
      }),
    );
  audit
    .command("verify")
    .description("Check the hash chain of the whole log; names the first entry edited or removed in the database")
    .action((_opts: unknown, command: Command) =>
      withAdminAccess(command, async (access) => {
        const result = await access.verifyAudit();
        if (!result.ok) throw new AuditChainBrokenError(result.problem ?? "the chain is broken.", result.entries);
        print(`The audit log is whole: ${result.entries} entries, the last one's hash ${result.headHash}.`);
      }),
    );
}

/** Thrown by `baton audit verify` when the chain is broken; the message says where. */
export class AuditChainBrokenError extends BatonError<{ entries: number }> {
  static readonly code = "AUDIT_CHAIN_BROKEN";
  constructor(problem: string, entries: number) {
    super(AuditChainBrokenError.code, `The audit log was tampered with: ${problem} (${entries} entries check out before it.)`, { entries });
  }
}

function parseCount(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError("use a whole number.");
  return n;
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

/** The password from stdin (its first line) with --password-stdin, else asked twice in a terminal; undefined with neither. */
async function readPassword(fromStdin: boolean | undefined): Promise<string | undefined> {
  if (fromStdin) {
    let text = "";
    for await (const chunk of process.stdin) text += chunk;
    return text.split(/\r?\n/)[0];
  }
  if (!process.stdin.isTTY) return undefined;
  const { password } = await import("@inquirer/prompts");
  const first = await password({ message: "Password (8 characters or more)", mask: true });
  const again = await password({ message: "Again", mask: true });
  if (first !== again) throw new InvalidArgumentError("the two passwords differ; nothing was changed.");
  return first;
}

function print(text: string): void {
  process.stdout.write(`${text}\n`);
}

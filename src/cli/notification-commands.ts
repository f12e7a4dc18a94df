import { readFile } from "node:fs/promises";
import { InvalidArgumentError, type Command } from "commander";
import { BadRequestError } from "../contract/errors.ts";
import { ChannelType, DeliveryStatus, type Automation, type CreateChannelBody, type Delivery } from "../contract/index.ts";
import { clientOf } from "./cli-client.ts";
import { formatRelative, formatTable, formatTime } from "./format.ts";

/**
 * `baton channel ...`, `baton automation ...` and `baton delivery ls`: where notifications go, what
 * sends them, and whether they arrived.
 *
 * @example
 * baton channel add ops --type webhook --url https://example.com/hooks/baton
 * baton automation create --file remind.json
 * baton delivery ls --status FAILED
 */
export function addNotificationCommands(program: Command): void {
  const channel = program.command("channel").description("Add, list, test and remove notification channels (webhook, Slack, email)");
  channel
    .command("add")
    .description("Add a channel; a webhook's signing secret is printed once")
    .argument("<name>", "the channel's name (lowercase letters, digits, . _ -)")
    .requiredOption("--type <type>", "webhook, slack or email", (v) => parseChoice(v, ChannelType.options, "--type"))
    .option("--url <url>", "the webhook's URL, or the Slack incoming webhook's")
    .option("--to <addresses>", "email: the addresses, comma-separated")
    .option("--secret <secret>", "webhook: the signing secret (default: one is generated)")
    .option("--json", "print the channel as JSON")
    .action(async (name: string, opts: { type: ChannelType; url?: string; to?: string; secret?: string; json?: boolean }, command: Command) => {
      const body = channelBody(name, opts);
      const created = await clientOf(command).createChannel(body);
      if (opts.json) return print(JSON.stringify(created, null, 2));
      print(`Added channel ${created.name} (${created.type}, ${created.url ?? created.to.join(", ")}).`);
      if (created.secret) print(`Signing secret (shown only now; keep it where the receiver checks Baton-Signature):\n  ${created.secret}`);
      print(`Send a test message: baton channel test ${created.name}`);
    });
  channel
    .command("ls")
    .description("List channels")
    .option("--json", "print the channels as JSON")
    .action(async (opts: { json?: boolean }, command: Command) => {
      const channels = await clientOf(command).listChannels();
      if (opts.json) return print(JSON.stringify(channels, null, 2));
      if (!channels.length) return print("No channels yet. Add one: baton channel add ops --type webhook --url https://...");
      print(
        formatTable(
          ["NAME", "TYPE", "WHERE", "ADDED"],
          channels.map((c) => [c.name, c.type, c.url ?? c.to.join(", "), formatTime(c.createdAt)]),
        ),
      );
    });
  channel
    .command("test")
    .description("Send a test message and wait for its outcome")
    .argument("<name>", "the channel's name")
    .option("--timeout <seconds>", "how long to wait for the first attempt", (v) => parsePositive(v, "--timeout"), 30)
    .action(async (name: string, opts: { timeout: number }, command: Command) => {
      const client = clientOf(command);
      let d: Delivery = await client.testChannel(name);
      const deadline = Date.now() + opts.timeout * 1000;
      while (d.status !== "DELIVERED" && d.attempts === 0 && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 100));
        d = await client.getDelivery(d.id);
      }
      if (d.status === "DELIVERED") return print(`Delivered a test message to ${name} (delivery ${d.id}).`);
      if (d.attempts === 0)
        throw new BadRequestError(`The test message to ${name} was not tried within ${opts.timeout} s; see \`baton delivery ls\`.`);
      throw new BadRequestError(
        `The test message to ${name} failed: ${d.lastError ?? "unknown error"}.${d.status === "PENDING" ? ` It is retried; follow it with \`baton delivery ls --channel ${name}\`.` : ""}`,
      );
    });
  channel
    .command("rm")
    .description("Remove a channel (refused while automations send to it)")
    .argument("<name>", "the channel's name")
    .action(async (name: string, _opts: unknown, command: Command) => {
      await clientOf(command).deleteChannel(name);
      print(`Removed channel ${name}.`);
    });

  const automation = program.command("automation").description("Create, list, inspect, enable, disable and remove automations");
  automation
    .command("create")
    .description("Create an automation from a JSON file ({ name, trigger, actions }; see the README)")
    .requiredOption("--file <path>", "the automation as JSON")
    .option("--json", "print the automation as JSON")
    .action(async (opts: { file: string; json?: boolean }, command: Command) => {
      let body: unknown;
      try {
        body = JSON.parse(await readFile(opts.file, "utf8"));
      } catch (e) {
        throw new BadRequestError(`Cannot read the automation in ${opts.file}: ${(e as Error).message}`);
      }
      const created = await clientOf(command).createAutomation(body as Parameters<ReturnType<typeof clientOf>["createAutomation"]>[0]);
      print(opts.json ? JSON.stringify(created, null, 2) : `Created automation ${created.name} (${created.id}).`);
    });
  automation
    .command("ls")
    .description("List automations")
    .option("--json", "print the automations as JSON")
    .action(async (opts: { json?: boolean }, command: Command) => {
      const list = await clientOf(command).listAutomations();
      if (opts.json) return print(JSON.stringify(list, null, 2));
      if (!list.length) return print("No automations yet. Create one: baton automation create --file automation.json");
      print(
        formatTable(
          ["ID", "NAME", "ENABLED", "TRIGGER", "ACTIONS"],
          list.map((a) => [a.id, a.name, a.enabled ? "yes" : "no", describeTrigger(a), describeActions(a)]),
        ),
      );
    });
  automation
    .command("inspect")
    .description("Show an automation as JSON")
    .argument("<id>", "the automation's id")
    .action(async (id: string, _opts: unknown, command: Command) => print(JSON.stringify(await clientOf(command).getAutomation(id), null, 2)));
  for (const [verb, enabled] of [
    ["enable", true],
    ["disable", false],
  ] as const)
    automation
      .command(verb)
      .description(enabled ? "Turn an automation on" : "Turn an automation off (it neither acts nor fires its timers)")
      .argument("<id>", "the automation's id")
      .action(async (id: string, _opts: unknown, command: Command) => {
        const a = await clientOf(command).setAutomationEnabled(id, enabled);
        print(`Automation ${a.name} is ${enabled ? "enabled" : "disabled"}.`);
      });
  automation
    .command("rm")
    .description("Remove an automation")
    .argument("<id>", "the automation's id")
    .action(async (id: string, _opts: unknown, command: Command) => {
      await clientOf(command).deleteAutomation(id);
      print(`Removed automation ${id}.`);
    });

  program
    .command("delivery")
    .description("Deliveries of notifications and automation actions")
    .command("ls")
    .description("List deliveries, newest first, with their attempts and last error")
    .option("--status <status>", "only PENDING, SENDING, DELIVERED or FAILED", (v) =>
      parseChoice(v.toUpperCase(), DeliveryStatus.options, "--status"),
    )
    .option("--channel <name>", "only those to this channel")
    .option("--run <id>", "only those about this flow run")
    .option("--limit <n>", "show at most this many (1-500)", (v) => parsePositive(v, "--limit"), 50)
    .option("--json", "print the deliveries as JSON")
    .action(async (opts: { status?: DeliveryStatus; channel?: string; run?: string; limit: number; json?: boolean }, command: Command) => {
      const list = await clientOf(command).listDeliveries({
        ...(opts.status ? { status: opts.status } : {}),
        ...(opts.channel ? { channel: opts.channel } : {}),
        ...(opts.run ? { flowRunId: opts.run } : {}),
        limit: opts.limit,
      });
      if (opts.json) return print(JSON.stringify(list, null, 2));
      if (!list.length) return print("No deliveries match.");
      print(
        formatTable(
          ["ID", "STATUS", "TO", "EVENT", "ATTEMPTS", "CREATED", "NEXT TRY", "LAST ERROR"],
          list.map((d) => [
            d.id,
            d.status,
            d.channelName ?? d.action,
            d.event,
            `${d.attempts}/${d.maxAttempts}`,
            formatRelative(d.createdAt),
            d.status === "PENDING" && d.nextAttemptAt ? formatRelative(d.nextAttemptAt) : "-",
            d.lastError ?? "",
          ]),
        ),
      );
    });
}

function channelBody(name: string, opts: { type: ChannelType; url?: string; to?: string; secret?: string }): CreateChannelBody {
  if (opts.type === "email") {
    if (!opts.to) throw new BadRequestError("An email channel needs --to with one or more addresses, comma-separated.");
    return {
      name,
      type: "email",
      to: opts.to
        .split(",")
        .map((s) => s.trim())
        .filter(Boolean),
    };
  }
  if (!opts.url) throw new BadRequestError(`A ${opts.type} channel needs --url.`);
  return opts.type === "webhook"
    ? { name, type: "webhook", url: opts.url, ...(opts.secret ? { secret: opts.secret } : {}) }
    : { name, type: "slack", url: opts.url };
}

function describeTrigger(a: Automation): string {
  const t = a.trigger;
  const filters = [...(t.flowName ?? []).map((f) => `flow ${f}`), ...(t.deploymentName ?? []).map((d) => `deployment ${d}`)];
  const what = t.type === "event" ? t.events.join(", ") : `stays ${t.state} for ${t.for}`;
  return filters.length ? `${what} (${filters.join(", ")})` : what;
}

function describeActions(a: Automation): string {
  return a.actions
    .map((x) => (x.type === "notify" ? `notify ${x.channel}` : x.type === "run-deployment" ? `run ${x.deployment}` : x.type))
    .join(", ");
}

function parseChoice<T extends string>(value: string, choices: readonly T[], what: string): T {
  if (!choices.includes(value as T)) throw new InvalidArgumentError(`${what} must be one of ${choices.join(", ")}.`);
  return value as T;
}

function parsePositive(value: string, what: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) throw new InvalidArgumentError(`${what} must be a positive number.`);
  return n;
}

function print(text: string): void {
  process.stdout.write(`${text}\n`);
}

import { InvalidArgumentError, type Command } from "commander";
import { StateType } from "../contract/index.ts";
import { clientOf } from "./cli-client.ts";
import { printRunLogs } from "./flow-run-logs.ts";
import { addMessageCommands } from "./flow-run-messages.ts";
import { DEFAULT_FOLLOW_SECONDS } from "./follow-answer.ts";
import { resumeRun } from "./flow-run-resume.ts";
import { formatRunDetails, formatRunTable } from "./flow-run-view.ts";
import { terminalAsker } from "./input-prompt.ts";
import { localCheck } from "./local-check.ts";

/**
 * `baton flow-run ...`: list, inspect, answer, cancel, suspend, retry and follow flow runs, and send them messages.
 *
 * @example
 * baton flow-run ls --state PAUSED
 * baton flow-run resume 3f2a... --input '{"name":"Ada"}'
 */
export function addFlowRunCommands(program: Command): void {
  const group = program.command("flow-run").description("List, inspect, answer, cancel and follow flow runs");

  group
    .command("ls")
    .description("List flow runs, newest first")
    .option("--state <states>", "only runs in these states, comma-separated (PAUSED, RUNNING, COMPLETED, ...)", parseStates)
    .option("--flow <name>", "only runs of this flow")
    .option("--deployment <name>", "only runs of this deployment")
    .option("--tag <tag>", "only runs with this tag")
    .option("--limit <n>", "show at most this many runs (1-1000)", parseLimit, 50)
    .option("--json", "print the API's flow run objects as JSON")
    .action(
      async (opts: { state?: StateType[]; flow?: string; deployment?: string; tag?: string; limit: number; json?: boolean }, command: Command) => {
        const page = await clientOf(command).listFlowRuns({
          ...(opts.state ? { state: opts.state } : {}),
          ...(opts.flow ? { flowName: opts.flow } : {}),
          ...(opts.deployment ? { deploymentName: opts.deployment } : {}),
          ...(opts.tag ? { tag: opts.tag } : {}),
          limit: opts.limit,
        });
        if (opts.json) return print(JSON.stringify(page.items, null, 2));
        if (page.items.length === 0)
          return print(opts.state || opts.flow || opts.deployment || opts.tag ? "No flow runs match." : "No flow runs yet.");
        print(formatRunTable(page.items));
        if (page.nextCursor) print(`(the newest ${page.items.length} shown; raise --limit to see more)`);
      },
    );

  group
    .command("inspect")
    .description("Show a run's state, parameters, what its pause asks for, and the answers so far")
    .argument("<id>", "the flow run's id")
    .option("--json", "print the flow run and its inputs as JSON")
    .action(async (id: string, opts: { json?: boolean }, command: Command) => {
      const client = clientOf(command);
      const [run, inputs] = await Promise.all([client.getFlowRun(id), client.listRunInputs(id)]);
      if (opts.json) return print(JSON.stringify({ flowRun: run, inputs }, null, 2));
      const check = await localCheck();
      print(formatRunDetails(run, inputs, Date.now(), (schema, value) => check(schema, value).length === 0));
    });

  group
    .command("resume")
    .description("Answer a paused run; without --input, asks field by field in a terminal")
    .argument("<id>", "the flow run's id")
    .option("--input <json>", `the answer as JSON, e.g. '{"name":"Ada"}', or a bare value such as 42 or '"text"'`)
    .option("--by <name>", "who answers, kept with the answer")
    .option("--comment <text>", "a comment kept with the answer in the run's history (up to 2,000 characters, Markdown)")
    .option(
      "--wait <seconds>",
      `follow the run after the answer until it asks again or ends, at most this long; 0 returns at once`,
      parseWait,
      DEFAULT_FOLLOW_SECONDS,
    )
    .action(async (id: string, opts: { input?: string; by?: string; comment?: string; wait: number }, command: Command) => {
      await resumeRun(clientOf(command), id, {
        input: opts.input,
        respondedBy: opts.by,
        comment: opts.comment,
        wait: opts.wait,
        asker: process.stdin.isTTY ? terminalAsker() : undefined,
      });
    });

  group
    .command("cancel")
    .description("Cancel a run that has not finished; a paused flow stops without running the code after its pause")
    .argument("<id>", "the flow run's id")
    .option("--reason <text>", "why, kept as the state's message")
    .action(async (id: string, opts: { reason?: string }, command: Command) => {
      const run = await clientOf(command).cancel(id, opts.reason);
      print(`Cancelled flow run ${run.id} (${run.name}).`);
    });

  group
    .command("retry")
    .description("Run a failed, crashed or cancelled run of a deployment again; a serving process replays what completed")
    .argument("<id>", "the flow run's id")
    .action(async (id: string, _opts: unknown, command: Command) => {
      const run = await clientOf(command).retry(id);
      print(`Flow run ${run.id} (${run.name}) is scheduled again; a serving process runs it, replaying what completed.`);
    });

  group
    .command("suspend")
    .description(
      "Suspend a run of a deployment: a paused run at once, a running one at its next task or pause; answering it resumes it on a serving process",
    )
    .argument("<id>", "the flow run's id")
    .option("--reason <text>", "why, kept as the state's message")
    .action(async (id: string, opts: { reason?: string }, command: Command) => {
      const run = await clientOf(command).suspend(id, undefined, opts.reason);
      print(
        run.state.type === "PAUSED"
          ? `Suspended flow run ${run.id} (${run.name}); answer it with \`baton flow-run resume ${run.id}\` to run it on a serving process.`
          : `Flow run ${run.id} (${run.name}) suspends at its next task or pause; then \`baton flow-run resume ${run.id}\` runs it on a serving process.`,
      );
    });

  group
    .command("logs")
    .description("Print a run's log lines")
    .argument("<id>", "the flow run's id")
    .option("-f, --follow", "keep printing new lines until the run ends")
    .action(async (id: string, opts: { follow?: boolean }, command: Command) => {
      await printRunLogs(clientOf(command), id, { follow: opts.follow ?? false });
    });

  addMessageCommands(group);
}

function print(text: string): void {
  process.stdout.write(`${text}\n`);
}

function parseStates(value: string): StateType[] {
  return value.split(",").map((s) => {
    const parsed = StateType.safeParse(s.trim().toUpperCase());
    if (!parsed.success) throw new InvalidArgumentError(`"${s}" is not a state; use ${StateType.options.join(", ")}.`);
    return parsed.data;
  });
}

function parseLimit(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 1000) throw new InvalidArgumentError("use a whole number from 1 to 1000.");
  return n;
}

function parseWait(value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n < 0 || n > 3600) throw new InvalidArgumentError("use a number of seconds from 0 to 3600, e.g. --wait 30.");
  return n;
}

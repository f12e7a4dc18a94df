import type { Command } from "commander";
import { clientOf } from "./cli-client.ts";
import { collectParam, mergeParameters } from "./deployment-params.ts";
import { startDeploymentRun } from "./deployment-run.ts";
import { formatDeploymentDetails, formatDeploymentTable } from "./deployment-view.ts";

/**
 * `baton deployment ...`: list the flows that processes serve, see what parameters one takes, and
 * start runs of it.
 *
 * @example
 * baton deployment ls
 * baton deployment run approve-expense --param amount=120 --param note=lunch --watch
 */
export function addDeploymentCommands(program: Command): void {
  const group = program.command("deployment").description("List served flows (deployments) and start runs of them");

  group
    .command("ls")
    .description("List deployments: each flow a process serves, its parameters, and when it was last served")
    .option("--json", "print the API's deployment objects as JSON")
    .action(async (opts: { json?: boolean }, command: Command) => {
      const deployments = await clientOf(command).listDeployments();
      if (opts.json) return print(JSON.stringify(deployments, null, 2));
      if (deployments.length === 0)
        return print("No deployments yet. A flow becomes one when a process serves it: `await serve(myFlow)` (see examples/serve-examples.ts).");
      print(formatDeploymentTable(deployments));
    });

  group
    .command("inspect")
    .description("Show a deployment's flow, description, parameters, and how to start a run of it")
    .argument("<name>", "the deployment's name")
    .option("--json", "print the deployment as JSON")
    .action(async (name: string, opts: { json?: boolean }, command: Command) => {
      const client = clientOf(command);
      const deployment = await client.getDeployment(name);
      print(opts.json ? JSON.stringify(deployment, null, 2) : formatDeploymentDetails(deployment, client.apiUrl));
    });

  group
    .command("run")
    .description("Start a run of a deployment; a process that serves it runs it")
    .argument("<name>", "the deployment's name")
    .option(
      "--param <key=value>",
      "one parameter; the value is read as JSON when it is JSON (42, true, '\"42\"'), else as text; repeat for more",
      collectParam,
    )
    .option("--params <json>", `all parameters as a JSON object, e.g. '{"amount":120}'; --param values win over it`)
    .option("--watch", "follow the run's logs until it ends")
    .action(async (name: string, opts: { param?: [string, unknown][]; params?: string; watch?: boolean }, command: Command) => {
      // Bad --params is refused before the server is asked anything.
      const parameters = mergeParameters(opts.params, opts.param ?? []);
      await startDeploymentRun(clientOf(command), name, { parameters, watch: opts.watch ?? false });
    });
}

function print(text: string): void {
  process.stdout.write(`${text}\n`);
}

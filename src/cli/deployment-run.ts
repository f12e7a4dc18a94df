import type { BatonClient } from "../client/index.ts";
import type { State } from "../contract/index.ts";
import { batonCommand } from "./cli-client.ts";
import { printRunLogs } from "./flow-run-logs.ts";
import { formatRelative } from "./format.ts";

/** A deployment not served for this long probably has no process serving it now (a serving process claims every 10 s). */
const STALE_AFTER_MS = 60_000;

/** Options of `startDeploymentRun`. */
export interface StartDeploymentRunOptions {
  parameters: Record<string, unknown>;
  /** Follow the run's logs until it ends. */
  watch?: boolean;
  out?: (line: string) => void;
  /** Where notes go: no process serving it, the run waiting for an answer, the run's end. */
  note?: (line: string) => void;
}

/**
 * Starts a run of deployment `name` (the server checks the parameters first and creates nothing when
 * they do not fit), prints its id and how to follow it, warns when no process seems to serve the
 * deployment, and with `watch` prints its logs until it ends.
 */
export async function startDeploymentRun(client: BatonClient, name: string, options: StartDeploymentRunOptions): Promise<void> {
  const out = options.out ?? ((line) => process.stdout.write(`${line}\n`));
  const note = options.note ?? ((line) => process.stderr.write(`${line}\n`));
  const cli = (args: string) => batonCommand(args, client.apiUrl);
  const run = await client.runDeployment(name, options.parameters);
  out(`Started flow run ${run.id} (${run.name}) of deployment ${name}; it is ${run.state.name}.`);
  if (!options.watch) out(`Follow it: ${cli(`flow-run logs ${run.id} --follow`)}`);

  const deployment = await client.getDeployment(name).catch(() => undefined);
  const lastServed = deployment?.lastServedAt ? Date.parse(deployment.lastServedAt) : undefined;
  if (deployment && (lastServed === undefined || Date.now() - lastServed > STALE_AFTER_MS))
    note(
      `No process has served ${name} ${lastServed === undefined ? "yet" : `since ${formatRelative(deployment.lastServedAt!)}`}; ` +
        `the run waits until one does (a process that calls serve() with flow ${deployment.flowName}).`,
    );
  if (!options.watch) return;

  note(`Following its logs until it ends (Ctrl+C stops following; the run goes on).`);
  let announced: string | undefined;
  const onState = (state: State) => {
    if (state.type !== "PAUSED" || state.id === announced) return;
    announced = state.id;
    note(`Flow run ${run.id} waits for an answer: ${cli(`flow-run resume ${run.id}`)}`);
  };
  await printRunLogs(client, run.id, { follow: true, out, note, onState });
}

import { BadRequestError, DeploymentNotFoundError, ParametersValidationError } from "../contract/errors.ts";
import { isSuspended } from "../contract/index.ts";
import type {
  ClaimBody,
  ClaimResult,
  CreateDeploymentRunBody,
  Deployment,
  FlowRun,
  RegisterDeploymentBody,
  RunHistory,
  State,
} from "../contract/index.ts";
import type { z } from "zod";
import { authorize } from "./authorize.ts";
import { now, systemNow } from "./clock.ts";
import type { Storage } from "../storage/storage.ts";
import type { FlowRunService } from "./flow-run-service.ts";
import type { SchemaChecker } from "./schema-checker.ts";
import type { MetricsService, Recovery } from "./metrics-service.ts";
import type { RequestCaller } from "./request-caller.ts";
import { newState, suspendedState, type StateTransitions } from "./state-transitions.ts";

/**
 * Deployments and the processes that serve them: registering, creating runs, claiming them (each
 * run by exactly one process), heartbeats, and recovering runs whose process went silent.
 */
export class DeploymentService {
  readonly #storage: Storage;
  readonly #runs: FlowRunService;
  readonly #transitions: StateTransitions;
  readonly #schemas: SchemaChecker;
  readonly #metrics: MetricsService;
  constructor(storage: Storage, runs: FlowRunService, transitions: StateTransitions, schemas: SchemaChecker, metrics: MetricsService) {
    this.#storage = storage;
    this.#runs = runs;
    this.#transitions = transitions;
    this.#schemas = schemas;
    this.#metrics = metrics;
  }

  /** Registers a deployment, or updates the one of that name in place, as each `serve()` start does. */
  async register(caller: RequestCaller, body: z.output<typeof RegisterDeploymentBody>): Promise<Deployment> {
    authorize(caller, "deployment:register", { type: "deployment", name: body.name });
    if (body.parameterSchema)
      await this.#schemas.requireUsable(
        body.parameterSchema,
        `The parameter schema of deployment "${body.name}" cannot be used to check parameters`,
        "/parameterSchema",
      );
    return this.#storage.deployments.upsert(
      {
        name: body.name,
        flowName: body.flowName,
        description: body.description ?? null,
        parameterSchema: body.parameterSchema ?? null,
        tags: body.tags ?? [],
      },
      now(),
    );
  }

  /** Deployments by name. */
  list(caller: RequestCaller): Promise<Deployment[]> {
    authorize(caller, "deployment:read", { type: "deployment" });
    return this.#storage.deployments.list();
  }

  /** One deployment; 404 when there is none. */
  get(caller: RequestCaller, name: string): Promise<Deployment> {
    authorize(caller, "deployment:read", { type: "deployment", name });
    return this.#load(name);
  }

  async #load(name: string): Promise<Deployment> {
    const d = await this.#storage.deployments.get(name);
    if (!d) throw new DeploymentNotFoundError(name);
    return d;
  }

  /** Creates a scheduled run of a deployment after checking its parameters (422 with one error per field). */
  async createRun(caller: RequestCaller, name: string, body: z.output<typeof CreateDeploymentRunBody>): Promise<FlowRun> {
    authorize(caller, "deployment:run", { type: "deployment", name });
    const d = await this.#load(name);
    let parameters = body.parameters;
    if (d.parameterSchema) {
      const checked = await this.#schemas.validate(d.parameterSchema, parameters);
      if (!checked.ok) throw new ParametersValidationError(d.name, checked.errors);
      parameters = checked.value as Record<string, unknown>;
    }
    return this.#runs.create(
      caller,
      { flowName: d.flowName, parameters, ...(body.name ? { name: body.name } : {}), ...(body.tags ? { tags: body.tags } : {}) },
      d,
    );
  }

  /**
   * Gives `workerId` up to `limit` due runs of its deployments, set Running: the serving process starts
   * each at once. Each is taken with a conditional update on its current state, so of several processes
   * asking at once exactly one gets each run. Runs that ran before come with their history (two queries
   * for all of them), for the replay.
   */
  async claim(caller: RequestCaller, body: z.output<typeof ClaimBody>): Promise<ClaimResult> {
    authorize(caller, "worker:claim", { type: "worker", id: body.workerId });
    const at = now();
    await this.#storage.deployments.markServed(body.deployments, at);
    // Read more than asked: some may be taken by another process between read and update.
    const candidates = await this.#storage.runs.findClaimable(body.deployments, at, body.limit * 2);
    const items: FlowRun[] = [];
    const replayed: string[] = [];
    const answeredAt: string[] = [];
    while (items.length < body.limit && candidates.length) {
      // A round's updates go together, so that on SQLite they commit together.
      const round = candidates.splice(0, body.limit - items.length);
      const taken = await Promise.all(
        round.map((run) =>
          this.#transitions.tryTransition(
            run,
            newState({ type: "RUNNING", message: "Claimed by a serving process", details: { workerId: body.workerId } }),
            undefined,
            { workerId: body.workerId },
          ),
        ),
      );
      round.forEach((run, i) => {
        if (!taken[i]) return;
        items.push(taken[i]);
        if (run.startTime) replayed.push(run.id);
        if (run.state.details.resumedPauseKey !== undefined) answeredAt.push(run.state.timestamp);
      });
    }
    const histories: Record<string, RunHistory> = {};
    if (replayed.length) {
      const [taskRuns, inputs] = await Promise.all([this.#storage.tasks.list(replayed), this.#storage.inputs.list(replayed)]);
      for (const id of replayed) histories[id] = { taskRuns: [], inputs: [] };
      for (const t of taskRuns) histories[t.flowRunId]!.taskRuns.push(t);
      for (const i of inputs) histories[i.flowRunId]!.inputs.push(i);
    }
    this.#metrics.claimed(items.length, answeredAt);
    return { items, histories };
  }

  /** Records that `workerId` is alive; returns the runs among `ids` it no longer owns, which it must stop. */
  async heartbeat(caller: RequestCaller, workerId: string, ids: string[]): Promise<string[]> {
    authorize(caller, "worker:heartbeat", { type: "worker", id: workerId });
    const owned = new Set(await this.#storage.runs.touchHeartbeats(workerId, ids, systemNow()));
    return ids.filter((id) => !owned.has(id));
  }

  /**
   * Recovers runs whose process (`workerId`, or any) has been silent since `timeoutSeconds` ago (or `cutoff`). A deployment run that was
   * paused becomes suspended (an answer resumes it on a serving process); one that was running is
   * scheduled again, to be replayed; any other run is marked Crashed. Safe on several servers at once.
   */
  async recoverSilentRuns(
    timeoutSeconds: number,
    limit = 200,
    {
      workerId,
      why = `its process sent no heartbeat for ${timeoutSeconds} s`,
      cutoff = new Date(Date.now() - timeoutSeconds * 1000).toISOString(),
    }: { workerId?: string; why?: string; cutoff?: string } = {},
  ): Promise<number> {
    const silent = await this.#storage.runs.findSilent(cutoff, limit, workerId);
    let moved = 0;
    const cause = workerId === undefined ? "heartbeat" : "disconnect";
    for (const run of silent) {
      let state: State | undefined;
      let outcome: Recovery["outcome"];
      if (run.deploymentId && run.state.type === "PAUSED" && !isSuspended(run.state)) {
        state = suspendedState(run.state, `Suspended: ${why}; an answer resumes it on a serving process`);
        outcome = "suspended";
      } else if (run.deploymentId && (run.state.type === "RUNNING" || run.state.type === "PENDING")) {
        state = newState({ type: "SCHEDULED", name: "Rescheduled", message: `Rescheduled: ${why}` });
        outcome = "rescheduled";
      } else {
        state = newState({ type: "CRASHED", message: `Crashed: ${why}`, details: { pauseKey: run.state.details.pauseKey } });
        outcome = "crashed";
      }
      if (await this.#transitions.tryTransition(run, state)) {
        moved++;
        this.#metrics.recovered({ cause, outcome });
      }
    }
    return moved;
  }
}

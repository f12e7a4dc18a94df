import { NotYesNoError } from "../contract/errors.ts";
import type { BulkAction, BulkBody, BulkOutcome, FlowRun, InboxPage, InboxQuery } from "../contract/index.ts";
import type { z } from "zod";
import type { Storage } from "../storage/storage.ts";
import { authorize } from "./authorize.ts";
import { errorResponse } from "./error-handler.ts";
import type { FlowRunService } from "./flow-run-service.ts";
import type { PauseService } from "./pause-service.ts";
import type { RequestCaller } from "./request-caller.ts";

/** How the caller appears among a pause's respondents (`alice`, `group:finance`); undefined when the server does not know who calls. */
function respondentNames(caller: RequestCaller): string[] | undefined {
  if (caller.kind !== "principal") return undefined;
  return [caller.userName ?? caller.name, ...caller.groups.map((g) => `group:${g}`)];
}

/**
 * The answer a bulk approve (`yes`) or reject gives a pause: nothing for a pause that asks nothing
 * (approve only), the boolean for one that asks a boolean, or `{ field: yes }` for an object of one
 * boolean field. Anything else asks more than a yes or no.
 */
export function yesNoAnswer(run: FlowRun, yes: boolean): { input?: unknown } {
  const key = run.state.details.pauseKey ?? "";
  const request = run.state.details.inputRequest;
  if (!request) {
    if (yes) return {};
    throw new NotYesNoError(run.id, key, "asks nothing, so it cannot be rejected: approve it, or cancel the run");
  }
  const schema = request.schema as { type?: unknown; properties?: Record<string, { type?: unknown }> };
  if (schema.type === "boolean") return { input: yes };
  const fields = Object.entries(schema.properties ?? {});
  if (schema.type === "object" && fields.length === 1 && fields[0]![1].type === "boolean") return { input: { [fields[0]![0]]: yes } };
  throw new NotYesNoError(run.id, key, "asks for more than a yes or no");
}

/** The inbox: the runs waiting for a person, filtered, ordered and counted, and answering many at once. */
export class InboxService {
  readonly #storage: Storage;
  readonly #runs: FlowRunService;
  readonly #pauses: PauseService;
  constructor(storage: Storage, runs: FlowRunService, pauses: PauseService) {
    this.#storage = storage;
    this.#runs = runs;
    this.#pauses = pauses;
  }

  /** The waiting runs the query selects, the caller's first; with the total, the caller's count, and the counts per flow. */
  async list(caller: RequestCaller, q: z.output<typeof InboxQuery>): Promise<InboxPage> {
    authorize(caller, "flow-run:read", { type: "flow-run" });
    const me = respondentNames(caller);
    const { items, flows } = await this.#storage.runs.listWaiting({
      flowName: q.flowName,
      deploymentName: q.deploymentName,
      tag: q.tag,
      text: q.q,
      sort: q.sort,
      me,
      forMe: q.forMe,
      limit: q.limit,
    });
    const selected = q.flowName ? flows.filter((f) => f.flowName === q.flowName) : flows;
    return {
      items,
      total: selected.reduce((n, f) => n + f.count, 0),
      forMe: me ? selected.reduce((n, f) => n + f.forMe, 0) : null,
      flows: flows.map(({ flowName, count }) => ({ flowName, count })),
    };
  }

  /**
   * Approves, rejects or cancels each run, one after the other, each as its own request would (the
   * caller's role, the pause's respondents): one run refused does not stop the others, and each
   * outcome says what became of its run.
   */
  async bulk(caller: RequestCaller, body: z.output<typeof BulkBody>): Promise<BulkOutcome[]> {
    authorize(caller, actionOf(body.action), { type: "flow-run" });
    const outcomes: BulkOutcome[] = [];
    for (const id of [...new Set(body.ids)]) {
      try {
        outcomes.push({ id, ok: true, run: await this.#one(caller, id, body.action, body.comment) });
      } catch (error) {
        const known = errorResponse(error);
        if (!known) throw error;
        outcomes.push({ id, ok: false, code: known.body.code, message: known.body.message });
      }
    }
    return outcomes;
  }

  async #one(caller: RequestCaller, id: string, action: BulkAction, comment: string | undefined): Promise<FlowRun> {
    if (action === "cancel") return this.#runs.cancel(caller, id, comment ?? "Cancelled from the inbox");
    const run = await this.#runs.get(caller, id);
    const answer = run.state.type === "PAUSED" ? yesNoAnswer(run, action === "approve") : {};
    // An outcome carries the run alone, whichever the action; which check passed the answer is not reported.
    const { validatedBy: _, ...resumed } = await this.#pauses.resume(caller, id, { ...answer, ...(comment ? { comment } : {}) });
    return resumed;
  }
}

function actionOf(action: BulkAction) {
  return action === "cancel" ? ("flow-run:cancel" as const) : ("flow-run:resume" as const);
}

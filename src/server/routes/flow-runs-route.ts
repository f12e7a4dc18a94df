import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { z } from "zod";
import { CreateFlowRunBody, Flow, FlowRun, FlowRunFilter, FlowRunPage, SetStateBody, State } from "../../contract/index.ts";
import type { FlowRunService } from "../flow-run-service.ts";

const IdParams = z.object({ id: z.string().min(1).max(100) });
const CancelBody = z.object({ reason: z.string().max(1000).optional() }).nullish();

/** Flows and flow runs: create, read, list, set state, cancel, retry. */
export function flowRunsRoute(runs: FlowRunService): FastifyPluginAsyncZod {
  return async (app) => {
    const tags = ["flow runs"];
    app.get("/flows", { schema: { tags: ["flows"], summary: "List flows", response: { 200: z.array(Flow) } } }, (req) => runs.listFlows(req.caller));
    app.post(
      "/flow-runs",
      { schema: { tags, summary: "Create a flow run", body: CreateFlowRunBody, response: { 201: FlowRun } } },
      async (req, reply) => reply.status(201).send(await runs.create(req.caller, req.body)),
    );
    app.get(
      "/flow-runs",
      { schema: { tags, summary: "List flow runs, newest first", querystring: FlowRunFilter, response: { 200: FlowRunPage } } },
      (req) => runs.list(req.caller, req.query),
    );
    app.get("/flow-runs/:id", { schema: { tags, summary: "Read a flow run", params: IdParams, response: { 200: FlowRun } } }, (req) =>
      runs.get(req.caller, req.params.id),
    );
    app.get(
      "/flow-runs/:id/states",
      { schema: { tags, summary: "A flow run's state history, oldest first", params: IdParams, response: { 200: z.array(State) } } },
      (req) => runs.listStates(req.caller, req.params.id),
    );
    app.post(
      "/flow-runs/:id/set-state",
      {
        schema: { tags, summary: "Propose a state under the orchestration rules", params: IdParams, body: SetStateBody, response: { 200: FlowRun } },
      },
      (req) => runs.setState(req.caller, req.params.id, req.body.state, req.body.force, req.body.workerId),
    );
    app.post(
      "/flow-runs/:id/cancel",
      { schema: { tags, summary: "Cancel a flow run that has not finished", params: IdParams, body: CancelBody, response: { 200: FlowRun } } },
      (req) => runs.cancel(req.caller, req.params.id, req.body?.reason),
    );
    app.post(
      "/flow-runs/:id/retry",
      {
        schema: {
          tags,
          summary: "Run a failed, crashed or cancelled deployment run again",
          description:
            'The run is scheduled ("AwaitingRetry") for a serving process, which replays it: completed tasks return their kept results, accepted answers their answers; a pause whose answer the flow rejected asks again. 409 for a run that has not finished, completed, or was not started from a deployment.',
          params: IdParams,
          response: { 200: FlowRun },
        },
      },
      (req) => runs.retry(req.caller, req.params.id),
    );
  };
}

import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { z } from "zod";
import { FlowRun, InputCheckReply, PauseBody, PauseResult, ResumeBody, ResumeResult, RunInput, SuspendBody } from "../../contract/index.ts";
import type { InputChecks } from "../input-checks.ts";
import type { PauseService } from "../pause-service.ts";

const IdParams = z.object({ id: z.string().min(1).max(100) });
const KeyParams = IdParams.extend({ key: z.string().min(1).max(100) });

/** Pausing, answering, and the history of a run's questions and answers. */
export function pausesRoute(pauses: PauseService, checks: InputChecks): FastifyPluginAsyncZod {
  return async (app) => {
    const tags = ["pauses"];
    app.post(
      "/flow-runs/:id/pause",
      {
        schema: {
          tags,
          summary: "Pause a running flow run until it is answered",
          params: IdParams,
          body: PauseBody,
          response: { 200: PauseResult, 201: PauseResult },
        },
      },
      async (req, reply) => {
        const result = await pauses.pause(req.caller, req.params.id, req.body);
        return reply.status(result.status === "PAUSED" ? 201 : 200).send(result);
      },
    );
    app.post(
      "/flow-runs/:id/resume",
      {
        schema: {
          tags,
          summary: "Answer a paused flow run",
          description:
            "`input` is the answer itself: an object for an object schema, a bare value for a primitive one. The answer is checked against the pause's JSON Schema, then handed to a process holding the flow's code, which checks it with the flow's own Zod schema (refinements included) within BATON_INPUT_CHECK_TIMEOUT_SECONDS; `validatedBy` says which check it passed (`schema` when no such process answered in time). 404 unknown run, 409 not paused, 422 input that fails either check (`details.errors`, the run stays paused), 413 body over 1 MiB.",
          params: IdParams,
          body: ResumeBody.nullish(),
          response: { 200: ResumeResult },
        },
      },
      (req) => pauses.resume(req.caller, req.params.id, req.body ?? {}),
    );
    app.post(
      "/flow-runs/:id/suspend",
      {
        schema: {
          tags,
          summary: "Suspend a deployment run: its live pause at once, a running run at its next task or pause",
          description:
            'With `key`, or without one on a paused run, the live pause becomes a suspend: the waiting process lets the run go, and an answer schedules it for a serving process (409 if the pause was answered meanwhile). Without `key` on a running run, the run is set Running ("Suspending", `state.details.suspendRequested`) and suspends at its next task or pause; answering it then schedules it for a serving process, which replays it.',
          params: IdParams,
          body: SuspendBody.nullish(),
          response: { 200: FlowRun },
        },
      },
      (req) => pauses.suspend(req.caller, req.params.id, req.body?.key ?? undefined, req.body?.reason ?? undefined),
    );
    app.post(
      "/flow-runs/:id/input-checks/:checkId",
      {
        schema: {
          tags,
          summary: "Give a flow's verdict on an answer the server asked it to check",
          description:
            "Sent by a flow's process (the SDK) after the server pushed it an answer to check (`flow-run.input-check` on its event stream). 204; a verdict that comes too late is ignored.",
          params: IdParams.extend({ checkId: z.string().min(1).max(100) }),
          body: InputCheckReply,
          response: { 204: z.null() },
        },
      },
      async (req, reply) => {
        checks.reply(req.caller, req.params.id, req.params.checkId, req.body);
        return reply.status(204).send(null);
      },
    );
    app.get(
      "/flow-runs/:id/inputs",
      {
        schema: { tags, summary: "Each pause of a run: what it asked and what was answered", params: IdParams, response: { 200: z.array(RunInput) } },
      },
      (req) => pauses.listInputs(req.caller, req.params.id),
    );
    app.get(
      "/flow-runs/:id/inputs/:key",
      { schema: { tags, summary: "One pause of a run", params: KeyParams, response: { 200: RunInput } } },
      (req) => pauses.getInput(req.caller, req.params.id, req.params.key),
    );
  };
}

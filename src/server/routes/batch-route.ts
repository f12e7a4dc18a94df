import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import type { z } from "zod";
import { BadRequestError } from "../../contract/errors.ts";
import { BatchBody, BatchOperation, BatchResult } from "../../contract/index.ts";
import { errorResponse, INTERNAL_ERROR_BODY } from "../error-handler.ts";
import type { FlowRunService } from "../flow-run-service.ts";
import type { MessageService } from "../message-service.ts";
import type { RequestCaller } from "../request-caller.ts";
import type { TaskRunService } from "../task-run-service.ts";

/**
 * Several writes in one request. A process running many flows at once sends their task and state
 * reports together, so that a thousand runs cost tens of requests instead of thousands; on SQLite their
 * transactions then also commit together. Each operation is carried out as its own endpoint would, as
 * if all were sent at the same time, and answers with that endpoint's status and body.
 */
export function batchRoute(runs: FlowRunService, tasks: TaskRunService, messages: MessageService): FastifyPluginAsyncZod {
  return async (app) => {
    async function perform(caller: RequestCaller, raw: z.output<typeof BatchBody>["operations"][number]): Promise<{ status: number; body: unknown }> {
      const parsed = BatchOperation.safeParse(raw);
      if (!parsed.success) {
        const errors = parsed.error.issues.map((i) => ({ path: `/${i.path.join("/")}`, message: i.message }));
        throw new BadRequestError(`This ${raw.op} operation is not valid: ${errors.map((e) => `${e.path} ${e.message}`).join("; ")}`, errors);
      }
      const o = parsed.data;
      switch (o.op) {
        case "createTaskRun": {
          const { taskRun, created } = await tasks.create(caller, o.body);
          return { status: created ? 201 : 200, body: taskRun };
        }
        case "setTaskRunState":
          return { status: 200, body: await tasks.setState(caller, o.id, o.body) };
        case "setFlowRunState":
          return { status: 200, body: await runs.setState(caller, o.id, o.body.state, o.body.force, o.body.workerId) };
        case "sendMessage": {
          const { message, created } = await messages.send(caller, o.id, o.body);
          return { status: created ? 201 : 200, body: message };
        }
      }
    }
    app.post(
      "/batch",
      {
        schema: {
          tags: ["batch"],
          summary: "Carry out several task-run and flow-run writes (and messages sent) in one request",
          body: BatchBody,
          response: { 200: BatchResult },
        },
      },
      async (req) => ({
        results: await Promise.all(
          req.body.operations.map((o) =>
            perform(req.caller, o).catch((error: unknown) => {
              const known = errorResponse(error);
              if (known) return known;
              req.log.error({ err: error, op: o.op }, "unexpected error in a batch operation");
              return { status: 500, body: INTERNAL_ERROR_BODY };
            }),
          ),
        ),
      }),
    );
  };
}

import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { z } from "zod";
import { CreateTaskRunBody, SetTaskRunStateBody, TaskRun } from "../../contract/index.ts";
import type { TaskRunService } from "../task-run-service.ts";

const IdParams = z.object({ id: z.string().min(1).max(100) });

/** Task runs: one per task call, with state, retries and result. */
export function taskRunsRoute(tasks: TaskRunService): FastifyPluginAsyncZod {
  return async (app) => {
    const tags = ["task runs"];
    app.post(
      "/task-runs",
      {
        schema: {
          tags,
          summary: "Create a task run (or return the one with the same key)",
          body: CreateTaskRunBody,
          response: { 200: TaskRun, 201: TaskRun },
        },
      },
      async (req, reply) => {
        const { taskRun, created } = await tasks.create(req.caller, req.body);
        return reply.status(created ? 201 : 200).send(taskRun);
      },
    );
    app.get("/task-runs/:id", { schema: { tags, summary: "Read a task run", params: IdParams, response: { 200: TaskRun } } }, (req) =>
      tasks.get(req.caller, req.params.id),
    );
    app.post(
      "/task-runs/:id/set-state",
      { schema: { tags, summary: "Set a task run's state (and result)", params: IdParams, body: SetTaskRunStateBody, response: { 200: TaskRun } } },
      (req) => tasks.setState(req.caller, req.params.id, req.body),
    );
    app.get(
      "/flow-runs/:id/task-runs",
      { schema: { tags, summary: "A flow run's task runs in call order", params: IdParams, response: { 200: z.array(TaskRun) } } },
      (req) => tasks.listForRun(req.caller, req.params.id),
    );
  };
}

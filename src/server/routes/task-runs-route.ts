import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { Readable } from "node:stream";
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
    // A result too large for the task run's row: its JSON text as the raw body, with its content-length, read
    // as a stream by the service up to BATON_RESULT_MAX_BYTES (the 1 MiB limit of JSON bodies stays on every
    // other route). The size is required so that one too large is refused before it is read: stopping an
    // upload midway would leave its client writing to a connection that is no longer read. The parser is this
    // plugin's, so no other group of routes takes octet-stream bodies.
    app.addContentTypeParser("application/octet-stream", (_req, payload, done) => done(null, payload));
    app.put(
      "/task-runs/:id/result",
      {
        schema: {
          tags,
          summary:
            "Upload a task's result too large for its row (its JSON text, application/octet-stream, with a content-length), before set-state COMPLETED with resultUploaded",
          params: IdParams,
          response: { 200: z.object({ bytes: z.number().int() }) },
        },
      },
      (req) => {
        const length = req.headers["content-length"];
        const body = req.body instanceof Readable ? req.body : undefined;
        return tasks.storeResult(req.caller, req.params.id, length === undefined ? undefined : Number(length), body);
      },
    );
    app.get(
      "/task-runs/:id/result",
      { schema: { tags, summary: "Read a task's result kept in the result store (its JSON text)", params: IdParams } },
      async (req, reply) => reply.type("application/json; charset=utf-8").send(Buffer.from(await tasks.readResult(req.caller, req.params.id))),
    );
    app.get(
      "/flow-runs/:id/task-runs",
      { schema: { tags, summary: "A flow run's task runs in call order", params: IdParams, response: { 200: z.array(TaskRun) } } },
      (req) => tasks.listForRun(req.caller, req.params.id),
    );
  };
}

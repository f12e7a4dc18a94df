import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { z } from "zod";
import { Log, LogBatch } from "../../contract/index.ts";
import type { LogService } from "../log-service.ts";

const IdParams = z.object({ id: z.string().min(1).max(100) });
const LogsQuery = z.object({
  after: z.coerce.number().int().min(0).default(0),
  limit: z.coerce.number().int().min(1).max(5000).default(1000),
});

/** Log lines: batched ingest, read; follow them through `GET /api/events?flowRunId=...&types=log`. */
export function logsRoute(logs: LogService): FastifyPluginAsyncZod {
  return async (app) => {
    const tags = ["logs"];
    app.post(
      "/logs",
      { schema: { tags, summary: "Write a batch of log lines (up to 1,000)", body: LogBatch, response: { 201: z.object({ count: z.number() }) } } },
      async (req, reply) => reply.status(201).send({ count: await logs.ingest(req.caller, req.body) }),
    );
    app.get(
      "/flow-runs/:id/logs",
      {
        schema: {
          tags,
          summary: "A flow run's log lines after an id, oldest first",
          params: IdParams,
          querystring: LogsQuery,
          response: { 200: z.array(Log) },
        },
      },
      (req) => logs.list(req.caller, req.params.id, req.query.after, req.query.limit),
    );
  };
}

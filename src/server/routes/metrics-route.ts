import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import type { MetricsService } from "../metrics-service.ts";

/** `GET /api/metrics`: the server's metrics in Prometheus' text format, for a scraper. */
export function metricsRoute(metrics: MetricsService): FastifyPluginAsyncZod {
  return async (app) => {
    app.get("/metrics", { schema: { tags: ["server"], summary: "Metrics in Prometheus' text format (see README, Metrics)" } }, async (req, reply) => {
      const { contentType, body } = await metrics.render(req.caller);
      return reply.type(contentType).send(body);
    });
  };
}

import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { z } from "zod";
import { AuditEntry, AuditQuery, AuditVerification } from "../../contract/index.ts";
import type { AuditService } from "../audit-service.ts";

/** The audit log (admins only): its entries, and the check of its chain. */
export function auditRoute(audit: AuditService): FastifyPluginAsyncZod {
  return async (app) => {
    const tags = ["audit"];
    app.get(
      "/audit",
      {
        schema: {
          tags,
          summary: "Audit log entries after a sequence number, oldest first",
          querystring: AuditQuery,
          response: { 200: z.array(AuditEntry) },
        },
      },
      (req) => audit.list(req.caller, req.query),
    );
    app.get(
      "/audit/verify",
      {
        schema: { tags, summary: "Check the audit log's hash chain; names the first entry edited or removed", response: { 200: AuditVerification } },
      },
      (req) => audit.verify(req.caller),
    );
  };
}

import type { AuditService } from "../audit-service.ts";
import { oneAtATime } from "./one-at-a-time.ts";

/**
 * Chains the audit entries recorded since its last pass, every `intervalMs`, so that an entry is open to
 * an edit in the database for about that long at most (reads chain first, so they never wait for it).
 * Several servers may run it at once: chainers take turns on the log's head.
 */
export function startAuditChainer(audit: AuditService, intervalMs: number, onError: (e: unknown) => void): { stop(): Promise<void> } {
  const passes = oneAtATime(() => audit.chain());
  const timer = setInterval(() => {
    if (!passes.busy) passes.run().catch(onError);
  }, intervalMs);
  timer.unref();
  return {
    async stop() {
      clearInterval(timer);
      await passes.idle();
    },
  };
}

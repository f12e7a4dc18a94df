import type { FlowRunService } from "../flow-run-service.ts";

/**
 * Fails runs whose pause timed out. Each sweep moves a run only if it is still in the paused state it
 * read, so several servers sharing one PostgreSQL can sweep at once without failing a run twice.
 */
export function startExpiryService(runs: FlowRunService, intervalSeconds: number, onError: (e: unknown) => void): () => void {
  let running = false;
  const timer = setInterval(async () => {
    if (running) return;
    running = true;
    try {
      while ((await runs.expirePauses(200)) === 200);
    } catch (e) {
      onError(e);
    } finally {
      running = false;
    }
  }, intervalSeconds * 1000);
  timer.unref();
  return () => clearInterval(timer);
}

import type { DeploymentService } from "../deployment-service.ts";

/**
 * Every few seconds, recovers runs whose process stopped sending heartbeats for `timeoutSeconds`:
 * a paused deployment run becomes suspended, a running one is scheduled again, others are Crashed.
 */
export function startHeartbeatMonitor(deployments: DeploymentService, timeoutSeconds: number, onError: (e: unknown) => void): () => void {
  let busy = false;
  // Processes cannot send heartbeats to a server that is down: after a (re)start, give them one full
  // timeout to reconnect before judging anyone silent.
  const judgeFrom = Date.now() + timeoutSeconds * 1000;
  const timer = setInterval(
    async () => {
      if (busy || Date.now() < judgeFrom) return;
      busy = true;
      try {
        while ((await deployments.recoverSilentRuns(timeoutSeconds, 200)) === 200);
      } catch (e) {
        onError(e);
      } finally {
        busy = false;
      }
    },
    Math.max(100, Math.min(5000, (timeoutSeconds * 1000) / 4)),
  );
  timer.unref();
  return () => clearInterval(timer);
}

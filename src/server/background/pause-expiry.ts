import type { PauseService } from "../pause-service.ts";
import { oneAtATime } from "./one-at-a-time.ts";

/** The running pause expiry loop. */
export interface PauseExpiry {
  /**
   * Sweeps now, after any sweep in progress (which may have read the clock before it moved), and resolves
   * with how many runs this sweep failed.
   */
  sweep(): Promise<number>;
  stop(): void;
}

/**
 * Acts on runs whose pause timed out (fails, cancels or answers them, as each pause says), every `intervalSeconds`. Each sweep moves a run only if it is still in
 * the paused state it read, so several servers sharing one PostgreSQL can sweep at once without failing a
 * run twice.
 */
export function startPauseExpiry(pauses: PauseService, intervalSeconds: number, onError: (e: unknown) => void): PauseExpiry {
  const sweeps = oneAtATime(async () => {
    let failed = 0;
    for (let n = 200; n === 200; failed += n) n = await pauses.expirePauses(200);
    return failed;
  });
  const timer = setInterval(() => {
    if (!sweeps.busy) sweeps.run().catch(onError);
  }, intervalSeconds * 1000);
  timer.unref();
  return { sweep: () => sweeps.run(), stop: () => clearInterval(timer) };
}

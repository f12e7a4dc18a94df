import type { DeliveryService } from "../delivery-service.ts";

/** The running delivery loop. */
export interface DeliveryLoop {
  /** Looks for due deliveries now (after deliveries were queued on this server). */
  wake(): void;
  /** Resolves once no delivery is being claimed or sent by this server. */
  idle(): Promise<void>;
  /** Stops claiming; resolves once the deliveries in flight have finished. */
  stop(): Promise<void>;
}

/**
 * Claims due deliveries and carries them out, at most `concurrency` at once, each in the background:
 * a slow or dead endpoint holds one slot until its timeout, never a request, a run, or the loop. It
 * looks every `intervalMs` (for retries that came due, and deliveries other servers queued) and
 * whenever `wake` is called. Several servers may run it on one database: a claim takes each delivery
 * for one of them.
 */
export function startDeliveryLoop(
  deliveries: DeliveryService,
  options: { concurrency?: number | undefined; intervalMs?: number | undefined; onError(e: unknown): void },
): DeliveryLoop {
  const concurrency = options.concurrency ?? 16;
  const inFlight = new Set<Promise<void>>();
  let stopped = false;
  let claiming: Promise<void> | undefined;
  let again = false;

  const claimWhileRoom = async () => {
    do {
      again = false;
      while (!stopped && inFlight.size < concurrency) {
        const claimed = await deliveries.claim(concurrency - inFlight.size);
        for (const d of claimed) {
          const sending: Promise<void> = deliveries
            .attempt(d)
            .catch(options.onError)
            .finally(() => {
              inFlight.delete(sending);
              wake();
            });
          inFlight.add(sending);
        }
        if (claimed.length === 0) break;
      }
    } while (again && !stopped && inFlight.size < concurrency);
  };

  const wake = () => {
    if (stopped) return;
    if (claiming) {
      again = true;
      return;
    }
    claiming = claimWhileRoom()
      .catch(options.onError)
      .finally(() => {
        claiming = undefined;
      });
  };

  const timer = setInterval(wake, options.intervalMs ?? 1000);
  timer.unref();
  const idle = async () => {
    while (claiming || inFlight.size) await Promise.allSettled([claiming, ...inFlight]);
  };
  return {
    wake,
    idle,
    async stop() {
      stopped = true;
      clearInterval(timer);
      await idle();
    },
  };
}

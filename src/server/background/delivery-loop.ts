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
 * Claims due deliveries and carries them out, at most `concurrency` at once and `perChannel` to one
 * channel, each in the background: a slow or dead endpoint holds at most `perChannel` slots until their
 * timeout, never a request, a run, the loop, or another channel's deliveries. It
 * looks every `intervalMs` (for retries that came due, and deliveries other servers queued) and
 * whenever `wake` is called. Several servers may run it on one database: a claim takes each delivery
 * for one of them.
 */
export function startDeliveryLoop(
  deliveries: DeliveryService,
  options: { concurrency?: number | undefined; perChannel?: number | undefined; intervalMs?: number | undefined; onError(e: unknown): void },
): DeliveryLoop {
  const concurrency = options.concurrency ?? 32;
  const perChannel = options.perChannel ?? 8;
  const inFlight = new Set<Promise<void>>();
  /** Deliveries in flight per channel id. */
  const busy = new Map<string, number>();
  const full = () => [...busy].filter(([, n]) => n >= perChannel).map(([id]) => id);
  const count = (channelId: string | null, by: number) => {
    if (channelId === null) return;
    const n = (busy.get(channelId) ?? 0) + by;
    if (n) busy.set(channelId, n);
    else busy.delete(channelId);
  };
  let stopped = false;
  let claiming: Promise<void> | undefined;
  let again = false;

  const claimWhileRoom = async () => {
    do {
      again = false;
      while (!stopped && inFlight.size < concurrency) {
        // No claim may take a channel past perChannel: it takes at most what the busiest channel has left.
        const busiest = Math.max(0, ...[...busy.values()].filter((n) => n < perChannel));
        const claimed = await deliveries.claim(Math.min(concurrency - inFlight.size, perChannel - busiest), full());
        for (const d of claimed) {
          count(d.channelId, 1);
          const sending: Promise<void> = deliveries
            .attempt(d)
            .catch(options.onError)
            .finally(() => {
              count(d.channelId, -1);
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

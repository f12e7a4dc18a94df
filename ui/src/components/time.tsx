import { useCallback, useSyncExternalStore } from "react";
import { dateTime, onTimeZoneChange, relativeTime, timeZone } from "../lib/format.ts";

/** One clock per interval, shared by every component that reads it, so that two places on a page agree. */
interface Clock {
  now: number;
  listeners: Set<() => void>;
  timer: ReturnType<typeof setInterval>;
}
const clocks = new Map<number, Clock>();

function clockOf(everyMs: number): Clock {
  let clock = clocks.get(everyMs);
  if (!clock) {
    const c: Clock = {
      now: Date.now(),
      listeners: new Set(),
      timer: setInterval(() => {
        c.now = Date.now();
        for (const l of c.listeners) l();
      }, everyMs),
    };
    clocks.set(everyMs, c);
    clock = c;
  }
  return clock;
}

/** The current time, renewed every `everyMs` so that "5 minutes ago" stays true; the same value for every reader. */
export function useNow(everyMs = 15_000): number {
  const subscribe = useCallback(
    (listener: () => void) => {
      const clock = clockOf(everyMs);
      clock.listeners.add(listener);
      return () => {
        clock.listeners.delete(listener);
        if (clock.listeners.size === 0) {
          clearInterval(clock.timer);
          clocks.delete(everyMs);
        }
      };
    },
    [everyMs],
  );
  return useSyncExternalStore(subscribe, () => clockOf(everyMs).now);
}

/** The zone times are shown in; a component that formats times calls it, so that it shows them again when the zone changes. */
export function useTimeZone(): string {
  return useSyncExternalStore(onTimeZoneChange, timeZone);
}

/** "3 minutes ago", with the full date and time (and its zone) on hover and for screen readers. */
export function TimeAgo({ iso, now }: { iso: string; now: number }) {
  useTimeZone();
  return (
    <time dateTime={iso} title={dateTime(iso)}>
      {relativeTime(iso, now)}
    </time>
  );
}

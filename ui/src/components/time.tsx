import { useEffect, useState, useSyncExternalStore } from "react";
import { dateTime, onTimeZoneChange, relativeTime, timeZone } from "../lib/format.ts";

/** The current time, renewed every `everyMs` so that "5 minutes ago" stays true. */
export function useNow(everyMs = 15_000): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const t = setInterval(() => setNow(Date.now()), everyMs);
    return () => clearInterval(t);
  }, [everyMs]);
  return now;
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

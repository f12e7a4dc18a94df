import { useEffect, useState } from "react";
import { dateTime, relativeTime } from "../lib/format.ts";

/** The current time, renewed every `everyMs` so that "5 minutes ago" stays true. */
export function useNow(everyMs = 15_000): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const t = setInterval(() => setNow(Date.now()), everyMs);
    return () => clearInterval(t);
  }, [everyMs]);
  return now;
}

/** "3 minutes ago", with the full date and time on hover and for screen readers. */
export function TimeAgo({ iso, now }: { iso: string; now: number }) {
  return (
    <time dateTime={iso} title={dateTime(iso)}>
      {relativeTime(iso, now)}
    </time>
  );
}

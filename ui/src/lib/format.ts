/** How times and durations read in the UI: short, and in the person's own locale and time zone. */

const UNITS: [Intl.RelativeTimeFormatUnit, number][] = [
  ["day", 86_400_000],
  ["hour", 3_600_000],
  ["minute", 60_000],
  ["second", 1000],
];

/** "3 minutes ago", "in 2 hours", "now". */
export function relativeTime(iso: string, now = Date.now()): string {
  const diff = Date.parse(iso) - now;
  const abs = Math.abs(diff);
  if (abs < 10_000) return "just now";
  const rtf = new Intl.RelativeTimeFormat(undefined, { numeric: "auto", style: "long" });
  for (const [unit, ms] of UNITS) if (abs >= ms || unit === "second") return rtf.format(Math.round(diff / ms), unit);
  return rtf.format(0, "second");
}

/** A span of time, to the precision that matters: "850 ms", "4.2 s", "3 min 5 s", "2 h 10 min", "3 d 4 h". */
export function duration(ms: number): string {
  if (ms < 0) ms = 0;
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(ms < 10_000 ? 1 : 0)} s`;
  const s = Math.floor(ms / 1000);
  if (s < 3600) return `${Math.floor(s / 60)} min${s % 60 ? ` ${s % 60} s` : ""}`;
  if (s < 86_400) return `${Math.floor(s / 3600)} h${Math.floor((s % 3600) / 60) ? ` ${Math.floor((s % 3600) / 60)} min` : ""}`;
  return `${Math.floor(s / 86_400)} d${Math.floor((s % 86_400) / 3600) ? ` ${Math.floor((s % 86_400) / 3600)} h` : ""}`;
}

/** A coarse span for "waiting 5 min": seconds only under a minute, never more than two units. */
export function age(ms: number): string {
  if (ms < 60_000) return `${Math.max(0, Math.floor(ms / 1000))} s`;
  return duration(ms).replace(/ \d+ s$/, "");
}

/** How long from `startIso` to `endIso` (or to now). */
export function durationBetween(startIso: string | null, endIso: string | null, now = Date.now()): string {
  if (!startIso) return "—";
  return duration((endIso ? Date.parse(endIso) : now) - Date.parse(startIso));
}

/** A full local date and time, for tooltips and detail pages: "26 Nov 2026, 09:05:04". */
export function dateTime(iso: string): string {
  return new Date(iso).toLocaleString(undefined, { dateStyle: "medium", timeStyle: "medium" });
}

/** A compact local time: today "09:05", else "26 Nov, 09:05". */
export function shortTime(iso: string, now = Date.now()): string {
  const d = new Date(iso);
  const sameDay = new Date(now).toDateString() === d.toDateString();
  return sameDay
    ? d.toLocaleTimeString(undefined, { hour: "2-digit", minute: "2-digit" })
    : d.toLocaleString(undefined, { day: "numeric", month: "short", hour: "2-digit", minute: "2-digit" });
}

/** The first non-empty line of a Markdown text, without heading or list markers. */
export function firstLine(markdown: string | null | undefined): string {
  const line = (markdown ?? "").split(/\r?\n/).find((l) => l.trim() !== "") ?? "";
  return line.replace(/^\s{0,3}(#{1,6}\s+|[-*+]\s+|>\s?|\d+[.)]\s+)/, "").trim();
}

/** "firstName" or "first_name" → "First name": a field label for a schema property without a title. */
export function humanize(key: string): string {
  const words = key
    .replace(/([a-z0-9])([A-Z])/g, "$1 $2")
    .replace(/[_-]+/g, " ")
    .trim()
    .toLowerCase();
  return words.charAt(0).toUpperCase() + words.slice(1);
}

/** How times and durations read in the UI: short, in the person's own locale, and in the time zone they chose (always named). */

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

/** The browser's own time zone ("America/New_York"). */
export function browserTimeZone(): string {
  return Intl.DateTimeFormat().resolvedOptions().timeZone;
}

let zone = browserTimeZone();
const zoneListeners = new Set<() => void>();

/** The time zone every time is shown in: the person's choice (display settings), by default the browser's. */
export function timeZone(): string {
  return zone;
}

/** Shows every time in `next` from now on; a name the browser does not know is ignored (the zone stays). */
export function setTimeZone(next: string): void {
  if (!isTimeZone(next) || next === zone) return;
  zone = next;
  for (const listener of zoneListeners) listener();
}

/** Calls `listener` whenever the zone changes; returns how to stop. */
export function onTimeZoneChange(listener: () => void): () => void {
  zoneListeners.add(listener);
  return () => zoneListeners.delete(listener);
}

/** Whether the browser knows the zone `name`. */
export function isTimeZone(name: string): boolean {
  try {
    new Intl.DateTimeFormat(undefined, { timeZone: name });
    return true;
  } catch {
    return false;
  }
}

/** The zone's short name at an instant, as written after a time: "EST", "GMT+1", "UTC". */
export function zoneName(iso: string | number = Date.now(), name = zone): string {
  const parts = new Intl.DateTimeFormat(undefined, { timeZone: name, timeZoneName: "short" }).formatToParts(new Date(iso));
  return parts.find((p) => p.type === "timeZoneName")?.value ?? name;
}

/** A full date and time with its zone, for tooltips and detail pages: "26 Nov 2026, 09:05:04 EST". */
export function dateTime(iso: string): string {
  return new Date(iso).toLocaleString(undefined, { dateStyle: "medium", timeStyle: "long", timeZone: zone });
}

/** A compact time with its zone: today "09:05 EST", else "26 Nov, 09:05 EST". */
export function shortTime(iso: string, now = Date.now()): string {
  const d = new Date(iso);
  const day = (t: Date | number) => new Date(t).toLocaleDateString("en-CA", { timeZone: zone });
  return d.toLocaleString(undefined, {
    ...(day(d) === day(now) ? {} : { day: "numeric", month: "short" }),
    hour: "2-digit",
    minute: "2-digit",
    timeZone: zone,
    timeZoneName: "short",
  });
}

/** A time of day to the second with its zone, for log lines: "09:05:04 EST". */
export function clockTime(iso: string): string {
  return new Date(iso).toLocaleTimeString(undefined, { hour12: false, timeZone: zone, timeZoneName: "short" });
}

/** The wall-clock fields of an instant in `name`: what a clock there shows. */
function wallClock(ms: number, name: string): { y: number; mo: number; d: number; h: number; mi: number; s: number } {
  const parts = new Intl.DateTimeFormat("en-US", {
    timeZone: name,
    hourCycle: "h23",
    year: "numeric",
    month: "2-digit",
    day: "2-digit",
    hour: "2-digit",
    minute: "2-digit",
    second: "2-digit",
  }).formatToParts(new Date(ms));
  const get = (t: string) => Number(parts.find((p) => p.type === t)?.value ?? 0);
  return { y: get("year"), mo: get("month"), d: get("day"), h: get("hour"), mi: get("minute"), s: get("second") };
}

/** How far `name` is ahead of UTC at the instant `ms`, in milliseconds. */
function offsetAt(ms: number, name: string): number {
  const w = wallClock(ms, name);
  return Date.UTC(w.y, w.mo - 1, w.d, w.h, w.mi, w.s) - Math.floor(ms / 1000) * 1000;
}

/** An instant as a `datetime-local` input's value ("2026-03-01T10:30") on a clock in `name`. */
export function toZonedInput(iso: string, name = zone): string {
  const w = wallClock(Date.parse(iso), name);
  const p = (n: number, width = 2) => String(n).padStart(width, "0");
  return `${p(w.y, 4)}-${p(w.mo)}-${p(w.d)}T${p(w.h)}:${p(w.mi)}${w.s ? `:${p(w.s)}` : ""}`;
}

/** A `datetime-local` value read on a clock in `name`, as an ISO instant in UTC; undefined when it is not a date and time. */
export function fromZonedInput(local: string, name = zone): string | undefined {
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2}))?/.exec(local);
  if (!m) return undefined;
  const [y, mo, d, h, mi, s] = m.slice(1).map((v) => Number(v ?? 0)) as [number, number, number, number, number, number];
  const asUtc = Date.UTC(y, mo - 1, d, h, mi, s);
  // The offset at the guess, then at the result: right on both sides of a daylight-saving change.
  const first = asUtc - offsetAt(asUtc, name);
  return new Date(asUtc - offsetAt(first, name)).toISOString();
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

import { ConfigError } from "./errors.ts";

const UNITS: Record<string, number> = { ms: 0.001, s: 1, m: 60, h: 3600, d: 86400, w: 604800 };

/**
 * Seconds from a number of seconds or a duration string: "90s", "15m", "1h30m", "7d".
 * @example parseDuration("1h30m") // 5400
 */
export function parseDuration(value: number | string, what = "timeout"): number {
  if (typeof value === "number") {
    if (!Number.isFinite(value) || value <= 0) throw new ConfigError(`The ${what} must be a positive number of seconds; got ${value}.`);
    return value;
  }
  const text = value.trim();
  const parts = [...text.matchAll(/(\d+(?:\.\d+)?)\s*(ms|s|m|h|d|w)/g)];
  if (
    !parts.length ||
    parts
      .map((p) => p[0])
      .join("")
      .replace(/\s/g, "") !== text.replace(/\s/g, "")
  )
    throw new ConfigError(`The ${what} "${value}" is not a duration; write it like "90s", "15m", "1h30m" or "7d", or give a number of seconds.`);
  const seconds = parts.reduce((sum, p) => sum + Number(p[1]) * UNITS[p[2]!]!, 0);
  if (seconds <= 0) throw new ConfigError(`The ${what} "${value}" must be longer than zero.`);
  return seconds;
}

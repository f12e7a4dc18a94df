/** Plain-text rendering shared by the commands: tables, times, JSON values. */

/**
 * Lays rows out in columns padded to their widest cell, with a header row.
 *
 * @example
 * formatTable(["ID", "STATE"], [["3f2a…", "Paused"]]); // "ID     STATE\n3f2a…  Paused"
 */
export function formatTable(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length)));
  const line = (cells: readonly string[]) =>
    cells
      .map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]!)))
      .join("  ")
      .trimEnd();
  return [line(header), ...rows.map(line)].join("\n");
}

/**
 * A timestamp in local time (the `TZ` environment variable, else the system's zone), to the second (or
 * with `ms`, the millisecond), with its offset from UTC, so that it reads the same anywhere:
 * "2025-03-01 14:05:09 +01:00".
 */
export function formatTime(iso: string | null | undefined, options: { ms?: boolean } = {}): string {
  if (!iso) return "-";
  const d = new Date(iso);
  const pad = (n: number, width = 2) => String(Math.abs(n)).padStart(width, "0");
  const offset = -d.getTimezoneOffset();
  const zone = `${offset < 0 ? "-" : "+"}${pad(Math.trunc(offset / 60))}:${pad(offset % 60)}`;
  const ms = options.ms ? `.${pad(d.getMilliseconds(), 3)}` : "";
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}${ms} ${zone}`;
}

/** How long ago (or how far ahead) a time is, roughly: "5s ago", "3m ago", "in 2h", "in 6d". */
export function formatRelative(iso: string, now = Date.now()): string {
  const ms = new Date(iso).getTime() - now;
  const s = Math.round(Math.abs(ms) / 1000);
  const amount = s < 60 ? `${s}s` : s < 3600 ? `${Math.floor(s / 60)}m` : s < 86400 ? `${Math.floor(s / 3600)}h` : `${Math.floor(s / 86400)}d`;
  return ms < 0 ? `${amount} ago` : `in ${amount}`;
}

/** A value as compact JSON, for one line of output. */
export function formatJson(value: unknown): string {
  return value === undefined ? "(none)" : JSON.stringify(value);
}

/** A JSON pointer as a person reads a field name: "/address/city" → "address.city", "" → `whole` ("(input)"). */
export function formatPath(pointer: string, whole = "(input)"): string {
  return pointer ? pointer.replace(/^\//, "").replaceAll("/", ".") : whole;
}

// Helpers shared by the benches (bench/pause-resume.ts, bench/suspend.ts): percentiles, CPU and memory
// of a process from /proc, the results table with targets, and a timeout that explains itself.
import { readFileSync } from "node:fs";
import { loadavg } from "node:os";

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** The machine's load averages over 1, 5 and 15 minutes, as `uptime` prints them. */
export const loadAverage = () =>
  loadavg()
    .map((l) => l.toFixed(2))
    .join(" ");
/** Nanoseconds (a difference of `process.hrtime.bigint()`) in ms. */
export const ms = (ns: bigint) => Number(ns) / 1e6;

export function percentile(sorted: number[], p: number): number {
  if (!sorted.length) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

/** `promise`, or a rejection explained by `explain()` if it takes longer than `ms`. */
export async function withTimeout<T>(promise: Promise<T>, ms: number, explain: () => Promise<string>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => void explain().then((m) => reject(new Error(m)), reject), ms);
  });
  try {
    return await Promise.race([promise, late]);
  } finally {
    clearTimeout(timer);
  }
}

/** CPU time (user + system) a process has used so far, in ms. */
export function cpuMs(pid: number): number {
  const [user, system] = cpuSplitMs(pid);
  return user + system;
}

/** User and system CPU time a process has used so far, in ms. */
export function cpuSplitMs(pid: number): [number, number] {
  // Fields after the command name (which may hold spaces); utime and stime are the 12th and 13th.
  const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]!.split(" ");
  return [(Number(fields[11]) * 1000) / CLOCK_TICKS, (Number(fields[12]) * 1000) / CLOCK_TICKS];
}
const CLOCK_TICKS = 100;

/**
 * Waits until these processes are (nearly) idle: under 10% of a CPU each over 200 ms, or 10 s at most.
 * A burst the bench caused (1,000 runs pausing, and their log lines) then ends before the next is timed.
 */
export async function waitIdle(pids: number[]): Promise<void> {
  const windowMs = 200;
  for (const deadline = Date.now() + 10_000; Date.now() < deadline; ) {
    const before = pids.map(cpuMs);
    await sleep(windowMs);
    if (pids.every((pid, i) => cpuMs(pid) - before[i]! < windowMs * 0.1)) return;
  }
}

/** Peak resident memory in MB (10^6 bytes; the kernel's "kB" are KiB). */
export function peakRssMb(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const kib = Number(/VmHWM:\s+(\d+)\s+kB/.exec(status)?.[1] ?? NaN);
  return (kib * 1024) / 1e6;
}

export interface Row {
  label: string;
  value: number;
  unit: string;
  /** Decimals shown; by default 0 from 100 up, else 2. */
  digits?: number;
  target?: { op: "<" | ">="; value: number };
}

/** Prints the rows as a table, each with its target (if any) and MET or MISSED. */
export function report(rows: Row[]): void {
  const fmt = (v: number, digits?: number) => v.toFixed(digits ?? (v >= 100 ? 0 : 2));
  const lines = rows.map((r) => {
    const result = `${fmt(r.value, r.digits)} ${r.unit}`;
    if (!r.target) return [r.label, result, "", ""];
    const met = r.target.op === "<" ? r.value < r.target.value : r.value >= r.target.value;
    return [r.label, result, `${r.target.op} ${r.target.value} ${r.unit}`, met ? "MET" : "MISSED"];
  });
  const widths = [0, 1, 2].map((c) => Math.max(...lines.map((l) => l[c]!.length)));
  console.log(`${"".padEnd(widths[0]!)}  ${"result".padStart(widths[1]!)}  ${"target".padEnd(widths[2]!)}`);
  for (const l of lines) console.log(`${l[0]!.padEnd(widths[0]!)}  ${l[1]!.padStart(widths[1]!)}  ${l[2]!.padEnd(widths[2]!)}  ${l[3]}`.trimEnd());
}

import { z } from "zod";
import { identifier } from "./text.ts";

/** Log levels, as the run logger writes them. */
export const LogLevel = z.enum(["debug", "info", "warning", "error"]);
export type LogLevel = z.infer<typeof LogLevel>;

/** A log line as a flow writes it. */
export const LogEntry = z.object({
  flowRunId: identifier(z.string().max(100)),
  taskRunId: identifier(z.string().max(100)).nullable().optional(),
  level: LogLevel,
  message: z.string().max(64 * 1024),
  timestamp: z.iso.datetime(),
});
export type LogEntry = z.infer<typeof LogEntry>;

/** A stored log line. */
export const Log = LogEntry.extend({ id: z.number().int(), taskRunId: z.string().nullable() });
export type Log = z.infer<typeof Log>;

/** Body of `POST /api/logs`: up to 1,000 lines at once. */
export const LogBatch = z.array(LogEntry).min(1).max(1000);

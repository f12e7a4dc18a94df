import type { FlowRun, Log, RunInput } from "../contract/index.ts";
import { commandPrefix, shellQuote } from "./cli-client.ts";
import { formatJson, formatRelative, formatTable, formatTime } from "./format.ts";
import { exampleValue, formatFieldTable } from "./field-table.ts";
import { formFields } from "./input-form.ts";

/** The runs of `flow-run ls` as a table: id, name, flow, state, when created, since when in this state. */
export function formatRunTable(runs: readonly FlowRun[], now = Date.now()): string {
  return formatTable(
    ["ID", "NAME", "FLOW", "STATE", "CREATED", "SINCE"],
    runs.map((r) => [r.id, r.name, r.flowName, r.state.name, formatTime(r.createdAt), formatRelative(r.state.timestamp, now)]),
  );
}

/** Whether a value is a valid answer to a JSON Schema (the server's check, input-validation.ts). */
export type FitsSchema = (schema: Record<string, unknown>, value: unknown) => boolean;

/**
 * Everything `flow-run inspect` shows of a run: its state and times, its parameters, what its pause
 * asks for (when paused) with an example answer that `fits` its schema, and each pause's answer so far.
 */
export function formatRunDetails(run: FlowRun, inputs: readonly RunInput[], now = Date.now(), fits: FitsSchema = () => true): string {
  const { state } = run;
  const lines = [
    `Flow run    ${run.id} (${run.name})`,
    `Flow        ${run.flowName}`,
    `State       ${state.name} (${state.type}) since ${formatTime(state.timestamp)}, ${formatRelative(state.timestamp, now)}`,
  ];
  if (state.message) lines.push(`            ${state.message}`);
  const error = state.details.error;
  if (error && error.message !== state.message) lines.push(`            ${error.name}: ${error.message}`);
  lines.push(
    `Created     ${formatTime(run.createdAt)}`,
    `Started     ${formatTime(run.startTime)}`,
    `Ended       ${formatTime(run.endTime)}`,
    `Parameters  ${Object.keys(run.parameters).length ? formatJson(run.parameters) : "(none)"}`,
  );
  if (run.tags.length) lines.push(`Tags        ${run.tags.join(", ")}`);
  if (state.type === "PAUSED") lines.push("", ...formatPause(run, now, fits));
  lines.push("", ...formatInputs(inputs, now));
  return lines.join("\n");
}

function formatPause(run: FlowRun, now: number, fits: FitsSchema): string[] {
  const { pauseKey, pauseTimeout, inputRequest } = run.state.details;
  const timeout = pauseTimeout ? `times out ${formatTime(pauseTimeout)} (${formatRelative(pauseTimeout, now)})` : "never times out";
  const lines = [`Waiting at pause "${pauseKey ?? "?"}"; ${timeout}.`];
  if (inputRequest?.description) lines.push(...inputRequest.description.split("\n").map((l) => `  ${l}`));
  const fields = formFields(inputRequest);
  const resume = `${commandPrefix()} flow-run resume ${run.id}`;
  if (!inputRequest) {
    lines.push("It asks for no input.", `Resume it with: ${resume}`);
    return lines;
  }
  lines.push("Input:");
  if (fields.length === 0) lines.push("  (no fields)");
  else lines.push(...indent(formatFieldTable(fields)));
  lines.push(`Answer with: ${resume}   (asks field by field)`);
  const example = exampleValue(fields);
  // An example the form would refuse (a pattern no placeholder matches) is no help: then none is shown.
  if (example !== undefined && fits(inputRequest.schema, example))
    lines.push(`         or: ${resume} --input ${shellQuote(JSON.stringify(example))}`);
  return lines;
}

function formatInputs(inputs: readonly RunInput[], now: number): string[] {
  if (inputs.length === 0) return ["Inputs: none yet."];
  const by = (a: { respondedBy: string | null; onBehalfOf: string | null }) =>
    a.onBehalfOf ? `${a.respondedBy} for ${a.onBehalfOf}` : (a.respondedBy ?? "-");
  const rows = inputs.flatMap((i) => {
    const waiting = i.timeoutAt && new Date(i.timeoutAt).getTime() < now ? "(no answer; timed out)" : "(waiting)";
    // Answers the flow's own rules refused before the run resumed, each on a row of its own under its pause.
    const refused = (i.refusals ?? []).map((r) => [
      "",
      "",
      formatTime(r.refusedAt),
      r.channel,
      by(r),
      `refused ${formatJson(r.value)}: ${r.errors.map((e) => `${e.path || "(the answer)"} ${e.message}`).join("; ")}`,
    ]);
    return [
      [
        i.key,
        formatTime(i.requestedAt),
        i.respondedAt ? formatTime(i.respondedAt) : "-",
        i.channel ?? "-",
        by(i),
        i.respondedAt ? formatJson(i.response) : i.answers.length ? `${waiting} ${i.answers.length} answer(s) so far` : waiting,
      ],
      ...refused,
    ];
  });
  const comments = inputs
    .filter((i) => i.comment)
    .flatMap((i) => [`  ${i.key}, ${i.respondedBy ?? "the person who answered"} wrote:`, ...indent(indent(i.comment!).join("\n"))]);
  return [
    "Inputs:",
    ...indent(formatTable(["PAUSE", "ASKED", "ANSWERED", "CHANNEL", "BY", "ANSWER"], rows)),
    ...(comments.length ? ["Comments:", ...comments] : []),
  ];
}

function indent(text: string): string[] {
  return text.split("\n").map((l) => `  ${l}`);
}

/** A log line as `flow-run logs` prints it: local time to the millisecond with its UTC offset, level, message. */
export function formatLogLine(log: Log): string {
  return `${formatTime(log.timestamp, { ms: true })} | ${log.level.toUpperCase().padEnd(7)} | ${log.message}`;
}

import type { Deployment } from "../contract/index.ts";
import { batonCommand, shellQuote } from "./cli-client.ts";
import { parseParamValue } from "./deployment-params.ts";
import { exampleValue, formatFieldTable } from "./field-table.ts";
import { formatRelative, formatTable, formatTime } from "./format.ts";
import { formFields, type FormField } from "./input-form.ts";

/**
 * The deployments of `deployment ls` as a table: name, flow, the first line of the description, the
 * parameters' names (optional ones marked `?`), and when a process last served it.
 */
export function formatDeploymentTable(deployments: readonly Deployment[], now = Date.now()): string {
  return formatTable(
    ["NAME", "FLOW", "DESCRIPTION", "PARAMETERS", "LAST SERVED"],
    deployments.map((d) => [
      d.name,
      d.flowName,
      firstLine(d.description),
      d.parameterSchema ? parameterNames(fieldsOf(d)) : "-",
      d.lastServedAt ? formatRelative(d.lastServedAt, now) : "never",
    ]),
  );
}

/**
 * Everything `deployment inspect` shows: its flow, description, when it was last served, each
 * parameter as a field table (as `flow-run inspect` shows a pause's input), and how to start a run.
 */
export function formatDeploymentDetails(d: Deployment, apiUrl: string, now = Date.now()): string {
  const description = (d.description ?? "").trim().split("\n");
  const lines = [
    `Deployment   ${d.name}`,
    `Flow         ${d.flowName}`,
    `Description  ${description[0] || "(none)"}`,
    ...description.slice(1).map((l) => `             ${l}`),
    `Last served  ${d.lastServedAt ? `${formatTime(d.lastServedAt)} (${formatRelative(d.lastServedAt, now)})` : "never: no process serves it yet"}`,
    `Created      ${formatTime(d.createdAt)}`,
    "",
  ];
  const fields = fieldsOf(d);
  if (!d.parameterSchema) lines.push("Parameters: not declared; the flow is given whatever parameters a run is started with.");
  else if (fields.length === 0) lines.push("Parameters: none.");
  else
    lines.push(
      "Parameters:",
      ...formatFieldTable(fields)
        .split("\n")
        .map((l) => `  ${l}`),
    );
  lines.push(`Start a run: ${batonCommand(["deployment", "run", shellQuote(d.name), ...exampleParams(d, fields)].join(" "), apiUrl)}`);
  return lines.join("\n");
}

function fieldsOf(d: Deployment): FormField[] {
  return d.parameterSchema ? formFields({ schema: d.parameterSchema }) : [];
}

function parameterNames(fields: readonly FormField[]): string {
  if (fields.length === 0) return "(none)";
  return fields.map((f) => `${f.key ?? "(value)"}${f.required ? "" : "?"}`).join(", ");
}

/** `--param` arguments for the required parameters, with placeholder values, as a person would type them. */
function exampleParams(d: Deployment, fields: readonly FormField[]): string[] {
  if (!d.parameterSchema) return ["[--param key=value ...]"];
  const example = exampleValue(fields);
  if (typeof example !== "object" || example === null) return [];
  return Object.entries(example).map(([key, value]) => {
    // A string that would read as JSON (42, true) is written as JSON text, so it stays a string.
    const text = typeof value === "string" && parseParamValue(value) === value ? value : JSON.stringify(value);
    return `--param ${shellQuote(`${key}=${text}`)}`;
  });
}

function firstLine(text: string | null): string {
  const line = (text ?? "").trim().split("\n")[0]!.trim();
  return line.length > 60 ? `${line.slice(0, 59)}…` : line;
}

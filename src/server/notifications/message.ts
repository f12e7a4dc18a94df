import type { FlowRun, NotificationMessage, State } from "../../contract/index.ts";
import type { AnswerLinks } from "./answer-links.ts";

/** What a notification is about. */
export interface MessageSubject {
  deliveryId: string;
  event: string;
  occurredAt: string;
  automation: { id: string; name: string } | null;
  /** The run, with the state the event saw (its pause, if it waits). */
  run: FlowRun | null;
  state?: State | undefined;
  /** The automation's own wording, with `{placeholders}` (see `TEMPLATE_FIELDS`); Baton's when absent. */
  template?: { title?: string | undefined; text?: string | undefined } | undefined;
  /** The one person the message goes to (an email channel's only address): its answer links count as them. */
  sentTo?: string | null | undefined;
}

/** What a message template may say, as `{name}`. */
export const TEMPLATE_FIELDS = [
  "event",
  "flowName",
  "runName",
  "runId",
  "deploymentName",
  "state",
  "pauseKey",
  "description",
  "asks",
  "timeoutIn",
  "timeoutAt",
  "runUrl",
] as const;

/** The placeholders in `template` that are not template fields. */
export function unknownPlaceholders(template: string): string[] {
  return [...template.matchAll(/\{(\w+)\}/g)].map((m) => m[1]!).filter((name) => !(TEMPLATE_FIELDS as readonly string[]).includes(name));
}

function fill(template: string, fields: Record<(typeof TEMPLATE_FIELDS)[number], string>): string {
  return template.replace(/\{(\w+)\}/g, (whole, name: string) => (name in fields ? fields[name as keyof typeof fields] : whole));
}

/** The message of a notification: the webhook's body, and what the Slack and email messages are made from. */
export function buildMessage(subject: MessageSubject, links: AnswerLinks): NotificationMessage {
  const { run } = subject;
  const state = subject.state ?? run?.state;
  const waiting = state?.type === "PAUSED" && state.details.pauseKey !== undefined;
  const request = waiting ? (state.details.inputRequest ?? null) : null;
  const pause = waiting
    ? {
        key: state.details.pauseKey!,
        description: request?.description ?? null,
        schema: request?.schema ?? null,
        ...(request?.initialData !== undefined ? { initialData: request.initialData } : {}),
        timeoutAt: state.details.pauseTimeout ?? null,
      }
    : null;
  const runLink = run ? `${links.baseUrl}/${waiting ? "inbox" : "runs"}/${run.id}` : null;
  const answers = run && pause ? links.linksFor(run.id, pause.key, request, pause.timeoutAt, subject.sentTo ?? null) : [];
  const description = pause?.description ? markdownToText(pause.description) : "";
  const asks = describeSchema(pause?.schema ?? null);
  const timeoutIn = pause?.timeoutAt ? untilText(pause.timeoutAt, subject.occurredAt) : "";
  let title = run ? titleOf(subject.event, run, state!) : "Test notification from Baton";
  const lines: string[] = [];
  if (!run) lines.push("This channel works: Baton will send its notifications here.");
  else {
    lines.push(`Flow: ${run.flowName}${run.deploymentName ? ` (deployment ${run.deploymentName})` : ""}`, `Run: ${run.name}`);
    if (state?.message) lines.push(`State: ${state.name}: ${state.message}`);
    if (description) lines.push("", description);
    if (asks) lines.push("", `It asks for: ${asks}`);
    if (timeoutIn) lines.push(`Times out ${timeoutIn} (${pause!.timeoutAt}).`);
  }
  let text = lines.join("\n");
  const { template } = subject;
  if (run && template) {
    const fields = {
      event: subject.event,
      flowName: run.flowName,
      runName: run.name,
      runId: run.id,
      deploymentName: run.deploymentName ?? "",
      state: state!.name,
      pauseKey: pause?.key ?? "",
      description,
      asks,
      timeoutIn,
      timeoutAt: pause?.timeoutAt ?? "",
      runUrl: runLink ?? "",
    };
    if (template.title) title = fill(template.title, fields);
    if (template.text) text = fill(template.text, fields);
  }
  return {
    id: subject.deliveryId,
    event: subject.event,
    occurredAt: subject.occurredAt,
    automation: subject.automation,
    flowRun: run
      ? {
          id: run.id,
          name: run.name,
          flowName: run.flowName,
          deploymentName: run.deploymentName,
          state: { type: state!.type, name: state!.name, message: state!.message },
        }
      : null,
    pause,
    links: { run: runLink, answers },
    title,
    text,
  };
}

function titleOf(event: string, run: FlowRun, state: State): string {
  const what = `${run.flowName} / ${run.name}`;
  if (state.type === "PAUSED" && event !== "flow-run.paused" && event !== "flow-run.suspended") return `Still waiting for an answer: ${what}`;
  switch (event) {
    case "flow-run.paused":
    case "flow-run.suspended":
      return `Waiting for your answer: ${what}`;
    case "flow-run.completed":
      return `Completed: ${what}`;
    case "flow-run.failed":
      return `Failed: ${what}`;
    case "flow-run.crashed":
      return `Crashed: ${what}`;
    case "flow-run.cancelled":
      return `Cancelled: ${what}`;
    default:
      return `${state.name}: ${what}`;
  }
}

/** "in 3 hours", "in 2 days", "in 45 minutes", from `from`'s point of view. */
function untilText(at: string, from: string): string {
  const s = Math.max(0, (Date.parse(at) - Date.parse(from)) / 1000);
  if (s >= 2 * 86400) return `in ${Math.round(s / 86400)} days`;
  if (s >= 2 * 3600) return `in ${Math.round(s / 3600)} hours`;
  if (s >= 120) return `in ${Math.round(s / 60)} minutes`;
  return `in ${Math.round(s)} seconds`;
}

/** The fields a schema asks for, in a line: "approved (yes/no), comment (text)". */
function describeSchema(schema: Record<string, unknown> | null): string {
  if (!schema) return "";
  const typeOf = (s: Record<string, unknown>): string => {
    if (Array.isArray(s.enum)) return `one of ${s.enum.map(String).join(", ")}`;
    if (s.type === "boolean") return "yes/no";
    if (s.type === "string") return "text";
    if (s.type === "integer" || s.type === "number") return "a number";
    if (s.type === "array") return "a list";
    return String(s.type ?? "a value");
  };
  if (schema.type === "object" && schema.properties && typeof schema.properties === "object")
    return Object.entries(schema.properties as Record<string, Record<string, unknown>>)
      .map(([name, s]) => `${name} (${typeOf(s)})`)
      .join(", ");
  return typeOf(schema);
}

/** Markdown as plain text: links as "text (url)", emphasis and heading marks dropped. */
export function markdownToText(markdown: string): string {
  return markdown
    .replace(/!\[([^\]]*)\]\(([^)]*)\)/g, "$1")
    .replace(/\[([^\]]*)\]\(([^)]*)\)/g, "$1 ($2)")
    .replace(/^#{1,6}\s+/gm, "")
    .replace(/(\*\*|__)(.*?)\1/g, "$2")
    .replace(/(^|\W)[*_](\S.*?)[*_](?=\W|$)/g, "$1$2")
    .replace(/`([^`]*)`/g, "$1")
    .trim();
}

/** A Slack message in Block Kit: a header, the text, and the links as buttons (link buttons: Slack calls no endpoint). */
export function slackMessage(m: NotificationMessage): { text: string; blocks: unknown[] } {
  const buttons = [
    ...m.links.answers.map((a) => ({ type: "button", text: { type: "plain_text", text: a.label.slice(0, 75) }, url: a.url })),
    ...(m.links.run ? [{ type: "button", text: { type: "plain_text", text: m.pause ? "Open the form" : "Open the run" }, url: m.links.run }] : []),
  ].slice(0, 25);
  return {
    text: m.title,
    blocks: [
      { type: "header", text: { type: "plain_text", text: m.title.slice(0, 150) } },
      { type: "section", text: { type: "mrkdwn", text: slackEscape(m.text).slice(0, 3000) } },
      ...(buttons.length ? [{ type: "actions", elements: buttons }] : []),
    ],
  };
}

function slackEscape(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

/** An email: the subject, a plain-text part, and an HTML part with the links as buttons. */
export function emailMessage(m: NotificationMessage): { subject: string; text: string; html: string } {
  const links = [
    ...m.links.answers.map((a) => ({ label: a.label, url: a.url })),
    ...(m.links.run ? [{ label: m.pause ? "Open the form" : "Open the run", url: m.links.run }] : []),
  ];
  const text = [m.text, "", ...links.map((l) => `${l.label}: ${l.url}`)].join("\n");
  const html = `<!doctype html><html><body style="font-family:sans-serif;line-height:1.5">
<h2 style="font-size:18px">${escapeHtml(m.title)}</h2>
<p>${escapeHtml(m.text).replace(/\n/g, "<br>")}</p>
<p>${links.map((l) => `<a href="${escapeHtml(l.url)}" style="display:inline-block;margin:4px 8px 4px 0;padding:8px 14px;border-radius:6px;background:#1f4fd1;color:#fff;text-decoration:none">${escapeHtml(l.label)}</a>`).join("")}</p>
<p style="color:#666;font-size:12px">Sent by Baton. A link asks you to confirm before it answers.</p>
</body></html>`;
  return { subject: m.title, text, html };
}

export function escapeHtml(s: string): string {
  return s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;").replace(/'/g, "&#39;");
}

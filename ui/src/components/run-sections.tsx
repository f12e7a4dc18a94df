import { useEffect, useLayoutEffect, useRef } from "react";
import type { Log, RunInput, State, TaskRun } from "../api/types.ts";
import { clockTime, dateTime, durationBetween, shortTime } from "../lib/format.ts";
import { EmptyState, JsonView } from "./feedback.tsx";
import { Markdown } from "./markdown.tsx";
import { StateBadge, stateTone } from "./state-badge.tsx";
import { TimeAgo, useTimeZone } from "./time.tsx";

/** Every state the run went through, oldest first, each with its time and message. */
export function Timeline({ states }: { states: State[] }) {
  useTimeZone();
  if (!states.length) return <p className="muted">No states yet.</p>;
  return (
    <ol className="timeline">
      {states.map((s) => (
        <li key={s.id} className={`timeline-item tone-${stateTone(s.type)}`}>
          <span className="timeline-dot" aria-hidden="true" />
          <div className="timeline-body">
            <div className="timeline-head">
              <strong>{s.name}</strong>
              <time dateTime={s.timestamp} title={dateTime(s.timestamp)} className="muted small tabular">
                {shortTime(s.timestamp)}
              </time>
            </div>
            {s.message && <div className="timeline-message">{s.message}</div>}
          </div>
        </li>
      ))}
    </ol>
  );
}

/** The run's log lines; follows new lines while the reader is at the bottom. */
export function LogView({ logs, live }: { logs: Log[]; live: boolean }) {
  const box = useRef<HTMLDivElement>(null);
  const atBottom = useRef(true);
  useTimeZone();
  useLayoutEffect(() => {
    const el = box.current;
    if (el && atBottom.current) el.scrollTop = el.scrollHeight;
  }, [logs.length]);
  useEffect(() => {
    const el = box.current;
    if (!el) return;
    const onScroll = () => (atBottom.current = el.scrollHeight - el.scrollTop - el.clientHeight < 24);
    el.addEventListener("scroll", onScroll);
    return () => el.removeEventListener("scroll", onScroll);
  }, []);
  return (
    <div className="logs" ref={box} tabIndex={0} role="log" aria-live={live ? "polite" : "off"} aria-label="Run logs">
      {logs.length === 0 ? (
        <p className="muted logs-empty">{live ? "No log lines yet; they appear here as the run writes them." : "This run wrote no log lines."}</p>
      ) : (
        logs.map((l) => (
          <div key={l.id} className={`log-line level-${l.level}`}>
            <time dateTime={l.timestamp} title={dateTime(l.timestamp)} className="log-time">
              {clockTime(l.timestamp)}
            </time>
            <span className="log-level">{l.level}</span>
            <span className="log-message">{l.message}</span>
          </div>
        ))
      )}
    </div>
  );
}

/** The run's task runs in call order: state, attempts, duration. */
export function TaskRunsTable({ tasks, now }: { tasks: TaskRun[]; now: number }) {
  if (!tasks.length) return <p className="muted">This run has called no tasks.</p>;
  return (
    <table className="compact-table">
      <thead>
        <tr>
          <th scope="col">Task</th>
          <th scope="col">State</th>
          <th scope="col">Attempts</th>
          <th scope="col">Started</th>
          <th scope="col">Duration</th>
        </tr>
      </thead>
      <tbody>
        {tasks.map((t) => (
          <tr key={t.id}>
            <td data-label="Task">
              <span className="mono">{t.name}</span>
              {t.state.message && t.state.type === "FAILED" && <div className="small error-text">{t.state.message}</div>}
            </td>
            <td data-label="State">
              <StateBadge state={t.state} />
            </td>
            <td data-label="Attempts" className="tabular">
              {t.attempts}
            </td>
            <td data-label="Started" className="muted">
              {t.startTime ? <TimeAgo iso={t.startTime} now={now} /> : "—"}
            </td>
            <td data-label="Duration" className="tabular">
              {durationBetween(t.startTime, t.endTime, now)}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

const CHANNELS: Record<string, string> = { ui: "the web UI", api: "the API", cli: "the CLI", sdk: "a program (SDK)", link: "a link" };

/** Answers the flow's own rules refused before the run resumed: who sent what, when, and why it was refused. */
function Refusals({ refusals, now }: { refusals: NonNullable<RunInput["refusals"]>; now: number }) {
  return (
    <div className="input-refusals">
      <h4>Refused before the run resumed</h4>
      <ol>
        {refusals.map((r) => (
          <li key={r.refusedAt + JSON.stringify(r.errors)}>
            <span className="small">
              refused <TimeAgo iso={r.refusedAt} now={now} /> through <strong>{CHANNELS[r.channel] ?? r.channel}</strong>
              {r.respondedBy && (
                <>
                  {" "}
                  from <strong>{r.respondedBy}</strong>
                </>
              )}
            </span>
            <ul className="field-errors">
              {r.errors.map((e) => (
                <li key={e.path + e.message}>
                  <code>{e.path || "(the answer)"}</code> {e.message}
                </li>
              ))}
            </ul>
            <JsonView value={r.value} />
          </li>
        ))}
      </ol>
    </div>
  );
}

/** Each pause of the run: what it asked (description and schema), what was answered, when, how and by whom. */
export function InputHistory({ inputs, now }: { inputs: RunInput[]; now: number }) {
  if (!inputs.length)
    return (
      <EmptyState title="No questions yet" icon="?">
        <p>Each time this run pauses, what it asked and the answer are kept here.</p>
      </EmptyState>
    );
  return (
    <ol className="input-history">
      {[...inputs].reverse().map((i) => (
        <li key={i.key} className="input-entry">
          <div className="input-entry-head">
            <span className="pause-key">Pause “{i.key}”</span>
            <span className="muted small">
              asked <TimeAgo iso={i.requestedAt} now={now} />
            </span>
            {i.respondedAt ? (
              <span className="answered small">
                answered <TimeAgo iso={i.respondedAt} now={now} /> through <strong>{CHANNELS[i.channel ?? ""] ?? i.channel ?? "?"}</strong>
                {i.respondedBy && (
                  <>
                    {" "}
                    by <strong>{i.respondedBy}</strong>
                    {i.onBehalfOf && (
                      <>
                        {" "}
                        on behalf of <strong>{i.onBehalfOf}</strong>
                      </>
                    )}
                  </>
                )}
              </span>
            ) : (
              <span className="small muted">not answered</span>
            )}
          </div>
          {i.description && <Markdown text={i.description} className="description small" />}
          {i.comment && (
            <blockquote className="answer-comment" data-testid="answer-comment">
              <span className="muted small">{i.respondedBy ? `${i.respondedBy} wrote` : "Comment"}:</span>
              <Markdown text={i.comment} className="small" />
            </blockquote>
          )}
          <div className="input-entry-grid">
            <div>
              <h4>Answer</h4>
              {i.respondedAt ? <JsonView value={i.response ?? null} /> : <p className="muted small">—</p>}
              {!!i.refusals?.length && <Refusals refusals={i.refusals} now={now} />}
            </div>
            <details>
              <summary>What was asked (JSON Schema)</summary>
              <JsonView value={i.schema} />
              {i.initialData !== undefined && (
                <>
                  <h4>Initial data</h4>
                  <JsonView value={i.initialData} />
                </>
              )}
            </details>
          </div>
        </li>
      ))}
    </ol>
  );
}

import { useEffect, useRef, useState } from "react";
import { Link } from "wouter";
import { api, ApiError, errorMessage } from "../api/client.ts";
import type { FlowRun } from "../api/types.ts";
import { EmptyState, ErrorBanner, Loading } from "../components/feedback.tsx";
import { mayAnswer, namedIn, useSession } from "../auth/session.tsx";
import { InlineMarkdown } from "../components/markdown.tsx";
import { RunAnswer } from "../components/run-answer.tsx";
import { StateBadge } from "../components/state-badge.tsx";
import { BulkActions } from "../components/bulk-actions.tsx";
import { FlowCounts, InboxFilters, useInboxFilter } from "../components/inbox-filters.tsx";
import { TimeAgo, useNow, useTimeZone } from "../components/time.tsx";
import { age, dateTime, firstLine, shortTime } from "../lib/format.ts";
import { useLiveEvent, useLiveEvents } from "../live/live-events.tsx";
import { useWaitingRuns } from "../live/waiting-runs.tsx";

/** "times out in 12 min", urgent under ten minutes; nothing when the pause has no timeout. */
export function TimeoutNote({ run, now }: { run: FlowRun; now: number }) {
  const at = run.state.details.pauseTimeout;
  if (!at) return <span className="muted">no timeout</span>;
  const left = Date.parse(at) - now;
  if (left <= 0) return <span className="urgent">timed out</span>;
  return (
    <span className={left < 10 * 60_000 ? "urgent" : ""} title={dateTime(at)}>
      times out in {age(left)}
    </span>
  );
}

/** Who may answer a run, as the inbox says it: the respondents, the quorum, and whether the run's starter is excluded. */
function WhoMayAnswer({ run }: { run: FlowRun }) {
  const { respondents, required, excludeRunCreator } = run.state.details;
  if (!respondents?.length && !required && !excludeRunCreator) return null;
  return (
    <span className="who-may-answer" data-testid="who-may-answer">
      {respondents?.length ? `For ${respondents.join(", ")}` : "For anyone who may answer"}
      {required ? ` · ${required} people must answer` : ""}
      {excludeRunCreator && run.createdBy ? ` · not ${run.createdBy}, who started it` : ""}
    </span>
  );
}

function InboxItem({
  run,
  selected,
  now,
  search,
  chosen,
  onChoose,
}: {
  run: FlowRun;
  selected: boolean;
  now: number;
  /** The inbox's filter, kept in the link. */
  search: string;
  chosen: boolean;
  onChoose(chosen: boolean): void;
}) {
  const { me } = useSession();
  useTimeZone();
  const line = firstLine(run.state.details.inputRequest?.description);
  return (
    <li className="inbox-entry">
      <input
        type="checkbox"
        className="inbox-choose"
        checked={chosen}
        onChange={(e) => onChoose(e.target.checked)}
        aria-label={`Choose ${run.name}`}
      />
      <Link
        href={`/inbox/${run.id}${search}`}
        className={`inbox-item ${selected ? "selected" : ""}`}
        aria-current={selected ? "true" : undefined}
        data-run-id={run.id}
      >
        <div className="inbox-item-top">
          <span className="flow-name">{run.flowName}</span>
          <span className="muted small" title={`Paused ${dateTime(run.state.timestamp)}`}>
            waiting {age(now - Date.parse(run.state.timestamp))} · since {shortTime(run.state.timestamp, now)}
          </span>
        </div>
        <div className="inbox-item-title">{run.name}</div>
        <div className="inbox-item-line">
          {line ? (
            <InlineMarkdown text={line} />
          ) : (
            <span className="muted">{run.state.details.inputRequest ? "Asks for input" : "Waits to be resumed"}</span>
          )}
        </div>
        <div className="inbox-item-meta small">
          {namedIn(run, me) && <span className="badge badge-for-you">For you</span>}
          {me.kind === "user" && !mayAnswer(run, me) && <span className="muted">not yours to answer</span>}
          <WhoMayAnswer run={run} />
          {run.state.details.suspended && <StateBadge state={run.state} />}
          <TimeoutNote run={run} now={now} />
          {run.tags.map((t) => (
            <span key={t} className="tag">
              {t}
            </span>
          ))}
        </div>
      </Link>
    </li>
  );
}

/** The answer pane: the selected run's question and form, then what became of it, followed live. */
function AnswerPane({ id, listed }: { id: string; listed: FlowRun | undefined }) {
  const { forget, refresh } = useWaitingRuns();
  const { reconnects } = useLiveEvents();
  const [run, setRun] = useState<FlowRun | undefined>(listed);
  const [error, setError] = useState<string | null>(null);
  const title = useRef<HTMLHeadingElement>(null);
  const now = useNow();

  const load = () =>
    api.getFlowRun(id).then(
      (r) => {
        setRun(r);
        setError(null);
      },
      (e) => setError(e instanceof ApiError && e.status === 404 ? "There is no run with this id." : errorMessage(e)),
    );
  useEffect(() => {
    if (listed) setRun(listed);
    else void load();
  }, [id, reconnects]);
  // The run's own changes (answered, failed, paused again) as they happen, from the shared stream.
  useLiveEvent((e) => {
    if (e.flowRunId !== id || e.type !== "flow-run.state-changed") return;
    setRun((r) => r && { ...r, state: e.payload.state });
    void load();
  });
  // Choosing a run takes keyboard and screen reader users to its question.
  const shown = Boolean(run);
  useEffect(() => {
    if (shown) title.current?.focus();
  }, [shown]);

  if (error) return <ErrorBanner onRetry={() => void load()}>{error}</ErrorBanner>;
  if (!run) return <Loading rows={4} />;
  const paused = run.state.type === "PAUSED";
  return (
    <article className="answer-pane" aria-labelledby="answer-title">
      <Link href="/" className="back-link only-narrow">
        ← Inbox
      </Link>
      <header className="answer-header">
        <div>
          <div className="flow-name">{run.flowName}</div>
          <h2 id="answer-title" ref={title} tabIndex={-1}>
            {run.name}
          </h2>
        </div>
        <StateBadge state={run.state} />
      </header>
      {paused && (
        <p className="answer-meta small muted">
          Paused at “{run.state.details.pauseKey}”, waiting {age(now - Date.parse(run.state.timestamp))} · <TimeoutNote run={run} now={now} /> ·{" "}
          <Link href={`/runs/${run.id}`}>Run details</Link>
        </p>
      )}
      <RunAnswer
        run={run}
        onRun={setRun}
        onDone={() => forget(run.id)}
        reload={() => {
          void load();
          refresh();
        }}
        fallback={
          <div className="banner banner-warning" role="status">
            This run no longer waits: it is {run.state.name}
            {run.state.message ? ` (${run.state.message})` : ""}. <Link href={`/runs/${run.id}`}>See the run →</Link>
          </div>
        }
      />
    </article>
  );
}

/**
 * Inbox: every run waiting for a person, filtered, searched and ordered on the server (the filter lives
 * in the URL), what waits for the signed-in person first; a count per flow; bulk answers; and the
 * answer form beside the list.
 */
export function InboxPage({ selectedId }: { selectedId?: string | undefined }) {
  const { runs, more, total, forMe, flows, count, loading, error, refresh, setFilter, forget } = useWaitingRuns();
  const { me } = useSession();
  const [filter, , search] = useInboxFilter();
  const [chosen, setChosen] = useState<ReadonlySet<string>>(new Set());
  const now = useNow();
  const selected = selectedId ? runs.find((r) => r.id === selectedId) : undefined;
  const filtered = Boolean(filter.flowName || filter.deploymentName || filter.tag || filter.q || filter.forMe);

  useEffect(() => setFilter(filter), [search]);
  useEffect(() => {
    document.title = count ? `(${count}) Inbox · Baton` : "Inbox · Baton";
  }, [count]);

  return (
    <div className={`inbox ${selectedId ? "has-selection" : ""}`}>
      <section className="inbox-list-pane" aria-labelledby="inbox-title">
        <div className="page-header">
          <h1 id="inbox-title">Waiting for input</h1>
          <p className="muted">Runs paused until a person answers{me.kind === "user" ? "; what waits for you first" : ""}.</p>
        </div>
        <InboxFilters forMe={forMe} signedIn={me.kind === "user"} />
        <FlowCounts flows={flows} total={total} />
        {error && <ErrorBanner onRetry={refresh}>{error}</ErrorBanner>}
        {loading ? (
          <Loading rows={4} />
        ) : runs.length === 0 ? (
          filtered ? (
            <EmptyState title="No waiting run matches" icon="∅">
              <p>
                {count} {count === 1 ? "run waits" : "runs wait"} in all.{" "}
                <Link href={selectedId ? `/inbox/${selectedId}` : "/"}>Show every waiting run</Link>.
              </p>
            </EmptyState>
          ) : (
            <EmptyState title="Nothing waits for you" icon="✓">
              <p>
                When a flow calls <code>pauseFlowRun</code>, its question shows up here at once, without reloading. Try{" "}
                <code>node examples/greet-user.ts</code> while the server runs.
              </p>
            </EmptyState>
          )
        ) : (
          <>
            <BulkActions
              runs={runs}
              selected={chosen}
              onSelect={setChosen}
              mayCancel={me.kind !== "user" || me.role === "operator" || me.role === "admin"}
              onDone={(outcomes) => {
                for (const o of outcomes) if (o.ok) forget(o.id);
              }}
            />
            <ul className="inbox-list" aria-label="Runs waiting for input">
              {runs.map((r) => (
                <InboxItem
                  key={r.id}
                  run={r}
                  selected={r.id === selectedId}
                  now={now}
                  search={search}
                  chosen={chosen.has(r.id)}
                  onChoose={(yes) => {
                    const next = new Set(chosen);
                    if (yes) next.add(r.id);
                    else next.delete(r.id);
                    setChosen(next);
                  }}
                />
              ))}
            </ul>
            {more && (
              <p className="muted small">
                {total} runs match; the first {runs.length} are shown. Narrow the list with the filters above.
              </p>
            )}
          </>
        )}
      </section>
      <section className="inbox-answer-pane" aria-label="Answer">
        {selectedId ? (
          <AnswerPane key={selectedId} id={selectedId} listed={selected} />
        ) : (
          !loading &&
          runs.length > 0 && (
            <div className="pane-hint">
              <p>Choose a run on the left to see what it asks and answer it.</p>
            </div>
          )
        )}
      </section>
    </div>
  );
}

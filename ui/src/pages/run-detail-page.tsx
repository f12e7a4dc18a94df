import { useCallback, useEffect, useRef, useState } from "react";
import { Link } from "wouter";
import { api, ApiError, errorMessage } from "../api/client.ts";
import { openEventStream, type StreamStatus } from "../api/events.ts";
import type { FlowRun, Log, RunInput, State, TaskRun } from "../api/types.ts";
import { ConfirmDialog } from "../components/confirm-dialog.tsx";
import { MessageSender } from "../components/message-sender.tsx";
import { EmptyState, ErrorBanner, JsonView, Loading } from "../components/feedback.tsx";
import { RunAnswer } from "../components/run-answer.tsx";
import { InputHistory, LogView, TaskRunsTable, Timeline } from "../components/run-sections.tsx";
import { StateBadge } from "../components/state-badge.tsx";
import { Tags } from "../components/tags.tsx";
import { TimeAgo, useNow, useTimeZone } from "../components/time.tsx";
import { age, dateTime, durationBetween } from "../lib/format.ts";
import { useWaitingRuns } from "../live/waiting-runs.tsx";
import { TimeoutNote } from "./inbox-page.tsx";

const TERMINAL = ["COMPLETED", "FAILED", "CANCELLED", "CRASHED"];
/** The finished states a deployment run can be retried from. */
const RETRYABLE = ["FAILED", "CRASHED", "CANCELLED"];
const MAX_LOG_LINES = 20_000;

function mergeLogs(a: Log[], b: Log[]): Log[] {
  const byId = new Map<number, Log>();
  for (const l of a) byId.set(l.id, l);
  for (const l of b) byId.set(l.id, l);
  const all = [...byId.values()].sort((x, y) => x.id - y.id);
  return all.length > MAX_LOG_LINES ? all.slice(-MAX_LOG_LINES) : all;
}

function mergeStates(a: State[], b: State[]): State[] {
  const byId = new Map<string, State>();
  for (const s of [...a, ...b]) byId.set(s.id, s);
  return [...byId.values()].sort((x, y) => x.timestamp.localeCompare(y.timestamp));
}

/** The run, its states, tasks, answers and logs, kept current through the run's own event stream. */
function useRunData(id: string) {
  const [run, setRun] = useState<FlowRun | null>(null);
  const [states, setStates] = useState<State[]>([]);
  const [tasks, setTasks] = useState<TaskRun[]>([]);
  const [inputs, setInputs] = useState<RunInput[]>([]);
  const [logs, setLogs] = useState<Log[]>([]);
  const [error, setError] = useState<{ text: string; notFound: boolean } | null>(null);
  const [status, setStatus] = useState<StreamStatus>("connecting");
  const lastLog = useRef(0);
  const pending = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);

  const loadRun = useCallback(async () => {
    try {
      const [r, s, t, i] = await Promise.all([api.getFlowRun(id), api.listStates(id), api.listTaskRuns(id), api.listInputs(id)]);
      setRun(r);
      setStates((prev) => mergeStates(prev, s));
      setTasks(t);
      setInputs(i);
      setError(null);
    } catch (e) {
      setError({
        text: e instanceof ApiError && e.status === 404 ? "There is no run with this id." : errorMessage(e),
        notFound: e instanceof ApiError && e.status === 404,
      });
    }
  }, [id]);

  const loadLogs = useCallback(async () => {
    try {
      for (;;) {
        const page = await api.listLogs(id, lastLog.current);
        if (page.length) {
          lastLog.current = page.at(-1)!.id;
          setLogs((prev) => mergeLogs(prev, page));
        }
        if (page.length < 5000) break;
      }
    } catch {
      // The run's own read reports the failure; logs follow on the next reconnection.
    }
  }, [id]);

  // Once per burst of events, shortly after its first one (a run logging without pause still updates).
  const reloadSoon = useCallback(() => {
    if (pending.current) return;
    pending.current = setTimeout(() => {
      pending.current = undefined;
      void loadRun();
    }, 200);
  }, [loadRun]);

  useEffect(() => {
    setRun(null);
    setStates([]);
    setLogs([]);
    lastLog.current = 0;
    void loadRun();
    void loadLogs();
    const close = openEventStream({
      flowRunId: id,
      onStatus: setStatus,
      onReconnect: () => {
        void loadRun();
        void loadLogs();
      },
      onEvent: (e) => {
        if (e.type === "log") {
          lastLog.current = Math.max(lastLog.current, e.payload.id);
          setLogs((prev) => mergeLogs(prev, [e.payload]));
          // Task runs report no events of their own; a log line is the sign something moved.
          reloadSoon();
        } else if (e.type === "flow-run.state-changed") {
          const s = e.payload.state;
          setRun((r) => r && { ...r, state: s, updatedAt: s.timestamp, ...(TERMINAL.includes(s.type) ? { endTime: s.timestamp } : {}) });
          setStates((prev) => mergeStates(prev, [s]));
          reloadSoon();
        } else reloadSoon();
      },
    });
    return () => {
      close();
      clearTimeout(pending.current);
      pending.current = undefined;
    };
  }, [id, loadRun, loadLogs, reloadSoon]);

  return { run, setRun, states, tasks, inputs, logs, error, status, reload: loadRun };
}

/** Run detail: state and timeline, the answer form while paused, logs live, task runs, inputs, parameters. */
export function RunDetailPage({ id }: { id: string }) {
  const { run, setRun, states, tasks, inputs, logs, error, status, reload } = useRunData(id);
  const { forget, refresh } = useWaitingRuns();
  useTimeZone();
  // Once the page saw the run wait, what became of the question stays shown (answered here, elsewhere, refused).
  const asked = useRef(false);
  const [cancelOpen, setCancelOpen] = useState(false);
  const [cancelBusy, setCancelBusy] = useState(false);
  const [cancelError, setCancelError] = useState<string | null>(null);
  const [suspendOpen, setSuspendOpen] = useState(false);
  const [actionBusy, setActionBusy] = useState(false);
  const now = useNow(1000);

  useEffect(() => {
    if (run) document.title = `${run.name} · Baton`;
  }, [run?.name]);

  if (error && !run)
    return error.notFound ? (
      <EmptyState title="No such run" icon="∅">
        <p>
          The link may be wrong, or the run belongs to another server. <Link href="/runs">See all runs</Link>.
        </p>
      </EmptyState>
    ) : (
      <ErrorBanner onRetry={() => void reload()}>{error.text}</ErrorBanner>
    );
  if (!run) return <Loading rows={6} />;

  const paused = run.state.type === "PAUSED";
  if (paused) asked.current = true;
  const finished = TERMINAL.includes(run.state.type);
  const canRetry = Boolean(run.deploymentName) && RETRYABLE.includes(run.state.type);
  const canSuspend = Boolean(run.deploymentName) && run.state.type === "RUNNING" && !run.state.details.suspendRequested;
  /** Suspend and Retry: the run as the server answers, or the error in the banner. */
  const act = async (call: () => Promise<FlowRun>) => {
    setActionBusy(true);
    setCancelError(null);
    try {
      setRun(await call());
      void reload();
    } catch (e) {
      setCancelError(errorMessage(e));
      void reload();
    } finally {
      setActionBusy(false);
      setSuspendOpen(false);
    }
  };
  const cancel = async () => {
    setCancelBusy(true);
    try {
      setRun(await api.cancel(run.id, "Cancelled from the web UI"));
      forget(run.id);
      setCancelOpen(false);
    } catch (e) {
      setCancelError(errorMessage(e));
      setCancelOpen(false);
      void reload();
    } finally {
      setCancelBusy(false);
    }
  };

  return (
    <div className="run-detail">
      <nav className="breadcrumbs" aria-label="Breadcrumbs">
        <Link href="/runs">Runs</Link> <span aria-hidden="true">›</span> <span>{run.name}</span>
      </nav>
      <header className="run-header">
        <div className="run-title">
          <h1>{run.name}</h1>
          <StateBadge state={run.state} size="large" />
        </div>
        <dl className="run-facts">
          <div>
            <dt>Flow</dt>
            <dd>
              <Link href={`/runs?flow=${encodeURIComponent(run.flowName)}`}>{run.flowName}</Link>
            </dd>
          </div>
          {run.deploymentName && (
            <div>
              <dt>Deployment</dt>
              <dd>{run.deploymentName}</dd>
            </div>
          )}
          <div>
            <dt>Created</dt>
            <dd>
              <TimeAgo iso={run.createdAt} now={now} />
            </dd>
          </div>
          <div>
            <dt>Duration</dt>
            <dd className="tabular">{durationBetween(run.startTime, run.endTime, now)}</dd>
          </div>
          <div>
            <dt>Id</dt>
            <dd className="mono small">{run.id}</dd>
          </div>
        </dl>
        {canSuspend && (
          <button type="button" className="btn" onClick={() => setSuspendOpen(true)}>
            Suspend…
          </button>
        )}
        {canRetry && (
          <button type="button" className="btn btn-primary" disabled={actionBusy} onClick={() => void act(() => api.retry(run.id))}>
            {actionBusy ? "Working…" : "Retry"}
          </button>
        )}
        {!finished && !paused && (
          <button type="button" className="btn btn-ghost-danger" onClick={() => setCancelOpen(true)}>
            Cancel run…
          </button>
        )}
      </header>
      {run.state.message && !paused && (
        <div className={`banner ${run.state.type === "FAILED" || run.state.type === "CRASHED" ? "banner-error" : "banner-info"}`}>
          {run.state.message}
        </div>
      )}
      {cancelError && <ErrorBanner>{cancelError}</ErrorBanner>}
      {(paused || asked.current) && (
        <section className={`card ${paused ? "card-attention" : ""}`} aria-labelledby="waiting-title">
          <div className="card-head">
            <h2 id="waiting-title">
              {!paused ? "The question" : run.state.details.inputRequest ? "Waiting for your answer" : "Waiting to be resumed"}
            </h2>
            {paused && (
              <span className="small muted">
                pause “{run.state.details.pauseKey}” · waiting {age(now - Date.parse(run.state.timestamp))} · <TimeoutNote run={run} now={now} />
              </span>
            )}
          </div>
          <RunAnswer
            run={run}
            onRun={setRun}
            onDone={() => {
              forget(run.id);
              void reload();
            }}
            reload={() => {
              void reload();
              refresh();
            }}
          />
        </section>
      )}
      {!finished && <MessageSender runId={run.id} version={run.state.id} />}
      <div className="detail-grid">
        <div className="detail-main">
          <section className="card" aria-labelledby="logs-title">
            <div className="card-head">
              <h2 id="logs-title">Logs</h2>
              {!finished && <span className={`live-pill ${status === "live" ? "" : "off"}`}>{status === "live" ? "live" : "reconnecting…"}</span>}
            </div>
            <LogView logs={logs} live={!finished} />
          </section>
          <section className="card" aria-labelledby="inputs-title">
            <div className="card-head">
              <h2 id="inputs-title">Inputs</h2>
            </div>
            <InputHistory inputs={inputs} now={now} />
          </section>
          <section className="card" aria-labelledby="tasks-title">
            <div className="card-head">
              <h2 id="tasks-title">Task runs</h2>
            </div>
            <TaskRunsTable tasks={tasks} now={now} />
          </section>
        </div>
        <aside className="detail-side">
          <section className="card" aria-labelledby="timeline-title">
            <div className="card-head">
              <h2 id="timeline-title">Timeline</h2>
            </div>
            <Timeline states={states} />
          </section>
          <section className="card" aria-labelledby="params-title">
            <div className="card-head">
              <h2 id="params-title">Parameters</h2>
            </div>
            {Object.keys(run.parameters).length ? <JsonView value={run.parameters} /> : <p className="muted">No parameters.</p>}
          </section>
          <section className="card small" aria-label="Times">
            <dl className="kv">
              <dt>Created</dt>
              <dd>{dateTime(run.createdAt)}</dd>
              <dt>Started</dt>
              <dd>{run.startTime ? dateTime(run.startTime) : "—"}</dd>
              <dt>Ended</dt>
              <dd>{run.endTime ? dateTime(run.endTime) : "—"}</dd>
              {run.tags.length > 0 && (
                <>
                  <dt>Tags</dt>
                  <dd>
                    <Tags tags={run.tags} />
                  </dd>
                </>
              )}
            </dl>
          </section>
        </aside>
      </div>
      <ConfirmDialog
        open={suspendOpen}
        title="Suspend this run?"
        confirmLabel="Suspend run"
        cancelLabel="Keep it running"
        busy={actionBusy}
        onConfirm={() => void act(() => api.suspend(run.id, "Suspended from the web UI"))}
        onClose={() => setSuspendOpen(false)}
      >
        <p>
          <strong>{run.name}</strong> stops at its next task or pause and frees its process. Resume it later: a serving process runs it again,
          skipping what completed.
        </p>
      </ConfirmDialog>
      <ConfirmDialog
        open={cancelOpen}
        title="Cancel this run?"
        confirmLabel="Cancel run"
        cancelLabel="Keep it running"
        danger
        busy={cancelBusy}
        onConfirm={() => void cancel()}
        onClose={() => setCancelOpen(false)}
      >
        <p>
          <strong>{run.name}</strong> stops for good.
        </p>
      </ConfirmDialog>
    </div>
  );
}

import { useCallback, useEffect, useRef, useState } from "react";
import { Link, useSearchParams } from "wouter";
import { api, errorMessage } from "../api/client.ts";
import type { Flow, FlowRun, StateType } from "../api/types.ts";
import { EmptyState, ErrorBanner, Loading } from "../components/feedback.tsx";
import { StateBadge } from "../components/state-badge.tsx";
import { Tags } from "../components/tags.tsx";
import { TimeAgo, useNow } from "../components/time.tsx";
import { durationBetween } from "../lib/format.ts";
import { useLiveEvent, useLiveEvents } from "../live/live-events.tsx";

const STATE_TYPES: StateType[] = ["SCHEDULED", "PENDING", "RUNNING", "PAUSED", "COMPLETED", "FAILED", "CANCELLED", "CRASHED"];
const PAGE_SIZE = 50;

function label(type: StateType): string {
  return type.charAt(0) + type.slice(1).toLowerCase();
}

/** A run as the list shows it after a state change it heard of, without reading the run again. */
function withState(run: FlowRun, state: FlowRun["state"]): FlowRun {
  const terminal = ["COMPLETED", "FAILED", "CANCELLED", "CRASHED"].includes(state.type);
  return {
    ...run,
    state,
    updatedAt: state.timestamp,
    startTime: run.startTime ?? (state.type === "RUNNING" ? state.timestamp : null),
    endTime: terminal ? state.timestamp : run.endTime,
  };
}

/**
 * Runs: every flow run, newest first, filtered by state and flow and searched by name on the server,
 * one page of 50 at a time; the page follows state changes live. Filters live in the URL, so a
 * filtered list can be shared.
 */
export function RunsPage() {
  const [params, setParams] = useSearchParams();
  const state = (params.get("state") ?? "") as StateType | "";
  const flow = params.get("flow") ?? "";
  const q = params.get("q") ?? "";
  const cursor = params.get("cursor") ?? "";
  const [search, setSearch] = useState(q);
  const [flows, setFlows] = useState<Flow[]>([]);
  const [runs, setRuns] = useState<FlowRun[] | null>(null);
  const [nextCursor, setNextCursor] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [history, setHistory] = useState<string[]>([]);
  const { reconnects } = useLiveEvents();
  const now = useNow();
  const controller = useRef<AbortController | null>(null);
  const pending = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);

  const update = useCallback(
    (changes: Record<string, string>, keepCursor = false) => {
      setParams(
        (prev) => {
          const next = new URLSearchParams(prev);
          for (const [k, v] of Object.entries(changes)) v ? next.set(k, v) : next.delete(k);
          if (!keepCursor) next.delete("cursor");
          return next;
        },
        { replace: !("cursor" in changes) },
      );
      if (!keepCursor) setHistory([]);
    },
    [setParams],
  );

  const load = useCallback(async () => {
    controller.current?.abort();
    const c = new AbortController();
    controller.current = c;
    try {
      const page = await api.listFlowRuns(
        { state: state || undefined, flowName: flow || undefined, name: q || undefined, cursor: cursor || undefined, limit: PAGE_SIZE },
        c.signal,
      );
      if (c.signal.aborted) return;
      setRuns(page.items);
      setNextCursor(page.nextCursor);
      setError(null);
    } catch (e) {
      if (c.signal.aborted) return;
      setError(errorMessage(e));
    }
  }, [state, flow, q, cursor]);

  useEffect(() => {
    void load();
  }, [load, reconnects]);
  useEffect(() => () => controller.current?.abort(), []);
  useEffect(() => void (document.title = "Runs · Baton"), []);

  useEffect(() => {
    api.listFlows().then(setFlows, () => {});
  }, [reconnects]);

  // Typing searches after a short pause, not on every key.
  useEffect(() => {
    if (search === q) return;
    const t = setTimeout(() => update({ q: search.trim() }), 250);
    return () => clearTimeout(t);
  }, [search, q, update]);

  useLiveEvent((e) => {
    if (e.type !== "flow-run.state-changed") return;
    const { state: next, previousType, flowName } = e.payload;
    setRuns((list) => list && list.map((r) => (r.id === e.flowRunId ? withState(r, next) : r)));
    // On the first page, a new run or a run entering the filtered state shows up: read the page again,
    // once per burst of events.
    const mayEnter = (!state || next.type === state) && (!flow || flowName === flow);
    const mayLeave = Boolean(state) && previousType === state;
    if (!cursor && (mayEnter || mayLeave) && (previousType === null || state)) {
      if (!pending.current)
        pending.current = setTimeout(() => {
          pending.current = undefined;
          void load();
        }, 400);
    }
  });
  useEffect(() => () => clearTimeout(pending.current), []);

  const filtered = Boolean(state || flow || q);
  return (
    <div className="runs-page">
      <div className="page-header">
        <h1>Runs</h1>
        <p className="muted">Every flow run, newest first.</p>
      </div>
      <form className="filters" role="search" onSubmit={(e) => (e.preventDefault(), update({ q: search.trim() }))}>
        <label className="filter filter-search">
          <span className="visually-hidden">Search runs by name</span>
          <input type="search" placeholder="Search by run name…" value={search} onChange={(e) => setSearch(e.target.value)} />
        </label>
        <label className="filter">
          <span className="visually-hidden">State</span>
          <select value={state} onChange={(e) => update({ state: e.target.value })} aria-label="State">
            <option value="">All states</option>
            {STATE_TYPES.map((t) => (
              <option key={t} value={t}>
                {label(t)}
              </option>
            ))}
          </select>
        </label>
        <label className="filter">
          <span className="visually-hidden">Flow</span>
          <select value={flow} onChange={(e) => update({ flow: e.target.value })} aria-label="Flow">
            <option value="">All flows</option>
            {flows.map((f) => (
              <option key={f.id} value={f.name}>
                {f.name}
              </option>
            ))}
            {flow && !flows.some((f) => f.name === flow) && <option value={flow}>{flow}</option>}
          </select>
        </label>
        {filtered && (
          <button type="button" className="btn btn-ghost" onClick={() => (setSearch(""), update({ state: "", flow: "", q: "" }))}>
            Clear filters
          </button>
        )}
      </form>
      {error && <ErrorBanner onRetry={() => void load()}>{error}</ErrorBanner>}
      {runs === null ? (
        !error && <Loading rows={6} />
      ) : runs.length === 0 ? (
        filtered ? (
          <EmptyState title="No runs match these filters" icon="⌕">
            <p>Try another state or flow, or clear the filters.</p>
          </EmptyState>
        ) : (
          <EmptyState title="No runs yet" icon="▷">
            <p>
              Runs appear here as soon as a flow starts, and change here as they run. Start one with <code>node examples/greet-user.ts</code>.
            </p>
          </EmptyState>
        )
      ) : (
        <>
          <table className="runs-table">
            <thead>
              <tr>
                <th scope="col">Run</th>
                <th scope="col">Flow</th>
                <th scope="col">State</th>
                <th scope="col">Created</th>
                <th scope="col">Duration</th>
              </tr>
            </thead>
            <tbody>
              {runs.map((r) => (
                <tr key={r.id} data-run-id={r.id}>
                  <td data-label="Run">
                    <Link href={`/runs/${r.id}`} className="run-link">
                      {r.name}
                    </Link>
                    <Tags tags={r.tags} />
                  </td>
                  <td data-label="Flow" className="flow-cell">
                    {r.flowName}
                  </td>
                  <td data-label="State">
                    <StateBadge state={r.state} />
                  </td>
                  <td data-label="Created" className="muted">
                    <TimeAgo iso={r.createdAt} now={now} />
                  </td>
                  <td data-label="Duration" className="muted tabular">
                    {r.startTime ? durationBetween(r.startTime, r.endTime, now) : "—"}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          {(cursor || nextCursor) && (
            <nav className="pager" aria-label="Pages">
              <button
                type="button"
                className="btn"
                disabled={!cursor}
                onClick={() => {
                  const prev = history.at(-1) ?? "";
                  setHistory((h) => h.slice(0, -1));
                  update({ cursor: prev }, true);
                }}
              >
                ← Newer
              </button>
              <button
                type="button"
                className="btn"
                disabled={!nextCursor}
                onClick={() => {
                  setHistory((h) => [...h, cursor]);
                  update({ cursor: nextCursor ?? "" }, true);
                }}
              >
                Older →
              </button>
            </nav>
          )}
        </>
      )}
    </div>
  );
}

import { createContext, useCallback, useContext, useEffect, useRef, useState, type ReactNode } from "react";
import { api, errorMessage, type InboxFilter } from "../api/client.ts";
import type { FlowCount, FlowRun } from "../api/types.ts";
import { useLiveEvent, useLiveEvents } from "./live-events.tsx";

/** How many waiting runs the inbox reads at once; past that, a person narrows the list with the filters. */
const LIMIT = 500;

interface WaitingRuns {
  /** Paused and suspended runs the filter selects, in the server's order (pauses naming the person first). */
  runs: FlowRun[];
  /** True when more runs match than were read. */
  more: boolean;
  /** How many runs match the filter, and of them how many name the person (null: nobody is signed in). */
  total: number;
  forMe: number | null;
  /** Waiting runs per flow, under the filter but its flow. */
  flows: FlowCount[];
  /** Every waiting run, whatever the filter: the navigation's count. */
  count: number;
  loading: boolean;
  error: string | null;
  /** The inbox's filter (the inbox page sets it from its URL). */
  filter: InboxFilter;
  setFilter(filter: InboxFilter): void;
  refresh(): void;
  /** Drops a run at once (it was just answered or cancelled here), before the server's event confirms it. */
  forget(id: string): void;
}

type Loaded = Pick<WaitingRuns, "runs" | "more" | "total" | "forMe" | "flows" | "count" | "loading" | "error">;

const WaitingContext = createContext<WaitingRuns | null>(null);

const filtered = (f: InboxFilter) => Boolean(f.flowName || f.deploymentName || f.tag || f.q || f.forMe);

/**
 * The runs waiting for a person, filtered, ordered and counted on the server (`GET /api/inbox`), read
 * once and then again whenever a run enters or leaves a pause (as the event stream tells), and after
 * every reconnection. The navigation's count and the inbox share it.
 */
export function WaitingRunsProvider({ children }: { children: ReactNode }) {
  const [state, setState] = useState<Loaded>({ runs: [], more: false, total: 0, forMe: null, flows: [], count: 0, loading: true, error: null });
  const [filter, setFilterState] = useState<InboxFilter>({});
  const { reconnects } = useLiveEvents();
  const timer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  const seq = useRef(0);

  const load = useCallback(async () => {
    const mine = ++seq.current;
    try {
      // Filtered, the navigation still counts every waiting run: one more (small) read.
      const [page, all] = await Promise.all([api.inbox({ ...filter, limit: LIMIT }), filtered(filter) ? api.inbox({ limit: 1 }) : undefined]);
      if (mine !== seq.current) return;
      setState({
        runs: page.items,
        more: page.total > page.items.length,
        total: page.total,
        forMe: page.forMe,
        flows: page.flows,
        count: (all ?? page).total,
        loading: false,
        error: null,
      });
    } catch (e) {
      if (mine !== seq.current) return;
      setState((s) => ({ ...s, loading: false, error: errorMessage(e) }));
    }
  }, [filter]);

  // Bursts of events (a batch of runs pausing) are read once, shortly after the burst.
  const refreshSoon = useCallback(() => {
    clearTimeout(timer.current);
    timer.current = setTimeout(() => void load(), 120);
  }, [load]);

  useEffect(() => {
    void load();
    return () => clearTimeout(timer.current);
  }, [load, reconnects]);

  useLiveEvent((e) => {
    if (e.type !== "flow-run.state-changed") return;
    const { state: next, previousType } = e.payload;
    if (next.type !== "PAUSED" && previousType !== "PAUSED") return;
    if (next.type !== "PAUSED") setState((s) => ({ ...s, runs: s.runs.filter((r) => r.id !== e.flowRunId) }));
    refreshSoon();
  });

  const forget = useCallback(
    (id: string) =>
      setState((s) =>
        s.runs.some((r) => r.id === id) ? { ...s, runs: s.runs.filter((r) => r.id !== id), total: s.total - 1, count: Math.max(0, s.count - 1) } : s,
      ),
    [],
  );
  // Kept when equal, so that a page setting the filter it already has does not read again.
  const setFilter = useCallback((next: InboxFilter) => setFilterState((prev) => (JSON.stringify(prev) === JSON.stringify(next) ? prev : next)), []);
  return <WaitingContext value={{ ...state, filter, setFilter, refresh: () => void load(), forget }}>{children}</WaitingContext>;
}

/** The runs waiting for a person. */
export function useWaitingRuns(): WaitingRuns {
  const w = useContext(WaitingContext);
  if (!w) throw new Error("useWaitingRuns needs a WaitingRunsProvider above it");
  return w;
}

import { createContext, useCallback, useContext, useEffect, useRef, useState, type ReactNode } from "react";
import { api, errorMessage } from "../api/client.ts";
import type { FlowRun } from "../api/types.ts";
import { useLiveEvent, useLiveEvents } from "./live-events.tsx";

/** How many waiting runs the inbox reads at once. */
const LIMIT = 500;

interface WaitingRuns {
  /** Paused and suspended runs, the most recently paused first. */
  runs: FlowRun[];
  /** True when more runs wait than were read. */
  more: boolean;
  loading: boolean;
  error: string | null;
  refresh(): void;
  /** Drops a run at once (it was just answered or cancelled here), before the server's event confirms it. */
  forget(id: string): void;
}

const WaitingContext = createContext<WaitingRuns | null>(null);

function byPausedAt(a: FlowRun, b: FlowRun): number {
  return b.state.timestamp.localeCompare(a.state.timestamp) || b.id.localeCompare(a.id);
}

/**
 * The runs waiting for a person, read once and then again whenever a run enters or leaves a pause (as
 * the event stream tells), and after every reconnection. The navigation's count and the inbox share it.
 */
export function WaitingRunsProvider({ children }: { children: ReactNode }) {
  const [state, setState] = useState<Omit<WaitingRuns, "refresh" | "forget">>({ runs: [], more: false, loading: true, error: null });
  const { reconnects } = useLiveEvents();
  const timer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  const seq = useRef(0);

  const load = useCallback(async () => {
    const mine = ++seq.current;
    try {
      const page = await api.listFlowRuns({ state: "PAUSED", limit: LIMIT });
      if (mine !== seq.current) return;
      setState({ runs: [...page.items].sort(byPausedAt), more: page.nextCursor !== null, loading: false, error: null });
    } catch (e) {
      if (mine !== seq.current) return;
      setState((s) => ({ ...s, loading: false, error: errorMessage(e) }));
    }
  }, []);

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

  const forget = useCallback((id: string) => setState((s) => ({ ...s, runs: s.runs.filter((r) => r.id !== id) })), []);
  return <WaitingContext value={{ ...state, refresh: () => void load(), forget }}>{children}</WaitingContext>;
}

/** The runs waiting for a person. */
export function useWaitingRuns(): WaitingRuns {
  const w = useContext(WaitingContext);
  if (!w) throw new Error("useWaitingRuns needs a WaitingRunsProvider above it");
  return w;
}

import { createContext, useCallback, useContext, useEffect, useRef, useState, type ReactNode } from "react";
import { openEventStream, type StreamStatus } from "../api/events.ts";
import type { BatonEvent } from "../api/types.ts";

type Listener = (event: BatonEvent) => void;

interface LiveEvents {
  status: StreamStatus;
  /** Increases each time the stream comes back after a break: read again what you show. */
  reconnects: number;
  subscribe(listener: Listener): () => void;
}

const LiveContext = createContext<LiveEvents | null>(null);

/**
 * One event stream of run state changes, answers and deliveries' progress for the whole app, shared by
 * the navigation's count, the inbox, the runs list and the deliveries list.
 */
export function LiveEventsProvider({ children }: { children: ReactNode }) {
  const [status, setStatus] = useState<StreamStatus>("connecting");
  const [reconnects, setReconnects] = useState(0);
  const listeners = useRef(new Set<Listener>());
  useEffect(
    () =>
      openEventStream({
        types: ["flow-run.state-changed", "flow-run.input-submitted", "delivery.changed"],
        onEvent: (e) => {
          for (const l of listeners.current) l(e);
        },
        onStatus: setStatus,
        onReconnect: () => setReconnects((n) => n + 1),
      }),
    [],
  );
  const subscribe = useCallback((l: Listener) => {
    listeners.current.add(l);
    return () => void listeners.current.delete(l);
  }, []);
  return <LiveContext value={{ status, reconnects, subscribe }}>{children}</LiveContext>;
}

/** The shared stream: its status, and a way to hear its events. */
export function useLiveEvents(): LiveEvents {
  const live = useContext(LiveContext);
  if (!live) throw new Error("useLiveEvents needs a LiveEventsProvider above it");
  return live;
}

/** Calls `listener` for every shared event while the component is mounted. */
export function useLiveEvent(listener: Listener): void {
  const { subscribe } = useLiveEvents();
  const latest = useRef(listener);
  latest.current = listener;
  useEffect(() => subscribe((e) => latest.current(e)), [subscribe]);
}

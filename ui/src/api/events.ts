import type { BatonEvent } from "./types.ts";

/** Whether the event stream is connected. */
export type StreamStatus = "connecting" | "live" | "reconnecting";

/** Options of `openEventStream`. */
export interface EventStreamOptions {
  /** Only this run's events. */
  flowRunId?: string | undefined;
  /** Only these event types (all when left out). */
  types?: readonly BatonEvent["type"][] | undefined;
  onEvent(event: BatonEvent): void;
  onStatus?(status: StreamStatus): void;
  /**
   * Called when the stream is back after a break (a server restart, a network change). Kept events
   * missed meanwhile are replayed, but log lines are not, and a different server may have other data:
   * callers read again what they show.
   */
  onReconnect?(): void;
}

const ALL_TYPES: BatonEvent["type"][] = ["flow-run.state-changed", "flow-run.input-submitted", "flow-run.input-rejected", "log"];

/**
 * Follows the server's event stream (`GET /api/events`). The browser's EventSource reconnects by itself
 * and sends Last-Event-ID, so the server replays what was missed; when the browser gives up (a proxy
 * answering 502, say), a new stream is opened after a growing delay with `?after=` the last id seen.
 * Returns a function that closes it.
 */
export function openEventStream(options: EventStreamOptions): () => void {
  let source: EventSource | undefined;
  let lastId: string | undefined;
  let broken = false;
  let closed = false;
  let delay = 1000;
  let timer: ReturnType<typeof setTimeout> | undefined;

  const connect = () => {
    const q = new URLSearchParams();
    if (options.flowRunId) q.set("flowRunId", options.flowRunId);
    if (options.types) q.set("types", options.types.join(","));
    if (lastId) q.set("after", lastId);
    const es = new EventSource(`/api/events?${q}`);
    source = es;
    es.onopen = () => {
      delay = 1000;
      options.onStatus?.("live");
      if (broken) {
        broken = false;
        options.onReconnect?.();
      }
    };
    es.onerror = () => {
      broken = true;
      options.onStatus?.("reconnecting");
      if (es.readyState === EventSource.CLOSED && !closed) {
        es.close();
        timer = setTimeout(connect, delay);
        delay = Math.min(delay * 2, 15_000);
      }
    };
    for (const type of options.types ?? ALL_TYPES) {
      es.addEventListener(type, (m: MessageEvent<string>) => {
        if (m.lastEventId) lastId = m.lastEventId;
        let event: BatonEvent;
        try {
          event = JSON.parse(m.data) as BatonEvent;
        } catch {
          return;
        }
        options.onEvent(event);
      });
    }
  };
  options.onStatus?.("connecting");
  connect();
  return () => {
    closed = true;
    clearTimeout(timer);
    source?.close();
  };
}

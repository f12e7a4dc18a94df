import { createParser } from "eventsource-parser";
import type { BatonEvent, BatonEventType } from "../contract/index.ts";

/** Options of an event stream. */
export interface EventStreamOptions {
  url: string;
  flowRunId?: string | undefined;
  types?: readonly BatonEventType[] | undefined;
  /** Replay kept events after this id on the first connection. */
  after?: number | undefined;
  /** Called on every (re)connection, once the server accepted it; a good moment to re-read state. */
  onOpen?: (() => void) | undefined;
  /** Called when the connection drops; the stream retries by itself. */
  onDisconnect?: ((error: unknown) => void) | undefined;
  /** Sent with every connection (the client's `Authorization`). */
  headers?: Record<string, string> | undefined;
}

/** A live subscription to server-sent events. */
export interface EventStream {
  close(): void;
  /** Resolves once the first connection is open. */
  readonly ready: Promise<void>;
}

/** The first wait before reconnecting, unless the server sets another with `retry:`. */
const DEFAULT_RETRY_MS = 100;
/** The longest wait between two attempts (or the server's `retry:`, when that is longer). */
const MAX_RETRY_MS = 5000;
/** A connection that stayed open this long starts the backoff again from the first wait. */
const STABLE_CONNECTION_MS = 10_000;

/**
 * Reads the server's event stream with undici's `fetch` and `eventsource-parser`, reconnecting with
 * growing delays and resuming after the last kept event (`Last-Event-ID`), so nothing is missed across a
 * drop or a server restart. The first wait is the server's `retry:` (100 ms until it sends one); each
 * failed attempt in a row doubles it, up to 5 s.
 */
export function openEventStream(options: EventStreamOptions, onEvent: (event: BatonEvent) => void): EventStream {
  const controller = new AbortController();
  let lastId = options.after === undefined ? undefined : String(options.after);
  let retryMs = DEFAULT_RETRY_MS;
  let closed = false;
  let resolveReady!: () => void;
  const ready = new Promise<void>((r) => (resolveReady = r));
  const parser = createParser({
    onEvent(message) {
      // Set before the callback runs: if it throws, the reconnection does not replay this event again.
      if (message.id !== undefined) lastId = message.id || undefined;
      onEvent(JSON.parse(message.data) as BatonEvent);
    },
    onRetry(ms) {
      retryMs = ms;
    },
  });

  const connectOnce = async () => {
    const headers: Record<string, string> = { ...options.headers, accept: "text/event-stream" };
    if (lastId !== undefined) headers["last-event-id"] = lastId;
    const { fetch } = await import("undici"); // the client's HTTP library, loaded on first use
    const res = await fetch(options.url, { headers, signal: controller.signal });
    if (!res.ok || !res.body) throw new Error(`event stream answered HTTP ${res.status}`);
    resolveReady();
    options.onOpen?.();
    // A new connection starts a new stream: what was left half-read of the last one is dropped.
    parser.reset();
    const decoder = new TextDecoder();
    for await (const chunk of res.body) parser.feed(decoder.decode(chunk as Uint8Array, { stream: true }));
    throw new Error("event stream ended");
  };

  void (async () => {
    let failures = 0;
    while (!closed) {
      const started = Date.now();
      try {
        await connectOnce();
      } catch (e) {
        if (closed) return;
        options.onDisconnect?.(e);
      }
      if (Date.now() - started > STABLE_CONNECTION_MS) failures = 0;
      const delay = Math.min(retryMs * 2 ** failures, Math.max(MAX_RETRY_MS, retryMs));
      failures++;
      await new Promise((r) => setTimeout(r, delay));
    }
  })();

  return {
    ready,
    close() {
      closed = true;
      controller.abort();
    },
  };
}

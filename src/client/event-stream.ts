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
}

/** A live subscription to server-sent events. */
export interface EventStream {
  close(): void;
  /** Resolves once the first connection is open. */
  readonly ready: Promise<void>;
}

/**
 * Reads the server's event stream with undici's `fetch`, reconnecting with growing delays (up to 5 s) and
 * resuming after the last kept event, so nothing is missed across a drop or a server restart.
 */
export function openEventStream(options: EventStreamOptions, onEvent: (event: BatonEvent) => void): EventStream {
  const controller = new AbortController();
  let lastId = options.after;
  let closed = false;
  let resolveReady!: () => void;
  const ready = new Promise<void>((r) => (resolveReady = r));

  const connectOnce = async () => {
    const headers: Record<string, string> = { accept: "text/event-stream" };
    if (lastId !== undefined) headers["last-event-id"] = String(lastId);
    const { fetch } = await import("undici"); // the client's HTTP library, loaded on first use
    const res = await fetch(options.url, { headers, signal: controller.signal });
    if (!res.ok || !res.body) throw new Error(`event stream answered HTTP ${res.status}`);
    resolveReady();
    options.onOpen?.();
    const decoder = new TextDecoder();
    let buffer = "";
    for await (const chunk of res.body) {
      buffer += decoder.decode(chunk as Uint8Array, { stream: true });
      let end: number;
      while ((end = buffer.indexOf("\n\n")) >= 0) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        let data = "";
        let id: string | undefined;
        for (const line of block.split("\n")) {
          if (line.startsWith("data: ")) data += line.slice(6);
          else if (line.startsWith("id: ")) id = line.slice(4);
        }
        if (id !== undefined) lastId = Number(id);
        if (!data) continue;
        onEvent(JSON.parse(data) as BatonEvent);
      }
    }
    throw new Error("event stream ended");
  };

  void (async () => {
    let delay = 100;
    while (!closed) {
      const started = Date.now();
      try {
        await connectOnce();
      } catch (e) {
        if (closed) return;
        options.onDisconnect?.(e);
      }
      if (Date.now() - started > 10_000) delay = 100;
      await new Promise((r) => setTimeout(r, delay));
      delay = Math.min(delay * 2, 5000);
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

import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { z } from "zod";
import { EVENT_TYPES, type BatonEvent } from "../../contract/index.ts";
import type { EventService } from "../event-service.ts";

/** A client that reads slower than this much buffered output is cut off; it reconnects with Last-Event-ID. */
const MAX_BUFFERED_BYTES = 8 * 1024 * 1024;

const EventsQuery = z.object({
  flowRunId: z.string().optional(),
  types: z
    .string()
    .optional()
    .transform((v) => (v ? v.split(",") : undefined))
    .pipe(z.array(z.enum(EVENT_TYPES)).optional()),
  /** Replay kept events after this id (the same as the Last-Event-ID header). */
  after: z.coerce.number().int().min(0).optional(),
  /** The process holding the stream (the SDK's worker id): its closing makes the server suspect that process's runs. */
  workerId: z.string().min(1).max(100).optional(),
  /**
   * The process checks answers with its flows' own schemas before their runs resume: `@live` for the runs
   * waiting in its live pauses (with `workerId`), and/or the names of the deployments it serves.
   */
  checks: z
    .string()
    .max(10_000)
    .optional()
    .transform((v) => (v ? v.split(",").filter(Boolean) : undefined)),
});

/** In `checks`: the process checks the answers to its live pauses. */
const LIVE_PAUSES = "@live";

/** Each event's frame, made once however many streams send it. */
const frames = new WeakMap<BatonEvent, string>();

function frame(e: BatonEvent): string {
  let f = frames.get(e);
  // Log lines carry their own ids, and events kept nowhere (input checks, deliveries' progress) id 0; only
  // kept events set the stream position used on reconnect.
  if (f === undefined)
    frames.set(e, (f = `${e.type === "log" || e.id === 0 ? "" : `id: ${e.id}\n`}event: ${e.type}\ndata: ${JSON.stringify(e)}\n\n`));
  return f;
}

/**
 * `GET /api/events`: server-sent events, for one run or all. A client that reconnects with
 * Last-Event-ID (or `?after=`) first gets the kept events it missed, then live ones.
 */
export function eventsRoute(events: EventService): FastifyPluginAsyncZod {
  return async (app) => {
    app.get(
      "/events",
      { schema: { querystring: EventsQuery, tags: ["events"], summary: "Stream events (server-sent events)" } },
      async (req, reply) => {
        const { flowRunId, types, workerId, checks } = req.query;
        const header = req.headers["last-event-id"];
        const fromHeader = header !== undefined && /^\d{1,15}$/.test(String(header)) ? Number(header) : undefined;
        const after = req.query.after ?? fromHeader;
        // While replaying, live events are held back and the replayed ids remembered, so that an event
        // both replayed and published live is sent once. Ids are not compared by order: on PostgreSQL,
        // concurrent transactions may commit (and publish) a higher id before a lower one.
        let pending: BatonEvent[] | null = [];
        const replayed = new Set<number>();
        // Subscribed first, so that a caller who may not read events gets its error as a normal answer;
        // what arrives meanwhile waits in `pending`.
        const unsubscribe = events.subscribe(
          req.caller,
          { flowRunId, types },
          (e) => (pending ? pending.push(e) : send(e)),
          workerId,
          checks && { livePauses: checks.includes(LIVE_PAUSES), deployments: checks.filter((c) => c !== LIVE_PAUSES) },
        );
        reply.hijack();
        const res = reply.raw;
        res.writeHead(200, {
          "content-type": "text/event-stream; charset=utf-8",
          "cache-control": "no-cache, no-transform",
          connection: "keep-alive",
          "x-accel-buffering": "no",
          "x-content-type-options": "nosniff",
        });
        res.write("retry: 1000\n\n");
        // Events published together (a group of transactions commits at once, and its callers publish one
        // after another) leave in one write, as soon as those callers are done: a microtask, not the next
        // turn of the event loop, which would wait behind the next group of transactions. One string, one
        // `write`: a corked response writes each chunk, and its chunk-size line, with a system call of its own.
        let batch = "";
        const flush = () => {
          const frames = batch;
          batch = "";
          res.write(frames);
          if (res.writableLength > MAX_BUFFERED_BYTES) res.destroy();
        };
        const send = (e: BatonEvent) => {
          if (e.type !== "log" && replayed.has(e.id)) return;
          if (!batch) queueMicrotask(flush);
          batch += frame(e);
        };
        const ping = setInterval(() => res.write(": ping\n\n"), 15_000);
        res.on("close", () => {
          clearInterval(ping);
          unsubscribe();
        });
        try {
          if (after === undefined) {
            // Tell the client its position, so that a reconnect resumes here instead of replaying history.
            res.write(`id: ${await events.position(req.caller)}\n\n`);
          } else {
            for (let position = after; ; ) {
              const missed = await events.missed(req.caller, position, flowRunId, 1000);
              for (const e of missed) {
                if (!types || types.includes(e.type)) send(e);
                replayed.add(e.id);
              }
              if (missed.length < 1000) break;
              position = missed.at(-1)!.id;
            }
          }
        } finally {
          const buffered = pending ?? [];
          pending = null;
          for (const e of buffered) send(e);
          replayed.clear();
        }
      },
    );
  };
}

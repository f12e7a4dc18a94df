import assert from "node:assert/strict";
import { once } from "node:events";
import { createServer, type IncomingHttpHeaders, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { test } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import type { BatonEvent } from "../contract/index.ts";
import { openEventStream } from "./event-stream.ts";

/** A server-sent-events endpoint over node:http that answers each connection with the next of `scripts`. */
async function sseServer(scripts: ((res: ServerResponse) => Promise<void>)[]) {
  const connections: { headers: IncomingHttpHeaders; at: number }[] = [];
  const server = createServer((req, res) => {
    const script = scripts[connections.length];
    connections.push({ headers: req.headers, at: Date.now() });
    res.writeHead(200, { "content-type": "text/event-stream" });
    void (script ?? (() => new Promise<void>(() => {})))(res).then(() => res.end());
  });
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/events`,
    connections,
    close: () => {
      server.closeAllConnections();
      server.close();
    },
  };
}

/** Writes the pieces one by one, each its own chunk on the wire. */
async function send(res: ServerResponse, ...pieces: string[]) {
  for (const piece of pieces) {
    res.write(piece);
    await sleep(15);
  }
}

async function until(check: () => boolean, what: string) {
  for (const end = Date.now() + 5000; !check(); await sleep(10)) if (Date.now() > end) assert.fail(`timed out waiting for ${what}`);
}

test("the event stream reads multi-line data, LF, CR and CRLF endings, comments, and `data:` without a space; it reconnects after the server's `retry:` with Last-Event-ID", async () => {
  let firstEnded = 0;
  const server = await sseServer([
    async (res) => {
      await send(
        res,
        ": a comment, and a ping\n\n",
        "retry: 400\n\n",
        // Multi-line data: the lines are one JSON text joined by a newline.
        'id: 1\nevent: flow-run.created\ndata: {"n": 1,\ndata:  "lines": "two"}\n\n',
        // CR alone ends lines, and `data:` may have no space after the colon.
        'id: 2\rdata:{"n": 2}\r\r',
        // CRLF, with the CR and LF in two chunks.
        ': another comment\r\nid: 3\r\ndata: {"n": 3}\r',
        "\n\r\n",
        // A block without data dispatches nothing.
        "event: nothing\n\n",
      );
      firstEnded = Date.now();
    },
    async (res) => {
      await send(res, 'id: 4\ndata: {"n": 4}\n\n');
    },
  ]);
  const seen: unknown[] = [];
  const stream = openEventStream({ url: server.url, after: 0 }, (e: BatonEvent) => seen.push(e));
  try {
    await until(() => seen.length === 4, "four events");
    assert.deepEqual(seen, [{ n: 1, lines: "two" }, { n: 2 }, { n: 3 }, { n: 4 }]);
    assert.equal(server.connections.length, 2);
    assert.equal(server.connections[0]!.headers["last-event-id"], "0", "the first connection starts after `after`");
    assert.equal(server.connections[1]!.headers["last-event-id"], "3", "the reconnection resumes after the last id seen");
    // 100 ms without `retry:`; the server asked for 400.
    const waited = server.connections[1]!.at - firstEnded;
    assert.ok(waited >= 350, `reconnected after ${waited} ms, before the server's retry of 400 ms`);
  } finally {
    stream.close();
    server.close();
  }
});

test("the event stream backs off from the server's `retry:` when reconnections keep failing, and says each drop", async () => {
  const server = await sseServer([
    async (res) => {
      await send(res, "retry: 150\n\n");
      res.destroy();
    },
    async (res) => {
      res.destroy();
    },
    async (res) => {
      res.destroy();
    },
    async (res) => {
      await send(res, 'id: 9\ndata: {"n": 9}\n\n');
    },
  ]);
  const seen: unknown[] = [];
  let drops = 0;
  const stream = openEventStream({ url: server.url, onDisconnect: () => drops++ }, (e: BatonEvent) => seen.push(e));
  try {
    await until(() => seen.length === 1, "the event after three drops");
    assert.equal(server.connections[0]!.headers["last-event-id"], undefined, "no Last-Event-ID before any id was seen");
    const gaps = server.connections.slice(1, 4).map((c, i) => c.at - server.connections[i]!.at);
    // Waits of 150, 300 and 600 ms (plus the time each attempt takes); without `retry:`, 100, 200 and 400.
    assert.ok(gaps[0]! >= 145 && gaps[1]! >= 295 && gaps[2]! >= 595, `gaps ${gaps.join(", ")} ms`);
    assert.ok(drops >= 3);
  } finally {
    stream.close();
    server.close();
  }
});

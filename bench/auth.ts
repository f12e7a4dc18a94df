// What authentication adds to a request: `node bench/auth.ts` (after `npm run build:lib`).
// (1) In the server process's terms: Authenticator.identify() for a request with an API key verified
//     before (the cached path every request but the first takes), against one on an open server.
// (2) End to end: GET /api/flows, one request at a time over a kept-alive connection, to two servers
//     started as users start them (bin/baton.js server start), one open (no users) and one that
//     requires a key; rounds alternate between them so that the machine's load falls on both alike.
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { createInterface } from "node:readline";
import { Pool } from "undici";
import { Authenticator } from "../src/server/authenticator.ts";
import { PeopleService } from "../src/server/people-service.ts";
import { localAdmin } from "../src/server/request-caller.ts";
import { openStorage } from "../src/storage/open-storage.ts";
import { loadAverage, percentile } from "./lib.ts";

const root = new URL("../", import.meta.url).pathname;
const CALLS = Number(process.env.BENCH_AUTH_CALLS ?? 200_000);
const ROUNDS = Number(process.env.BENCH_AUTH_ROUNDS ?? 20);
const PER_ROUND = Number(process.env.BENCH_AUTH_PER_ROUND ?? 250);
const homes: string[] = [];
const children: ChildProcess[] = [];

function home(): string {
  const dir = mkdtempSync(join(tmpdir(), "baton-bench-auth-"));
  homes.push(dir);
  return dir;
}

/** A key made on a fresh database, as `baton api-key create` makes it. */
async function keyedHome(): Promise<{ home: string; token: string }> {
  const dir = home();
  const storage = await openStorage({ home: dir });
  const { token } = await new PeopleService(storage).createKey(localAdmin("bench"), { name: "bench", role: "viewer" });
  await storage.close();
  return { home: dir, token };
}

async function identifyCost(): Promise<{ open: number; keyed: number }> {
  const { home: dir, token } = await keyedHome();
  const storage = await openStorage({ home: dir });
  const keyed = new Authenticator(storage, { open: false, mayBeOpen: false });
  const open = new Authenticator(storage, { open: true, mayBeOpen: true });
  const req = (authorization?: string) => ({ headers: authorization ? { authorization } : {}, ip: "127.0.0.1", session: undefined }) as never;
  const withKey = req(`Bearer ${token}`);
  const without = req();
  await keyed.identify(withKey); // verified once (scrypt), then cached
  const time = (a: Authenticator, r: never) => {
    for (let i = 0; i < 10_000; i++) a.identify(r);
    const start = process.hrtime.bigint();
    for (let i = 0; i < CALLS; i++) a.identify(r);
    return Number(process.hrtime.bigint() - start) / 1e3 / CALLS; // µs per call
  };
  const result = { open: time(open, without), keyed: time(keyed, withKey) };
  await storage.close();
  return result;
}

async function startServer(dir: string): Promise<string> {
  const child = spawn(join(root, "bin/baton.js"), ["server", "start", "--port", "0"], {
    cwd: root,
    env: { ...process.env, PATH: `${dirname(process.execPath)}:${process.env.PATH ?? ""}`, BATON_HOME: dir, BATON_LOG_LEVEL: "warn" },
    stdio: ["ignore", "pipe", "inherit"],
  });
  children.push(child);
  const line = await new Promise<string>((resolve) => createInterface({ input: child.stdout! }).once("line", resolve));
  const apiUrl = /API at (http:\/\/\S+\/api)\)/.exec(line)?.[1];
  if (!apiUrl) throw new Error(`the server's first line does not give its API address: ${line}`);
  return apiUrl;
}

async function endToEnd(): Promise<{ open: number[]; keyed: number[] }> {
  const { home: keyedDir, token } = await keyedHome();
  const [openUrl, keyedUrl] = await Promise.all([startServer(home()), startServer(keyedDir)]);
  const targets = [
    { url: new URL(openUrl), headers: {} as Record<string, string>, times: [] as number[] },
    { url: new URL(keyedUrl), headers: { authorization: `Bearer ${token}` }, times: [] as number[] },
  ];
  const pools = targets.map((t) => new Pool(t.url.origin, { connections: 1 }));
  const once = async (i: number) => {
    const t = targets[i]!;
    const start = process.hrtime.bigint();
    const res = await pools[i]!.request({ method: "GET", path: `${t.url.pathname}/flows`, headers: t.headers });
    await res.body.text();
    if (res.statusCode !== 200) throw new Error(`GET /api/flows answered ${res.statusCode}`);
    return Number(process.hrtime.bigint() - start) / 1e6;
  };
  for (let i = 0; i < 2; i++) for (let n = 0; n < 500; n++) await once(i); // warm-up
  for (let round = 0; round < ROUNDS; round++)
    for (const i of round % 2 ? [1, 0] : [0, 1]) for (let n = 0; n < PER_ROUND; n++) targets[i]!.times.push(await once(i));
  await Promise.all(pools.map((p) => p.close()));
  return { open: targets[0]!.times.sort((a, b) => a - b), keyed: targets[1]!.times.sort((a, b) => a - b) };
}

try {
  console.log(`load average ${loadAverage()}`);
  const cost = await identifyCost();
  console.log(
    `identify(): open server ${cost.open.toFixed(3)} µs, cached API key ${cost.keyed.toFixed(3)} µs per call ` +
      `(${CALLS} calls each): the key adds ${(cost.keyed - cost.open).toFixed(3)} µs`,
  );
  const e2e = await endToEnd();
  const row = (name: string, t: number[]) =>
    `${name.padEnd(22)} p50 ${percentile(t, 50).toFixed(3)} ms   p95 ${percentile(t, 95).toFixed(3)} ms   p99 ${percentile(t, 99).toFixed(3)} ms   (${t.length} requests)`;
  console.log(row("open server", e2e.open));
  console.log(row("API key (cached)", e2e.keyed));
  const added = percentile(e2e.keyed, 50) - percentile(e2e.open, 50);
  console.log(`added latency per authenticated request, median: ${added.toFixed(3)} ms (target < 0.2 ms: ${added < 0.2 ? "MET" : "MISSED"})`);
} finally {
  for (const c of children) c.kill("SIGTERM");
  await Promise.all(children.map((c) => new Promise((r) => (c.exitCode === null ? c.once("exit", r) : r(null)))));
  for (const dir of homes) rmSync(dir, { recursive: true, force: true });
}

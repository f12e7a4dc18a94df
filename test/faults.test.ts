// The fault suite: two servers and three serving processes on a PostgreSQL cluster of the test's own, runs
// that pause, suspend and run tasks with side effects, and meanwhile kill -9 of a random server or serving
// process every few seconds, one clean restart of PostgreSQL and one kill -9 of it. Every run must complete,
// every answer be kept once, and every task's side effect be applied once when deduplicated by its
// idempotency key. The randomness comes from one seed, printed: BATON_FAULT_SEED=<seed> replays it.
import assert from "node:assert/strict";
import { randomInt } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { createClient, type BatonClient } from "../src/client/index.ts";
import { DatabaseUnavailableError, NotPausedError, ServerUnreachableError } from "../src/contract/errors.ts";
import type { FlowRun } from "../src/contract/index.ts";
import { privatePostgresUnavailable, PrivatePostgres } from "./support/private-postgres.ts";
import { spawnNode, startTestServer, type Child, type TestServer } from "./support/processes.ts";

/**
 * Runs in the suite. 100 by default, to stay within the suite's 6-minute bound on a shared 2-core machine,
 * where a server's restart took 20-30 s under load; BATON_FAULT_RUNS=1000 runs the 1,000.
 */
const RUNS = Number(process.env.BATON_FAULT_RUNS ?? 100);
const SEED = Number(process.env.BATON_FAULT_SEED ?? randomInt(2 ** 31));
/** Seconds between two kills, at random in this range. */
const KILL_EVERY: [number, number] = [2, 4];
/** The suite gives up after this long (BATON_FAULT_SECONDS, default 270): what is not completed by then is reported as lost. */
const DEADLINE_MS = Number(process.env.BATON_FAULT_SECONDS ?? 270) * 1000;

/** mulberry32: a small generator whose whole state is its seed, so that a seed replays the same faults. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** BATON_FAULT_VERBOSE=1 prints the faults and the progress as they happen (run the file with node directly to see them live). */
const progress = (line: string) => process.env.BATON_FAULT_VERBOSE && console.log(`# ${new Date().toISOString().slice(11, 23)} ${line}`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A request failed in a way a client should try again: no server answered, or it could not reach its database (503). */
function transient(e: unknown): boolean {
  return e instanceof ServerUnreachableError || e instanceof DatabaseUnavailableError;
}

describe("faults: servers, serving processes and PostgreSQL killed while runs pause, suspend and run tasks", {
  skip: privatePostgresUnavailable() ?? false,
}, () => {
  let cluster: PrivatePostgres;
  const servers: TestServer[] = [];
  const serving: (Child | undefined)[] = [];
  let dir: string;
  let effectsFile: string;

  const startServing = (i: number) => {
    serving[i] = spawnNode(["test/fixtures/fault-flows.ts"], {
      ...servers[i % servers.length]!.env,
      BATON_LOG_TO_CONSOLE: "false",
      BATON_HEARTBEAT_INTERVAL_SECONDS: "1",
      SIDE_EFFECTS_FILE: effectsFile,
      SERVE_LIMIT: "100",
    });
    return serving[i]!.waitForOutput("Serving", 30_000);
  };

  before(async () => {
    console.log(`# fault suite: seed ${SEED}, ${RUNS} runs (replay with BATON_FAULT_SEED=${SEED} BATON_FAULT_RUNS=${RUNS})`);
    dir = mkdtempSync(join(tmpdir(), "baton-faults-"));
    effectsFile = join(dir, "effects.log");
    writeFileSync(effectsFile, "");
    cluster = await PrivatePostgres.create();
    console.log("# fault suite: PostgreSQL started");
    const env = {
      BATON_DATABASE_URL: cluster.url,
      BATON_LOG_LEVEL: "fatal",
      // The backstop for a run whose process is alive but lost it (its report failed while a server was down).
      BATON_HEARTBEAT_TIMEOUT_SECONDS: "5",
      BATON_EXPIRY_INTERVAL_SECONDS: "1",
    };
    // One after the other: the first makes the schema.
    servers.push(await startTestServer("postgres", env));
    servers.push(await startTestServer("postgres", env));
    console.log("# fault suite: servers started");
    await Promise.all([0, 1, 2].map(startServing));
  });
  after(async () => {
    for (const s of serving) s?.kill("SIGKILL");
    for (const s of servers) await s.stop().catch(() => {});
    await cluster?.destroy();
    rmSync(dir, { recursive: true, force: true });
  });

  test(`${RUNS} runs complete, each answer kept once and each side effect applied once by its idempotency key`, async () => {
    const rand = random(SEED);
    const pick = <T>(items: T[]) => items[Math.floor(rand() * items.length)]!;
    const clients = servers.map((s) => createClient({ apiUrl: s.apiUrl }));
    /** A client of either server, at random (its own generator: the number of requests must not shift the faults). */
    const answerRand = random(SEED ^ 0x5eed);
    const anyClient = () => clients[Math.floor(answerRand() * clients.length)]!;
    /** Calls `fn` with either server until it is answered, as a client that meets a dead server tries again. */
    const retrying = async <T>(fn: (c: BatonClient) => Promise<T>): Promise<T> => {
      for (let wait = 50; ; wait = Math.min(wait * 2, 1000)) {
        try {
          return await fn(anyClient());
        } catch (e) {
          if (!transient(e) || Date.now() - started > DEADLINE_MS) throw e;
          await sleep(wait);
        }
      }
    };
    /** Starts a killed process again; while what it needs is down (PostgreSQL, its server) it cannot start, so it is tried until it does. */
    const startAgain = async (start: () => Promise<unknown>) => {
      for (;;) {
        try {
          return void (await start());
        } catch (e) {
          if (Date.now() - started > DEADLINE_MS) throw e;
          await sleep(500);
        }
      }
    };

    const started = Date.now();
    const runs: FlowRun[] = [];
    for (let i = 0; i < RUNS; i += 20)
      runs.push(...(await Promise.all(Array.from({ length: Math.min(20, RUNS - i) }, () => retrying((c) => c.runDeployment("faulty"))))));
    const ids = new Set(runs.map((r) => r.id));

    // The faults, from the seed: every few seconds a server or a serving process killed -9 and started again
    // (one at a time: the next is killed a few seconds after the last is back, so that one server always
    // answers); PostgreSQL stopped cleanly and started again at the third fault, killed -9 and started again
    // at the sixth. They go on until every run completed.
    const faults: string[] = [];
    let faulting = true;
    /** Set when the test fails: no fault follows. */
    let halted = false;
    const chaos = (async () => {
      for (let n = 1; faulting || n <= 6; n++) {
        await sleep((KILL_EVERY[0] + rand() * (KILL_EVERY[1] - KILL_EVERY[0])) * 1000);
        if (halted) return;
        const at = `${((Date.now() - started) / 1000).toFixed(1)}s`;
        const pause = 200 + rand() * 1000;
        if (n === 3 || n === 6) {
          faults.push(`${at} PostgreSQL ${n === 3 ? "restarted" : "killed -9"}`);
          progress(faults.at(-1)!);
          await (n === 3 ? cluster.stop() : cluster.kill());
          await sleep(pause);
          await cluster.start();
          continue;
        }
        const target = pick(["server 0", "server 1", "serving 0", "serving 1", "serving 2"]);
        faults.push(`${at} ${target} killed -9`);
        progress(faults.at(-1)!);
        const i = Number(target.at(-1));
        const child = target.startsWith("server ") ? servers[i]!.child : serving[i]!;
        child.kill("SIGKILL");
        await child.exited;
        await sleep(pause);
        await startAgain(() => (target.startsWith("server ") ? servers[i]!.restart() : startServing(i)));
        progress(`${target} up again`);
      }
    })();

    try {
      // The people: answer what waits, through either server. An answer whose request failed may have been
      // kept: the run's inputs say so before it is given again, so that no pause is answered twice by a retry.
      const answered = new Map<string, number>();
      const answer = async (run: FlowRun) => {
        const key = run.state.details.pauseKey!;
        const value = Number(key);
        for (;;) {
          try {
            await anyClient().resume(run.id, { input: value });
            return;
          } catch (e) {
            if (!transient(e) && !(e instanceof NotPausedError)) throw e;
          }
          const inputs = await retrying((c) => c.listRunInputs(run.id));
          if (inputs.find((i) => i.key === key)?.respondedAt) return;
          const now = await retrying((c) => c.getFlowRun(run.id));
          if (now.state.type !== "PAUSED" || now.state.details.pauseKey !== key) return; // not waiting there (yet, or any more)
          assert.ok(Date.now() - started < DEADLINE_MS, `run ${run.id} could not be answered at "${key}" within the suite's time`);
          await sleep(100);
        }
      };
      let completed = 0;
      for (;;) {
        assert.ok(
          Date.now() - started < DEADLINE_MS,
          `not every run completed within ${DEADLINE_MS / 1000} s: ${completed} of ${RUNS}; faults: ${faults.join(", ")}`,
        );
        const paused: FlowRun[] = [];
        let cursor: string | undefined;
        do {
          const page = await retrying((c) => c.listFlowRuns({ flowName: "faulty", state: "PAUSED", limit: 200, ...(cursor ? { cursor } : {}) }));
          paused.push(...page.items);
          cursor = page.nextCursor ?? undefined;
        } while (cursor);
        const queue = paused.filter((r) => answered.get(`${r.id}/${r.state.details.pauseKey}`) === undefined);
        await Promise.all(
          Array.from({ length: 8 }, async () => {
            for (let run = queue.pop(); run; run = queue.pop()) {
              await answer(run);
              answered.set(`${run.id}/${run.state.details.pauseKey}`, Date.now());
            }
          }),
        );
        const ended = await countEnded(retrying);
        const broken = ended.filter((r) => r.state.type !== "COMPLETED");
        assert.deepEqual(
          broken.map((r) => `${r.id} ${r.state.type}: ${r.state.message}`),
          [],
          `runs that ended otherwise than completed; faults: ${faults.join(", ")}`,
        );
        if (ended.length !== completed) progress(`${ended.length} of ${RUNS} runs completed`);
        completed = ended.length;
        if (completed === RUNS) break;
        await sleep(250);
      }
    } catch (e) {
      halted = true;
      chaos.catch(() => {}); // a restart cut short by the end of the test
      throw e;
    }
    faulting = false;
    await chaos;
    const elapsed = (Date.now() - started) / 1000;

    // Every answer was kept once: one input per pause, with its value, and one audit entry of it.
    for (const run of runs) {
      const inputs = await retrying((c) => c.listRunInputs(run.id));
      assert.deepEqual(
        inputs.map((i) => [i.key, i.response]),
        [
          ["1", 1],
          ["2", 2],
        ],
        `the answers of run ${run.id}`,
      );
    }
    const answerEntries = new Map<string, number>();
    for (let after = 0; ; ) {
      const page = await retrying((c) => c.listAudit({ after, limit: 1000 }));
      for (const e of page)
        if (e.action === "flow-run.answer") {
          const k = `${e.target.slice("flow-run/".length)}/${(e.details as { key: string }).key}`;
          answerEntries.set(k, (answerEntries.get(k) ?? 0) + 1);
        }
      if (page.length < 1000) break;
      after = page.at(-1)!.seq;
    }
    for (const id of ids)
      for (const key of ["1", "2"]) assert.equal(answerEntries.get(`${id}/${key}`), 1, `audit entries of the answer to run ${id}, pause ${key}`);

    // Each side effect once by its idempotency key: per run, one key per step, and no key for two steps.
    const lines = readFileSync(effectsFile, "utf8").trim().split("\n");
    const byKey = new Map<string, Set<string>>();
    const stepsOf = new Map<string, Map<string, Set<string>>>();
    for (const line of lines) {
      const [key, runId, ...step] = line.split(" ");
      const what = step.join(" ");
      byKey.set(key!, (byKey.get(key!) ?? new Set()).add(`${runId} ${what}`));
      const steps = stepsOf.get(runId!) ?? new Map<string, Set<string>>();
      steps.set(what, (steps.get(what) ?? new Set()).add(key!));
      stepsOf.set(runId!, steps);
    }
    for (const [key, uses] of byKey) assert.equal(uses.size, 1, `idempotency key ${key} was used for ${[...uses].join(" and ")}`);
    for (const id of ids) {
      const steps = stepsOf.get(id);
      assert.deepEqual([...(steps?.keys() ?? [])].sort(), ["before", "paused 1", "suspended 2"], `the effects of run ${id}`);
      for (const [what, keys] of steps!) assert.equal(keys.size, 1, `run ${id}'s "${what}" ran under ${keys.size} idempotency keys`);
    }
    const again = lines.length - byKey.size;
    console.log(
      `# fault suite: seed ${SEED}: ${RUNS} runs completed in ${elapsed.toFixed(1)} s through ${faults.length} faults (${faults.join(", ")}); ` +
        `${lines.length} task executions for ${byKey.size} side effects: ${again} ran again (at least once), none applied twice by key`,
    );
  });
});

/** Every run of the suite's flow that has ended, whatever its end. */
async function countEnded(retrying: <T>(fn: (c: BatonClient) => Promise<T>) => Promise<T>): Promise<FlowRun[]> {
  const ended: FlowRun[] = [];
  let cursor: string | undefined;
  do {
    const page = await retrying((c) =>
      c.listFlowRuns({ flowName: "faulty", state: ["COMPLETED", "FAILED", "CRASHED", "CANCELLED"], limit: 200, ...(cursor ? { cursor } : {}) }),
    );
    ended.push(...page.items);
    cursor = page.nextCursor ?? undefined;
  } while (cursor);
  return ended;
}

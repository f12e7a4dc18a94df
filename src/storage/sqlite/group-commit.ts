import type { Kysely, Transaction } from "kysely";
import { execute } from "../prepared.ts";
import type { Database } from "../schema.ts";
import type { TransactionOptions } from "../storage.ts";

interface Job {
  fn: (tx: Transaction<Database>) => Promise<unknown>;
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
}

// Two of these run around every transaction of a group.
const SAVEPOINT = "savepoint baton_job";
const ROLLBACK_TO_SAVEPOINT = "rollback to baton_job";
const RELEASE_SAVEPOINT = "release baton_job";

type Outcome = { ok: true; value: unknown } | { ok: false; error: unknown };

/**
 * Transactions in one group at most. A group holds the event loop until it commits (SQLite is
 * synchronous), so a bounded group bounds how long a request can wait behind it: about 10 ms.
 */
const MAX_GROUP = 64;

/**
 * Transactions for SQLite with group commit. SQLite has one writer, and most of a small transaction's
 * cost is its COMMIT (writing every page it touched to the WAL). So the transactions asked for while one
 * runs wait, and then run together in one SQLite transaction, each in its own savepoint: one that fails
 * is rolled back alone and its caller gets its error; the others commit together, and every caller is
 * answered only after that COMMIT. A lone transaction runs as before, without a savepoint. Urgent
 * transactions (a person's answer) are taken into the next group before those queued, up to half of it.
 */
export function groupCommit(db: Kysely<Database>): <T>(fn: (tx: Transaction<Database>) => Promise<T>, options?: TransactionOptions) => Promise<T> {
  const urgent: Job[] = [];
  const queue: Job[] = [];
  let draining = false;

  async function runGroup(jobs: Job[]): Promise<Outcome[]> {
    const outcomes: Outcome[] = [];
    if (jobs.length === 1) {
      try {
        outcomes.push({ ok: true, value: await db.transaction().execute(jobs[0]!.fn) });
      } catch (error) {
        outcomes.push({ ok: false, error });
      }
      return outcomes;
    }
    try {
      await db.transaction().execute(async (tx) => {
        for (const job of jobs) {
          await execute(tx, SAVEPOINT);
          try {
            outcomes.push({ ok: true, value: await job.fn(tx) });
          } catch (error) {
            outcomes.push({ ok: false, error });
            await execute(tx, ROLLBACK_TO_SAVEPOINT);
          }
          await execute(tx, RELEASE_SAVEPOINT);
        }
      });
    } catch (error) {
      // The COMMIT (or a rollback) failed: nothing of this group was kept.
      return jobs.map(() => ({ ok: false, error }));
    }
    return outcomes;
  }

  async function drain(): Promise<void> {
    // Urgent ones first, but at most half a group while others wait, so that a flood of answers cannot
    // starve the reports of running flows.
    const jobs = urgent.splice(0, queue.length ? MAX_GROUP / 2 : MAX_GROUP);
    jobs.push(...queue.splice(0, MAX_GROUP - jobs.length));
    const outcomes = await runGroup(jobs);
    jobs.forEach((job, i) => {
      const o = outcomes[i]!;
      if (o.ok) job.resolve(o.value);
      else job.reject(o.error);
    });
    // The rest waits for the next turn, so that requests arriving meanwhile are read in between.
    if (urgent.length || queue.length) setImmediate(drain);
    else draining = false;
  }

  return <T>(fn: (tx: Transaction<Database>) => Promise<T>, options?: TransactionOptions) =>
    new Promise<T>((resolve, reject) => {
      (options?.urgent ? urgent : queue).push({ fn, resolve: resolve as (v: unknown) => void, reject });
      // The group is drained after this turn of the event loop: the requests read from the sockets in
      // this turn run their transactions together.
      if (!draining) {
        draining = true;
        setImmediate(drain);
      }
    });
}

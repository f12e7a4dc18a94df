import type { Storage } from "../storage/storage.ts";
import { authorize } from "./authorize.ts";
import { systemNow } from "./clock.ts";
import type { DeploymentService } from "./deployment-service.ts";
import type { RequestCaller } from "./request-caller.ts";

interface Presence {
  workerId: string;
  /** This process's event streams open on this server. */
  streams: number;
  /** The recovery planned for when the grace is over. */
  timer?: NodeJS.Timeout | undefined;
  /** The writes about this process, one after another, so that a reconnect's is never overtaken by the drop's. */
  writes: Promise<unknown>;
}

/**
 * Notices within seconds that a process running flows died. A process keeps an event stream open while
 * its runs wait (and while it serves deployments), naming itself on it. When its last stream on this
 * server closes, the runs it waits in or serves are suspected at once: their last sign of life is moved
 * back so that they count as silent once `graceSeconds` have passed, and this server recovers them then
 * (paused deployment runs suspended, served running ones rescheduled, others Crashed), unless the
 * process opened a stream again meanwhile, on this server or another, which counts as a sign of life.
 * Should this server die first, any server's heartbeat monitor recovers them at the same moment. A
 * process that is alive but lost only its stream still sends heartbeats, which clear the suspicion.
 */
export class WorkerPresence {
  readonly #storage: Storage;
  readonly #deployments: DeploymentService;
  readonly #heartbeatTimeoutSeconds: number;
  readonly #graceSeconds: number;
  readonly #onError: (e: unknown) => void;
  readonly #workers = new Map<string, Presence>();
  #stopped = false;

  constructor(
    storage: Storage,
    deployments: DeploymentService,
    options: { heartbeatTimeoutSeconds: number; graceSeconds: number; onError: (e: unknown) => void },
  ) {
    this.#storage = storage;
    this.#deployments = deployments;
    this.#heartbeatTimeoutSeconds = options.heartbeatTimeoutSeconds;
    this.#graceSeconds = options.graceSeconds;
    this.#onError = options.onError;
  }

  /** A stream of process `workerId` opened: a sign of life for all its runs. Returns what to call when it closes. */
  connected(caller: RequestCaller, workerId: string): () => void {
    authorize(caller, "worker:heartbeat", { type: "worker", id: workerId });
    let p = this.#workers.get(workerId);
    if (!p) this.#workers.set(workerId, (p = { workerId, streams: 0, writes: Promise.resolve() }));
    const presence = p;
    presence.streams++;
    clearTimeout(presence.timer);
    presence.timer = undefined;
    this.#write(presence, () => this.#storage.runs.touchWorker(workerId, systemNow()));
    let closed = false;
    return () => {
      if (closed || this.#stopped) return;
      closed = true;
      if (--presence.streams > 0) return;
      // Counted silent from `graceSeconds` on: the heartbeat monitor's cutoff is `timeout` before now.
      const at = Date.now() - (this.#heartbeatTimeoutSeconds - this.#graceSeconds) * 1000;
      this.#write(presence, () => this.#storage.runs.suspectWorker(workerId, new Date(at).toISOString()));
      presence.timer = setTimeout(() => {
        presence.timer = undefined;
        this.#write(presence, () =>
          this.#deployments.recoverSilentRuns(this.#heartbeatTimeoutSeconds, 1000, {
            workerId,
            why: `its process's connection closed and it did not come back within ${this.#graceSeconds} s`,
            // The runs still as suspected: a sign of life since (a reconnect, a heartbeat) moved them on.
            cutoff: new Date(at + 1).toISOString(),
          }),
        );
      }, this.#graceSeconds * 1000);
      presence.timer.unref();
    };
  }

  /**
   * Stops the planned recoveries, and suspects no one when the streams close: the server is closing, and
   * the processes will reconnect (the heartbeat monitors remain the backstop).
   */
  stop(): void {
    this.#stopped = true;
    for (const p of this.#workers.values()) clearTimeout(p.timer);
    this.#workers.clear();
  }

  #write(presence: Presence, write: () => Promise<unknown>): void {
    presence.writes = presence.writes.then(write).catch(this.#onError);
    // Forgotten once idle, so that the map holds only processes with streams or a pending recovery.
    const settled = presence.writes;
    void settled.then(() => {
      if (settled === presence.writes && !presence.streams && !presence.timer && this.#workers.get(presence.workerId) === presence)
        this.#workers.delete(presence.workerId);
    });
  }
}

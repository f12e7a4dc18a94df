import type { Dialect, Storage } from "../storage/storage.ts";
import { authorize } from "./authorize.ts";
import type { RequestCaller } from "./request-caller.ts";

/** Whether this server can serve: `GET /api/health`. */
export class HealthService {
  readonly #storage: Storage;
  constructor(storage: Storage) {
    this.#storage = storage;
  }

  /** Resolves when the database answers; rejects (a 500) when it does not. */
  async check(caller: RequestCaller): Promise<{ status: "ok"; database: Dialect }> {
    authorize(caller, "server:read", { type: "server" });
    await this.#storage.ping();
    return { status: "ok", database: this.#storage.dialect };
  }
}

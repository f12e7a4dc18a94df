import type { Dialect, Storage } from "../storage/storage.ts";

/** Whether this server can serve: `GET /api/health`. */
export class HealthService {
  readonly #storage: Storage;
  constructor(storage: Storage) {
    this.#storage = storage;
  }

  /** Resolves when the database answers; rejects (a 500) when it does not. */
  async check(): Promise<{ status: "ok"; database: Dialect }> {
    await this.#storage.ping();
    return { status: "ok", database: this.#storage.dialect };
  }
}

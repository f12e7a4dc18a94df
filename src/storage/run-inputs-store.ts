import type { Answer, Channel, InputRefusal, InputRequest, RunInput } from "../contract/index.ts";
import { runInputOf } from "./rows.ts";
import { prepared } from "./prepared.ts";
import type { Executor } from "./sql-storage.ts";
import { encodeText } from "./text-codec.ts";

/** Who answered, how and when. */
export interface Response {
  value: unknown;
  respondedAt: string;
  channel: Channel;
  respondedBy: string | null;
  onBehalfOf: string | null;
  /** What the person wrote with the answer. */
  comment?: string | null | undefined;
}

/** Each pause's question and answer: `storage.inputs`. */
export interface RunInputStore {
  /**
   * Records what a pause asks for. A key that exists without an answer is asked again (its question and
   * deadline replaced: a retried run reaching a pause that timed out); one with an answer is left as is.
   */
  insertRequest(flowRunId: string, key: string, request: InputRequest | null, requestedAt: string, timeoutAt: string | null): Promise<void>;
  /** One pause of a run, or undefined. */
  get(flowRunId: string, key: string): Promise<RunInput | undefined>;
  /** The pauses of one run or several, with their answers, in the order they were asked. */
  list(flowRunIds: string | readonly string[]): Promise<RunInput[]>;
  /**
   * Stores the answer of a pause unless it already has one; returns false if it had. One conditional
   * UPDATE, so of two concurrent answers exactly one is stored, on both databases.
   */
  storeResponse(flowRunId: string, key: string, response: Response): Promise<boolean>;
  /** Moves pause `key` of a run, with its answer, to `newKey`, so that `key` can be asked afresh. */
  rename(flowRunId: string, key: string, newKey: string): Promise<void>;
  /**
   * Replaces a quorum pause's answers so far with `next`, if they are still `previous`; returns false if
   * another answer came meanwhile (compare-and-set, so two people answering at once both count).
   */
  setAnswers(flowRunId: string, key: string, previous: readonly Answer[], next: readonly Answer[]): Promise<boolean>;
  /** Records an answer to pause `key` that the flow's own rules refused; the pause stays open. */
  addRefusal(flowRunId: string, key: string, refusal: InputRefusal): Promise<void>;
  /** The refused answers of a run, oldest first, by pause key. */
  listRefusals(flowRunId: string): Promise<Map<string, InputRefusal[]>>;
}

/** `RunInputStore` in SQL, the same on both databases. */
export class SqlRunInputStore implements RunInputStore {
  readonly #db: Executor;
  constructor(db: Executor) {
    this.#db = db;
  }

  async insertRequest(flowRunId: string, key: string, request: InputRequest | null, requestedAt: string, timeoutAt: string | null): Promise<void> {
    await this.#db
      .insertInto("run_inputs")
      .values({
        flow_run_id: flowRunId,
        key,
        schema: request ? JSON.stringify(request.schema) : null,
        initial_data: request?.initialData === undefined ? null : JSON.stringify(request.initialData),
        description: encodeText(request?.description ?? null),
        requested_at: requestedAt,
        timeout_at: timeoutAt,
      })
      .onConflict((oc) =>
        oc
          .columns(["flow_run_id", "key"])
          .doUpdateSet((eb) => ({
            schema: eb.ref("excluded.schema"),
            initial_data: eb.ref("excluded.initial_data"),
            description: eb.ref("excluded.description"),
            requested_at: eb.ref("excluded.requested_at"),
            timeout_at: eb.ref("excluded.timeout_at"),
          }))
          .where("run_inputs.responded_at", "is", null),
      )
      .execute();
  }

  async rename(flowRunId: string, key: string, newKey: string): Promise<void> {
    await this.#db.updateTable("run_inputs").set({ key: newKey }).where("flow_run_id", "=", flowRunId).where("key", "=", key).execute();
  }

  async get(flowRunId: string, key: string): Promise<RunInput | undefined> {
    const db = this.#db;
    const { rows } = await prepared(db, "getRunInput", { flowRunId, key }, (p) =>
      db.selectFrom("run_inputs").selectAll().where("flow_run_id", "=", p.flowRunId).where("key", "=", p.key),
    );
    return rows[0] && runInputOf(rows[0]);
  }

  async list(flowRunIds: string | readonly string[]): Promise<RunInput[]> {
    const rows = await this.#db
      .selectFrom("run_inputs")
      .selectAll()
      .where("flow_run_id", "in", [flowRunIds].flat())
      .orderBy("requested_at")
      .execute();
    return rows.map(runInputOf);
  }

  async storeResponse(flowRunId: string, key: string, response: Response): Promise<boolean> {
    const db = this.#db;
    const values = {
      response: JSON.stringify(response.value ?? null),
      responded_at: response.respondedAt,
      channel: response.channel,
      responded_by: response.respondedBy,
      on_behalf_of: response.onBehalfOf,
      comment: encodeText(response.comment ?? null),
      flowRunId,
      key,
    };
    const result = await prepared(db, "storeResponse", values, ({ flowRunId, key, ...set }) =>
      db.updateTable("run_inputs").set(set).where("flow_run_id", "=", flowRunId).where("key", "=", key).where("responded_at", "is", null),
    );
    return !!result.numAffectedRows;
  }

  async setAnswers(flowRunId: string, key: string, previous: readonly Answer[], next: readonly Answer[]): Promise<boolean> {
    const result = await this.#db
      .updateTable("run_inputs")
      .set({ answers: JSON.stringify(next) })
      .where("flow_run_id", "=", flowRunId)
      .where("key", "=", key)
      .where("responded_at", "is", null)
      .where((eb) => (previous.length ? eb("answers", "=", JSON.stringify(previous)) : eb("answers", "is", null)))
      .executeTakeFirst();
    return Number(result.numUpdatedRows) > 0;
  }

  async addRefusal(flowRunId: string, key: string, r: InputRefusal): Promise<void> {
    await this.#db
      .insertInto("input_refusals")
      .values({
        flow_run_id: flowRunId,
        key,
        value: JSON.stringify(r.value ?? null),
        errors: JSON.stringify(r.errors),
        channel: r.channel,
        responded_by: r.respondedBy,
        on_behalf_of: r.onBehalfOf,
        refused_at: r.refusedAt,
      })
      .execute();
  }

  async listRefusals(flowRunId: string): Promise<Map<string, InputRefusal[]>> {
    const rows = await this.#db.selectFrom("input_refusals").selectAll().where("flow_run_id", "=", flowRunId).orderBy("id").execute();
    const byKey = new Map<string, InputRefusal[]>();
    for (const row of rows) {
      const list = byKey.get(row.key) ?? [];
      list.push({
        value: JSON.parse(row.value),
        errors: JSON.parse(row.errors),
        channel: row.channel as Channel,
        respondedBy: row.responded_by,
        onBehalfOf: row.on_behalf_of,
        refusedAt: row.refused_at,
      });
      byKey.set(row.key, list);
    }
    return byKey;
  }
}

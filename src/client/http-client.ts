import { DatabaseUnavailableError, ServerUnreachableError, UnexpectedResponseError } from "../contract/errors.ts";
import { MAX_BATCH_OPERATIONS } from "../contract/index.ts";
import type {
  ApiKey,
  AuditEntry,
  AuditVerification,
  CreateApiKeyBody,
  CreatedApiKey,
  CreateUserBody,
  Me,
  User,
  Automation,
  CreateAutomationBody,
  CreateChannelBody,
  Delivery,
  DeliveryStatus,
  NotificationChannel,
  BatchOperation,
  BatchResult,
  BulkBody,
  BulkResult,
  InboxPage,
  InboxQuery,
  BatonEvent,
  ClaimBody,
  ClaimResult,
  Deployment,
  HeartbeatBody,
  HeartbeatResult,
  RegisterDeploymentBody,
  Channel,
  CreateFlowRunBody,
  CreateTaskRunBody,
  Flow,
  FlowRun,
  FlowRunPage,
  InputCheckReply,
  Log,
  LogEntry,
  DeclareReceiverBody,
  Message,
  ReceiveBody,
  Receiver,
  SendMessageBody,
  PauseBody,
  PauseResult,
  ResumeResult,
  RunInput,
  SetTaskRunStateBody,
  State,
  StateProposal,
  StateType,
  TaskRun,
} from "../contract/index.ts";
import { errorFromResponse, type ErrorResponseBody } from "./error-from-response.ts";
import { openEventStream, type EventStream, type EventStreamOptions } from "./event-stream.ts";

/** Connections a client keeps to the server at most; more concurrent requests wait for one to be free. */
const MAX_SOCKETS = 32;
/** A request whose connection stays silent this long fails with ServerUnreachableError. */
const REQUEST_IDLE_TIMEOUT_MS = 300_000;

/** A batch's size at most, well below the server's 1 MiB body limit (one write alone may be larger). */
const MAX_BATCH_BYTES = 512 * 1024;

/**
 * Queued writes sent at once, at most. While that many are in flight, new writes wait and leave together
 * when one is answered: under load, a few large batches instead of many small ones; a lone write still
 * leaves at once.
 */
const MAX_WRITES_IN_FLIGHT = 2;

/** A write waiting for the end of this turn of the event loop, serialized once. */
interface QueuedWrite {
  path: string;
  bodyJson: string;
  opJson: string;
  /** Until when a try that met no server, or a server without its database, is followed by another. */
  retryUntil: number;
  tries: number;
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
}

/** Where the API is, when nothing else says. */
export const DEFAULT_API_URL = "http://127.0.0.1:4200/api";

/** Options of `createClient`. */
export interface ClientOptions {
  /** The API's base URL; default `BATON_API_URL`, else http://127.0.0.1:4200/api. */
  apiUrl?: string | undefined;
  /** Recorded with each answer this client gives (`sdk`, `cli`, `api`). */
  channel?: Channel | undefined;
  /** The API key sent as `Authorization: Bearer`; default `BATON_API_KEY`. A server with no users needs none. */
  apiKey?: string | undefined;
  /**
   * For this long, a request that may be sent twice with the same effect (reads; the reports of task and
   * flow runs, pauses, claims, logs) is sent again when no server answered it or the server
   * could not reach its database (503, 502, 504), as during a server's or the database's restart. Default 0:
   * each request is tried once. The SDK sets it from `BATON_RETRY_SECONDS` (60).
   */
  retrySeconds?: number | undefined;
}

/** No server answered, or it (or what is in front of it) cannot take the request now but may soon: 502, 503, 504. */
function mayTryAgain(error: unknown): boolean {
  if (error instanceof ServerUnreachableError || error instanceof DatabaseUnavailableError) return true;
  return error instanceof UnexpectedResponseError && [502, 503, 504].includes(error.details.status);
}

/** Waits before try `attempt + 2`: 50 ms, doubling, at most 1 s. */
function backOff(attempt: number): Promise<void> {
  return new Promise((r) => setTimeout(r, Math.min(1000, 50 * 2 ** attempt)));
}

/** Writes whose second sending changes nothing more than the first (creating a task run is by its key, a pause by its key). */
const REPEATABLE_WRITE = /^\/(batch|logs|task-runs|task-runs\/[^/]+\/(set-state|result)|flow-runs\/[^/]+\/(set-state|pause|suspend)|workers\/claim)$/;

/** Filters of `listFlowRuns`. */
export interface ListFlowRunsOptions {
  state?: StateType | StateType[];
  flowName?: string;
  /** Runs whose name contains this text, ignoring case. */
  name?: string;
  ids?: string[];
  deploymentName?: string;
  /** Runs with this tag. */
  tag?: string;
  createdAfter?: string;
  createdBefore?: string;
  limit?: number;
  cursor?: string;
}

/** Which of a run's messages and inputs by key: `listMessages` and the SDK's `filterFlowRunInput`. */
export interface MessageListOptions {
  /** Those whose key starts with this. */
  keyPrefix?: string | undefined;
  excludeKeys?: readonly string[] | undefined;
  /** At most this many, oldest first (default 100, at most 1000). */
  limit?: number | undefined;
}

/**
 * A typed client of the Baton HTTP API. Errors come back as the same classes the server threw
 * (`NotPausedError`, `InvalidInputError`, ...).
 *
 * @example
 * const client = createClient();
 * const { items } = await client.listFlowRuns({ state: "PAUSED" });
 * await client.resume(items[0].id, { input: { approved: true } });
 */
export class BatonClient {
  readonly apiUrl: string;
  readonly channel: Channel;
  /** The headers every request carries: the channel, and the key when there is one. */
  readonly #headers: Readonly<Record<string, string>>;
  readonly #retryMs: number;
  #closed = false;
  #pool: Promise<{ pool: import("undici").Pool; basePath: string }> | undefined;
  #queue: QueuedWrite[] = [];
  #writesInFlight = 0;
  constructor(options: ClientOptions = {}) {
    this.apiUrl = (options.apiUrl ?? process.env.BATON_API_URL ?? DEFAULT_API_URL).replace(/\/+$/, "");
    this.channel = options.channel ?? "api";
    const apiKey = options.apiKey ?? process.env.BATON_API_KEY;
    this.#headers = { "x-baton-channel": this.channel, ...(apiKey ? { authorization: `Bearer ${apiKey}` } : {}) };
    this.#retryMs = (options.retrySeconds ?? 0) * 1000;
  }

  #request<T>(method: string, path: string, body?: unknown): Promise<T> {
    return this.#exchange<T>(method, path, body === undefined ? undefined : JSON.stringify(body));
  }

  async #exchange<T>(method: string, path: string, json: string | undefined): Promise<T> {
    return parseJson(await this.#text(method, path, json)) as T;
  }

  /**
   * A request whose successful answer is returned as text; an error answer is thrown as its error class.
   * One that may be repeated is tried again for `retrySeconds` while no server can take it.
   */
  async #text(method: string, path: string, body: string | undefined, contentType?: string): Promise<string> {
    const retryUntil = method === "GET" || REPEATABLE_WRITE.test(path.replace(/\?.*$/, "")) ? Date.now() + this.#retryMs : 0;
    for (let attempt = 0; ; attempt++) {
      try {
        return await this.#once(method, path, body, contentType);
      } catch (error) {
        if (this.#closed || !mayTryAgain(error) || Date.now() >= retryUntil) throw error;
        await backOff(attempt);
      }
    }
  }

  /** One try of a request: its answer's text, or the error it answered with (ServerUnreachableError when none). */
  async #once(method: string, path: string, body: string | undefined, contentType?: string): Promise<string> {
    let res: { status: number; text: string };
    try {
      res = await this.#send(method, path, body, contentType);
    } catch (e) {
      throw new ServerUnreachableError(this.apiUrl, e);
    }
    if (res.status < 200 || res.status >= 300) throw errorFromResponse(res.status, parseJson(res.text) as ErrorResponseBody | undefined);
    return res.text;
  }

  /**
   * Queues a write until the end of this turn of the event loop (or, with MAX_WRITES_IN_FLIGHT writes in
   * flight, until one is answered). Writes queued together (the task and state reports of many runs in one
   * process) go to the server as `POST /batch`; a lone one goes to its own endpoint. Each caller gets what
   * that endpoint would have answered, or its error.
   */
  #batched<T>(op: BatchOperation["op"], path: string, body: unknown, id?: string): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const bodyJson = JSON.stringify(body);
      const opJson = `{"op":"${op}",${id === undefined ? "" : `"id":${JSON.stringify(id)},`}"body":${bodyJson}}`;
      this.#enqueue({ path, bodyJson, opJson, retryUntil: Date.now() + this.#retryMs, tries: 0, resolve: resolve as (v: unknown) => void, reject });
    });
  }

  #enqueue(write: QueuedWrite): void {
    this.#queue.push(write);
    if (this.#queue.length === 1 && this.#writesInFlight < MAX_WRITES_IN_FLIGHT) setImmediate(() => this.#flush());
  }

  /** A queued write that met no server, or one without its database: queued again after a moment while `retrySeconds` last, else failed. */
  #failed(q: QueuedWrite, error: unknown): void {
    if (!this.#closed && mayTryAgain(error) && Date.now() < q.retryUntil) void backOff(q.tries++).then(() => this.#enqueue(q));
    else q.reject(error);
  }

  #flush(): void {
    const queued = this.#queue;
    this.#queue = [];
    if (!queued.length) return;
    for (let i = 0; i < queued.length; ) {
      // As many as fit in one request: MAX_BATCH_OPERATIONS, and well below the server's body limit.
      let bytes = 0;
      let end = i;
      while (end < queued.length && end - i < MAX_BATCH_OPERATIONS && (end === i || bytes + queued[end]!.opJson.length <= MAX_BATCH_BYTES))
        bytes += queued[end++]!.opJson.length;
      const chunk = queued.slice(i, end);
      i = end;
      if (chunk.length === 1) {
        const q = chunk[0]!;
        this.#write("POST", q.path, q.bodyJson).then(q.resolve, (error: unknown) => this.#failed(q, error));
        continue;
      }
      this.#write<BatchResult>("POST", "/batch", `{"operations":[${chunk.map((q) => q.opJson).join(",")}]}`).then(
        ({ results }) =>
          chunk.forEach((q, j) => {
            const r = results[j]!;
            if (r.status >= 200 && r.status < 300) q.resolve(r.body);
            else this.#failed(q, errorFromResponse(r.status, r.body as ErrorResponseBody | undefined));
          }),
        (error: unknown) => {
          for (const q of chunk) this.#failed(q, error);
        },
      );
    }
  }

  /** A queued write's request (tried once: its retries are queued again); once the last in flight is answered, what queued meanwhile leaves together. */
  async #write<T>(method: string, path: string, json: string): Promise<T> {
    this.#writesInFlight++;
    try {
      return parseJson(await this.#once(method, path, json)) as T;
    } finally {
      if (--this.#writesInFlight < MAX_WRITES_IN_FLIGHT && this.#queue.length) setImmediate(() => this.#flush());
    }
  }

  /**
   * One request over undici's connection pool, loaded on first use (a server process, which imports the
   * client for its CLI, never loads it). It costs about a third less CPU per request than node:http, and
   * the pool keeps at most MAX_SOCKETS connections open, however many runs call at once.
   */
  async #send(method: string, path: string, body: string | undefined, contentType = "application/json"): Promise<{ status: number; text: string }> {
    this.#pool ??= import("undici").then(({ Pool }) => {
      const url = new URL(this.apiUrl);
      const options = { connections: MAX_SOCKETS, headersTimeout: REQUEST_IDLE_TIMEOUT_MS, bodyTimeout: REQUEST_IDLE_TIMEOUT_MS };
      return { pool: new Pool(url.origin, options), basePath: url.pathname };
    });
    const { pool, basePath } = await this.#pool;
    const headers = body === undefined ? this.#headers : { ...this.#headers, "content-type": contentType };
    const res = await pool.request({ method: method as "GET", path: basePath + path, headers, body });
    return { status: res.statusCode, text: await res.body.text() };
  }

  /** Closes the client's connections once their requests are answered; later requests fail with ServerUnreachableError. */
  async close(): Promise<void> {
    this.#closed = true; // and nothing is tried again
    const pool = this.#pool;
    this.#pool = Promise.reject(new Error("the client was closed"));
    this.#pool.catch(() => {});
    if (pool) await (await pool).pool.close();
  }

  health(): Promise<{ status: "ok"; database: string }> {
    return this.#request("GET", "/health");
  }
  listFlows(): Promise<Flow[]> {
    return this.#request("GET", "/flows");
  }
  createFlowRun(body: CreateFlowRunBody): Promise<FlowRun> {
    return this.#request("POST", "/flow-runs", body);
  }
  getFlowRun(id: string): Promise<FlowRun> {
    return this.#request("GET", `/flow-runs/${encodeURIComponent(id)}`);
  }
  listFlowRuns(options: ListFlowRunsOptions = {}): Promise<FlowRunPage> {
    const q = new URLSearchParams();
    for (const s of [options.state ?? []].flat()) q.append("state", s);
    if (options.flowName) q.set("flowName", options.flowName);
    if (options.name) q.set("name", options.name);
    if (options.ids) q.set("ids", options.ids.join(","));
    if (options.deploymentName) q.set("deploymentName", options.deploymentName);
    if (options.tag) q.set("tag", options.tag);
    if (options.createdAfter) q.set("createdAfter", options.createdAfter);
    if (options.createdBefore) q.set("createdBefore", options.createdBefore);
    if (options.limit) q.set("limit", String(options.limit));
    if (options.cursor) q.set("cursor", options.cursor);
    const qs = q.toString();
    return this.#request("GET", `/flow-runs${qs ? `?${qs}` : ""}`);
  }
  /** The runs waiting for a person, filtered and ordered (the caller's first), with counts per flow. */
  inbox(query: InboxQuery = {}): Promise<InboxPage> {
    const q = new URLSearchParams();
    for (const [k, v] of Object.entries(query)) if (v !== undefined) q.set(k, String(v));
    const qs = q.toString();
    return this.#request("GET", `/inbox${qs ? `?${qs}` : ""}`);
  }
  /** Approves, rejects or cancels several waiting runs; each outcome says what became of its run. */
  bulk(body: BulkBody): Promise<BulkResult> {
    return this.#request("POST", "/inbox/bulk", body);
  }
  listFlowRunStates(id: string): Promise<State[]> {
    return this.#request("GET", `/flow-runs/${encodeURIComponent(id)}/states`);
  }
  /**
   * Moves a run to `state`. `force` skips the orchestration rules (and is audited); `workerId` names the
   * process reporting, so that a report from a process that lost the run is refused (RunTakenOverError).
   */
  setFlowRunState(id: string, state: StateProposal, options: { force?: boolean; workerId?: string } = {}): Promise<FlowRun> {
    return this.#batched("setFlowRunState", `/flow-runs/${encodeURIComponent(id)}/set-state`, { state, ...options }, id);
  }
  pause(id: string, body: PauseBody): Promise<PauseResult> {
    return this.#request("POST", `/flow-runs/${encodeURIComponent(id)}/pause`, body);
  }
  /** Answers a paused run. `input` is the answer itself; omit it when nothing was asked or all fields have defaults. */
  /** Answers a paused run; `validatedBy` says whether the flow's own schema checked the answer (`flow`) or only its JSON Schema (`schema`). */
  resume(id: string, options: { input?: unknown; respondedBy?: string; comment?: string } = {}): Promise<ResumeResult> {
    return this.#request("POST", `/flow-runs/${encodeURIComponent(id)}/resume`, { ...options, channel: this.channel });
  }
  /** A flow process's verdict on an answer the server pushed it to check (`flow-run.input-check`). */
  replyInputCheck(flowRunId: string, checkId: string, reply: InputCheckReply): Promise<void> {
    return this.#request("POST", `/flow-runs/${encodeURIComponent(flowRunId)}/input-checks/${encodeURIComponent(checkId)}`, reply);
  }
  /** Runs a failed, crashed or cancelled deployment run again, on a serving process, replaying what completed. */
  retry(id: string): Promise<FlowRun> {
    return this.#request("POST", `/flow-runs/${encodeURIComponent(id)}/retry`);
  }
  cancel(id: string, reason?: string): Promise<FlowRun> {
    return this.#request("POST", `/flow-runs/${encodeURIComponent(id)}/cancel`, reason ? { reason } : {});
  }
  listRunInputs(id: string): Promise<RunInput[]> {
    return this.#request("GET", `/flow-runs/${encodeURIComponent(id)}/inputs`);
  }
  getRunInput(id: string, key: string): Promise<RunInput> {
    return this.#request("GET", `/flow-runs/${encodeURIComponent(id)}/inputs/${encodeURIComponent(key)}`);
  }
  /**
   * Sends a message to a run (kept as `<key>-<id>`); a second send with the same `id` returns the first
   * message. Sends made together leave in one request (`POST /batch`), as other writes do.
   */
  sendMessage(flowRunId: string, body: SendMessageBody): Promise<Message> {
    return this.#batched("sendMessage", messagesOf(flowRunId), body, flowRunId);
  }
  /** A run's messages and inputs by key, oldest first. */
  listMessages(flowRunId: string, options: MessageListOptions = {}): Promise<Message[]> {
    const q = new URLSearchParams();
    if (options.keyPrefix) q.set("keyPrefix", options.keyPrefix);
    if (options.excludeKeys?.length) q.set("excludeKeys", options.excludeKeys.join(","));
    if (options.limit) q.set("limit", String(options.limit));
    const qs = q.toString();
    return this.#request("GET", `${messagesOf(flowRunId)}${qs ? `?${qs}` : ""}`);
  }
  /** Creates a run input under `key` (409 if the run has it already). */
  createRunInput(flowRunId: string, key: string, value: unknown, sender?: string | null): Promise<Message> {
    return this.#request("PUT", `${messagesOf(flowRunId)}/${encodeURIComponent(key)}`, { value, sender: sender ?? null });
  }
  /** A run input (or message) by key; 404 MessageNotFoundError when there is none. */
  readRunInput(flowRunId: string, key: string): Promise<Message> {
    return this.#request("GET", `${messagesOf(flowRunId)}/${encodeURIComponent(key)}`);
  }
  deleteRunInput(flowRunId: string, key: string): Promise<void> {
    return this.#request("DELETE", `${messagesOf(flowRunId)}/${encodeURIComponent(key)}`);
  }
  /** For the receiving flow: the messages of its next receive steps (taking waiting ones), none when none waits. */
  async receiveMessages(flowRunId: string, body: ReceiveBody): Promise<Message[]> {
    return (await this.#request<{ messages: Message[] }>("POST", `${messagesOf(flowRunId)}/receive`, body)).messages;
  }
  /** For the receiving flow: messages it took and will not read wait again. */
  releaseMessages(flowRunId: string, keys: string[]): Promise<void> {
    return this.#request("POST", `${messagesOf(flowRunId)}/release`, { keys });
  }
  /** For the receiving flow: records that its own checks refused a message it took. */
  refuseMessage(flowRunId: string, key: string, errors: { path: string; message: string }[]): Promise<Message> {
    return this.#request("POST", `${messagesOf(flowRunId)}/${encodeURIComponent(key)}/refuse`, { errors });
  }
  /** For the receiving flow: declares what it receives under a key prefix, so that the server checks messages when sent. */
  declareReceiver(flowRunId: string, body: DeclareReceiverBody): Promise<Receiver> {
    return this.#request("PUT", `/flow-runs/${encodeURIComponent(flowRunId)}/receivers`, body);
  }
  listReceivers(flowRunId: string): Promise<Receiver[]> {
    return this.#request("GET", `/flow-runs/${encodeURIComponent(flowRunId)}/receivers`);
  }
  createTaskRun(body: CreateTaskRunBody): Promise<TaskRun> {
    return this.#batched("createTaskRun", "/task-runs", body);
  }
  setTaskRunState(id: string, body: SetTaskRunStateBody): Promise<TaskRun> {
    return this.#batched("setTaskRunState", `/task-runs/${encodeURIComponent(id)}/set-state`, body, id);
  }
  /** Uploads a task's result too large for its row (its JSON text); then set the state COMPLETED with `resultUploaded: true`. */
  async uploadTaskResult(id: string, json: string): Promise<{ bytes: number }> {
    return JSON.parse(await this.#text("PUT", `/task-runs/${encodeURIComponent(id)}/result`, json, "application/octet-stream"));
  }
  /** The JSON text of a result kept in the result store (a task run with `storedResult`). */
  readTaskResult(id: string): Promise<string> {
    return this.#text("GET", `/task-runs/${encodeURIComponent(id)}/result`, undefined);
  }
  listTaskRuns(flowRunId: string): Promise<TaskRun[]> {
    return this.#request("GET", `/flow-runs/${encodeURIComponent(flowRunId)}/task-runs`);
  }
  writeLogs(entries: LogEntry[]): Promise<{ count: number }> {
    return this.#request("POST", "/logs", entries);
  }
  listLogs(flowRunId: string, options: { after?: number; limit?: number } = {}): Promise<Log[]> {
    return this.#request("GET", `/flow-runs/${encodeURIComponent(flowRunId)}/logs?after=${options.after ?? 0}&limit=${options.limit ?? 1000}`);
  }
  /**
   * Suspends a deployment run: the live pause `key` at once (what `suspendAfter` does); without `key`, its
   * current pause, or, when it is running, its next task or pause.
   */
  suspend(id: string, key?: string, reason?: string): Promise<FlowRun> {
    return this.#request("POST", `/flow-runs/${encodeURIComponent(id)}/suspend`, { ...(key ? { key } : {}), ...(reason ? { reason } : {}) });
  }
  registerDeployment(body: RegisterDeploymentBody): Promise<Deployment> {
    return this.#request("POST", "/deployments", body);
  }
  listDeployments(): Promise<Deployment[]> {
    return this.#request("GET", "/deployments");
  }
  getDeployment(name: string): Promise<Deployment> {
    return this.#request("GET", `/deployments/${encodeURIComponent(name)}`);
  }
  /** Starts a run of a deployment; 422 `ParametersValidationError` when the parameters do not fit its schema. */
  runDeployment(name: string, parameters: Record<string, unknown> = {}, options: { name?: string; tags?: string[] } = {}): Promise<FlowRun> {
    return this.#request("POST", `/deployments/${encodeURIComponent(name)}/runs`, { parameters, ...options });
  }
  claimRuns(body: ClaimBody): Promise<ClaimResult> {
    return this.#request("POST", "/workers/claim", body);
  }
  heartbeat(body: HeartbeatBody): Promise<HeartbeatResult> {
    return this.#request("POST", "/workers/heartbeat", body);
  }
  /** Adds a notification channel; a webhook's secret is in this answer only. */
  createChannel(body: CreateChannelBody): Promise<NotificationChannel> {
    return this.#request("POST", "/channels", body);
  }
  listChannels(): Promise<NotificationChannel[]> {
    return this.#request("GET", "/channels");
  }
  getChannel(name: string): Promise<NotificationChannel> {
    return this.#request("GET", `/channels/${encodeURIComponent(name)}`);
  }
  deleteChannel(name: string): Promise<void> {
    return this.#request("DELETE", `/channels/${encodeURIComponent(name)}`);
  }
  /** Queues a test message to a channel; follow the delivery with `getDelivery`. */
  testChannel(name: string): Promise<Delivery> {
    return this.#request("POST", `/channels/${encodeURIComponent(name)}/test`);
  }
  createAutomation(body: CreateAutomationBody): Promise<Automation> {
    return this.#request("POST", "/automations", body);
  }
  listAutomations(): Promise<Automation[]> {
    return this.#request("GET", "/automations");
  }
  getAutomation(id: string): Promise<Automation> {
    return this.#request("GET", `/automations/${encodeURIComponent(id)}`);
  }
  updateAutomation(id: string, body: CreateAutomationBody): Promise<Automation> {
    return this.#request("PUT", `/automations/${encodeURIComponent(id)}`, body);
  }
  setAutomationEnabled(id: string, enabled: boolean): Promise<Automation> {
    return this.#request("POST", `/automations/${encodeURIComponent(id)}/${enabled ? "enable" : "disable"}`);
  }
  deleteAutomation(id: string): Promise<void> {
    return this.#request("DELETE", `/automations/${encodeURIComponent(id)}`);
  }
  /** Deliveries, newest first, with their attempts and last error. */
  listDeliveries(filter: { status?: DeliveryStatus; channel?: string; flowRunId?: string; limit?: number } = {}): Promise<Delivery[]> {
    const q = new URLSearchParams();
    for (const [k, v] of Object.entries(filter)) if (v !== undefined) q.set(k, String(v));
    const qs = q.toString();
    return this.#request("GET", `/deliveries${qs ? `?${qs}` : ""}`);
  }
  getDelivery(id: string): Promise<Delivery & { payload: unknown }> {
    return this.#request("GET", `/deliveries/${encodeURIComponent(id)}`);
  }
  /** Opens the server's event stream; it reconnects by itself and resumes after the last event seen. */
  events(
    options: Omit<EventStreamOptions, "url"> & { workerId?: string; checks?: readonly string[] },
    onEvent: (event: BatonEvent) => void,
  ): EventStream {
    const q = new URLSearchParams();
    if (options.flowRunId) q.set("flowRunId", options.flowRunId);
    if (options.types) q.set("types", options.types.join(","));
    // A process running flows names itself: when its stream closes, the server suspects its runs.
    if (options.workerId) q.set("workerId", options.workerId);
    // What it checks answers of before their runs resume: "@live" (its live pauses), deployments it serves.
    if (options.checks?.length) q.set("checks", options.checks.join(","));
    const qs = q.toString();
    return openEventStream({ ...options, headers: this.#headers, url: `${this.apiUrl}/events${qs ? `?${qs}` : ""}` }, onEvent);
  }
  /** Who the server takes this client for (its key's user and role, or an open server). */
  me(): Promise<Me> {
    return this.#request("GET", "/me");
  }
  listUsers(): Promise<User[]> {
    return this.#request("GET", "/users");
  }
  createUser(body: CreateUserBody): Promise<User> {
    return this.#request("POST", "/users", body);
  }
  removeUser(name: string): Promise<void> {
    return this.#request("DELETE", `/users/${encodeURIComponent(name)}`);
  }
  setUserPassword(name: string, password: string): Promise<void> {
    return this.#request("POST", `/users/${encodeURIComponent(name)}/password`, { password });
  }
  listApiKeys(): Promise<ApiKey[]> {
    return this.#request("GET", "/api-keys");
  }
  /** Makes an API key; the answer's `token` is shown this once. */
  createApiKey(body: CreateApiKeyBody): Promise<CreatedApiKey> {
    return this.#request("POST", "/api-keys", body);
  }
  revokeApiKey(id: string): Promise<void> {
    return this.#request("DELETE", `/api-keys/${encodeURIComponent(id)}`);
  }
  /** Audit log entries after `after`, oldest first (admins only). */
  listAudit(query: { after?: number | undefined; limit?: number | undefined; target?: string | undefined } = {}): Promise<AuditEntry[]> {
    const q = new URLSearchParams();
    if (query.after !== undefined) q.set("after", String(query.after));
    if (query.limit !== undefined) q.set("limit", String(query.limit));
    if (query.target !== undefined) q.set("target", query.target);
    const qs = q.toString();
    return this.#request("GET", `/audit${qs ? `?${qs}` : ""}`);
  }
  /** Checks the audit log's hash chain on the server. */
  verifyAudit(): Promise<AuditVerification> {
    return this.#request("GET", "/audit/verify");
  }
}

/** Creates a client of the API at `apiUrl` (default `BATON_API_URL`, else http://127.0.0.1:4200/api). */
export function createClient(options: ClientOptions = {}): BatonClient {
  return new BatonClient(options);
}

/** JSON text as a value; undefined for an empty or malformed body. */
function parseJson(text: string): unknown {
  try {
    return text ? JSON.parse(text) : undefined;
  } catch {
    return undefined;
  }
}

function messagesOf(flowRunId: string): string {
  return `/flow-runs/${encodeURIComponent(flowRunId)}/messages`;
}

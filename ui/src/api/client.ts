import type {
  Automation,
  CreateAutomationBody,
  CreateChannelBody,
  Delivery,
  DeliveryStatus,
  Deployment,
  Flow,
  FlowRun,
  FlowRunPage,
  BulkAction,
  BulkResult,
  InboxPage,
  InboxSort,
  Log,
  Me,
  Message,
  NotificationChannel,
  Receiver,
  RunInput,
  State,
  StateType,
  TaskRun,
} from "./types.ts";

/** A JSON error from the API: `{ code, message, details }` with the HTTP status. */
export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  readonly details: Record<string, unknown>;
  constructor(status: number, code: string, message: string, details: Record<string, unknown>) {
    super(message);
    this.name = "ApiError";
    this.status = status;
    this.code = code;
    this.details = details;
  }
}

/** Thrown when the server cannot be reached at all (stopped, restarting, offline). */
export class NetworkError extends Error {
  constructor(cause: unknown) {
    super("The Baton server does not answer. It may be restarting; this page reconnects by itself.", { cause });
    this.name = "NetworkError";
  }
}

/** The CSRF token of the signed-in session: every write made with the session cookie carries it. */
let csrfToken: string | undefined;
/** Told when the server says the caller is not signed in (the session ended), so that the sign-in page shows. */
let onSignedOut: (() => void) | undefined;

/** Registers what to do when a call finds the session ended. */
export function whenSignedOut(listener: (() => void) | undefined): void {
  onSignedOut = listener;
}

async function request<T>(method: string, path: string, body?: unknown, signal?: AbortSignal): Promise<T> {
  let res: Response;
  const headers: Record<string, string> = body !== undefined ? { "content-type": "application/json" } : {};
  if (method !== "GET" && csrfToken) headers["x-csrf-token"] = csrfToken;
  try {
    res = await fetch(`/api${path}`, {
      method,
      headers,
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
      ...(signal ? { signal } : {}),
    });
  } catch (e) {
    if (signal?.aborted) throw e;
    throw new NetworkError(e);
  }
  const text = await res.text();
  let parsed: unknown;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    parsed = undefined;
  }
  if (!res.ok) {
    if (res.status === 401 && path !== "/session") onSignedOut?.();
    const b = (parsed ?? {}) as { code?: string; message?: string; details?: Record<string, unknown> };
    throw new ApiError(res.status, b.code ?? `HTTP_${res.status}`, b.message ?? `The server answered with HTTP ${res.status}.`, b.details ?? {});
  }
  return parsed as T;
}

const enc = encodeURIComponent;

/** Filters of the runs list; the same names as the API's query. */
export interface RunsQuery {
  state?: StateType | undefined;
  flowName?: string | undefined;
  name?: string | undefined;
  limit?: number | undefined;
  cursor?: string | undefined;
}

/** The inbox's filter: the API's query names (`GET /api/inbox`). */
export interface InboxFilter {
  flowName?: string | undefined;
  deploymentName?: string | undefined;
  tag?: string | undefined;
  q?: string | undefined;
  sort?: InboxSort | undefined;
  forMe?: boolean | undefined;
}

/** The answer of signing in, or of reading the session: who, and the session's CSRF token. */
interface SessionAnswer {
  me: Me;
  csrfToken: string;
}

/** The calls the UI makes; every one goes to the same server that served the page. */
export const api = {
  me: () => request<Me>("GET", "/me"),
  /** Reads the signed-in session, and keeps its CSRF token for the writes that follow. */
  async session(): Promise<Me> {
    const s = await request<SessionAnswer>("GET", "/session");
    csrfToken = s.csrfToken;
    return s.me;
  },
  async signIn(name: string, password: string): Promise<Me> {
    const s = await request<SessionAnswer>("POST", "/session", { name, password });
    csrfToken = s.csrfToken;
    return s.me;
  },
  async signOut(): Promise<void> {
    await request<void>("DELETE", "/session");
    csrfToken = undefined;
  },
  listFlowRuns(q: RunsQuery, signal?: AbortSignal): Promise<FlowRunPage> {
    const p = new URLSearchParams();
    if (q.state) p.set("state", q.state);
    if (q.flowName) p.set("flowName", q.flowName);
    if (q.name) p.set("name", q.name);
    if (q.limit) p.set("limit", String(q.limit));
    if (q.cursor) p.set("cursor", q.cursor);
    return request("GET", `/flow-runs?${p}`, undefined, signal);
  },
  /** The waiting runs the filter selects (the caller's first), with the total and the counts per flow. */
  inbox(q: InboxFilter & { limit?: number }, signal?: AbortSignal): Promise<InboxPage> {
    const p = new URLSearchParams();
    for (const [k, v] of Object.entries(q)) if (v !== undefined && v !== "" && v !== false) p.set(k, String(v));
    return request("GET", `/inbox?${p}`, undefined, signal);
  },
  /** Approves, rejects or cancels several waiting runs; an outcome per run. */
  bulk: (action: BulkAction, ids: string[], comment?: string) =>
    request<BulkResult>("POST", "/inbox/bulk", { action, ids, ...(comment ? { comment } : {}) }),
  getFlowRun: (id: string) => request<FlowRun>("GET", `/flow-runs/${enc(id)}`),
  listStates: (id: string) => request<State[]>("GET", `/flow-runs/${enc(id)}/states`),
  listTaskRuns: (id: string) => request<TaskRun[]>("GET", `/flow-runs/${enc(id)}/task-runs`),
  listInputs: (id: string) => request<RunInput[]>("GET", `/flow-runs/${enc(id)}/inputs`),
  listLogs: (id: string, after = 0) => request<Log[]>("GET", `/flow-runs/${enc(id)}/logs?after=${after}&limit=5000`),
  /** Answers a paused run; the answer is recorded as given through the UI. */
  resume: (id: string, body: { input?: unknown; respondedBy?: string; comment?: string }) =>
    request<FlowRun>("POST", `/flow-runs/${enc(id)}/resume`, { ...body, channel: "ui" }),
  /** What a running flow receives (its receiveInput), by key prefix. */
  listReceivers: (id: string) => request<Receiver[]>("GET", `/flow-runs/${enc(id)}/receivers`),
  /** Sends a message to a running flow under a key prefix; recorded as sent through the UI. */
  sendMessage: (id: string, key: string, value: unknown) => request<Message>("POST", `/flow-runs/${enc(id)}/messages`, { key, value, channel: "ui" }),
  cancel: (id: string, reason?: string) => request<FlowRun>("POST", `/flow-runs/${enc(id)}/cancel`, reason ? { reason } : {}),
  /** Suspends a deployment run: a running one at its next task or pause. */
  suspend: (id: string, reason: string) => request<FlowRun>("POST", `/flow-runs/${enc(id)}/suspend`, { reason }),
  /** Runs a failed, crashed or cancelled deployment run again, replaying what completed. */
  retry: (id: string) => request<FlowRun>("POST", `/flow-runs/${enc(id)}/retry`),
  listFlows: () => request<Flow[]>("GET", "/flows"),
  listDeployments: () => request<Deployment[]>("GET", "/deployments"),
  runDeployment: (name: string, parameters: Record<string, unknown>) => request<FlowRun>("POST", `/deployments/${enc(name)}/runs`, { parameters }),
  listChannels: () => request<NotificationChannel[]>("GET", "/channels"),
  createChannel: (body: CreateChannelBody) => request<NotificationChannel>("POST", "/channels", body),
  deleteChannel: (name: string) => request<void>("DELETE", `/channels/${enc(name)}`),
  testChannel: (name: string) => request<Delivery>("POST", `/channels/${enc(name)}/test`),
  getDelivery: (id: string) => request<Delivery>("GET", `/deliveries/${enc(id)}`),
  listDeliveries: (status?: DeliveryStatus) => request<Delivery[]>("GET", `/deliveries?limit=100${status ? `&status=${status}` : ""}`),
  listAutomations: () => request<Automation[]>("GET", "/automations"),
  createAutomation: (body: CreateAutomationBody) => request<Automation>("POST", "/automations", body),
  setAutomationEnabled: (id: string, enabled: boolean) => request<Automation>("POST", `/automations/${enc(id)}/${enabled ? "enable" : "disable"}`),
  deleteAutomation: (id: string) => request<void>("DELETE", `/automations/${enc(id)}`),
};

/** The message to show a person for any error a call threw. */
export function errorMessage(e: unknown): string {
  if (e instanceof ApiError || e instanceof NetworkError) return e.message;
  if (e instanceof Error) return e.message;
  return String(e);
}

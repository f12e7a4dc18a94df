import type { z } from "zod";
import type { BatonClient } from "../../src/client/index.ts";
import type { BatonEvent, FlowRun, StateType } from "../../src/contract/index.ts";
import { toInputRequest } from "../../src/sdk/run-input.ts";
import type { Child, TestServer } from "./processes.ts";

/** An HTTP answer as the wire carried it: status and parsed JSON body. */
export interface RawResponse {
  status: number;
  body: any;
}

/** Sends a request with `fetch` and no client in between, so tests see exactly what the API answers. */
export async function request(
  server: Pick<TestServer, "apiUrl">,
  method: string,
  path: string,
  body?: unknown,
  options: { rawBody?: string; headers?: Record<string, string> } = {},
): Promise<RawResponse> {
  const text = options.rawBody ?? (body === undefined ? undefined : JSON.stringify(body));
  const res = await fetch(server.apiUrl + path, {
    method,
    headers: { ...(text !== undefined ? { "content-type": "application/json" } : {}), ...options.headers },
    ...(text !== undefined ? { body: text } : {}),
  });
  const raw = await res.text();
  let parsed: unknown = raw;
  try {
    parsed = raw ? JSON.parse(raw) : undefined;
  } catch {
    // not JSON; keep the text
  }
  return { status: res.status, body: parsed };
}

/** What `pausedRun` asks for: a Zod schema (as `pauseFlowRun` would send it), or nothing at all. */
export interface PausedRunOptions {
  flowName?: string;
  key?: string;
  waitForInput?: z.ZodType;
  timeoutSeconds?: number | null;
}

/**
 * Creates a run and pauses it through the API, exactly as the SDK does for a flow, but without a flow
 * process behind it: for tests of the API's answers that need no code to run after the pause.
 */
export async function pausedRun(client: BatonClient, options: PausedRunOptions = {}): Promise<FlowRun> {
  const run = await client.createFlowRun({ flowName: options.flowName ?? "api-test", state: { type: "RUNNING" } });
  const result = await client.pause(run.id, {
    key: options.key ?? "1",
    timeoutSeconds: options.timeoutSeconds === undefined ? 3600 : options.timeoutSeconds,
    inputRequest: options.waitForInput ? toInputRequest(options.waitForInput) : null,
  });
  if (result.status !== "PAUSED") throw new Error(`expected the run to pause, got ${result.status}`);
  return result.flowRun;
}

/** Polls `check` until it returns something truthy, or fails after `timeoutMs` saying what it waited for. */
export async function waitUntil<T>(what: string, check: () => Promise<T> | T, timeoutMs = 10_000, intervalMs = 50): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value) return value as NonNullable<T>;
    } catch (e) {
      last = e;
    }
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting until ${what}${last ? `; last error: ${String(last)}` : ""}`);
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

/** Waits until run `id` is in a state of type `type`; returns the run. */
export function waitForState(client: BatonClient, id: string, type: StateType, timeoutMs = 10_000): Promise<FlowRun> {
  return waitUntil(
    `flow run ${id} is ${type}`,
    async () => {
      const run = await client.getFlowRun(id);
      return run.state.type === type ? run : undefined;
    },
    timeoutMs,
  );
}

/**
 * Runs a fixture flow process until it prints its run id (`run-id <id>`) and pauses; returns the id.
 * Fixtures print the id first thing inside the flow.
 */
export async function pausedFlowProcess(client: BatonClient, child: Child, timeoutMs = 15_000): Promise<string> {
  const out = await child.waitForOutput(/run-id \S+/, timeoutMs);
  const id = /run-id (\S+)/.exec(out)![1]!;
  await waitForState(client, id, "PAUSED", timeoutMs);
  return id;
}

/** Events collected from an open stream, with a way to wait for one. */
export interface EventLog {
  readonly events: BatonEvent[];
  until(what: string, predicate: (events: BatonEvent[]) => boolean, timeoutMs?: number): Promise<void>;
  close(): void;
}

/** Opens the server's event stream and keeps every event it sends. */
export async function collectEvents(client: BatonClient, options: Parameters<BatonClient["events"]>[0] = {}): Promise<EventLog> {
  const events: BatonEvent[] = [];
  const stream = client.events(options, (e) => events.push(e));
  await stream.ready;
  return {
    events,
    until: (what, predicate, timeoutMs = 10_000) => waitUntil(what, () => predicate(events), timeoutMs).then(() => undefined),
    close: () => stream.close(),
  };
}

/** A compact view of an event for assertions: "state RUNNING", "input 1", "message name-…", "log Hello". */
export function describeEvent(e: BatonEvent): string {
  if (e.type === "flow-run.state-changed") return `state ${e.payload.state.type}`;
  if (e.type === "flow-run.input-submitted") return `input ${e.payload.key}`;
  if (e.type === "flow-run.input-rejected") return `rejected ${e.payload.key}`;
  if (e.type === "flow-run.input-check") return `check ${e.payload.key}`;
  if (e.type === "flow-run.message-sent") return `message ${e.payload.key}`;
  if (e.type === "delivery.changed") return `delivery ${e.payload.status}`;
  return `log ${e.payload.message}`;
}

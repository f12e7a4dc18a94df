import type { RequestCaller } from "./request-caller.ts";

/** What a caller asks to do, as `<what it is done to>:<verb>`. */
export type Action =
  | "server:read"
  | "flow:read"
  | "flow-run:read"
  | "flow-run:create"
  | "flow-run:set-state"
  | "flow-run:cancel"
  | "flow-run:pause"
  | "flow-run:resume"
  | "flow-run:suspend"
  | "flow-run:retry"
  | "task-run:read"
  | "task-run:write"
  | "task-result:read"
  | "task-result:write"
  | "log:read"
  | "log:write"
  | "event:read"
  | "deployment:read"
  | "deployment:register"
  | "deployment:run"
  | "worker:claim"
  | "worker:heartbeat"
  | "channel:read"
  | "channel:write"
  | "automation:read"
  | "automation:write"
  | "delivery:read";

/** What an action is done to: one of a kind when it names it, else the kind as a whole (a list, a new one). */
export type Resource =
  | { type: "server" }
  | { type: "flow" }
  | { type: "flow-run"; id?: string | undefined }
  | { type: "task-run"; id?: string | undefined; flowRunId?: string | undefined }
  | { type: "deployment"; name?: string | undefined }
  | { type: "worker"; id: string }
  | { type: "channel"; name?: string | undefined }
  | { type: "automation"; id?: string | undefined }
  | { type: "delivery"; id?: string | undefined };

/**
 * Decides whether `caller` may do `action` to `resource`, and throws when it may not. Every service
 * asks it before it acts for a request, so that this is the one place where permissions are decided.
 * Today every caller is anonymous and may do everything; nothing throws.
 *
 * @example
 * authorize(caller, "flow-run:resume", { type: "flow-run", id });
 */
export function authorize(caller: RequestCaller, action: Action, resource: Resource): void {
  // Everything is allowed until callers have identities; a refusal would throw here.
}

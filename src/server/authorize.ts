import { ForbiddenError, UnauthenticatedError } from "../contract/errors.ts";
import type { Role } from "../contract/index.ts";
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
  | "flow-run:check-input"
  | "message:read"
  | "message:send"
  | "message:receive"
  | "message:delete"
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
  | "user:read"
  | "user:manage"
  | "api-key:manage"
  | "audit:read"
  | "metrics:read"
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
  | { type: "user"; name?: string | undefined }
  | { type: "api-key"; id?: string | undefined }
  | { type: "audit" }
  | { type: "channel"; name?: string | undefined }
  | { type: "automation"; id?: string | undefined }
  | { type: "delivery"; id?: string | undefined };

/**
 * Reading runs and what surrounds them. Metrics are counts and timings by flow and channel, nothing a
 * viewer cannot read in the runs themselves; automations and deliveries say what is notified and when.
 */
const READ: readonly Action[] = [
  "server:read",
  "flow:read",
  "flow-run:read",
  "message:read",
  "task-run:read",
  "task-result:read",
  "log:read",
  "event:read",
  "deployment:read",
  "metrics:read",
  "automation:read",
  "delivery:read",
];
/**
 * Answering; which pauses a responder may answer is the pause's own rule (its respondents), checked by
 * PauseService. Sending a message to a run is answering it outside a pause: checked against what the run
 * receives, and taken by its flow.
 */
const RESPOND: readonly Action[] = [...READ, "flow-run:resume", "message:send"];
/** Running flows (a flow process or a serving process reports through these) and starting, stopping and changing runs. */
const OPERATE: readonly Action[] = [
  ...RESPOND,
  "flow-run:create",
  "flow-run:set-state",
  "flow-run:cancel",
  "flow-run:pause",
  "flow-run:suspend",
  "flow-run:retry",
  // Taking a run's messages (marking them read), declaring what it receives, and deleting its inputs are the
  // flow's own doing, as pausing is.
  "message:receive",
  "message:delete",
  "task-run:write",
  "task-result:write",
  "log:write",
  "deployment:register",
  "deployment:run",
  "worker:claim",
  "worker:heartbeat",
  // A flow's process gives its verdict on an answer checked by its own schema before the run resumes.
  "flow-run:check-input",
  // A channel's configuration is its endpoint: a Slack or webhook URL is itself a credential to post there,
  // and an email channel lists people's addresses. Operators, who deal with deliveries, read it.
  "channel:read",
];
const ADMINISTER: readonly Action[] = [...OPERATE, "user:read", "user:manage", "api-key:manage", "audit:read", "channel:write", "automation:write"];
/** What needs no sign-in: whether the server is up (for load balancers and monitors). */
const PUBLIC: ReadonlySet<Action> = new Set(["server:read"]);

/** What each role may do. */
export const PERMISSIONS: Readonly<Record<Role, ReadonlySet<Action>>> = {
  viewer: new Set(READ),
  responder: new Set(RESPOND),
  operator: new Set(OPERATE),
  admin: new Set(ADMINISTER),
};

/** The least role that may do `action`. */
export function leastRoleFor(action: Action): Role {
  return (["viewer", "responder", "operator", "admin"] as const).find((r) => PERMISSIONS[r].has(action))!;
}

/**
 * Decides whether `caller` may do `action` to `resource`, and throws when it may not: 401 for a caller
 * the server does not know, 403 for one whose role does not allow it. Every service asks it before it
 * acts for a request, so that this is the one place where permissions by role are decided.
 *
 * @example
 * authorize(caller, "flow-run:resume", { type: "flow-run", id });
 */
export function authorize(caller: RequestCaller, action: Action, _resource: Resource): void {
  if (caller.kind === "open" || PUBLIC.has(action)) return;
  if (caller.kind === "anonymous") throw new UnauthenticatedError("This server requires sign-in, and the request carries no credentials.");
  if (!PERMISSIONS[caller.role].has(action))
    throw new ForbiddenError(action, `${caller.name} has the role ${caller.role}; this needs the role ${leastRoleFor(action)} or above.`);
}

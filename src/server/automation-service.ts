import { AutomationNotFoundError, BadRequestError } from "../contract/errors.ts";
import type { Automation, CreateAutomationBody } from "../contract/index.ts";
import { newId } from "../storage/ids.ts";
import type { Storage } from "../storage/storage.ts";
import type { z } from "zod";
import { auditEntry } from "./audit-service.ts";
import { authorize } from "./authorize.ts";
import { now } from "./clock.ts";
import { TEMPLATE_FIELDS, unknownPlaceholders } from "./notifications/message.ts";
import type { RequestCaller } from "./request-caller.ts";

type Body = z.output<typeof CreateAutomationBody>;

/** Automations: a trigger and actions, managed through the API (the background runner acts on them). */
export class AutomationService {
  readonly #storage: Storage;
  constructor(storage: Storage) {
    this.#storage = storage;
  }

  async create(caller: RequestCaller, body: Body): Promise<Automation> {
    authorize(caller, "automation:write", { type: "automation" });
    await this.#checkChannels(body);
    const at = now();
    const automation: Automation = { id: newId(), ...fields(body), createdAt: at, updatedAt: at };
    await this.#storage.transaction(async (tx) => {
      await tx.automations.insert(automation);
      await tx.audit.append(automationEntry(caller, "automation.create", automation));
    });
    return automation;
  }

  list(caller: RequestCaller): Promise<Automation[]> {
    authorize(caller, "automation:read", { type: "automation" });
    return this.#storage.automations.list();
  }

  get(caller: RequestCaller, id: string): Promise<Automation> {
    authorize(caller, "automation:read", { type: "automation", id });
    return this.#load(id);
  }

  /** Replaces an automation's name, trigger and actions; timers already armed keep their due time. */
  async update(caller: RequestCaller, id: string, body: Body): Promise<Automation> {
    authorize(caller, "automation:write", { type: "automation", id });
    const old = await this.#load(id);
    await this.#checkChannels(body);
    return this.#write(caller, "automation.update", { ...old, ...fields(body), updatedAt: now() });
  }

  /** Turns an automation on or off; while off, it neither acts nor fires its armed timers. */
  async setEnabled(caller: RequestCaller, id: string, enabled: boolean): Promise<Automation> {
    authorize(caller, "automation:write", { type: "automation", id });
    return this.#write(caller, enabled ? "automation.enable" : "automation.disable", { ...(await this.#load(id)), enabled, updatedAt: now() });
  }

  async delete(caller: RequestCaller, id: string): Promise<void> {
    authorize(caller, "automation:write", { type: "automation", id });
    const automation = await this.#load(id);
    const deleted = await this.#storage.transaction(async (tx) => {
      if (!(await tx.automations.delete(id))) return false;
      await tx.audit.append(automationEntry(caller, "automation.delete", automation));
      return true;
    });
    if (!deleted) throw new AutomationNotFoundError(id);
  }

  /** Stores a changed automation with its audit entry. */
  async #write(caller: RequestCaller, action: string, automation: Automation): Promise<Automation> {
    const updated = await this.#storage.transaction(async (tx) => {
      if (!(await tx.automations.update(automation))) return false;
      await tx.audit.append(automationEntry(caller, action, automation));
      return true;
    });
    if (!updated) throw new AutomationNotFoundError(automation.id);
    return automation;
  }

  async #load(id: string): Promise<Automation> {
    const a = await this.#storage.automations.get(id);
    if (!a) throw new AutomationNotFoundError(id);
    return a;
  }

  /** Every channel a notify action names must exist, and its template use known placeholders (a typo found now, not at 3 a.m.). */
  async #checkChannels(body: Body): Promise<void> {
    const placeholders = body.actions.flatMap((a, i) =>
      a.type === "notify"
        ? (["title", "text"] as const).flatMap((field) =>
            unknownPlaceholders(a[field] ?? "").map((name) => ({ path: `/actions/${i}/${field}`, message: `no placeholder is named {${name}}` })),
          )
        : [],
    );
    if (placeholders.length)
      throw new BadRequestError(
        `${placeholders.map((p) => `${p.path}: ${p.message}`).join("; ")}; the placeholders are ${TEMPLATE_FIELDS.map((f) => `{${f}}`).join(", ")}.`,
        placeholders,
      );
    const names = new Set((await this.#storage.channels.list()).map((c) => c.name));
    const missing = body.actions.flatMap((a, i) => (a.type === "notify" && !names.has(a.channel) ? [{ i, channel: a.channel }] : []));
    if (missing.length)
      throw new BadRequestError(
        `No channel is named ${missing.map((m) => `"${m.channel}"`).join(", ")}; add it with \`baton channel add\` first (\`baton channel ls\` lists them).`,
        missing.map((m) => ({ path: `/actions/${m.i}/channel`, message: `no channel is named "${m.channel}"` })),
      );
  }
}

/** The audit entry of a change to an automation: what it is now (or was, when removed). */
function automationEntry(caller: RequestCaller, action: string, a: Automation) {
  return auditEntry(caller, action, `automation/${a.id}`, { name: a.name, enabled: a.enabled, trigger: a.trigger, actions: a.actions });
}

function fields(body: Body): Pick<Automation, "name" | "description" | "enabled" | "trigger" | "actions"> {
  return { name: body.name, description: body.description ?? null, enabled: body.enabled, trigger: body.trigger, actions: body.actions };
}

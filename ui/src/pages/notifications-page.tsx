import { useEffect, useRef, useState, type FormEvent } from "react";
import { Link } from "wouter";
import { api, errorMessage } from "../api/client.ts";
import type { Automation, CreateAutomationBody, CreateChannelBody, Delivery, DeliveryStatus, NotificationChannel } from "../api/types.ts";
import { EmptyState, ErrorBanner, Loading } from "../components/feedback.tsx";
import { TimeAgo, useNow } from "../components/time.tsx";
import { useLiveEvent, useLiveEvents } from "../live/live-events.tsx";

export type NotificationsTab = "channels" | "automations" | "deliveries";

const TABS: { tab: NotificationsTab; label: string }[] = [
  { tab: "channels", label: "Channels" },
  { tab: "automations", label: "Automations" },
  { tab: "deliveries", label: "Deliveries" },
];

/** Channels, automations and deliveries: who is told what, and whether it arrived. */
export function NotificationsPage({ tab }: { tab: NotificationsTab }) {
  useEffect(() => void (document.title = `${TABS.find((t) => t.tab === tab)!.label} · Baton`), [tab]);
  return (
    <div className="notifications-page">
      <div className="page-header">
        <h1>Notifications</h1>
        <p className="muted">Where people are told that a run needs them, what tells them, and whether each message arrived.</p>
      </div>
      <nav className="tabs" aria-label="Notifications">
        {TABS.map((t) => (
          <Link
            key={t.tab}
            href={`/notifications/${t.tab}`}
            className={`tab ${t.tab === tab ? "active" : ""}`}
            aria-current={t.tab === tab ? "page" : undefined}
          >
            {t.label}
          </Link>
        ))}
      </nav>
      {tab === "channels" ? <ChannelsTab /> : tab === "automations" ? <AutomationsTab /> : <DeliveriesTab />}
    </div>
  );
}

/** Loads a list, again after a reconnection; `reload` reads it again. */
function useList<T>(load: () => Promise<T[]>): { items: T[] | null; error: string | null; reload: () => void } {
  const [items, setItems] = useState<T[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const { reconnects } = useLiveEvents();
  const latest = useRef(load);
  latest.current = load;
  const reload = () =>
    void latest.current().then(
      (l) => {
        setItems(l);
        setError(null);
      },
      (e) => setError(errorMessage(e)),
    );
  // biome-ignore lint/correctness/useExhaustiveDependencies: read again after each reconnection
  useEffect(reload, [reconnects]);
  return { items, error, reload };
}

function ChannelsTab() {
  const { items, error, reload } = useList(api.listChannels);
  return (
    <section aria-label="Channels">
      {error && <ErrorBanner onRetry={reload}>{error}</ErrorBanner>}
      <AddChannelForm onAdded={reload} />
      {items === null ? (
        !error && <Loading rows={2} />
      ) : items.length === 0 ? (
        <EmptyState title="No channels yet" icon="✉">
          <p>Add a webhook, a Slack incoming webhook or email addresses above; automations then send to them.</p>
        </EmptyState>
      ) : (
        <ul className="channel-list">
          {items.map((c) => (
            <ChannelCard key={c.id} channel={c} onRemoved={reload} />
          ))}
        </ul>
      )}
    </section>
  );
}

function AddChannelForm({ onAdded }: { onAdded: () => void }) {
  const [type, setType] = useState<CreateChannelBody["type"]>("webhook");
  const [name, setName] = useState("");
  const [target, setTarget] = useState("");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [secret, setSecret] = useState<{ name: string; secret: string } | null>(null);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    const body: CreateChannelBody =
      type === "email"
        ? {
            name,
            type,
            to: target
              .split(",")
              .map((s) => s.trim())
              .filter(Boolean),
          }
        : type === "slack"
          ? { name, type, url: target }
          : { name, type, url: target };
    try {
      const created = await api.createChannel(body);
      setSecret(created.secret ? { name: created.name, secret: created.secret } : null);
      setName("");
      setTarget("");
      onAdded();
    } catch (err) {
      setError(errorMessage(err));
    } finally {
      setBusy(false);
    }
  };
  return (
    <form className="card add-channel" onSubmit={(e) => void submit(e)} aria-label="Add a channel">
      <h2>Add a channel</h2>
      {error && (
        <div className="banner banner-error" role="alert">
          {error}
        </div>
      )}
      {secret && (
        <div className="banner banner-success" role="status">
          <span>
            Channel {secret.name} added. Its signing secret, shown only now: <code data-testid="channel-secret">{secret.secret}</code>
          </span>
        </div>
      )}
      <div className="form-row">
        <label>
          Type
          <select value={type} onChange={(e) => setType(e.target.value as CreateChannelBody["type"])}>
            <option value="webhook">Webhook</option>
            <option value="slack">Slack incoming webhook</option>
            <option value="email">Email</option>
          </select>
        </label>
        <label>
          Name
          <input required value={name} onChange={(e) => setName(e.target.value)} placeholder="ops" pattern="[a-z0-9][a-z0-9._\-]*" />
        </label>
        <label className="grow">
          {type === "email" ? "Addresses (comma-separated)" : "URL"}
          <input
            required
            value={target}
            onChange={(e) => setTarget(e.target.value)}
            type={type === "email" ? "text" : "url"}
            placeholder={type === "email" ? "alice@example.com, bob@example.com" : "https://…"}
          />
        </label>
        <button type="submit" className="btn btn-primary" disabled={busy}>
          {busy ? "Adding…" : "Add channel"}
        </button>
      </div>
    </form>
  );
}

function ChannelCard({ channel, onRemoved }: { channel: NotificationChannel; onRemoved: () => void }) {
  const [test, setTest] = useState<{ state: "sending" } | { state: "done"; delivery: Delivery } | { state: "error"; message: string } | null>(null);
  const [error, setError] = useState<string | null>(null);
  const sendTest = async () => {
    setTest({ state: "sending" });
    try {
      let d = await api.testChannel(channel.name);
      // Wait for its first try: a few seconds at most, unless the endpoint is slow.
      for (let i = 0; i < 300 && d.status !== "DELIVERED" && d.attempts === 0; i++) {
        await new Promise((r) => setTimeout(r, 100));
        d = await api.getDelivery(d.id);
      }
      setTest({ state: "done", delivery: d });
    } catch (e) {
      setTest({ state: "error", message: errorMessage(e) });
    }
  };
  const remove = async () => {
    try {
      await api.deleteChannel(channel.name);
      onRemoved();
    } catch (e) {
      setError(errorMessage(e));
    }
  };
  return (
    <li className="card channel-card" data-channel={channel.name}>
      <div className="card-head">
        <div>
          <h2>{channel.name}</h2>
          <div className="small muted">
            {channel.type} · {channel.url ?? channel.to.join(", ")}
          </div>
        </div>
        <div className="form-buttons">
          <button type="button" className="btn" onClick={() => void sendTest()} disabled={test?.state === "sending"}>
            {test?.state === "sending" ? "Sending…" : "Send a test"}
          </button>
          <button type="button" className="btn btn-ghost-danger" onClick={() => void remove()}>
            Remove
          </button>
        </div>
      </div>
      {error && (
        <div className="banner banner-error" role="alert">
          {error}
        </div>
      )}
      {test?.state === "error" && (
        <div className="banner banner-error" role="alert">
          {test.message}
        </div>
      )}
      {test?.state === "done" &&
        (test.delivery.status === "DELIVERED" ? (
          <div className="banner banner-success" role="status">
            The test message arrived.
          </div>
        ) : (
          <div className="banner banner-error" role="alert">
            The test message failed: {test.delivery.lastError ?? "no answer yet"}.
            {test.delivery.status === "PENDING" ? " It will be tried again; see Deliveries." : ""}
          </div>
        ))}
    </li>
  );
}

const AUTOMATION_TEMPLATE: CreateAutomationBody = {
  name: "Tell ops when a run waits",
  trigger: { type: "event", events: ["flow-run.paused"] },
  actions: [{ type: "notify", channel: "ops" }],
};

function AutomationsTab() {
  const { items, error, reload } = useList(api.listAutomations);
  const [text, setText] = useState(JSON.stringify(AUTOMATION_TEMPLATE, null, 2));
  const [formError, setFormError] = useState<string | null>(null);
  const create = async (e: FormEvent) => {
    e.preventDefault();
    setFormError(null);
    let body: CreateAutomationBody;
    try {
      body = JSON.parse(text);
    } catch (err) {
      setFormError(`This is not JSON: ${(err as Error).message}`);
      return;
    }
    try {
      await api.createAutomation(body);
      reload();
    } catch (err) {
      setFormError(errorMessage(err));
    }
  };
  const act = (p: Promise<unknown>) => void p.then(reload, (e) => setFormError(errorMessage(e)));
  return (
    <section aria-label="Automations">
      {error && <ErrorBanner onRetry={reload}>{error}</ErrorBanner>}
      {items === null ? (
        !error && <Loading rows={2} />
      ) : items.length === 0 ? (
        <EmptyState title="No automations yet" icon="⚙">
          <p>An automation sends a notification, or acts on a run, when something happens: create one below.</p>
        </EmptyState>
      ) : (
        <table className="compact-table automations-table">
          <thead>
            <tr>
              <th>Name</th>
              <th>When</th>
              <th>Then</th>
              <th>Enabled</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {items.map((a) => (
              <tr key={a.id} data-automation-id={a.id}>
                <td>{a.name}</td>
                <td>{describeTrigger(a)}</td>
                <td>{a.actions.map((x) => (x.type === "notify" ? `notify ${x.channel}` : x.type)).join(", ")}</td>
                <td>
                  <label className="switch">
                    <input
                      type="checkbox"
                      checked={a.enabled}
                      onChange={() => act(api.setAutomationEnabled(a.id, !a.enabled))}
                      aria-label={`Enabled: ${a.name}`}
                    />
                    {a.enabled ? "on" : "off"}
                  </label>
                </td>
                <td>
                  <button type="button" className="btn btn-small btn-ghost-danger" onClick={() => act(api.deleteAutomation(a.id))}>
                    Remove
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <form className="card add-automation" onSubmit={(e) => void create(e)} aria-label="Create an automation">
        <h2>Create an automation</h2>
        <p className="small muted">
          A trigger (<code>event</code> with <code>events</code>, or <code>stays</code> with <code>state</code> and <code>for</code>, such as{" "}
          <code>"4h"</code>) and actions (<code>notify</code>, <code>cancel-run</code>, <code>suspend-run</code>, <code>resume-run</code>,{" "}
          <code>run-deployment</code>). The README has the details and the reminder recipe.
        </p>
        {formError && (
          <div className="banner banner-error" role="alert">
            {formError}
          </div>
        )}
        <textarea
          className="json-editor"
          rows={10}
          value={text}
          onChange={(e) => setText(e.target.value)}
          aria-label="Automation as JSON"
          spellCheck={false}
        />
        <div className="form-buttons">
          <button type="submit" className="btn btn-primary">
            Create automation
          </button>
        </div>
      </form>
    </section>
  );
}

function describeTrigger(a: Automation): string {
  const t = a.trigger;
  const filters = [
    ...(t.flowName ?? []).map((f) => `flow ${f}`),
    ...(t.deploymentName ?? []).map((d) => `deployment ${d}`),
    ...(t.tags ?? []).map((tag) => `tag ${tag}`),
  ];
  const what = t.type === "event" ? t.events.join(", ") : `stays ${t.state.toLowerCase()} for ${t.for}`;
  return filters.length ? `${what} (${filters.join(", ")})` : what;
}

function DeliveriesTab() {
  const [status, setStatus] = useState<DeliveryStatus | "">("");
  const { items, error, reload } = useList(() => api.listDeliveries(status || undefined));
  const now = useNow();
  // biome-ignore lint/correctness/useExhaustiveDependencies: read again when the filter changes
  useEffect(reload, [status]);
  // Deliveries queued, sent, delivered or failed are pushed: the list is read again shortly after, once
  // for all the changes of those 200 ms.
  const pending = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  useLiveEvent((e) => {
    if (e.type !== "delivery.changed" || pending.current) return;
    pending.current = setTimeout(() => {
      pending.current = undefined;
      reload();
    }, 200);
  });
  useEffect(() => () => clearTimeout(pending.current), []);
  return (
    <section aria-label="Deliveries">
      <div className="filters">
        <label>
          Status
          <select value={status} onChange={(e) => setStatus(e.target.value as DeliveryStatus | "")}>
            <option value="">All</option>
            {(["PENDING", "SENDING", "DELIVERED", "FAILED"] as const).map((s) => (
              <option key={s} value={s}>
                {s.toLowerCase()}
              </option>
            ))}
          </select>
        </label>
        <button type="button" className="btn btn-small" onClick={reload}>
          Refresh
        </button>
      </div>
      {error && <ErrorBanner onRetry={reload}>{error}</ErrorBanner>}
      {items === null ? (
        !error && <Loading rows={3} />
      ) : items.length === 0 ? (
        <EmptyState title="No deliveries" icon="⇢">
          <p>Each message an automation (or "Send a test") sends shows here, with its tries and last error.</p>
        </EmptyState>
      ) : (
        <table className="compact-table deliveries-table">
          <thead>
            <tr>
              <th>Status</th>
              <th>To</th>
              <th>Event</th>
              <th>Run</th>
              <th>Tries</th>
              <th>Created</th>
              <th>Last error</th>
            </tr>
          </thead>
          <tbody>
            {items.map((d) => (
              <tr key={d.id} data-delivery-id={d.id}>
                <td>
                  <span className={`delivery-status delivery-${d.status.toLowerCase()}`}>{d.status.toLowerCase()}</span>
                </td>
                <td>{d.channelName ?? d.action}</td>
                <td>{d.event}</td>
                <td>{d.flowRunId ? <Link href={`/runs/${d.flowRunId}`}>{d.flowRunId.slice(0, 8)}…</Link> : "—"}</td>
                <td>
                  {d.attempts}/{d.maxAttempts}
                </td>
                <td>
                  <TimeAgo iso={d.createdAt} now={now} />
                </td>
                <td className="small">{d.lastError ?? ""}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

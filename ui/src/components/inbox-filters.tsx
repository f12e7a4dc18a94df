import { useEffect, useId, useState } from "react";
import { useSearchParams } from "wouter";
import { api, type InboxFilter } from "../api/client.ts";
import type { Deployment, FlowCount, InboxSort } from "../api/types.ts";

const SORTS: Record<InboxSort, string> = {
  newest: "Most recently paused",
  "waiting-longest": "Waiting longest",
  "timeout-soonest": "Timing out soonest",
};

/**
 * The inbox's filter as the page's URL holds it (`?flow=…&deployment=…&tag=…&q=…&sort=…&mine=1`), so that
 * a filtered inbox can be reloaded, bookmarked and shared; and how to change it.
 */
export function useInboxFilter(): [
  InboxFilter,
  (changes: Partial<Record<"flow" | "deployment" | "tag" | "q" | "sort" | "mine", string>>) => void,
  string,
] {
  const [params, setParams] = useSearchParams();
  const sort = params.get("sort");
  const filter: InboxFilter = {
    flowName: params.get("flow") || undefined,
    deploymentName: params.get("deployment") || undefined,
    tag: params.get("tag") || undefined,
    q: params.get("q") || undefined,
    sort: sort && sort in SORTS ? (sort as InboxSort) : undefined,
    forMe: params.get("mine") === "1" || undefined,
  };
  const update = (changes: Partial<Record<string, string>>) =>
    setParams(
      (prev) => {
        const next = new URLSearchParams(prev);
        for (const [k, v] of Object.entries(changes)) v ? next.set(k, v) : next.delete(k);
        return next;
      },
      { replace: true },
    );
  const search = params.toString();
  return [filter, update, search ? `?${search}` : ""];
}

/** Search, sort, deployment, tag, and "waiting for me" (for a signed-in person, with how many wait for them). */
export function InboxFilters({ forMe, signedIn }: { forMe: number | null; signedIn: boolean }) {
  const [filter, update] = useInboxFilter();
  const [text, setText] = useState(filter.q ?? "");
  const [tag, setTag] = useState(filter.tag ?? "");
  const [deployments, setDeployments] = useState<Deployment[]>([]);
  const id = useId();
  useEffect(() => {
    api.listDeployments().then(setDeployments, () => {});
  }, []);
  // Typing filters after a short pause, not on every key.
  useEffect(() => {
    if (text.trim() === (filter.q ?? "")) return;
    const t = setTimeout(() => update({ q: text.trim() }), 250);
    return () => clearTimeout(t);
  }, [text, filter.q]);
  useEffect(() => setTag(filter.tag ?? ""), [filter.tag]);

  return (
    <div role="search" className="inbox-filters" aria-label="Filter the inbox">
      <label className="inbox-search">
        <span className="visually-hidden">Search</span>
        <input type="search" placeholder="Search flows, runs, questions…" value={text} maxLength={200} onChange={(e) => setText(e.target.value)} />
      </label>
      <label htmlFor={`${id}-sort`} className="visually-hidden">
        Order
      </label>
      <select id={`${id}-sort`} value={filter.sort ?? "newest"} onChange={(e) => update({ sort: e.target.value === "newest" ? "" : e.target.value })}>
        {Object.entries(SORTS).map(([value, label]) => (
          <option key={value} value={value}>
            {label}
          </option>
        ))}
      </select>
      <label htmlFor={`${id}-deployment`} className="visually-hidden">
        Deployment
      </label>
      <select id={`${id}-deployment`} value={filter.deploymentName ?? ""} onChange={(e) => update({ deployment: e.target.value })}>
        <option value="">Any deployment</option>
        {deployments.map((d) => (
          <option key={d.name} value={d.name}>
            {d.name}
          </option>
        ))}
      </select>
      <form
        className="inbox-tag"
        onSubmit={(e) => {
          e.preventDefault();
          update({ tag: tag.trim() });
        }}
      >
        <label>
          <span className="visually-hidden">Tag</span>
          <input
            type="text"
            placeholder="Tag"
            value={tag}
            maxLength={64}
            onChange={(e) => setTag(e.target.value)}
            onBlur={() => update({ tag: tag.trim() })}
          />
        </label>
      </form>
      {signedIn && (
        <label className="inbox-mine">
          <input type="checkbox" checked={filter.forMe ?? false} onChange={(e) => update({ mine: e.target.checked ? "1" : "" })} /> Waiting for me
          {forMe !== null && <span className="count count-small">{forMe}</span>}
        </label>
      )}
    </div>
  );
}

/** How many runs wait per flow; choosing one shows only its runs, choosing it again all of them. */
export function FlowCounts({ flows, total }: { flows: FlowCount[]; total: number }) {
  const [filter, update] = useInboxFilter();
  if (flows.length < 2 && !filter.flowName) return null;
  const all = flows.reduce((n, f) => n + f.count, 0);
  return (
    <ul className="flow-counts" aria-label="Waiting runs per flow">
      <li>
        <button type="button" className="flow-count" aria-pressed={!filter.flowName} onClick={() => update({ flow: "" })}>
          All flows <span className="flow-count-n">{filter.flowName ? all : total}</span>
        </button>
      </li>
      {flows.map((f) => (
        <li key={f.flowName}>
          <button
            type="button"
            className="flow-count"
            aria-pressed={filter.flowName === f.flowName}
            onClick={() => update({ flow: filter.flowName === f.flowName ? "" : f.flowName })}
          >
            {f.flowName} <span className="flow-count-n">{f.count}</span>
          </button>
        </li>
      ))}
    </ul>
  );
}

import { useEffect, useState } from "react";
import { Link, useLocation } from "wouter";
import { api, ApiError, errorMessage } from "../api/client.ts";
import type { Deployment, Flow } from "../api/types.ts";
import { EmptyState, ErrorBanner, Loading } from "../components/feedback.tsx";
import { Markdown } from "../components/markdown.tsx";
import { SchemaForm } from "../components/schema-form.tsx";
import { TimeAgo, useNow } from "../components/time.tsx";
import { fieldErrorsOf, toErrorTree, type ErrorTree } from "../lib/field-errors.ts";
import { isEmptyObjectSchema } from "../lib/form-schema.ts";
import { useLiveEvents } from "../live/live-events.tsx";

const EMPTY_PARAMETERS = { type: "object", properties: {}, additionalProperties: false };

/** A deployment's card: what it is, when it was last served, and a Run button that opens its parameter form. */
function DeploymentCard({ deployment, now }: { deployment: Deployment; now: number }) {
  const [open, setOpen] = useState(false);
  const [formData, setFormData] = useState<unknown>(undefined);
  const [extraErrors, setExtraErrors] = useState<ErrorTree | undefined>(undefined);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [, navigate] = useLocation();
  const schema = deployment.parameterSchema ?? EMPTY_PARAMETERS;

  const start = async (parameters: unknown) => {
    setBusy(true);
    setError(null);
    try {
      const run = await api.runDeployment(deployment.name, (parameters ?? {}) as Record<string, unknown>);
      navigate(`/runs/${run.id}`);
    } catch (e) {
      if (e instanceof ApiError && e.status === 422) setExtraErrors(toErrorTree(fieldErrorsOf(e.details)));
      setError(errorMessage(e));
      setBusy(false);
    }
  };

  return (
    <li className="card deployment-card">
      <div className="card-head">
        <div>
          <h2>{deployment.name}</h2>
          <div className="small muted">
            flow <Link href={`/runs?flow=${encodeURIComponent(deployment.flowName)}`}>{deployment.flowName}</Link> ·{" "}
            {deployment.lastServedAt ? (
              <>
                served <TimeAgo iso={deployment.lastServedAt} now={now} />
              </>
            ) : (
              "not served yet"
            )}
          </div>
        </div>
        {!open && (
          <button type="button" className="btn btn-primary" onClick={() => setOpen(true)}>
            Run…
          </button>
        )}
      </div>
      {deployment.description && <Markdown text={deployment.description} className="description small" />}
      {open && (
        <div className="run-form">
          {error && (
            <div className="banner banner-error" role="alert">
              {error}
            </div>
          )}
          {isEmptyObjectSchema(schema) && <p className="muted small">This flow takes no parameters.</p>}
          <SchemaForm
            schema={schema}
            formData={formData}
            extraErrors={extraErrors}
            disabled={busy}
            idPrefix={`params-${deployment.id}`}
            onChange={(d) => {
              setFormData(d);
              setExtraErrors(undefined);
            }}
            onSubmit={(d) => void start(d)}
          >
            <div className="form-buttons">
              <button type="button" className="btn" onClick={() => setOpen(false)} disabled={busy}>
                Close
              </button>
              <button type="submit" className="btn btn-primary" disabled={busy}>
                {busy ? "Starting…" : "Start run"}
              </button>
            </div>
          </SchemaForm>
        </div>
      )}
    </li>
  );
}

/** Deployments: the flows serving processes offer, each with a Run button; and every flow that has run. */
export function DeploymentsPage() {
  const [deployments, setDeployments] = useState<Deployment[] | null>(null);
  const [flows, setFlows] = useState<Flow[]>([]);
  const [error, setError] = useState<string | null>(null);
  const { reconnects } = useLiveEvents();
  const now = useNow();

  const load = () => {
    Promise.all([api.listDeployments(), api.listFlows()]).then(
      ([d, f]) => {
        setDeployments(d);
        setFlows(f);
        setError(null);
      },
      (e) => setError(errorMessage(e)),
    );
  };
  useEffect(load, [reconnects]);
  useEffect(() => void (document.title = "Deployments · Baton"), []);

  const deployed = new Set(deployments?.map((d) => d.flowName));
  const others = flows.filter((f) => !deployed.has(f.name));
  return (
    <div className="deployments-page">
      <div className="page-header">
        <h1>Deployments</h1>
        <p className="muted">Flows a serving process runs on demand. Start one here with its parameters.</p>
      </div>
      {error && <ErrorBanner onRetry={load}>{error}</ErrorBanner>}
      {deployments === null ? (
        !error && <Loading rows={3} />
      ) : deployments.length === 0 ? (
        <EmptyState title="No deployments yet" icon="◇">
          <p>A process that serves flows registers them here, and they can then be started from this page with a form for their parameters.</p>
        </EmptyState>
      ) : (
        <ul className="deployment-list">
          {deployments.map((d) => (
            <DeploymentCard key={d.id} deployment={d} now={now} />
          ))}
        </ul>
      )}
      {others.length > 0 && (
        <section className="flows-section" aria-labelledby="flows-title">
          <h2 id="flows-title">Other flows</h2>
          <p className="muted small">Flows that have run from a script; they start where their code runs, not from here.</p>
          <ul className="flow-chips">
            {others.map((f) => (
              <li key={f.id}>
                <Link href={`/runs?flow=${encodeURIComponent(f.name)}`} className="chip">
                  {f.name}
                </Link>
              </li>
            ))}
          </ul>
        </section>
      )}
    </div>
  );
}

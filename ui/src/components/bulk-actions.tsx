import { useState } from "react";
import { api, errorMessage } from "../api/client.ts";
import type { BulkAction, BulkOutcome, FlowRun } from "../api/types.ts";
import { ConfirmDialog } from "./confirm-dialog.tsx";

const VERB: Record<BulkAction, { button: string; done: string; title: string }> = {
  approve: { button: "Approve…", done: "approved", title: "Approve" },
  reject: { button: "Reject…", done: "rejected", title: "Reject" },
  cancel: { button: "Cancel runs…", done: "cancelled", title: "Cancel" },
};

/** Options of `BulkActions`. */
export interface BulkActionsProps {
  /** The runs shown, of which `selected` are chosen. */
  runs: FlowRun[];
  selected: ReadonlySet<string>;
  onSelect(ids: ReadonlySet<string>): void;
  /** Whether the person may cancel runs (an operator or above, or a server without sign-in). */
  mayCancel: boolean;
  /** After the server answered: the runs it moved on leave the list. */
  onDone(outcomes: BulkOutcome[]): void;
}

/**
 * Approve, reject or cancel the chosen runs at once, after a confirmation that names them. Approve and
 * reject answer pauses that ask nothing or one yes/no; the server handles each run as its own answer
 * would, and what it refused (someone else's pause, one that asks more) is listed with the reason.
 */
export function BulkActions({ runs, selected, onSelect, mayCancel, onDone }: BulkActionsProps) {
  const [action, setAction] = useState<BulkAction | null>(null);
  const [comment, setComment] = useState("");
  const [busy, setBusy] = useState(false);
  const [report, setReport] = useState<{ action: BulkAction; outcomes: BulkOutcome[] } | null>(null);
  const [error, setError] = useState<string | null>(null);
  const chosen = runs.filter((r) => selected.has(r.id));
  const names = new Map(runs.map((r) => [r.id, r.name]));
  const allChosen = runs.length > 0 && chosen.length === runs.length;

  const run = async () => {
    if (!action) return;
    setBusy(true);
    setError(null);
    try {
      const { results } = await api.bulk(
        action,
        chosen.map((r) => r.id),
        comment.trim() || undefined,
      );
      setReport({ action, outcomes: results });
      setComment("");
      onSelect(new Set(results.filter((o) => !o.ok).map((o) => o.id)));
      onDone(results);
    } catch (e) {
      setError(errorMessage(e));
    } finally {
      setBusy(false);
      setAction(null);
    }
  };

  const refused = report?.outcomes.filter((o): o is Extract<BulkOutcome, { ok: false }> => !o.ok) ?? [];
  const done = report ? report.outcomes.length - refused.length : 0;
  return (
    <div className="bulk-actions">
      <div className="bulk-bar">
        <label className="bulk-all">
          <input
            type="checkbox"
            checked={allChosen}
            ref={(el) => {
              if (el) el.indeterminate = chosen.length > 0 && !allChosen;
            }}
            onChange={() => onSelect(allChosen ? new Set() : new Set(runs.map((r) => r.id)))}
          />{" "}
          {chosen.length ? `${chosen.length} chosen` : "Choose all shown"}
        </label>
        {chosen.length > 0 && (
          <div className="bulk-buttons">
            <button type="button" className="btn btn-small" onClick={() => setAction("approve")}>
              {VERB.approve.button}
            </button>
            <button type="button" className="btn btn-small" onClick={() => setAction("reject")}>
              {VERB.reject.button}
            </button>
            {mayCancel && (
              <button type="button" className="btn btn-small btn-ghost-danger" onClick={() => setAction("cancel")}>
                {VERB.cancel.button}
              </button>
            )}
          </div>
        )}
      </div>
      {error && (
        <div className="banner banner-error" role="alert">
          {error}
        </div>
      )}
      {report && (
        <div className={`banner ${refused.length ? "banner-warning" : "banner-success"}`} role="status" data-testid="bulk-report">
          <div>
            {done} {done === 1 ? "run" : "runs"} {VERB[report.action].done}
            {refused.length ? `; ${refused.length} refused:` : "."}
            {refused.length > 0 && (
              <ul className="bulk-refused">
                {refused.map((o) => (
                  <li key={o.id}>
                    <strong>{names.get(o.id) ?? o.id}</strong>: {o.message}
                  </li>
                ))}
              </ul>
            )}
          </div>
          <button type="button" className="btn btn-ghost btn-small" onClick={() => setReport(null)}>
            Dismiss
          </button>
        </div>
      )}
      <ConfirmDialog
        open={action !== null}
        title={action ? `${VERB[action].title} ${chosen.length} ${chosen.length === 1 ? "run" : "runs"}?` : ""}
        confirmLabel={action ? `${VERB[action].title} ${chosen.length}` : ""}
        cancelLabel="Go back"
        danger={action === "cancel"}
        busy={busy}
        onConfirm={() => void run()}
        onClose={() => setAction(null)}
      >
        <p>
          {action === "cancel"
            ? "These runs stop for good:"
            : `Each of these pauses is answered ${action === "approve" ? "yes" : "no"}; one that asks for more, or that is not yours to answer, is left waiting:`}
        </p>
        <ul className="bulk-chosen">
          {chosen.map((r) => (
            <li key={r.id}>
              <strong>{r.name}</strong> <span className="muted">({r.flowName})</span>
            </li>
          ))}
        </ul>
        <label className="field">
          <span>{action === "cancel" ? "Reason" : "Comment"} (optional, kept with each run)</span>
          <textarea value={comment} rows={2} maxLength={action === "cancel" ? 1000 : 2000} onChange={(e) => setComment(e.target.value)} />
        </label>
      </ConfirmDialog>
    </div>
  );
}

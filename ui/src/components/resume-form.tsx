import { useEffect, useMemo, useRef, useState } from "react";
import { ApiError, api, errorMessage } from "../api/client.ts";
import { useSession } from "../auth/session.tsx";
import type { FlowRun } from "../api/types.ts";
import { dropDraft, readDraft, saveDraft } from "../lib/drafts.ts";
import { fieldErrorsOf, toErrorTree, type ErrorTree, type ServerFieldError } from "../lib/field-errors.ts";
import { ConfirmDialog } from "./confirm-dialog.tsx";
import { Markdown } from "./markdown.tsx";
import { SchemaForm, schemaProblem } from "./schema-form.tsx";

const NAME_KEY = "baton.respondedBy";

function rememberedName(): string {
  try {
    return localStorage.getItem(NAME_KEY) ?? "";
  } catch {
    return "";
  }
}

function rememberName(name: string): void {
  try {
    if (name) localStorage.setItem(NAME_KEY, name);
    else localStorage.removeItem(NAME_KEY);
  } catch {
    // Private windows may refuse storage; the name is then asked again next time.
  }
}

/** What this person did to a run from the form; `recorded`: an answer kept until enough people have answered. */
export interface Outcome {
  kind: "answered" | "recorded" | "cancelled";
  /** The run as the server answered. */
  run: FlowRun;
  /** The answer sent. */
  input?: unknown;
}

/** Options of `ResumeForm`. */
export interface ResumeFormProps {
  /** A paused run; give the component a key of its id and pause key, so that a new pause starts a fresh form. */
  run: FlowRun;
  /** What the form starts from when no draft was kept (an answer the flow refused, to correct). */
  prefill?: unknown;
  /** The run was answered or cancelled here. */
  onDone(outcome: Outcome): void;
  /**
   * The server says the run moved on meanwhile (answered elsewhere, timed out, cancelled): read it again
   * and show `message`, which outlives this form (the form goes once the run is no longer paused).
   */
  onStale(message: string): void;
}

type Notice = { tone: "error" | "warning"; text: string } | null;

/**
 * The answer to a paused run: its Markdown description, a form generated from the pause's JSON Schema
 * (checked in the browser first), and Cancel run. A pause that asks for nothing gets a Resume button.
 * The server's 422 lands on the fields it names; a 409 says what the run is now.
 */
export function ResumeForm({ run, prefill, onDone, onStale }: ResumeFormProps) {
  const request = run.state.details.inputRequest ?? null;
  const pauseKey = run.state.details.pauseKey ?? "";
  // What the person typed before (a reload, a restart, a suspend under the form) comes back first.
  const [formData, setFormData] = useState<unknown>(() => readDraft(run.id, pauseKey) ?? prefill ?? request?.initialData);
  // The flow may ask again before this page hears that its answer was taken: the refused answer then
  // arrives after the form was made, and is put in unless the person typed meanwhile.
  const typed = useRef(false);
  useEffect(() => {
    if (prefill !== undefined && !typed.current) setFormData(prefill);
  }, [prefill]);
  // The flow's reasons for refusing the answer it asks again for sit on the fields they name.
  const refused = run.state.details.rejected?.issues;
  const [extraErrors, setExtraErrors] = useState<ErrorTree | undefined>(() => (refused?.length ? toErrorTree(refused) : undefined));
  const [serverErrors, setServerErrors] = useState<ServerFieldError[]>([]);
  const [notice, setNotice] = useState<Notice>(null);
  const [busy, setBusy] = useState(false);
  const [confirm, setConfirm] = useState<"resume" | "cancel" | null>(null);
  const [reason, setReason] = useState("");
  const [comment, setComment] = useState("");
  const { me } = useSession();
  // Signed in, answers are recorded as the user; on a server without sign-in, as the name typed here.
  const signedIn = me.kind === "user";
  const [name, setName] = useState(() => (signedIn ? "" : rememberedName()));
  // A question kept from before the server checked schemas when asked may be one no form can check.
  const problem = useMemo(() => (request ? schemaProblem(request.schema) : undefined), [request?.schema]);

  const failed = (e: unknown) => {
    if (e instanceof ApiError && e.status === 422) {
      const errors = fieldErrorsOf(e.details);
      setServerErrors(errors);
      setExtraErrors(toErrorTree(errors));
      setNotice({ tone: "error", text: "The server did not accept this answer; the run still waits. Correct the fields marked below." });
    } else if (e instanceof ApiError && e.status === 409) {
      const now = typeof e.details.stateName === "string" ? ` It is now ${e.details.stateName}.` : "";
      const text =
        e.code === "NOT_PAUSED"
          ? `This run is no longer waiting for an answer: someone may have answered it already.${now}`
          : e.code === "PAUSE_TIMEOUT"
            ? "This pause timed out before the answer arrived, so the run has failed."
            : e.message;
      onStale(text);
    } else if (e instanceof ApiError && e.status === 403) {
      setNotice({ tone: "error", text: `Refused: ${typeof e.details.reason === "string" ? e.details.reason : e.message}` });
    } else setNotice({ tone: "error", text: errorMessage(e) });
  };

  const resume = async (input: unknown) => {
    setBusy(true);
    setNotice(null);
    rememberName(name.trim());
    try {
      const updated = await api.resume(run.id, {
        ...(request ? { input } : {}),
        ...(name.trim() ? { respondedBy: name.trim() } : {}),
        ...(comment.trim() ? { comment: comment.trim() } : {}),
      });
      dropDraft(run.id, pauseKey);
      onDone({ kind: updated.state.type === "PAUSED" ? "recorded" : "answered", run: updated, input });
    } catch (e) {
      failed(e);
    } finally {
      setBusy(false);
      setConfirm(null);
    }
  };

  const cancel = async () => {
    setBusy(true);
    setNotice(null);
    try {
      const who = name.trim() ? ` by ${name.trim()}` : "";
      const updated = await api.cancel(run.id, reason.trim() || `Cancelled from the web UI${who}`);
      dropDraft(run.id, pauseKey);
      onDone({ kind: "cancelled", run: updated });
    } catch (e) {
      failed(e);
    } finally {
      setBusy(false);
      setConfirm(null);
    }
  };

  const actions = (
    <div className="form-actions">
      <label className="answer-comment-field">
        <span>Comment (optional, kept with the answer; Markdown)</span>
        <textarea value={comment} rows={2} maxLength={2000} onChange={(e) => setComment(e.target.value)} />
      </label>
      {signedIn ? (
        <span className="responder small muted">
          Answering as <strong>{me.name}</strong>
        </span>
      ) : (
        <label className="responder">
          {/* Not "Your name": a question may ask exactly that, and two fields of one label confuse. */}
          <span>Answering as</span>
          <input
            type="text"
            value={name}
            autoComplete="name"
            placeholder="your name (optional)"
            maxLength={200}
            onChange={(e) => setName(e.target.value)}
          />
        </label>
      )}
      <div className="form-buttons">
        <button type="button" className="btn btn-ghost-danger" onClick={() => setConfirm("cancel")} disabled={busy}>
          Cancel run…
        </button>
        {problem ? null : request ? (
          <button type="submit" className="btn btn-primary" disabled={busy}>
            {busy ? "Sending…" : "Submit answer"}
          </button>
        ) : (
          <button type="button" className="btn btn-primary" onClick={() => setConfirm("resume")} disabled={busy}>
            Resume…
          </button>
        )}
      </div>
    </div>
  );

  return (
    <div className="resume-form">
      {request?.description && <Markdown text={request.description} className="description" />}
      {notice && (
        <div className={`banner banner-${notice.tone}`} role="alert">
          <div>
            {notice.text}
            {serverErrors.length > 0 && notice.tone === "error" && (
              <ul className="server-errors">
                {serverErrors.map((e, i) => (
                  <li key={i}>{e.message}</li>
                ))}
              </ul>
            )}
          </div>
        </div>
      )}
      {problem ? (
        <form onSubmit={(e) => e.preventDefault()}>
          <div className="banner banner-error" role="alert">
            This question cannot be answered here: {problem}. The flow must change the schema it asks with; meanwhile the run can only be cancelled.
          </div>
          {actions}
        </form>
      ) : request ? (
        // What the person does in the form (not the form's own change events at its start) counts as typing.
        <div onInputCapture={() => (typed.current = true)} onChangeCapture={() => (typed.current = true)}>
          <SchemaForm
            schema={request.schema}
            formData={formData}
            extraErrors={extraErrors}
            disabled={busy}
            onChange={(data) => {
              setFormData(data);
              saveDraft(run.id, pauseKey, data);
              // A correction clears the server's verdict (the next submit asks it again); the form's own change
              // events (the refused answer put in after the form was made) do not.
              if (extraErrors && typed.current) {
                setExtraErrors(undefined);
                setServerErrors([]);
              }
            }}
            onSubmit={(data) => void resume(data)}
          >
            {actions}
          </SchemaForm>
        </div>
      ) : (
        <form
          onSubmit={(e) => {
            e.preventDefault();
            setConfirm("resume");
          }}
        >
          <p className="muted">This pause asks for no input: resuming lets the run go on.</p>
          {actions}
        </form>
      )}
      <ConfirmDialog
        open={confirm === "resume"}
        title="Resume this run?"
        confirmLabel="Resume"
        busy={busy}
        onConfirm={() => void resume(undefined)}
        onClose={() => setConfirm(null)}
      >
        <p>
          <strong>{run.name}</strong> will go on from pause “{run.state.details.pauseKey}”.
        </p>
      </ConfirmDialog>
      <ConfirmDialog
        open={confirm === "cancel"}
        title="Cancel this run?"
        confirmLabel="Cancel run"
        cancelLabel="Keep waiting"
        danger
        busy={busy}
        onConfirm={() => void cancel()}
        onClose={() => setConfirm(null)}
      >
        <p>
          <strong>{run.name}</strong> stops for good: the flow will not go on, whatever it asked.
        </p>
        <label className="field">
          <span>Reason (optional, kept with the run)</span>
          <input type="text" value={reason} maxLength={1000} onChange={(e) => setReason(e.target.value)} />
        </label>
      </ConfirmDialog>
    </div>
  );
}

import { useEffect, useState } from "react";
import { api, ApiError, errorMessage } from "../api/client.ts";
import type { Receiver } from "../api/types.ts";
import { fieldErrorsOf, toErrorTree, type ErrorTree } from "../lib/field-errors.ts";
import { Markdown } from "./markdown.tsx";
import { SchemaForm } from "./schema-form.tsx";

/**
 * For a run that is receiving messages (`receiveInput`): one form per key prefix it receives, generated
 * from the JSON Schema it declared, which sends a message to it. Nothing shows for a run that receives
 * nothing. `version` changes when the run does, so that what it receives is read again.
 */
export function MessageSender({ runId, version }: { runId: string; version: string }) {
  const [receivers, setReceivers] = useState<Receiver[]>([]);
  useEffect(() => {
    let live = true;
    api.listReceivers(runId).then(
      (r) => live && setReceivers(r),
      () => live && setReceivers([]),
    );
    return () => {
      live = false;
    };
  }, [runId, version]);
  if (!receivers.length) return null;
  return (
    <section className="card" aria-labelledby="messages-title">
      <div className="card-head">
        <h2 id="messages-title">Send a message</h2>
        <span className="small muted">the run reads it as it runs</span>
      </div>
      {receivers.map((r) => (
        <ReceiverForm key={r.keyPrefix} runId={runId} receiver={r} />
      ))}
    </section>
  );
}

function ReceiverForm({ runId, receiver }: { runId: string; receiver: Receiver }) {
  const [value, setValue] = useState<unknown>(undefined);
  const [busy, setBusy] = useState(false);
  const [errors, setErrors] = useState<ErrorTree | undefined>(undefined);
  const [result, setResult] = useState<{ ok: boolean; text: string } | null>(null);
  const send = async (formData: unknown) => {
    setBusy(true);
    setResult(null);
    setErrors(undefined);
    try {
      const sent = await api.sendMessage(runId, receiver.keyPrefix, formData);
      setResult({ ok: true, text: `Sent as “${sent.key}”.` });
      setValue(undefined);
    } catch (e) {
      if (e instanceof ApiError && e.status === 422) setErrors(toErrorTree(fieldErrorsOf(e.details)));
      setResult({ ok: false, text: errorMessage(e) });
    } finally {
      setBusy(false);
    }
  };
  return (
    <div className="message-form">
      <p className="small muted">key “{receiver.keyPrefix}”</p>
      {receiver.description && <Markdown text={receiver.description} />}
      <SchemaForm
        schema={receiver.schema}
        formData={value}
        onChange={setValue}
        onSubmit={(v) => void send(v)}
        extraErrors={errors}
        disabled={busy}
        idPrefix={`message-${receiver.keyPrefix}`}
      >
        <button type="submit" className="btn btn-primary" disabled={busy}>
          {busy ? "Sending…" : "Send"}
        </button>
      </SchemaForm>
      {result && (
        <div className={`banner ${result.ok ? "banner-success" : "banner-error"}`} role={result.ok ? "status" : "alert"}>
          {result.text}
        </div>
      )}
    </div>
  );
}

import { type ReactNode, useEffect, useRef, useState } from "react";
import { Link } from "wouter";
import { api } from "../api/client.ts";
import type { FlowRun, RunInput } from "../api/types.ts";
import { dropDraft, readDraft } from "../lib/drafts.ts";
import { fieldLabel } from "../lib/field-errors.ts";
import { formSchema } from "../lib/form-schema.ts";
import { JsonView } from "./feedback.tsx";
import { type Outcome, ResumeForm } from "./resume-form.tsx";
import { TimeAgo } from "./time.tsx";

/** What this person did here, and to which pause: followed until the run waits again, ends, or fails. */
interface Sent extends Outcome {
  /** The paused state answered, to tell "still that pause" from "asks again". */
  stateId: string;
  pauseKey: string;
}

const CHANNELS: Record<string, string> = { ui: "the web UI", api: "the API", cli: "the CLI", sdk: "a program (SDK)", link: "a link" };

/** Who answered, how and when, as a sentence's end: "by Bob through the CLI, 2 minutes ago". */
export function answeredBy(input: Pick<RunInput, "respondedBy" | "channel">): string {
  const who = input.respondedBy ? ` by ${input.respondedBy}` : "";
  return `${who} through ${CHANNELS[input.channel ?? ""] ?? input.channel ?? "an unknown channel"}`;
}

/** After an answer sent here: the run's outcome as it happens, never a success before the run says so. */
function FollowedOutcome({ run, sent }: { run: FlowRun; sent: Sent }) {
  const { type, name, message } = run.state;
  const see = (
    <>
      {" "}
      <Link href={`/runs/${run.id}`}>See the run →</Link>
    </>
  );
  if (sent.kind === "cancelled") return <Banner tone="warning" text={`Cancelled: ${message ?? "the run stops for good."}`} see={see} />;
  if (sent.kind === "recorded" && type === "PAUSED" && run.state.id === sent.stateId)
    return (
      <Banner
        tone="info"
        text={`Your answer is recorded; the run goes on once ${run.state.details.required ?? "enough"} different people have answered.`}
        see={see}
      />
    );
  if (type === "COMPLETED") return <Banner tone="success" text="Completed: the run took your answer and finished." see={see} testId="outcome" />;
  if (type === "FAILED" || type === "CRASHED")
    return <Banner tone="error" text={`${name}: ${message ?? "the run stopped with an error."}`} see={see} testId="outcome" />;
  if (type === "CANCELLED") return <Banner tone="warning" text={`Cancelled: ${message ?? "the run stops for good."}`} see={see} testId="outcome" />;
  // Running, scheduled for a serving process, or still the same pause an instant after the answer.
  return (
    <Banner
      tone="info"
      busy
      text={`Answer sent. The run is ${type === "PAUSED" ? "taking it" : name}; this says what happens next: it completes, fails, or asks again.`}
      see={see}
      testId="outcome"
    />
  );
}

function Banner({ tone, text, see, busy, testId }: { tone: string; text: string; see: ReactNode; busy?: boolean; testId?: string }) {
  return (
    <div className={`banner banner-${tone}`} role={tone === "error" ? "alert" : "status"} aria-busy={busy ?? false} data-testid={testId}>
      <span>
        {busy && <span className="spinner" aria-hidden="true" />}
        {text}
        {see}
      </span>
    </div>
  );
}

/** Why the flow refused the answer its pause now asks again for, field by field, in the question's own labels. */
function RefusedNote({ run }: { run: FlowRun }) {
  const rejected = run.state.details.rejected;
  if (!rejected) return null;
  const schema = run.state.details.inputRequest ? formSchema(run.state.details.inputRequest.schema) : undefined;
  return (
    <div className="banner banner-warning" role="alert" data-testid="refused">
      <div>
        The answer to pause “{rejected.pauseKey}” was refused by the flow, which asks again:
        <ul className="server-errors">
          {rejected.issues.map((i, n) => (
            <li key={n}>
              <strong>{fieldLabel(schema, i.path)}</strong>: {i.message}
            </li>
          ))}
        </ul>
      </div>
    </div>
  );
}

/**
 * The run was answered (or ended) while this person looked at its question: who answered and when, and
 * what this person had typed, kept readable and copyable.
 */
function AnsweredElsewhere({ run, pauseKey, stale }: { run: FlowRun; pauseKey: string; stale: string | null }) {
  const [input, setInput] = useState<RunInput | null>(null);
  const [draft, setDraft] = useState<unknown>(() => readDraft(run.id, pauseKey));
  const [copied, setCopied] = useState(false);
  useEffect(() => {
    api.listInputs(run.id).then(
      (all) => setInput(all.find((i) => i.key === pauseKey && i.respondedAt) ?? null),
      () => setInput(null),
    );
  }, [run.id, pauseKey, run.state.id]);
  const now = Date.now();
  return (
    <div className="answered-elsewhere">
      <div className="banner banner-warning" role="alert" data-testid="answered-elsewhere">
        <span>
          {input?.respondedAt ? (
            <>
              Someone answered first: pause “{pauseKey}” was answered{answeredBy(input)}, <TimeAgo iso={input.respondedAt} now={now} />. The run is
              now {run.state.name}.
            </>
          ) : (
            (stale ?? `This run no longer waits: it is ${run.state.name}${run.state.message ? ` (${run.state.message})` : ""}.`)
          )}{" "}
          <Link href={`/runs/${run.id}`}>See the run →</Link>
        </span>
      </div>
      {draft !== undefined && (
        <section className="kept-draft" aria-labelledby="kept-draft-title">
          <h3 id="kept-draft-title">What you had typed (not sent)</h3>
          <JsonView value={draft} label="What you had typed, as JSON" />
          <div className="form-buttons">
            <button
              type="button"
              className="btn btn-small"
              onClick={() => void navigator.clipboard?.writeText(JSON.stringify(draft, null, 2)).then(() => setCopied(true))}
            >
              {copied ? "Copied" : "Copy"}
            </button>
            <button
              type="button"
              className="btn btn-small"
              onClick={() => {
                dropDraft(run.id, pauseKey);
                setDraft(undefined);
              }}
            >
              Discard
            </button>
          </div>
        </section>
      )}
    </div>
  );
}

/** Options of `RunAnswer`. */
export interface RunAnswerProps {
  /** The run, kept current by the caller from the event stream. */
  run: FlowRun;
  /** The server's answer to this person's action, to show at once. */
  onRun(run: FlowRun): void;
  /** Read the run again (the server said it moved on). */
  reload(): void;
  /** Called once the run was answered or cancelled here. */
  onDone?(outcome: Outcome): void;
  /** Shown for a run that was not waiting when it was opened. */
  fallback?: ReactNode;
}

/**
 * A run's question and what became of it: the form while it waits; after an answer, the run followed until
 * it completes, fails or asks again (with why the last answer was refused); when someone else answered
 * first, who and when, with what this person typed kept visible.
 */
export function RunAnswer({ run, onRun, reload, onDone, fallback }: RunAnswerProps) {
  const [sent, setSent] = useState<Sent | null>(null);
  const [stale, setStale] = useState<string | null>(null);
  // The last pause seen, to say what became of it once the run moved on.
  const seen = useRef<{ key: string; stateId: string } | null>(null);
  const paused = run.state.type === "PAUSED";
  const pauseKey = run.state.details.pauseKey;
  if (paused && pauseKey) seen.current = { key: pauseKey, stateId: run.state.id };
  const asking = paused && !(sent && sent.stateId === run.state.id);
  // A pause asking again after this person's refused answer starts from that answer, to correct what was refused.
  const refusedHere = asking && sent && run.state.details.rejected?.pauseKey === sent.pauseKey ? sent.input : undefined;

  if (asking)
    return (
      <>
        <RefusedNote run={run} />
        <ResumeForm
          key={`${run.id}/${pauseKey}`}
          run={run}
          prefill={refusedHere}
          onDone={(o) => {
            setSent({ ...o, stateId: run.state.id, pauseKey: pauseKey ?? "" });
            onRun(o.run);
            onDone?.(o);
          }}
          onStale={(message) => {
            setStale(message);
            reload();
          }}
        />
      </>
    );
  if (sent) return <FollowedOutcome run={run} sent={sent} />;
  if (seen.current) return <AnsweredElsewhere run={run} pauseKey={seen.current.key} stale={stale} />;
  return fallback ?? null;
}

/**
 * What a person typed into a pause's form, kept in the browser (localStorage) per run and pause key until
 * it is sent, so that a reload, a server restart or a change of the run's state under the form loses nothing.
 */

const PREFIX = "baton.draft.";
/** Drafts nobody came back to are dropped after this long. */
const KEEP_MS = 30 * 86_400_000;

interface Stored {
  data: unknown;
  savedAt: number;
}

function keyOf(runId: string, pauseKey: string): string {
  return `${PREFIX}${runId}/${pauseKey}`;
}

/** The draft of pause `pauseKey` of run `runId`, or undefined. */
export function readDraft(runId: string, pauseKey: string): unknown {
  try {
    const raw = localStorage.getItem(keyOf(runId, pauseKey));
    return raw ? (JSON.parse(raw) as Stored).data : undefined;
  } catch {
    return undefined;
  }
}

/** Keeps `data` as the draft; private windows may refuse storage, and the form then works without. */
export function saveDraft(runId: string, pauseKey: string, data: unknown): void {
  try {
    localStorage.setItem(keyOf(runId, pauseKey), JSON.stringify({ data, savedAt: Date.now() } satisfies Stored));
  } catch {
    // Full or refused storage: the typing stays in the form, only not across a reload.
  }
}

/** Forgets the draft once the answer was accepted, or the person let it go. */
export function dropDraft(runId: string, pauseKey: string): void {
  try {
    localStorage.removeItem(keyOf(runId, pauseKey));
  } catch {
    // Nothing kept, nothing to drop.
  }
}

/** Drops drafts older than a month; called once when the app starts. */
export function pruneDrafts(now = Date.now()): void {
  try {
    for (let i = localStorage.length - 1; i >= 0; i--) {
      const k = localStorage.key(i);
      if (!k?.startsWith(PREFIX)) continue;
      const saved = (JSON.parse(localStorage.getItem(k) ?? "{}") as Partial<Stored>).savedAt ?? 0;
      if (now - saved > KEEP_MS) localStorage.removeItem(k);
    }
  } catch {
    // Storage unavailable: nothing to prune.
  }
}

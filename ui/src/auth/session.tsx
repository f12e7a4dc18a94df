import { createContext, type FormEvent, type ReactNode, useContext, useEffect, useState } from "react";
import { api, errorMessage, whenSignedOut } from "../api/client.ts";
import type { FlowRun, Me } from "../api/types.ts";
import { ErrorBanner, Loading } from "../components/feedback.tsx";

const SessionContext = createContext<{ me: Me; signOut(): void } | null>(null);

/** Who is signed in (`kind: "open"` on a server that needs no sign-in), and how to sign out. */
export function useSession(): { me: Me; signOut(): void } {
  const value = useContext(SessionContext);
  if (!value) throw new Error("useSession() outside <SessionProvider>");
  return value;
}

/** Whether `me` is named among who may answer `run` (by name or group): such runs wait for them first. */
export function namedIn(run: FlowRun, me: Me): boolean {
  const respondents = run.state.details.respondents ?? [];
  return me.kind === "user" && respondents.some((r) => r === me.name || (r.startsWith("group:") && me.groups.includes(r.slice(6))));
}

/** Whether `me` may answer `run` at all, as far as the page can tell (the server decides). */
export function mayAnswer(run: FlowRun, me: Me): boolean {
  if (me.kind !== "user") return true;
  if (me.role === "viewer") return false;
  if (run.state.details.excludeRunCreator && run.createdBy === me.name) return false;
  return !run.state.details.respondents?.length || namedIn(run, me);
}

/**
 * Asks the server who the page's user is: on a server that requires sign-in and a browser without a
 * session, the sign-in page shows instead of the app; once signed in, the session's CSRF token is kept
 * for every write. A call that finds the session ended brings the sign-in page back.
 */
export function SessionProvider({ children }: { children: ReactNode }) {
  const [me, setMe] = useState<Me | null>(null);
  const [error, setError] = useState<string | null>(null);
  const load = () =>
    api.me().then(
      async (m) => {
        setMe(m.kind === "user" ? await api.session() : m);
        setError(null);
      },
      (e) => setError(errorMessage(e)),
    );
  useEffect(() => {
    void load();
    whenSignedOut(() => setMe({ kind: "anonymous", name: null, role: null, groups: [] }));
    return () => whenSignedOut(undefined);
  }, []);
  if (error) return <ErrorBanner onRetry={() => void load()}>{error}</ErrorBanner>;
  if (!me) return <Loading rows={3} />;
  if (me.kind === "anonymous") return <SignInPage onSignedIn={setMe} />;
  const signOut = () => void api.signOut().finally(() => setMe({ kind: "anonymous", name: null, role: null, groups: [] }));
  return <SessionContext.Provider value={{ me, signOut }}>{children}</SessionContext.Provider>;
}

/** The sign-in form: a name and a password; a wrong one says so and keeps the name. */
function SignInPage({ onSignedIn }: { onSignedIn(me: Me): void }) {
  const [name, setName] = useState("");
  const [password, setPassword] = useState("");
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  useEffect(() => {
    document.title = "Sign in · Baton";
  }, []);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      onSignedIn(await api.signIn(name.trim(), password));
    } catch (err) {
      setError(errorMessage(err).split(" Send an API key")[0]!);
      setPassword("");
    } finally {
      setBusy(false);
    }
  };
  return (
    <main id="main" className="sign-in">
      <form className="sign-in-form" onSubmit={(e) => void submit(e)} aria-labelledby="sign-in-title">
        <h1 id="sign-in-title">Sign in to Baton</h1>
        {error && (
          <div className="banner banner-error" role="alert">
            {error}
          </div>
        )}
        <label>
          <span>Name</span>
          <input name="name" autoComplete="username" required value={name} onChange={(e) => setName(e.target.value)} />
        </label>
        <label>
          <span>Password</span>
          <input
            name="password"
            type="password"
            autoComplete="current-password"
            required
            value={password}
            onChange={(e) => setPassword(e.target.value)}
          />
        </label>
        <button type="submit" className="btn btn-primary" disabled={busy}>
          {busy ? "Signing in…" : "Sign in"}
        </button>
      </form>
    </main>
  );
}

/** Who is signed in, with Sign out; nothing on a server that needs no sign-in. */
export function SignedInAs() {
  const { me, signOut } = useSession();
  if (me.kind !== "user") return null;
  return (
    <span className="signed-in" data-testid="signed-in">
      <span>
        {me.name} <span className="muted small">({me.role})</span>
      </span>
      <button type="button" className="btn btn-small" onClick={signOut}>
        Sign out
      </button>
    </span>
  );
}

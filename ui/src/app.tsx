import type { ReactNode } from "react";
import { Link, Route, Switch, useLocation } from "wouter";
import { SessionProvider, SignedInAs } from "./auth/session.tsx";
import { DisplaySettings } from "./components/display-settings.tsx";
import { EmptyState } from "./components/feedback.tsx";
import { LiveEventsProvider, useLiveEvents } from "./live/live-events.tsx";
import { useWaitingRuns, WaitingRunsProvider } from "./live/waiting-runs.tsx";
import { DeploymentsPage } from "./pages/deployments-page.tsx";
import { InboxPage } from "./pages/inbox-page.tsx";
import { NotificationsPage, type NotificationsTab } from "./pages/notifications-page.tsx";
import { RunDetailPage } from "./pages/run-detail-page.tsx";
import { RunsPage } from "./pages/runs-page.tsx";

function NavLink({ href, match, children }: { href: string; match: RegExp; children: ReactNode }) {
  const [location] = useLocation();
  const active = match.test(location);
  return (
    <Link href={href} className={`nav-link ${active ? "active" : ""}`} aria-current={active ? "page" : undefined}>
      {children}
    </Link>
  );
}

function InboxCount() {
  const { count: n, loading } = useWaitingRuns();
  if (loading) return null;
  return (
    <span className={`count ${n ? "" : "count-zero"}`} data-testid="inbox-count" aria-label={`${n} waiting`}>
      {n}
    </span>
  );
}

function ConnectionStatus() {
  const { status } = useLiveEvents();
  const text = status === "live" ? "Live" : status === "connecting" ? "Connecting…" : "Reconnecting…";
  return (
    <span
      className={`connection connection-${status}`}
      role="status"
      title={status === "live" ? "Updates arrive as they happen" : "The server does not answer; this page reconnects by itself"}
    >
      <span className="connection-dot" aria-hidden="true" />
      <span className="connection-text">{text}</span>
    </span>
  );
}

function Shell() {
  return (
    <>
      <a href="#main" className="skip-link">
        Skip to content
      </a>
      <header className="topbar">
        <div className="topbar-inner">
          <Link href="/" className="brand" aria-label="Baton, inbox">
            <svg viewBox="0 0 32 32" width="24" height="24" aria-hidden="true">
              <rect width="32" height="32" rx="7" fill="currentColor" />
              <path d="M9 23 23 9" stroke="white" strokeWidth="4" strokeLinecap="round" />
            </svg>
            <span>Baton</span>
          </Link>
          <nav className="nav" aria-label="Main">
            <NavLink href="/" match={/^\/(inbox\/.*)?$/}>
              Inbox <InboxCount />
            </NavLink>
            <NavLink href="/runs" match={/^\/runs(\/.*)?$/}>
              Runs
            </NavLink>
            <NavLink href="/deployments" match={/^\/deployments$/}>
              Deployments
            </NavLink>
            <NavLink href="/notifications/channels" match={/^\/notifications(\/.*)?$/}>
              Notifications
            </NavLink>
          </nav>
          <ConnectionStatus />
          <DisplaySettings />
          <SignedInAs />
        </div>
      </header>
      <main id="main" className="main">
        <Switch>
          <Route path="/">{() => <InboxPage />}</Route>
          <Route path="/inbox/:id">{(p) => <InboxPage selectedId={p.id} />}</Route>
          <Route path="/runs">{() => <RunsPage />}</Route>
          <Route path="/runs/:id">{(p) => <RunDetailPage key={p.id} id={p.id} />}</Route>
          <Route path="/deployments">{() => <DeploymentsPage />}</Route>
          <Route path="/notifications">{() => <NotificationsPage tab="channels" />}</Route>
          <Route path="/notifications/:tab">
            {(p) => (["channels", "automations", "deliveries"].includes(p.tab) ? <NotificationsPage tab={p.tab as NotificationsTab} /> : null)}
          </Route>
          <Route>
            <EmptyState title="There is no such page" icon="∅">
              <p>
                <Link href="/">Go to the inbox</Link> or <Link href="/runs">see all runs</Link>.
              </p>
            </EmptyState>
          </Route>
        </Switch>
      </main>
    </>
  );
}

/** The web UI: who is signed in (or the sign-in page), then the live providers around the navigation and the pages. */
export function App() {
  return (
    <SessionProvider>
      <LiveEventsProvider>
        <WaitingRunsProvider>
          <Shell />
        </WaitingRunsProvider>
      </LiveEventsProvider>
    </SessionProvider>
  );
}

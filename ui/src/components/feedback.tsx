import type { ReactNode } from "react";

/** What a page shows when it has nothing to list: what it is for and what to do. */
export function EmptyState({ title, children, icon = "○" }: { title: string; children?: ReactNode; icon?: string }) {
  return (
    <div className="empty-state">
      <div className="empty-icon" aria-hidden="true">
        {icon}
      </div>
      <h2>{title}</h2>
      {children && <div className="empty-body">{children}</div>}
    </div>
  );
}

/** A failure to load or to act, said plainly, with a way to try again when there is one. */
export function ErrorBanner({ children, onRetry }: { children: ReactNode; onRetry?: (() => void) | undefined }) {
  return (
    <div className="banner banner-error" role="alert">
      <span>{children}</span>
      {onRetry && (
        <button type="button" className="btn btn-small" onClick={onRetry}>
          Try again
        </button>
      )}
    </div>
  );
}

/** A placeholder while data loads: a few grey bars where the content will be. */
export function Loading({ label = "Loading…", rows = 3 }: { label?: string; rows?: number }) {
  return (
    <div className="loading" role="status" aria-live="polite">
      <span className="visually-hidden">{label}</span>
      {Array.from({ length: rows }, (_, i) => (
        <div key={i} className="skeleton" style={{ width: `${90 - i * 15}%` }} />
      ))}
    </div>
  );
}

/** JSON, indented, in a scrollable box that a keyboard can reach and scroll. */
export function JsonView({ value, label = "JSON" }: { value: unknown; label?: string }) {
  return (
    <pre className="json" tabIndex={0} role="region" aria-label={label}>
      {value === undefined ? "—" : JSON.stringify(value, null, 2)}
    </pre>
  );
}

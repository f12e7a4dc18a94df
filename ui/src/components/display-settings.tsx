import { useId, useMemo, useState } from "react";
import { browserTimeZone, zoneName } from "../lib/format.ts";
import { readPreferences, savePreferences, type Density, type Preferences, type Theme } from "../lib/preferences.ts";

/** Every zone the browser knows, the browser's own first. */
function zones(): string[] {
  const all = (Intl as { supportedValuesOf?: (k: string) => string[] }).supportedValuesOf?.("timeZone") ?? [];
  return [...new Set(["UTC", ...all])];
}

/**
 * The display settings in the top bar: light, dark or the system's theme; a compact density for long
 * lists; and the time zone every time is shown in. Kept in this browser.
 */
export function DisplaySettings() {
  const [prefs, setPrefs] = useState<Preferences>(readPreferences);
  const id = useId();
  const all = useMemo(zones, []);
  const browser = browserTimeZone();
  const change = (next: Partial<Preferences>) => {
    const p = { ...prefs, ...next };
    setPrefs(p);
    savePreferences(p);
  };
  return (
    <details className="display-settings">
      <summary className="btn btn-ghost btn-small" aria-label="Display settings">
        Display
      </summary>
      <div className="display-settings-panel">
        <label htmlFor={`${id}-theme`}>Theme</label>
        <select id={`${id}-theme`} value={prefs.theme} onChange={(e) => change({ theme: e.target.value as Theme })}>
          <option value="system">As the system</option>
          <option value="light">Light</option>
          <option value="dark">Dark</option>
        </select>
        <label htmlFor={`${id}-density`}>Density</label>
        <select id={`${id}-density`} value={prefs.density} onChange={(e) => change({ density: e.target.value as Density })}>
          <option value="comfortable">Comfortable</option>
          <option value="compact">Compact (long lists)</option>
        </select>
        <label htmlFor={`${id}-zone`}>Time zone</label>
        <select id={`${id}-zone`} value={prefs.timeZone ?? ""} onChange={(e) => change({ timeZone: e.target.value || null })}>
          <option value="">
            This browser's ({browser}, {zoneName(Date.now(), browser)})
          </option>
          {all.map((z) => (
            <option key={z} value={z}>
              {z}
            </option>
          ))}
        </select>
      </div>
    </details>
  );
}

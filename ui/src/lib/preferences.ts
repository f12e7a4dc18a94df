/** How the person wants the UI shown, kept in this browser (localStorage): theme, density and time zone. */

import { browserTimeZone, isTimeZone, setTimeZone } from "./format.ts";

export type Theme = "system" | "light" | "dark";
export type Density = "comfortable" | "compact";

/** The display settings; `timeZone` null follows the browser's zone. */
export interface Preferences {
  theme: Theme;
  density: Density;
  timeZone: string | null;
}

const KEY = "baton.display";
const DEFAULTS: Preferences = { theme: "system", density: "comfortable", timeZone: null };

/** The kept settings, each one that is missing or unknown at its default. */
export function readPreferences(): Preferences {
  let kept: Partial<Preferences> = {};
  try {
    kept = JSON.parse(localStorage.getItem(KEY) ?? "{}") as Partial<Preferences>;
  } catch {
    // unreadable: the defaults
  }
  return {
    theme: kept.theme === "light" || kept.theme === "dark" ? kept.theme : DEFAULTS.theme,
    density: kept.density === "compact" ? "compact" : DEFAULTS.density,
    timeZone: typeof kept.timeZone === "string" && isTimeZone(kept.timeZone) ? kept.timeZone : null,
  };
}

/** Shows the page as `p` says: the theme and density on `<html>` (styles.css reads them), times in its zone. */
export function applyPreferences(p: Preferences): void {
  const root = document.documentElement;
  if (p.theme === "system") delete root.dataset.theme;
  else root.dataset.theme = p.theme;
  root.dataset.density = p.density;
  setTimeZone(p.timeZone ?? browserTimeZone());
}

/** Keeps `p` in this browser and applies it. */
export function savePreferences(p: Preferences): void {
  try {
    localStorage.setItem(KEY, JSON.stringify(p));
  } catch {
    // storage refused (private mode): applied for this page only
  }
  applyPreferences(p);
}

import { chromium, type Browser } from "playwright-core";

/** Debian's Chromium, or BATON_CHROMIUM. */
export const CHROMIUM = process.env.BATON_CHROMIUM ?? "/usr/bin/chromium";

/** A headless Chromium with the flags this machine needs. */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      "--no-first-run",
    ],
  });
}

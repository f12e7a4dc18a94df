import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import type { Page } from "playwright-core";

const AXE = readFileSync(createRequire(import.meta.url).resolve("axe-core/axe.min.js"), "utf8");

/** One axe-core finding, as much as a failed assertion needs to say. */
export interface AxeProblem {
  id: string;
  impact: string;
  help: string;
  targets: string[];
}

/**
 * Runs axe-core (WCAG 2 A and AA rules, or only the rules `only` names) in the page as it is now;
 * resolves with the serious and critical violations, each with the elements it names.
 */
export async function seriousAxeViolations(page: Page, only?: string[]): Promise<AxeProblem[]> {
  // Colours mid-transition (a theme just changed, a button hovered) are not the page's colours: wait them out.
  await page.evaluate("Promise.all(document.getAnimations().filter((a) => a instanceof CSSTransition).map((a) => a.finished))");
  // Evaluated through the DevTools protocol: the page's Content-Security-Policy refuses injected <script> tags.
  if (!(await page.evaluate<boolean>('"axe" in window'))) await page.evaluate(AXE);
  return page.evaluate(async (only) => {
    const axe = (globalThis as unknown as { axe: { run(o: unknown): Promise<{ violations: any[] }> } }).axe;
    const { violations } = await axe.run({
      runOnly: only ? { type: "rule", values: only } : { type: "tag", values: ["wcag2a", "wcag2aa", "wcag21aa"] },
    });
    return violations
      .filter((v) => v.impact === "serious" || v.impact === "critical")
      .map((v) => ({ id: v.id, impact: v.impact, help: v.help, targets: v.nodes.map((n: { target: string[] }) => n.target.join(" ")).slice(0, 5) }));
  }, only);
}

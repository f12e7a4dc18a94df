import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, relative, resolve } from "node:path";
import MCR from "monocart-coverage-reports";
import { after, before } from "node:test";
import { chromium, type Browser, type Page } from "playwright-core";
import { type BatonClient, createClient } from "../../src/client/index.ts";
import { makePeople, type PersonSpec } from "./people.ts";
import { type Backend, startTestServer, type TestServer } from "./processes.ts";

/** Debian's Chromium, or BATON_CHROMIUM. */
export const CHROMIUM = process.env.BATON_CHROMIUM ?? "/usr/bin/chromium";

const ROOT = new URL("../../", import.meta.url).pathname;
const AXE = join(ROOT, "node_modules/axe-core/axe.min.js");

type Coverage = Awaited<ReturnType<Page["coverage"]["stopJSCoverage"]>>;

/**
 * A headless Chromium with the flags this machine needs. Every page it opens records which of the UI's
 * code ran (Chromium's own JS coverage); closing the browser prints the summary, mapped to ui/src.
 */
export async function launchChromium(): Promise<Browser> {
  const browser = await chromium.launch({
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
  const collected: Coverage = [];
  const open = new Set<Page>();
  const take = async (page: Page) => {
    if (!open.delete(page)) return;
    collected.push(...(await page.coverage.stopJSCoverage().catch(() => [])));
  };
  const newPage = browser.newPage.bind(browser);
  browser.newPage = async (options) => {
    const page = await newPage(options);
    await page.coverage.startJSCoverage({ resetOnNavigation: false });
    open.add(page);
    const close = page.close.bind(page);
    page.close = async (o) => {
      await take(page);
      return close(o);
    };
    return page;
  };
  const closeBrowser = browser.close.bind(browser);
  browser.close = async (o) => {
    await Promise.all([...open].map(take));
    await closeBrowser(o);
    await reportCoverage(collected);
  };
  return browser;
}

/** The UI's bundle's source map, kept beside it in ui/dist (built `hidden`: the page never asks for it). */
function withSourceMap(entry: Coverage[number]): Coverage[number] & { sourceMap?: unknown } {
  const path = join(ROOT, "ui/dist", new URL(entry.url).pathname);
  if (!existsSync(`${path}.map`)) return entry;
  const map = JSON.parse(readFileSync(`${path}.map`, "utf8")) as { sources: string[] };
  // Named from the repository's root, so that ui/src is told from the server's src/ the UI imports a little of.
  map.sources = map.sources.map((s) => relative(ROOT, resolve(dirname(path), s)));
  return { ...entry, sourceMap: map };
}

let reports = 0;

/** Prints one line: how much of ui/src the pages ran, and where the HTML report is. */
async function reportCoverage(collected: Coverage): Promise<void> {
  const ours = collected.filter((e) => /\/assets\/index-[^/]+\.js$/.test(e.url)).map(withSourceMap);
  if (!ours.length) return;
  const test = process.argv[1] ? process.argv.at(-1)!.replace(`${ROOT}`, "") : "browser tests";
  const outputDir = join(tmpdir(), "baton-ui-coverage", `${test.replace(/\W+/g, "-")}-${++reports}`);
  const mcr = MCR({
    name: `Baton UI coverage (${test})`,
    outputDir,
    reports: ["v8"],
    logging: "error",
    sourceFilter: (p: string) => p.startsWith("ui/src/"),
  });
  await mcr.add(ours);
  const { summary } = (await mcr.generate())!;
  const pct = (k: "lines" | "functions" | "branches") => `${k} ${summary[k].pct}%`;
  console.log(
    `# UI coverage of ui/src from Chromium (${test}): ${pct("lines")}, ${pct("functions")}, ${pct("branches")}; report ${outputDir}/index.html`,
  );
}

/** A page that gathers script errors and refused resources (a CSP violation among them) in `problems`. */
export type WatchedPage = Page & { problems: string[] };

/** Opens a page that records every script error, console error and dialog in `problems`, for the test to check empty. */
export async function openPage(browser: Browser, viewport = { width: 1280, height: 800 }): Promise<WatchedPage> {
  const page = (await browser.newPage({ viewport })) as WatchedPage;
  page.problems = [];
  page.on("pageerror", (e) => page.problems.push(`page error: ${e.message}`));
  page.on("console", (m) => {
    // Expected noise: a stopped server fails the stream's reconnect attempts, and RJSF logs the
    // errors of a form the browser refused.
    if (m.type() === "error" && !/ERR_CONNECTION_REFUSED|EventSource|Failed to load resource|Form validation failed/.test(m.text()))
      page.problems.push(`console: ${m.text()}`);
  });
  page.on("dialog", (d) => {
    page.problems.push(`a dialog opened: ${d.message()}`);
    void d.dismiss();
  });
  return page;
}

interface AxeResult {
  violations: { id: string; impact: string | null; help: string; nodes: { target: string[] }[] }[];
}

/**
 * The serious and critical accessibility violations axe-core finds on the page as it is now (every rule
 * of axe's default run, or only the rules `only` names), one line each with the elements concerned. axe
 * is evaluated in the page, since the CSP refuses inline scripts.
 */
export async function accessibilityViolations(page: Page, only?: string[]): Promise<string[]> {
  // Colours mid-transition (a theme just changed, a button hovered) are not the page's colours: wait them out.
  await page.evaluate("Promise.all(document.getAnimations().filter((a) => a instanceof CSSTransition).map((a) => a.finished))");
  if (!(await page.evaluate("typeof axe !== 'undefined'"))) await page.evaluate(readFileSync(AXE, "utf8"));
  const options = JSON.stringify({ resultTypes: ["violations"], ...(only ? { runOnly: { type: "rule", values: only } } : {}) });
  const result = (await page.evaluate(`axe.run(document, ${options})`)) as AxeResult;
  return result.violations
    .filter((v) => v.impact === "serious" || v.impact === "critical")
    .map((v) => `${v.impact} ${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(" ")).join(", ")})`);
}

/** What a suite of browser tests works with: a server, a client of its API, a browser, and the pages' origin. */
export interface BrowserSuite {
  server: TestServer;
  /** The API's client: open, or with the first person's API key when the suite has people. */
  client: BatonClient;
  browser: Browser;
  base: string;
}

/**
 * Starts a server on `backend` and a browser before the suite's tests, and stops both after them. With
 * `people` (SQLite), the server starts in a home of its own where they were made first, so it requires
 * sign-in; the client acts as the first of them.
 */
export function browserSuite(backend: Backend, env: Record<string, string> = {}, people: readonly PersonSpec[] = []): BrowserSuite {
  const suite = {} as BrowserSuite;
  const home = people.length ? mkdtempSync(join(tmpdir(), "baton-browser-suite-")) : undefined;
  before(async () => {
    const tokens = home ? await makePeople({ home }, people) : {};
    [suite.server, suite.browser] = await Promise.all([startTestServer(backend, home ? { ...env, BATON_HOME: home } : env), launchChromium()]);
    suite.client = createClient({ apiUrl: suite.server.apiUrl, ...(people[0] ? { apiKey: tokens[people[0].name] } : {}) });
    suite.base = new URL(suite.server.apiUrl).origin;
  });
  after(async () => {
    await suite.client?.close();
    await suite.browser?.close();
    await suite.server?.close();
    if (home) rmSync(home, { recursive: true, force: true });
  });
  return suite;
}

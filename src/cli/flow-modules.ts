import { globSync, statSync } from "node:fs";
import { basename, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

/**
 * A flow as `baton serve` knows one: a function with `flowName` and `definition`, which is what `flow()`
 * returns. Known by its shape, not by `instanceof`, since the module may have loaded its own copy of Baton.
 */
export type LoadedFlow = ((...args: never[]) => unknown) & { readonly flowName: string; readonly definition: { readonly name: string } };

/** A flow exported by one of the modules given to `baton serve`. */
export interface FoundFlow {
  readonly flow: LoadedFlow;
  /** The module, as named on the command line or found by a pattern (relative to the working directory). */
  readonly file: string;
  /** The name it is exported under (`default` for a default export). */
  readonly exportName: string;
}

/** What `loadFlowModules` found: the flows, or one line per module that cannot be served. */
export interface FlowModules {
  readonly flows: FoundFlow[];
  readonly problems: string[];
}

/** Files a pattern may pick: modules Node can import, without type declarations. */
const MODULE_FILE = /\.(?:[cm]?ts|[cm]?js)$/;
const DECLARATION_FILE = /\.d\.[cm]?ts$/;
/** Test files sit beside flows (`flows/approve.test.ts`) and must not be served by `flows/*.ts`. */
const TEST_FILE = /\.(?:test|spec)\.[cm]?[jt]s$/;
const GLOB_CHARS = /[*?[\]{}]/;

/** Whether `value` has the shape of a flow (see `LoadedFlow`). */
export function isFlow(value: unknown): value is LoadedFlow {
  if (typeof value !== "function") return false;
  const { flowName, definition } = value as { flowName?: unknown; definition?: unknown };
  return typeof flowName === "string" && typeof definition === "object" && definition !== null;
}

/**
 * Expands the command line's files: a name that exists is taken as it is; one with glob characters is
 * expanded here (node:fs's `globSync`, so that patterns work where the shell does not expand them, as
 * on Windows) into the modules it matches, sorted, test files and `.d.ts` left out. A pattern that
 * matches nothing is a problem; so is the same module named twice, which is taken once.
 */
export function expandFiles(args: readonly string[], cwd: string): { files: string[]; problems: string[] } {
  const files: string[] = [];
  const problems: string[] = [];
  const seen = new Set<string>();
  const add = (file: string) => {
    const path = resolve(cwd, file);
    if (!seen.has(path)) files.push(file);
    seen.add(path);
  };
  for (const arg of args) {
    if (!GLOB_CHARS.test(arg) || exists(resolve(cwd, arg))) {
      add(arg);
      continue;
    }
    const matches = globSync(arg, { cwd })
      .filter((f) => MODULE_FILE.test(f) && !DECLARATION_FILE.test(f) && !TEST_FILE.test(basename(f)) && isFile(resolve(cwd, f)))
      .sort();
    if (!matches.length) problems.push(`${arg}: matches no module (.ts or .js; test files and .d.ts are left out)`);
    for (const f of matches) add(f);
  }
  return { files, problems };
}

/**
 * Imports each module, in order, and collects the flows it exports. Every module is checked before
 * anything is served: a missing file, a module that fails to import or exports no flow, and two flows
 * of one name are each one line in `problems`. A flow exported twice (or re-exported) counts once.
 */
export async function loadFlowModules(files: readonly string[], cwd: string): Promise<FlowModules> {
  const flows: FoundFlow[] = [];
  const problems: string[] = [];
  for (const file of files) {
    const path = resolve(cwd, file);
    const kind = statSync(path, { throwIfNoEntry: false });
    if (!kind) {
      problems.push(`${file}: no such file`);
      continue;
    }
    if (kind.isDirectory()) {
      problems.push(`${file}: is a directory; name its modules instead, e.g. "${file}/*.ts"`);
      continue;
    }
    const url = pathToFileURL(path).href;
    let namespace: Record<string, unknown>;
    try {
      namespace = (await import(url)) as Record<string, unknown>;
    } catch (e) {
      problems.push(`${file}: could not be imported: ${importFailure(e, url, file)}`);
      continue;
    }
    const found = Object.entries(namespace).filter((entry): entry is [string, LoadedFlow] => isFlow(entry[1]));
    if (!found.length) {
      problems.push(`${file}: exports no flow (export what flow() returns, e.g. export const approve = flow("approve", ...))`);
      continue;
    }
    for (const [exportName, flow] of found) if (!flows.some((f) => f.flow === flow)) flows.push({ flow, file, exportName });
  }
  const byName = new Map<string, FoundFlow>();
  for (const found of flows) {
    const first = byName.get(found.flow.flowName);
    if (first)
      problems.push(
        `two flows are named "${found.flow.flowName}": ${where(first)} and ${where(found)}; a deployment is named after its flow, so rename one`,
      );
    else byName.set(found.flow.flowName, found);
  }
  return { flows, problems };
}

function where(found: FoundFlow): string {
  return `${found.file} (export ${found.exportName})`;
}

/** Why an import failed, on one line: the error's message, and where in the module when its stack says so. */
function importFailure(error: unknown, url: string, file: string): string {
  if (!(error instanceof Error)) return String(error);
  const message = error.message.split("\n")[0]!;
  // A TypeScript syntax error's stack starts with "file:///path/flows/a.ts:3" (or the bare path, outside a
  // "type": "module" package); a throw's frames say "file:///path/flows/a.ts:3:9".
  const stack = error.stack ?? "";
  const first = /^(.*):(\d+)\n/.exec(stack);
  const line =
    first && (first[1] === url || first[1] === fileURLToPath(url)) ? first[2] : new RegExp(`${escapeRegExp(url)}:(\\d+):\\d+`).exec(stack)?.[1];
  if (line) return `${message} (${file}:${line})`;
  if (error instanceof SyntaxError) return `${message} (\`node --check ${file}\` shows where)`;
  return message;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

function exists(path: string): boolean {
  return statSync(path, { throwIfNoEntry: false }) !== undefined;
}

function isFile(path: string): boolean {
  return statSync(path, { throwIfNoEntry: false })?.isFile() ?? false;
}

import { existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { basename, dirname, join, relative, resolve, sep } from "node:path";
import { fileURLToPath } from "node:url";
import type { Command } from "commander";
import { BatonError } from "../contract/errors.ts";
import { shellQuote } from "./cli-client.ts";
import { packageManifest } from "./package-manifest.ts";

/** The project's files besides package.json; the same path from src/cli/ and from a build in dist/cli/. */
const TEMPLATE_DIR = fileURLToPath(new URL("../../templates/init/", import.meta.url));

/** Template files whose name in the project differs: npm leaves every `.gitignore` out of a published package. */
const RENAMED: Record<string, string> = { gitignore: ".gitignore" };

/**
 * `baton init [DIR]`: a small project in DIR (default: here) with an approval flow, its test, and the
 * scripts to run a server and a worker. Writes nothing if any of its files is already there.
 *
 * @example
 * baton init my-approvals
 */
export function addInitCommand(program: Command): void {
  program
    .command("init")
    .description("Create a project with an approval flow, its test, and scripts to run the server and serve the flows")
    .argument("[dir]", "where (created if missing; default: the current directory)")
    .action((dir: string | undefined) => init(dir));
}

/** Thrown when `baton init` would overwrite a file; nothing is written. */
export class InitConflictError extends BatonError<{ dir: string; files: string[] }> {
  static readonly code = "INIT_CONFLICT";
  constructor(dir: string, files: string[]) {
    super(
      InitConflictError.code,
      `${dir} already has ${files.join(", ")}; baton init writes no file over another, so it wrote nothing. Run it in a new or empty directory, e.g. baton init my-flows.`,
      { dir, files },
    );
  }
}

/** Thrown when `baton init` is given a file where a directory should be; nothing is written. */
export class InitNotADirectoryError extends BatonError<{ dir: string }> {
  static readonly code = "INIT_NOT_A_DIRECTORY";
  constructor(dir: string) {
    super(InitNotADirectoryError.code, `${dir} is a file, not a directory; name a directory to create the project in.`, { dir });
  }
}

/** Thrown when `baton init` cannot find the project templates that come with Baton (a broken install). */
export class InitTemplatesMissingError extends BatonError<{ templateDir: string }> {
  static readonly code = "INIT_TEMPLATES_MISSING";
  constructor(templateDir: string) {
    super(InitTemplatesMissingError.code, `The project templates are not at ${templateDir}; reinstall Baton.`, { templateDir });
  }
}

function init(dirArg: string | undefined): void {
  const cwd = process.cwd();
  const dir = resolve(cwd, dirArg ?? ".");
  const shown = relative(cwd, dir) || ".";
  if (existsSync(dir) && !statSync(dir).isDirectory()) throw new InitNotADirectoryError(shown);
  const files = projectFiles(basename(dir));
  const taken = [...files.keys()].filter((path) => lstatSync(join(dir, path), { throwIfNoEntry: false }));
  if (taken.length) throw new InitConflictError(shown, taken);

  for (const [path, content] of files) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    // "wx": should a file appear meanwhile, fail rather than overwrite it.
    writeFileSync(join(dir, path), content, { flag: "wx" });
  }
  const print = (line: string) => process.stdout.write(`${line}\n`);
  print(`Created a Baton project in ${shown}: ${[...files.keys()].join(", ")}.`);
  print("");
  print("Next steps:");
  if (shown !== ".") print(`  cd ${shellQuote(shown)}`);
  print("  npm install");
  print("  npm run server    # the Baton server; answer runs at http://127.0.0.1:4200");
  print("  npm run worker    # in a second terminal: serves the flows in flows/");
  print("  npx baton deployment run approve --param amount=120    # in a third: start a run, then answer it");
  print("  npm test          # runs flows/approve.test.ts, on a server of its own");
}

/** The project's files by path (with `/`), package.json first, then the templates in order of path. */
function projectFiles(dirName: string): Map<string, string> {
  if (!existsSync(TEMPLATE_DIR)) throw new InitTemplatesMissingError(TEMPLATE_DIR);
  const files = new Map<string, string>([["package.json", `${JSON.stringify(projectPackageJson(dirName), null, 2)}\n`]]);
  const templates = readdirSync(TEMPLATE_DIR, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => relative(TEMPLATE_DIR, join(entry.parentPath, entry.name)).split(sep).join("/"))
    .map((template) => ({ template, path: RENAMED[template] ?? template }))
    .sort((a, b) => a.path.localeCompare(b.path));
  for (const { template, path } of templates) files.set(path, readFileSync(join(TEMPLATE_DIR, template), "utf8"));
  return files;
}

/** The project's package.json: Baton at this version, the Zod Baton itself uses, and the scripts. */
function projectPackageJson(dirName: string) {
  return {
    name: packageName(dirName),
    version: "0.1.0",
    private: true,
    type: "module",
    engines: { node: ">=22.18" },
    scripts: {
      server: "baton server start",
      // Quoted, so that `baton serve` expands the pattern itself (the shell of Windows does not), leaving out the tests.
      worker: 'baton serve "flows/*.ts"',
      // The pattern given, so that .ts tests are found on every Node version this supports.
      test: 'node --test "flows/**/*.test.ts"',
      typecheck: "tsc",
    },
    dependencies: {
      baton: `^${packageManifest.version}`,
      zod: packageManifest.peerDependencies.zod,
    },
    devDependencies: {
      "@types/node": "^22.18.0",
      // 5.8 brought erasableSyntaxOnly.
      typescript: "^5.9.0",
    },
  };
}

/** A valid npm package name made from a directory's name: lower case, URL-safe, no leading dot or underscore. */
function packageName(dirName: string): string {
  const name = dirName
    .toLowerCase()
    .replace(/[^a-z0-9._~-]+/g, "-")
    .replace(/^[._-]+|[-.]+$/g, "")
    .slice(0, 214);
  return name || "baton-flows";
}

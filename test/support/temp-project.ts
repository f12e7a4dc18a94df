import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { after } from "node:test";

const ROOT = new URL("../../", import.meta.url).pathname;

/**
 * A temporary directory laid out as a project that installed Baton: `node_modules/baton` links to this
 * repository (Node follows the link, so its TypeScript is not under node_modules and is stripped as
 * usual, and it is the very copy the CLI runs), and each of `packages` links to the repository's own.
 * `files` are written into it by path. Removed when the test file ends.
 */
export function tempProject(files: Record<string, string> = {}, packages: string[] = ["zod"]): string {
  const dir = mkdtempSync(join(tmpdir(), "baton-project-"));
  after(() => rmSync(dir, { recursive: true, force: true }));
  linkPackages(dir, packages);
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), content);
  }
  return dir;
}

/** Links `node_modules/baton` in `dir` to this repository, and each of `packages` to the repository's own. */
export function linkPackages(dir: string, packages: string[]): void {
  const modules = join(dir, "node_modules");
  mkdirSync(modules, { recursive: true });
  symlinkSync(ROOT, join(modules, "baton"), "dir");
  for (const name of packages) {
    mkdirSync(dirname(join(modules, name)), { recursive: true });
    symlinkSync(join(ROOT, "node_modules", name), join(modules, name), "dir");
  }
}

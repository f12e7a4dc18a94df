import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";

const ROOT = new URL("../../", import.meta.url).pathname;

/** Whether util-linux `script`, which gives a command a pseudo-terminal, is installed. */
export const hasScript = spawnSync("script", ["--version"]).status === 0;

/** The keys a person presses: the down arrow, backspace. */
export const DOWN = "\x1b[B";
export const ERASE = "\x7f";

/** Terminal output as a person reads it: colours and cursor moves taken out. */
export function plain(text: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: the terminal's escape sequences are what is removed
  return text.replace(/\x1b\[[0-9;?]*[A-Za-z]/g, "");
}

/**
 * `baton <args>` in a pseudo-terminal (util-linux `script`), as a person runs it: `expect` waits for a
 * text printed after the last one waited for, `type` sends keys.
 */
export function inTerminal(args: string[], env: Record<string, string>) {
  const command = `stty cols 160 rows 50; "${process.execPath}" src/cli/main.ts ${args.join(" ")}`;
  const child = spawn("script", ["-qfec", command, "/dev/null"], { cwd: ROOT, env: { ...process.env, ...env }, stdio: ["pipe", "pipe", "pipe"] });
  let output = "";
  let seen = 0;
  child.stdout.on("data", (d: Buffer) => (output += d.toString()));
  child.stderr.on("data", (d: Buffer) => (output += d.toString()));
  const closed = new Promise<number | null>((resolve) => child.on("close", resolve));
  return {
    closed,
    output: () => plain(output),
    /** The output since `from` (an offset of `output()`). */
    since: (from: number) => plain(output).slice(from),
    get offset() {
      return seen;
    },
    async expect(text: string): Promise<void> {
      for (let i = 0; i < 300; i++) {
        const at = plain(output).indexOf(text, seen);
        if (at >= 0) {
          seen = at + text.length;
          return;
        }
        await new Promise((r) => setTimeout(r, 100));
      }
      assert.fail(`no "${text}" after offset ${seen} in:\n${plain(output)}`);
    },
    type(keys: string): void {
      child.stdin.write(keys);
    },
    kill: () => child.kill(),
  };
}

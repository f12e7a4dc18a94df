import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, relative, resolve } from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";

const SRC = dirname(fileURLToPath(import.meta.url));

/** Every TypeScript source under `dir`, as paths relative to src/. */
function sources(dir: string): string[] {
  return readdirSync(join(SRC, dir), { recursive: true, encoding: "utf8" })
    .filter((f) => /\.tsx?$/.test(f))
    .map((f) => join(dir, f));
}

/** The modules a file imports (static and dynamic, types included), relative ones resolved to paths under src/. */
function importsOf(file: string): string[] {
  const text = readFileSync(join(SRC, file), "utf8");
  const specifiers = [...text.matchAll(/(?:from|import)\s*\(?\s*"([^"]+)"/g)].map((m) => m[1]!);
  return specifiers.map((s) => (s.startsWith(".") ? relative(SRC, resolve(SRC, dirname(file), s)) : s));
}

/** What of src/storage the rest of Baton may use: the port's types, opening it, and ids. */
const STORAGE_DOORS = ["storage/storage.ts", "storage/open-storage.ts", "storage/ids.ts"];

test("nothing outside src/storage reaches past the storage port, or imports Kysely or the PostgreSQL driver", () => {
  const breaches = sources(".")
    .filter((f) => !f.startsWith("storage/"))
    .flatMap((f) =>
      importsOf(f)
        .filter((m) => m === "kysely" || m.startsWith("kysely/") || m === "pg" || (m.startsWith("storage/") && !STORAGE_DOORS.includes(m)))
        .map((m) => `${f} imports ${m}`),
    );
  assert.deepEqual(breaches, []);
});

test("routes import no storage at all: every read and write goes through a service", () => {
  const breaches = sources("server/routes").flatMap((f) =>
    importsOf(f)
      .filter((m) => m.startsWith("storage/"))
      .map((m) => `${f} imports ${m}`),
  );
  assert.deepEqual(breaches, []);
});

test("Biome's import rules (biome.jsonc, run by npm test) refuse each edge crossed, and let the allowed imports be", () => {
  // The probes sit at the paths the overrides name, in a copy of the configuration outside the repository.
  const dir = mkdtempSync(join(tmpdir(), "baton-lint-"));
  try {
    const config = readFileSync(join(SRC, "../biome.jsonc"), "utf8")
      .replace(/"vcs":\s*\{[^}]*\},/, "")
      .replace(/"\$schema":[^\n]*\n/, "");
    writeFileSync(join(dir, "biome.jsonc"), config);
    const probes: Record<string, string[]> = {
      "src/contract/probe.ts": [
        'import { z } from "zod";',
        'import { s } from "./states.ts";',
        'import { f } from "node:fs";',
        'import { x } from "../sdk/index.ts";',
      ],
      "src/sdk/probe.ts": ['import { c } from "../contract/index.ts";', 'import { a } from "../server/app.ts";', `import pg from ${'"pg"'};`], // spelled so that the scan above does not take it for an import of this file
      "src/client/probe.ts": ['import { c } from "../contract/index.ts";', 'import { s } from "../storage/storage.ts";'],
      "src/server/routes/probe.ts": ['import { r } from "../pause-service.ts";', 'import { s } from "../../storage/storage.ts";'],
    };
    for (const [file, lines] of Object.entries(probes)) {
      mkdirSync(dirname(join(dir, file)), { recursive: true });
      writeFileSync(
        join(dir, file),
        `${lines.join("\n")}\nexport const used = [${lines.map((l) => l.match(/import \{? ?(\w+)/)![1]).join(", ")}];\n`,
      );
    }
    const biome = spawnSync(
      join(SRC, "../node_modules/.bin/biome"),
      ["lint", "--colors=off", "--max-diagnostics=100", "--only=style/noRestrictedImports", "."],
      { cwd: dir, encoding: "utf8" },
    );
    const refused = [...`${biome.stdout}${biome.stderr}`.matchAll(/^(src\/\S+):(\d+):\d+ lint\/style\/noRestrictedImports/gm)]
      .map((m) => `${m[1]}:${m[2]}`)
      .sort();
    assert.deepEqual(
      refused,
      [
        "src/client/probe.ts:2",
        "src/contract/probe.ts:3",
        "src/contract/probe.ts:4",
        "src/sdk/probe.ts:2",
        "src/sdk/probe.ts:3",
        "src/server/routes/probe.ts:2",
      ],
      biome.stdout + biome.stderr,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

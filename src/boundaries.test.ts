import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
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

import { readFileSync } from "node:fs";

/** Baton's own package.json: two folders up from src/cli/ in the repository, and from dist/cli/ in the package. */
export const packageManifest = JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as {
  version: string;
  peerDependencies: Record<string, string>;
};

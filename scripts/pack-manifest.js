// `npm pack` and `npm publish` run this twice: `strip` (prepack, after the build) and `restore` (postpack).
// The packed package.json keeps no scripts and no devDependencies: they are for this repository, and npm 11
// warns every user who installs a package that has a `prepare` script ("install scripts not yet covered by
// allowScripts"), although npm runs it only for installs from git, which need it to build dist/.
import { copyFileSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";

const manifest = new URL("../package.json", import.meta.url);
const kept = new URL("../node_modules/.cache/baton-package.json", import.meta.url);

if (existsSync(kept)) renameSync(kept, manifest); // an earlier pack that failed left the manifest stripped
if (process.argv[2] === "strip") {
  mkdirSync(new URL(".", kept), { recursive: true });
  copyFileSync(manifest, kept);
  const { scripts, devDependencies, allowScripts, ...published } = JSON.parse(readFileSync(manifest, "utf8"));
  writeFileSync(manifest, `${JSON.stringify(published, null, 2)}\n`);
}

#!/usr/bin/env -S node --max-semi-space-size=8 --max-opt=2 --v8-pool-size=0 --disable-warning=ExperimentalWarning
// The `baton` command: runs the built CLI (dist/). This shebang is the one place where the command's Node
// flags are set; npm's shims read it (on Windows too), and the repository's npm scripts run this file.
// --max-semi-space-size=8 caps the young generation at 8 MB per semi-space instead of 16 (the server's
// peak memory under load dropped by about 45 MB, for no throughput we could measure); --max-opt=2 stops
// at V8's Maglev compiler, without TurboFan, whose compile jobs competed for the CPU with the requests
// and whose code took memory (server CPU per answered run 3-8% lower, peak memory 4-10 MB lower, in
// interleaved bench runs); --v8-pool-size=0 sizes V8's background threads (garbage collection and
// compiling) to one fewer than the CPUs, instead of 4 (on 2 CPUs, server CPU per answered run about 10%
// lower and peak memory 2-3 MB lower); --disable-warning=ExperimentalWarning keeps Node 22 from warning
// that node:sqlite is experimental, twice, at every server start.
// Written to parse on old Node versions, so that they get the one line below rather than a syntax error.
import module from "node:module";

const [major, minor] = process.versions.node.split(".").map(Number);
if (major < 22 || (major === 22 && minor < 18)) {
  console.error(`baton: Node.js 22.18 or newer is needed (it runs TypeScript flows and has node:sqlite); this is Node.js ${process.versions.node}.`);
  process.exit(1);
}
module.enableCompileCache?.();
const { runCli } = await import("../dist/cli/main.js").catch((e) => {
  if (e?.code !== "ERR_MODULE_NOT_FOUND" || !e.message.includes("dist/cli/main.js")) throw e;
  console.error("baton: dist/ is not built. In a clone of the Baton repository, run `npm run build` first.");
  process.exit(1);
});
process.exitCode = await runCli(process.argv);

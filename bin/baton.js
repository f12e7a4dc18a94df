#!/usr/bin/env -S node --max-semi-space-size=8 --max-opt=2 --v8-pool-size=0
// The `baton` command. A plain JS entry, so that the compile cache is on before any TypeScript loads:
// later starts skip parsing and type stripping, and the server needs less memory. The flags above:
// --max-semi-space-size=8 caps the young generation at 8 MB per semi-space instead of 16 (the server's
// peak memory under load dropped by about 45 MB, for no throughput we could measure); --max-opt=2 stops
// at V8's Maglev compiler, without TurboFan, whose compile jobs competed for the CPU with the requests
// and whose code took memory (server CPU per answered run 3-8% lower, peak memory 4-10 MB lower, in
// interleaved bench runs); --v8-pool-size=0 sizes V8's background threads (garbage collection and
// compiling) to one fewer than the CPUs, instead of 4 (on 2 CPUs, server CPU per answered run about 10%
// lower and peak memory 2-3 MB lower). package.json's `start` and `baton` scripts pass the same flags to
// `node` (a shebang does not run under Windows' cmd).
import module from "node:module";

module.enableCompileCache?.();
const { runCli } = await import("../src/cli/main.ts");
process.exitCode = await runCli(process.argv);

#!/usr/bin/env -S node --max-semi-space-size=8
// The `baton` command. A plain JS entry, so that the compile cache is on before any TypeScript loads:
// later starts skip parsing and type stripping, and the server needs less memory. The V8 flag above caps
// the young generation at 8 MB per semi-space instead of 16: the server's peak memory under load drops by
// about 45 MB, for no throughput we could measure. package.json's `start` and `baton` scripts pass the
// same flag to `node` (a shebang does not run under Windows' cmd).
import module from "node:module";

module.enableCompileCache?.();
const { runCli } = await import("../src/cli/main.ts");
process.exitCode = await runCli(process.argv);

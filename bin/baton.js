#!/usr/bin/env node
// The `baton` command. A plain JS entry, so that the compile cache is on before any TypeScript loads:
// later starts skip parsing and type stripping, and the server needs less memory.
import module from "node:module";

module.enableCompileCache?.();
const { runCli } = await import("../src/cli/main.ts");
process.exitCode = await runCli(process.argv);

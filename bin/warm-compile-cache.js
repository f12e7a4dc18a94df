// Run by `npm install` (the prepare script): loads what a server start loads, with Node's compile cache
// on and the V8 flags of the `baton` command (the cache is kept per flag set), so that the first start
// after an install runs from cached code, as every later start does. A start without the cache strips
// the TypeScript and compiles everything anew, and its server kept about 25 MB more memory for its life.
// It only warms a cache: whatever goes wrong is reported, and the install goes on.
import module from "node:module";

try {
  module.enableCompileCache?.();
  await import("../src/cli/main.ts");
  await import("../src/server/index.ts");
} catch (e) {
  console.warn(`baton: could not fill Node's compile cache (the first server start will be slower): ${e instanceof Error ? e.message : e}`);
}

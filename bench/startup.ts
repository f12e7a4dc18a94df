// Server start-up: time from spawn to the first healthy `/api/health`, and RSS once idle, for the server
// installed from the packed tarball (as users run it) and for this repository's sources (type-stripped),
// each with the `baton` command's Node flags (read from bin/baton.js's shebang) and Node's compile cache.
// Starts alternate between the two; the first start of each fills its compile cache and is reported apart.
// Run: `node bench/startup.ts [starts]` (default 5 measured starts each, on a fresh SQLite file each).
import { execFileSync, spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { percentile, sleep } from "./lib.ts";

const ROOT = new URL("../", import.meta.url).pathname;
const STARTS = Number(process.argv[2] ?? 5);
const IDLE_MS = 1000;
const flags = readFileSync(join(ROOT, "bin/baton.js"), "utf8")
  .split("\n")[0]!
  .split(/\s+/)
  .filter((a) => a.startsWith("--"));

const work = mkdtempSync(join(tmpdir(), "baton-startup-"));
try {
  execFileSync("npm", ["pack", "--pack-destination", work], { cwd: ROOT, stdio: "ignore" });
  const tarball = join(work, readdirSync(work).find((f) => f.endsWith(".tgz"))!);
  const project = join(work, "project");
  mkdirSync(project);
  writeFileSync(join(project, "package.json"), JSON.stringify({ name: "startup", private: true, type: "module" }));
  execFileSync("npm", ["install", tarball, "zod", "--no-audit", "--no-fund", "--prefer-offline"], { cwd: project, stdio: "ignore" });

  const variants = [
    { name: "installed package", args: [...flags, join(project, "node_modules/baton/bin/baton.js")], cache: join(work, "cache-package") },
    { name: "repository sources", args: [...flags, join(ROOT, "src/cli/main.ts")], cache: join(work, "cache-sources") },
  ];
  const results = new Map(variants.map((v) => [v.name, [] as { ms: number; rssMb: number }[]]));
  for (let i = 0; i <= STARTS; i++) {
    for (const v of variants) {
      const r = await startOnce(v.args, v.cache);
      results.get(v.name)!.push(r);
    }
  }
  console.log(
    `Node ${process.versions.node}, flags ${flags.join(" ")}; ${STARTS} measured starts each (median as the other benches take it: nearest rank; min-max), after a first start that filled the compile cache.`,
  );
  console.log("| server | first start → healthy | start → healthy | idle RSS |\n|---|---|---|---|");
  for (const [name, [first, ...rest]] of results) {
    const ms = rest.map((r) => r.ms).sort((a, b) => a - b);
    const rss = rest.map((r) => r.rssMb).sort((a, b) => a - b);
    console.log(
      `| ${name} | ${first!.ms.toFixed(0)} ms, ${first!.rssMb.toFixed(1)} MB | ${percentile(ms, 50).toFixed(0)} ms (${Math.min(...ms).toFixed(0)}-${Math.max(...ms).toFixed(0)}) | ${percentile(rss, 50).toFixed(1)} MB (${Math.min(...rss).toFixed(1)}-${Math.max(...rss).toFixed(1)}) |`,
    );
  }
} finally {
  rmSync(work, { recursive: true, force: true });
}

async function startOnce(args: string[], cacheDir: string): Promise<{ ms: number; rssMb: number }> {
  const home = mkdtempSync(join(work, "home-"));
  const started = performance.now();
  const child = spawn(process.execPath, [...args, "server", "start", "--port", "0"], {
    env: { ...process.env, BATON_HOME: home, NODE_COMPILE_CACHE: cacheDir },
    stdio: ["ignore", "pipe", "inherit"],
  });
  let out = "";
  child.stdout.on("data", (d: Buffer) => (out += d.toString()));
  let url: string | undefined;
  for (;;) {
    url ??= out.match(/API at (http:\/\/\S+?\/api)/)?.[1];
    if (
      url &&
      (await fetch(`${url}/health`).then(
        (r) => r.ok,
        () => false,
      ))
    )
      break;
    if (child.exitCode !== null) throw new Error(`server exited: ${out}`);
    await sleep(2);
  }
  const ms = performance.now() - started;
  await sleep(IDLE_MS);
  const rssKb = Number(readFileSync(`/proc/${child.pid}/status`, "utf8").match(/VmRSS:\s+(\d+)/)![1]);
  child.kill("SIGTERM");
  await new Promise((resolve) => child.once("exit", resolve));
  rmSync(home, { recursive: true, force: true });
  return { ms, rssMb: (rssKb * 1024) / 1e6 };
}

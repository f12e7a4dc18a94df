// The package as a user gets it: packed as `npm publish` packs it, checked by publint and arethetypeswrong,
// installed with zod into a fresh project outside this repository, and used there with `npx baton` and
// `node`, on this Node (24) and on Node 22 installed from the npm registry. It packs with the build that
// `npm test` made first (the prepack script builds again, incrementally).
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { after, before, describe, test } from "node:test";
import { createTempDatabase, postgresUnavailable } from "./support/postgres.ts";

const ROOT = new URL("../", import.meta.url).pathname;
const BIN = join(ROOT, "node_modules/.bin");
const NODE_22 = "22";

/** What a finished command printed, and how it exited. */
interface Result {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** A command started in the background, in its own process group so that npx and its children stop together. */
interface Background {
  output(): string;
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<RegExpMatchArray>;
  stop(): Promise<number | null>;
  readonly exited: Promise<number | null>;
}

const live = new Set<Background>();
after(async () => {
  await Promise.all([...live].map((b) => b.stop()));
});

function start(command: string, args: string[], cwd: string, env: NodeJS.ProcessEnv): Background {
  const child = spawn(command, args, { cwd, env, detached: true, stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  const watchers = new Set<() => void>();
  const onData = (d: Buffer) => {
    out += d.toString();
    for (const w of watchers) w();
  };
  child.stdout.on("data", onData);
  child.stderr.on("data", onData);
  const exited = new Promise<number | null>((resolve) => child.on("close", (code) => resolve(code)));
  const background: Background = {
    output: () => out,
    exited,
    waitFor(pattern, timeoutMs = 30_000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const m = out.match(pattern);
          if (m) done(() => resolve(m));
        };
        const timer = setTimeout(
          () => done(() => reject(new Error(`${command} ${args.join(" ")}: no ${pattern} within ${timeoutMs} ms; output:\n${out}`))),
          timeoutMs,
        );
        void exited.then(() =>
          setImmediate(() => done(() => reject(new Error(`${command} ${args.join(" ")} exited before printing ${pattern}; output:\n${out}`)))),
        );
        let settled = false;
        const done = (f: () => void) => {
          if (settled) return;
          settled = true;
          clearTimeout(timer);
          watchers.delete(check);
          f();
        };
        watchers.add(check);
        check();
      });
    },
    async stop() {
      live.delete(background);
      if (child.exitCode === null && child.signalCode === null) process.kill(-child.pid!, "SIGTERM");
      return exited;
    },
  };
  live.add(background);
  return background;
}

async function run(command: string, args: string[], cwd: string, env: NodeJS.ProcessEnv, timeoutMs = 120_000): Promise<Result> {
  let stdout = "";
  let stderr = "";
  const child = spawn(command, args, { cwd, env, stdio: ["ignore", "pipe", "pipe"], timeout: timeoutMs });
  child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
  child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
  const code = await new Promise<number | null>((resolve) => child.on("close", resolve));
  return { code, stdout, stderr };
}

function assertOk(r: Result, what: string): void {
  assert.equal(r.code, 0, `${what} exited with ${r.code}:\n${r.stdout}\n${r.stderr}`);
}

/** The user's flow, in TypeScript for Node's type stripping. */
const APPROVE_TS = `import { z } from "zod";
import { flow, getRunLogger, pauseFlowRun, RunInput } from "baton";

const Approval = RunInput.from(z.object({ approved: z.boolean(), comment: z.string() }));

export const approve = flow("approve", async () => {
  const answer = await pauseFlowRun({ waitForInput: Approval });
  getRunLogger().info(\`Decided: \${answer.approved ? "approved" : "rejected"} (\${answer.comment})\`);
  return answer.approved;
});

if (import.meta.main) console.log(\`result on Node \${process.versions.node}: \${await approve()}\`);
`;

/** The same flow as plain JavaScript. */
const APPROVE_MJS = `import { z } from "zod";
import { flow, pauseFlowRun, RunInput } from "baton";

const Approval = RunInput.from(z.object({ approved: z.boolean() }));
const approveMjs = flow("approve-mjs", async () => (await pauseFlowRun({ waitForInput: Approval })).approved);
console.log(\`result on Node \${process.versions.node}: \${await approveMjs()}\`);
`;

/** A flow that reads a field its input does not have: tsc must refuse it, from the package's own types. */
const WRONG_TS = APPROVE_TS.replace("answer.comment", "answer.reason");

const TSCONFIG = {
  compilerOptions: {
    target: "es2022",
    module: "nodenext",
    moduleResolution: "nodenext",
    strict: true,
    noEmit: true,
    allowImportingTsExtensions: true,
    erasableSyntaxOnly: true,
    verbatimModuleSyntax: true,
    types: ["node"],
  },
};

let work: string;
let tarball: string;

before(async () => {
  work = mkdtempSync(join(tmpdir(), "baton-package-"));
  const packed = await run("npm", ["pack", "--pack-destination", work], ROOT, process.env);
  assertOk(packed, "npm pack");
  tarball = join(work, readdirSync(work).find((f) => f.endsWith(".tgz"))!);
});
after(() => rmSync(work, { recursive: true, force: true }));

test("publint and arethetypeswrong find nothing wrong in the tarball", async () => {
  const publint = await run(join(BIN, "publint"), ["run", tarball, "--strict"], work, process.env);
  assertOk(publint, "publint");
  assert.match(publint.stdout, /All good!/);
  const attw = await run(join(BIN, "attw"), [tarball, "--profile", "esm-only", "--format", "table"], work, process.env);
  assertOk(attw, "attw"); // it exits 1 on any problem of the ESM-only profile (node16 from ESM, bundler)
  assert.match(attw.stdout, /"baton\/server"/);
});

/** Node 24 is the one running this suite; Node 22 comes from the npm registry's `node` package. */
const nodes: { label: string; bin: () => Promise<string> }[] = [
  { label: "Node 24", bin: async () => dirname(process.execPath) },
  {
    label: "Node 22",
    bin: async () => {
      const dir = join(work, "node22");
      const installed = await run(
        "npm",
        ["install", "--prefix", dir, `node@${NODE_22}`, "--no-audit", "--no-fund", "--prefer-offline"],
        work,
        process.env,
      );
      assertOk(installed, `npm install node@${NODE_22}`);
      return join(dir, "node_modules/.bin");
    },
  },
];

for (const node of nodes) {
  describe(`installed into a new project, on ${node.label}`, () => {
    let project: string;
    let env: NodeJS.ProcessEnv;
    const major = node.label.split(" ")[1]!;

    before(async () => {
      const nodeBin = await node.bin();
      project = join(work, `project-node${major}`);
      // Only the chosen Node on the PATH ahead of the system's: npx, baton's shebang and tsc all run on it.
      env = {
        ...process.env,
        PATH: `${nodeBin}:${process.env
          .PATH!.split(":")
          .filter((p) => p !== BIN)
          .join(":")}`,
        BATON_LOG_LEVEL: "warn",
      };
      delete env.BATON_API_URL;
      delete env.NODE_TEST_CONTEXT; // else the starter's `node --test` would report to this runner, not print
      const version = await run("node", ["--version"], work, env);
      assert.match(version.stdout, new RegExp(`^v${major}\\.`), `node on the PATH is ${version.stdout}`);
      mkdirSync(join(project, "flows"), { recursive: true });
      writeFileSync(join(project, "package.json"), JSON.stringify({ name: "my-approvals", private: true, type: "module" }, null, 2));
      writeFileSync(join(project, "tsconfig.json"), JSON.stringify(TSCONFIG, null, 2));
      writeFileSync(join(project, "flows/approve.ts"), APPROVE_TS);
      writeFileSync(join(project, "flows/approve.mjs"), APPROVE_MJS);
      const installed = await run(
        "npm",
        ["install", tarball, "zod", "typescript@5.9", "@types/node@24", "--no-audit", "--no-fund", "--prefer-offline"],
        project,
        env,
      );
      assertOk(installed, "npm install");
      assert.doesNotMatch(installed.stderr, /install-scripts/, "the package must not ask for install scripts");
    });

    const databases = [
      { name: "SQLite", create: async () => undefined, skip: async () => false as const },
      { name: "PostgreSQL", create: createTempDatabase, skip: async () => (await postgresUnavailable()) ?? (false as const) },
    ];
    for (const database of databases) {
      test(`npx baton server start on ${database.name}; a .ts and an .mjs flow pause and are answered with npx baton flow-run resume`, async (t) => {
        const skip = await database.skip();
        if (skip) return t.skip(skip);
        const database_ = await database.create();
        t.after(() => database_?.drop());
        const databaseUrl = database_?.url;
        const home = mkdtempSync(join(work, "home-"));
        const serverEnv = { ...env, BATON_HOME: home, ...(databaseUrl ? { BATON_DATABASE_URL: databaseUrl } : {}) };
        const server = start("npx", ["baton", "server", "start", "--port", "0"], project, serverEnv);
        const [, apiUrl] = (await server.waitFor(/Baton server at http:\/\/\S+ \(.*API at (http:\/\/\S+?\/api)\)/)) as RegExpMatchArray;
        assert.match(server.output(), databaseUrl ? /database PostgreSQL/ : /database SQLite/);
        const page = await fetch(apiUrl!.replace(/\/api$/, "/"));
        assert.equal(page.status, 200);
        assert.match(await page.text(), /<div id="root">/, "the web UI ships in the package and is served at /");
        const flowEnv = { ...env, BATON_API_URL: apiUrl };

        const flows = [
          { file: "flows/approve.ts", flowName: "approve", input: { approved: true, comment: "fine" } },
          { file: "flows/approve.mjs", flowName: "approve-mjs", input: { approved: true } },
        ];
        for (const f of flows) {
          const flowProcess = start("node", [f.file], project, flowEnv);
          await flowProcess.waitFor(/Paused at "1"/);
          const listed = await run("npx", ["baton", "flow-run", "ls", "--state", "PAUSED", "--flow", f.flowName, "--json"], project, flowEnv);
          assertOk(listed, "baton flow-run ls");
          const [paused] = JSON.parse(listed.stdout) as { id: string }[];
          assert.ok(paused, `no paused run of ${f.flowName}: ${listed.stdout}`);
          const resumed = await run("npx", ["baton", "flow-run", "resume", paused.id, "--input", JSON.stringify(f.input)], project, flowEnv);
          assertOk(resumed, "baton flow-run resume");
          await flowProcess.waitFor(new RegExp(`result on Node ${major}\\.\\d+\\.\\d+: true`));
          assert.equal(await flowProcess.exited, 0, flowProcess.output());
          const inspected = await run("npx", ["baton", "flow-run", "inspect", paused.id], project, flowEnv);
          assert.match(inspected.stdout, /Completed/);
        }
        await server.stop(); // SIGTERM to npx and the server together: npx ends by the signal, the server cleanly
        assert.match(server.output(), /Stopped\.\s*$/);
      });
    }

    test("npx baton init makes a project whose README works: npm install, npm test, typecheck, server, worker, a run answered", async () => {
      const starter = join(work, `starter-node${major}`);
      const init = await run("npx", ["baton", "init", starter], project, env);
      assertOk(init, "baton init");
      assert.match(init.stdout, /npm run worker/);
      // Baton is not on the npm registry yet: the tarball is installed by path, which also installs the rest.
      assertOk(await run("npm", ["install", tarball, "--no-audit", "--no-fund", "--prefer-offline"], starter, env), "npm install in the starter");
      const tested = await run("npm", ["test"], starter, env);
      assertOk(tested, "the starter's npm test");
      assert.match(tested.stdout, /^[#ℹ] pass 1$/m); // TAP on Node 22, the spec reporter on Node 24
      assertOk(await run("npm", ["run", "typecheck"], starter, env), "the starter's npm run typecheck");

      const server = start("npm", ["run", "server", "--", "--port", "0"], starter, { ...env, BATON_HOME: mkdtempSync(join(work, "home-")) });
      const [, apiUrl] = (await server.waitFor(/API at (http:\/\/\S+?\/api)\)/)) as RegExpMatchArray;
      const serveEnv = { ...env, BATON_API_URL: apiUrl };
      const worker = start("npm", ["run", "worker"], starter, serveEnv);
      await worker.waitFor(/Serving deployment approve \(flows\/approve\.ts\)/);
      const started = await run("npx", ["baton", "deployment", "run", "approve", "--param", "amount=120"], starter, serveEnv);
      assertOk(started, "baton deployment run");
      const [, runId] = started.stdout.match(/Started flow run (\S+)/)!;
      await worker.waitFor(/Paused at "1"/);
      assertOk(
        await run("npx", ["baton", "flow-run", "resume", runId!, "--input", '{"approved":true,"comment":"ok"}'], starter, serveEnv),
        "baton flow-run resume",
      );
      await worker.waitFor(/Expense of €120 approved: ok/);
      await worker.stop();
      await server.stop();
    });

    test("tsc --noEmit takes the package's types: a correct flow passes, one that reads a missing field fails", async () => {
      const tsc = join(project, "node_modules/.bin/tsc");
      assertOk(await run(tsc, ["--noEmit", "-p", "."], project, env), "tsc on the correct flow");
      writeFileSync(join(project, "flows/wrong.ts"), WRONG_TS);
      try {
        const wrong = await run(tsc, ["--noEmit", "-p", "."], project, env);
        assert.notEqual(wrong.code, 0, "tsc accepted a flow that reads a field its input does not have");
        assert.match(wrong.stdout, /flows\/wrong\.ts.*error TS2339: Property 'reason' does not exist/);
      } finally {
        rmSync(join(project, "flows/wrong.ts"));
      }
    });
  });
}

// `npm test`: the type-check with the lint, the format check, the specs and the end-to-end specs, run side
// by side. The specs run in two processes: those that plan fixture stacks (together, so they share one
// process's caches; each fixture is planned once per run, by whichever job asks first), and the rest
// (unit specs, and specs that run the CLIs, the real tools and the policy pack's runner in processes of
// their own), which keep the second core busy meanwhile. The end-to-end spec files run in parallel
// processes: they spend most of their time waiting on real Prometheus and Alertmanager intervals, not on
// the CPU. Each job's output is printed whole when it ends; the last line is the combined
// "N passed, N failed, N skipped"; the exit code is non-zero if any job failed.
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import { createRequire } from "node:module";
import * as os from "node:os";
import * as path from "node:path";

const require = createRequire(import.meta.url);
/** The project's TypeScript loader: from here on, this runner can require .ts modules too. */
const loader = require("../plan/register.js");

/**
 * Mocha, in this Node, with its options here, not .mocharc's (whose spec glob mocha would add to the
 * files given). `--max-opt=1`: V8 compiles hot functions to baseline code only, without its optimising
 * compilers (Maglev, TurboFan), whose background threads cost the spec processes (and mocha's parallel
 * workers, which inherit it) more CPU than their short runs win back (≈6 CPU s of ≈100, docs/testing.md).
 */
const mocha = (...rest) => [
  "--max-opt=1",
  require.resolve("mocha/bin/mocha.js"),
  "--no-config",
  "--require",
  "./plan/register.js",
  "--reporter",
  "./tests/helpers/reporter.ts",
  "--timeout",
  "60000",
  ...rest,
];

/** Every spec file under tests/ but the end-to-end ones. */
const specs = fs
  .readdirSync("tests", { recursive: true })
  .map((f) => path.join("tests", f))
  .filter((f) => f.endsWith(".spec.ts") && !f.startsWith(path.join("tests", "e2e") + path.sep))
  .sort();
/**
 * A spec that plans fixture stacks through tests/helpers/plan.ts, whose plans are cached per process. Only
 * where a spec runs depends on it, never what runs.
 */
const PLANS = /\b(?:planOf|planWithConfig|planTeamOf)\(/;
const planning = specs.filter((f) => PLANS.test(fs.readFileSync(f, "utf8")));
const others = specs.filter((f) => !planning.includes(f));

const jobs = [
  // TypeScript's diagnostics and the lint rules (.oxlintrc.json), type-aware rules included, from one
  // native type-checker (oxlint with tsgolint, built on the TypeScript 7 compiler).
  // GOGC=300: the type-checker's Go heap collected a third as often (≈1 CPU s less, ≈80 MB more).
  {
    name: "type-check and lint",
    cmd: "oxlint",
    args: ["--type-aware", "--type-check", "--deny-warnings"],
    env: { GOGC: "300" },
  },
  { name: "format", cmd: "oxfmt", args: ["--check"] },
  { name: "specs that plan stacks", cmd: process.execPath, mocha: true, args: mocha(...planning) },
  { name: "other specs", cmd: process.execPath, mocha: true, args: mocha(...others) },
  {
    name: "end to end",
    cmd: process.execPath,
    mocha: true,
    args: mocha("--parallel", "--jobs", "2", "tests/e2e/*.spec.ts"),
  },
];

/**
 * Every TypeScript file tsconfig.json includes, transpiled into the loader's cache (plan/register.js)
 * while the lint and format jobs run: the spec jobs start side by side and would otherwise each
 * transpile the same files on a fresh checkout. Files already cached cost a read and a hash.
 */
function warmTranspileCache() {
  try {
    // Its entries: single files, and folders as `<folder>/**/*.ts`.
    const { include } = JSON.parse(fs.readFileSync("tsconfig.json", "utf8"));
    const sources = include.flatMap((pattern) => {
      const folder = pattern.replace(/\/\*\*\/\*\.ts$/, "");
      if (folder === pattern) return [pattern];
      return fs
        .readdirSync(folder, { recursive: true })
        .map((f) => path.join(folder, f))
        .filter((f) => f.endsWith(".ts") && !f.split(path.sep).includes("node_modules"));
    });
    loader.warm(sources);
  } catch (err) {
    // Only time is lost: each job transpiles what it loads.
    process.stderr.write(
      `warming the TypeScript cache: ${err instanceof Error ? err.message : String(err)}\n`,
    );
  }
}

/**
 * Where the spec jobs leave the fixture plans they make for each other (tests/helpers/sharedPlans.ts):
 * each fixture is planned once per run, by the first job that asks for it.
 */
const sharedPlans = fs.mkdtempSync(path.join(os.tmpdir(), "kube-monitoring-shared-plans-"));
const removeSharedPlans = () => fs.rmSync(sharedPlans, { recursive: true, force: true });
process.on("exit", removeSharedPlans);
for (const signal of ["SIGINT", "SIGTERM"]) {
  process.once(signal, () => {
    removeSharedPlans();
    process.kill(process.pid, signal);
  });
}
// The variable's name from the module that reads it.
const { SHARED_PLANS_ENV } = require("./helpers/sharedPlans.ts");

const TOTALS = /^(\d+) passed, (\d+) failed, (\d+) skipped$/m;

function run(job) {
  return new Promise((resolve) => {
    const started = Date.now();
    const child = spawn(job.cmd, job.args, {
      stdio: ["ignore", "pipe", "pipe"],
      env: { ...process.env, [SHARED_PLANS_ENV]: sharedPlans, ...job.env },
    });
    let output = "";
    child.stdout.on("data", (d) => (output += d));
    child.stderr.on("data", (d) => (output += d));
    child.on("error", (err) => resolve({ job, code: 1, output: `${output}${err.message}\n`, seconds: 0 }));
    child.on("close", (code, signal) => {
      const seconds = ((Date.now() - started) / 1000).toFixed(1);
      resolve({ job, code: code ?? (signal ? 1 : 0), output, seconds });
    });
  });
}

const totals = [0, 0, 0];
const report = (job) => (result) => {
  const match = TOTALS.exec(result.output);
  if (match) match.slice(1).forEach((n, i) => (totals[i] += Number(n)));
  process.stdout.write(`\n── ${job.name} (${result.seconds}s, exit ${result.code}) ──\n`);
  process.stdout.write(result.output.replace(TOTALS, "").trimEnd() + "\n");
  return result;
};
const start = (job) => run(job).then(report(job));
const first = jobs.filter((job) => !job.mocha).map(start);
warmTranspileCache();
const results = await Promise.all([...first, ...jobs.filter((job) => job.mocha).map(start)]);
const failedJobs = results.filter((r) => r.code !== 0).map((r) => r.job.name);
if (failedJobs.length) process.stdout.write(`\nfailed: ${failedJobs.join(", ")}\n`);
process.stdout.write(`\n${totals[0]} passed, ${totals[1]} failed, ${totals[2]} skipped\n`);
process.exit(failedJobs.length ? 1 : 0);

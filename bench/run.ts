/**
 * npm run bench: plans the dev and prod stacks and synthetic stacks of 1, 10, 100 and 1000 apps, each in
 * a fresh process, several times; reports min and median wall time, peak RSS, resources, phase timings,
 * and the ratio to the floor (a process that only loads the SDKs). Writes bench/results.json and
 * bench/results.md.
 */
import { spawn, spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { parseCommandLine, usageError } from "../plan/cliHelp";
import { logSafe } from "../plan/escape";
import { progressLine } from "../plan/progress";
import { BENCH_HELP } from "../plan/helpTexts";
import { writeSyntheticStack, writeSyntheticTeamStack } from "./fixtures";

const root = path.resolve(__dirname, "..");
const tsNode = ["-r", "./plan/register.js"];

interface Sample {
  wallMs: number;
  maxRssMb: number;
  resources?: number;
  exitCode?: number;
  timings?: { programMs: number; policyMs: number; checksMs: number; schemaMs: number };
}

/** On a terminal, what is being measured; quiet in CI and when stderr is a file. */
const progress = progressLine();

function measure(args: string[], runs: number, label: string): Sample[] {
  return Array.from({ length: runs }, (_, i) => {
    progress.update(`bench: ${label}, run ${i + 1} of ${runs}`);
    const started = performance.now();
    const run = spawnSync(process.execPath, [...tsNode, ...args], {
      cwd: root,
      encoding: "utf8",
      maxBuffer: 1 << 26,
    });
    const processMs = performance.now() - started;
    if (run.status !== 0) throw new Error(`${args.join(" ")} failed:\n${run.stderr}`);
    const sample = JSON.parse(run.stdout.trim().split("\n").pop()!) as Sample;
    // Wall time of the whole process (start-up, TypeScript loading and all), as a user waits for it.
    return { ...sample, wallMs: processMs };
  });
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const min = (xs: number[]) => Math.min(...xs);

function summarize(name: string, samples: Sample[], floorMs: number) {
  const wall = samples.map((s) => s.wallMs);
  const t = samples.map((s) => s.timings!);
  return {
    name,
    runs: samples.length,
    resources: samples[0].resources ?? 0,
    exitCode: samples[0].exitCode,
    wallMsMin: Math.round(min(wall)),
    wallMsMedian: Math.round(median(wall)),
    ratioToFloor: Number((median(wall) / floorMs).toFixed(2)),
    maxRssMb: Math.round(Math.max(...samples.map((s) => s.maxRssMb))),
    programMsMedian: Math.round(median(t.map((x) => x.programMs))),
    policyMsMedian: Math.round(median(t.map((x) => x.policyMs))),
    checksMsMedian: Math.round(median(t.map((x) => x.checksMs))),
    schemaMsMedian: Math.round(median(t.map((x) => x.schemaMs))),
  };
}

/** Runs every plan at once, each in its own process; the wall time is the last one's end. */
async function measureParallel(runs: string[][]): Promise<{ wallMs: number; samples: Sample[] }> {
  const started = performance.now();
  const samples = await Promise.all(
    runs.map(
      (args) =>
        new Promise<Sample>((resolve, reject) => {
          const child = spawn(process.execPath, [...tsNode, ...args], { cwd: root });
          let out = "";
          let err = "";
          child.stdout.on("data", (d) => (out += d));
          child.stderr.on("data", (d) => (err += d));
          child.on("close", (code) =>
            code === 0 ? resolve(JSON.parse(out.trim().split("\n").pop()!)) : reject(new Error(err)),
          );
        }),
    ),
  );
  return { wallMs: performance.now() - started, samples };
}

/** 10 team stacks of 100 apps each, planned in parallel against one platform plan. */
async function teamStacks(tmp: string) {
  const reference = "bench/kube-monitoring/bench-platform";
  const platformDir = writeSyntheticStack(root, path.join(tmp, "bench-platform"), "bench-platform", 0);
  const out = path.join(tmp, "out");
  const plan = spawnSync(
    process.execPath,
    [...tsNode, "plan/cli.ts", "bench-platform", "--config-dir", platformDir, "--out", out],
    { cwd: root, encoding: "utf8" },
  );
  if (!fs.existsSync(path.join(out, "bench-platform", "plan.json")))
    throw new Error(`platform plan failed:\n${plan.stderr}`);
  const runs = Array.from({ length: 10 }, (_, t) => {
    const team = `team-${t}`;
    const dir = writeSyntheticTeamStack(root, path.join(tmp, team), team, t * 100, 100, reference);
    return [
      "bench/planOnce.ts",
      team,
      dir,
      "--team",
      path.join(out, "bench-platform", "plan.json"),
      reference,
    ];
  });
  progress.update("bench: 10 team stacks in parallel");
  const { wallMs, samples } = await measureParallel(runs);
  return {
    name: "10 team stacks × 100 apps, in parallel",
    resources: samples.reduce((sum, s) => sum + (s.resources ?? 0), 0),
    exitCodes: [...new Set(samples.map((s) => s.exitCode))],
    wallMs: Math.round(wallMs),
    maxRssMbEach: Math.round(Math.max(...samples.map((s) => s.maxRssMb))),
  };
}

/** The backtest entry (bench/backtest.ts) in its own process: its last line is its summary. */
function backtestBench(): { name: string; wallMsMedian: number; targetMs: number; queries: number } {
  progress.update("bench: backtest");
  const run = spawnSync(process.execPath, [...tsNode, "bench/backtest.ts"], { cwd: root, encoding: "utf8" });
  if (run.status !== 0) throw new Error(`bench/backtest.ts failed:\n${run.stderr}`);
  return JSON.parse(run.stdout.trim().split("\n").pop()!);
}

async function main() {
  const line = parseCommandLine(process.argv.slice(2), {}, BENCH_HELP);
  const extra = line.kind === "run" ? line.positionals.filter((p) => p !== "backtest") : [];
  if (line.kind !== "run" || extra.length) {
    const text = line.kind === "run" ? usageError(`${extra[0]}: unexpected argument`, BENCH_HELP) : line.text;
    (line.kind === "help" ? console.log : console.error)(logSafe(text));
    process.exitCode = line.kind === "help" ? 0 : 1;
    return;
  }
  // `npm run bench -- backtest`: only the backtest entry.
  if (line.positionals.includes("backtest")) {
    const result = backtestBench();
    progress.done();
    console.log(JSON.stringify(result, null, 2));
    return;
  }
  const runs = Number(process.env.BENCH_RUNS ?? 3);
  const floorSamples = measure(["bench/floor.ts"], runs, "floor");
  const floorMs = median(floorSamples.map((s) => s.wallMs));
  const floor = {
    wallMsMedian: Math.round(floorMs),
    maxRssMb: Math.round(Math.max(...floorSamples.map((s) => s.maxRssMb))),
  };
  const rows: ReturnType<typeof summarize>[] = [];
  for (const stack of ["dev", "prod"])
    rows.push(summarize(stack, measure(["bench/planOnce.ts", stack, root], runs, stack), floorMs));
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "kube-monitoring-bench-"));
  let teams: Awaited<ReturnType<typeof teamStacks>>;
  try {
    for (const apps of [1, 10, 100, 1000]) {
      const stack = `bench-${apps}`;
      const dir = writeSyntheticStack(root, path.join(tmp, stack), stack, apps);
      rows.push(
        summarize(
          `${apps} apps`,
          measure(["bench/planOnce.ts", stack, dir], apps >= 1000 ? Math.min(runs, 2) : runs, `${apps} apps`),
          floorMs,
        ),
      );
    }
    teams = await teamStacks(tmp);
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
  const per = (name: string) => rows.find((r) => r.name === name)!;
  const perAppMs = (a: string, b: string, apps: number) => (per(b).wallMsMedian - per(a).wallMsMedian) / apps;
  const scaling = {
    perAppMs10to100: Number(perAppMs("10 apps", "100 apps", 90).toFixed(1)),
    perAppMs100to1000: Number(perAppMs("100 apps", "1000 apps", 900).toFixed(1)),
  };
  const machine = {
    cpus: os.cpus().length,
    cpuModel: os.cpus()[0]?.model,
    node: process.version,
    memoryGb: Math.round(os.totalmem() / 2 ** 30),
  };
  const single = per("1000 apps").wallMsMedian;
  const teamsRow = { ...teams, ratioToSingleStack: Number((teams.wallMs / single).toFixed(2)) };
  const backtest = backtestBench();
  const results = {
    date: new Date().toISOString(),
    machine,
    runs,
    floor,
    rows,
    scaling,
    teams: teamsRow,
    backtest,
  };
  fs.writeFileSync(path.join(__dirname, "results.json"), JSON.stringify(results, null, 2) + "\n");

  const md = [
    `# Benchmark results`,
    "",
    `${machine.cpus} × ${machine.cpuModel}, ${machine.memoryGb} GiB, Node ${machine.node}; ${runs} runs each (at most 2 for 1000 apps), fresh process per run. ` +
      `Floor (load the Pulumi and provider SDKs only): ${floor.wallMsMedian} ms, ${floor.maxRssMb} MB.`,
    "",
    "| plan | resources | wall min (ms) | wall median (ms) | × floor | peak RSS (MB) | program (ms) | policies (ms) | promtool+amtool (ms) | CRD schemas (ms) |",
    "|---|---|---|---|---|---|---|---|---|---|",
    ...rows.map(
      (r) =>
        `| ${r.name} | ${r.resources} | ${r.wallMsMin} | ${r.wallMsMedian} | ${r.ratioToFloor} | ${r.maxRssMb} | ${r.programMsMedian} | ${r.policyMsMedian} | ${r.checksMsMedian} | ${r.schemaMsMedian} |`,
    ),
    "",
    `Per-app cost: ${scaling.perAppMs10to100} ms from 10 to 100 apps, ${scaling.perAppMs100to1000} ms from 100 to 1000 apps.`,
    "",
    `${teamsRow.name}: ${teamsRow.resources} resources in ${teamsRow.wallMs} ms (${teamsRow.ratioToSingleStack} × the single 1000-app stack's ${single} ms), ` +
      `at most ${teamsRow.maxRssMbEach} MB each; exit codes ${teamsRow.exitCodes.join(", ")}.`,
    "",
    `${backtest.name}: ${backtest.wallMsMedian} ms median (target ${backtest.targetMs} ms), ${backtest.queries} queries.`,
    "",
  ].join("\n");
  fs.writeFileSync(path.join(__dirname, "results.md"), md);
  progress.done();
  console.log(md);
}

void main();

/**
 * npm run bench: plans the dev and prod stacks and synthetic stacks of 1, 10, 100 and 1000 apps, each in
 * a fresh process, several times, each row beside its two floors (bench/measure.ts); reports wall and
 * CPU time, peak RSS, phase timings, the load average and the profile's top five. Writes
 * bench/results.json and bench/results.md. `npm run bench -- scale`: dev, prod, 100 and 1000 apps only;
 * `npm run bench -- backtest`: the backtest only. BENCH_RUNS sets the runs per row (3; at most 2 for 1000 apps).
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
import { Row, Sample, benchRow, root, rowsMarkdown, tsNode } from "./measure";

/** On a terminal, what is being measured; quiet in CI and when stderr is a file. */
const progress = progressLine();

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
  const extra = line.kind === "run" ? line.positionals.filter((p) => p !== "backtest" && p !== "scale") : [];
  if (line.kind !== "run" || extra.length || (line.kind === "run" && line.positionals.length > 1)) {
    const text =
      line.kind === "run"
        ? usageError(
            extra.length ? `${extra[0]}: unexpected argument` : "name one of backtest, scale",
            BENCH_HELP,
          )
        : line.text;
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
  const scale = line.positionals.includes("scale");
  const runs = Number(process.env.BENCH_RUNS ?? 3);
  const loadBefore = fs.readFileSync("/proc/loadavg", "utf8").trim();
  const rows: Row[] = [];
  for (const stack of ["dev", "prod"]) {
    progress.update(`bench: ${stack} and its floors`);
    rows.push(benchRow(stack, ["bench/planOnce.ts", stack, root], runs));
  }
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "kube-monitoring-bench-"));
  let teams: Awaited<ReturnType<typeof teamStacks>> | undefined;
  try {
    for (const apps of scale ? [100, 1000] : [1, 10, 100, 1000]) {
      const stack = `bench-${apps}`;
      const dir = writeSyntheticStack(root, path.join(tmp, stack), stack, apps);
      progress.update(`bench: ${apps} apps and its floors`);
      const profiled = scale || apps >= 100;
      const n = apps >= 1000 ? Math.min(runs, 2) : runs;
      rows.push(benchRow(`${apps} apps`, ["bench/planOnce.ts", stack, dir], n, profiled));
    }
    if (!scale) teams = await teamStacks(tmp);
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
  const per = (name: string) => rows.find((r) => r.name === name);
  const perAppMs = (a: string, b: string, apps: number) =>
    Number((((per(b)?.wallMsMedian ?? NaN) - (per(a)?.wallMsMedian ?? NaN)) / apps).toFixed(1));
  const scaling = {
    perAppMs10to100: perAppMs("10 apps", "100 apps", 90),
    perAppMs100to1000: perAppMs("100 apps", "1000 apps", 900),
  };
  const machine = {
    cpus: os.cpus().length,
    cpuModel: os.cpus()[0]?.model,
    node: process.version,
    memoryGb: Math.round(os.totalmem() / 2 ** 30),
  };
  const single = per("1000 apps")!.wallMsMedian;
  const teamsRow = teams && { ...teams, ratioToSingleStack: Number((teams.wallMs / single).toFixed(2)) };
  const backtest = scale ? undefined : backtestBench();
  const loadAfter = fs.readFileSync("/proc/loadavg", "utf8").trim();
  const results = {
    date: new Date().toISOString(),
    machine,
    runs,
    load: { before: loadBefore, after: loadAfter },
    rows,
    scaling,
    teams: teamsRow,
    backtest,
  };
  fs.writeFileSync(path.join(__dirname, "results.json"), JSON.stringify(results, null, 2) + "\n");

  const md = [
    `# Benchmark results`,
    "",
    `${results.date}: ${machine.cpus} × ${machine.cpuModel}, ${machine.memoryGb} GiB, Node ${machine.node}; ${runs} runs of each plan and of each of its floors, ` +
      "fresh process per run, medians. Each plan writes plan.json and its manifests (the default layout) as `npm run plan` does. " +
      "Import floor: plain Node loading the Pulumi and provider SDKs (bench/floor.js); lean: the same under the project's loader, " +
      "which defers the TypeScript compiler the SDK loads as it starts. SDK floor: the SDK registering as many no-op resources " +
      "under the plan's mocks (bench/sdkFloor.ts), measured beside each row. CPU is the plan process's own (promtool and amtool run in theirs). " +
      `Load average (/proc/loadavg) before: ${loadBefore}; after: ${loadAfter}.`,
    "",
    ...rowsMarkdown(rows),
    "",
    ...(scale
      ? []
      : [
          `Per-app cost: ${scaling.perAppMs10to100} ms from 10 to 100 apps, ${scaling.perAppMs100to1000} ms from 100 to 1000 apps.`,
          "",
          `${teamsRow!.name}: ${teamsRow!.resources} resources in ${teamsRow!.wallMs} ms (${teamsRow!.ratioToSingleStack} × the single 1000-app stack's ${single} ms), ` +
            `at most ${teamsRow!.maxRssMbEach} MB each; exit codes ${teamsRow!.exitCodes.join(", ")}.`,
          "",
          `${backtest!.name}: ${backtest!.wallMsMedian} ms median (target ${backtest!.targetMs} ms), ${backtest!.queries} queries.`,
          "",
        ]),
  ].join("\n");
  // Formatted as the repository's Markdown is (npm run lint checks it).
  const file = path.join(__dirname, "results.md");
  fs.writeFileSync(file, md);
  const format = spawnSync(path.join(root, "node_modules", ".bin", "oxfmt"), [file], { encoding: "utf8" });
  if (format.status !== 0) throw new Error(`oxfmt could not format ${file}:\n${format.stderr}`);
  progress.done();
  console.log(md);
}

void main();

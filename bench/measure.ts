/**
 * Measuring one benchmark row: the plan in fresh processes, and beside it, in the same minutes, its
 * floors: the import floor (bench/floor.js: plain Node loading the SDKs; the lean one under the project's
 * loader) and the SDK floor (bench/sdkFloor.ts: register as many no-op resources under the plan's mocks).
 * Other work on the machine moves every figure, so each sample records the load average, and the ratios
 * compare medians taken together.
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { ProfileBucket, topOfProfileDir } from "./profile";

export const root = path.resolve(__dirname, "..");
export const tsNode = ["-r", "./plan/register.js"];

export interface Sample {
  wallMs: number;
  cpuMs?: number;
  maxRssMb: number;
  /** The 1-minute load average as the run started. */
  load: number;
  resources?: number;
  exitCode?: number;
  timings?: { programMs: number; policyMs: number; checksMs: number; schemaMs: number; writeMs?: number };
}

const loadAverage = () => Number(fs.readFileSync("/proc/loadavg", "utf8").split(" ")[0]);

/**
 * Runs `args` (a script and its arguments) in a fresh process `runs` times; `nodeArgs` go before them, and
 * the project's TypeScript loader unless `loader` is false.
 */
export function measure(args: string[], runs: number, nodeArgs: string[] = [], loader = true): Sample[] {
  const out = fs.mkdtempSync(path.join(os.tmpdir(), "kube-monitoring-bench-out-"));
  try {
    return Array.from({ length: runs }, () => {
      const load = loadAverage();
      const started = performance.now();
      const run = spawnSync(process.execPath, [...nodeArgs, ...(loader ? tsNode : []), ...args], {
        cwd: root,
        encoding: "utf8",
        maxBuffer: 1 << 26,
        // Each plan replaces the one before it, as `npm run plan` does.
        env: { ...process.env, BENCH_OUT: out },
      });
      const processMs = performance.now() - started;
      if (run.status !== 0) throw new Error(`${args.join(" ")} failed:\n${run.stderr}`);
      const sample = JSON.parse(run.stdout.trim().split("\n").pop()!) as Sample;
      // Wall time of the whole process (start-up, TypeScript loading and all), as a user waits for it.
      return { ...sample, wallMs: processMs, load };
    });
  } finally {
    fs.rmSync(out, { recursive: true, force: true });
  }
}

/** One more run under `--cpu-prof`: the five places that took the most self time. */
export function profileTop(args: string[]): ProfileBucket[] {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "kube-monitoring-bench-prof-"));
  try {
    measure(args, 1, ["--cpu-prof", `--cpu-prof-dir=${dir}`]);
    return topOfProfileDir(dir, 5);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

export const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const ratio = (a: number, b: number) => Number((a / b).toFixed(2));

/** A plan's row: its samples, both floors measured beside it, and its profile's top five. */
export function benchRow(name: string, args: string[], runs: number, profile = true) {
  const plans = measure(args, runs);
  const resources = plans[0].resources ?? 0;
  const imports = measure(["bench/floor.js"], runs, [], false);
  const leanImports = measure(["bench/floor.js"], runs);
  const sdk = measure(["bench/sdkFloor.ts", String(resources)], runs);
  const top5 = profile ? profileTop(args) : [];
  const wall = plans.map((s) => s.wallMs);
  const t = plans.map((s) => s.timings!);
  const phase = (pick: (x: NonNullable<Sample["timings"]>) => number | undefined) =>
    Math.round(median(t.map((x) => pick(x) ?? 0)));
  const importMs = median(imports.map((s) => s.wallMs));
  const leanImportMs = median(leanImports.map((s) => s.wallMs));
  const sdkMs = median(sdk.map((s) => s.wallMs));
  const sdkRss = median(sdk.map((s) => s.maxRssMb));
  return {
    name,
    runs: plans.length,
    resources,
    exitCode: plans[0].exitCode,
    wallMsMin: Math.round(Math.min(...wall)),
    wallMsMedian: Math.round(median(wall)),
    cpuMsMedian: Math.round(median(plans.map((s) => s.cpuMs ?? 0))),
    maxRssMb: Math.round(Math.max(...plans.map((s) => s.maxRssMb))),
    loadMedian: median(plans.map((s) => s.load)),
    importFloorMs: Math.round(importMs),
    leanImportFloorMs: Math.round(leanImportMs),
    ratioToLeanFloor: ratio(median(wall), leanImportMs),
    sdkFloorMs: Math.round(sdkMs),
    sdkFloorRssMb: Math.round(sdkRss),
    ratioToFloor: ratio(median(wall), importMs),
    ratioToSdkFloor: ratio(median(wall), sdkMs),
    cpuRatioToSdkFloor: ratio(median(plans.map((s) => s.cpuMs ?? 0)), median(sdk.map((s) => s.cpuMs ?? 0))),
    rssRatioToSdkFloor: ratio(Math.max(...plans.map((s) => s.maxRssMb)), sdkRss),
    programMsMedian: phase((x) => x.programMs),
    policyMsMedian: phase((x) => x.policyMs),
    checksMsMedian: phase((x) => x.checksMs),
    schemaMsMedian: phase((x) => x.schemaMs),
    writeMsMedian: phase((x) => x.writeMs),
    top5,
  };
}

export type Row = ReturnType<typeof benchRow>;

/** The results table and each row's profile, as Markdown. */
export function rowsMarkdown(rows: Row[]): string[] {
  return [
    "| plan | resources | wall median (ms) | × import floor | × lean import floor | × SDK floor | CPU × SDK floor | peak RSS (MB) | RSS × SDK floor | import floor, lean (ms) | SDK floor (ms, MB) | load (1 min) | program / policies / tools / write (ms) |",
    "|---|---|---|---|---|---|---|---|---|---|---|---|---|",
    ...rows.map(
      (r) =>
        `| ${r.name} | ${r.resources} | ${r.wallMsMedian} (min ${r.wallMsMin}) | ${r.ratioToFloor} | ${r.ratioToLeanFloor} | ${r.ratioToSdkFloor} | ${r.cpuRatioToSdkFloor} | ${r.maxRssMb} | ${r.rssRatioToSdkFloor} | ${r.importFloorMs}, ${r.leanImportFloorMs} | ${r.sdkFloorMs}, ${r.sdkFloorRssMb} | ${r.loadMedian} | ${r.programMsMedian} / ${r.policyMsMedian} / ${r.checksMsMedian} / ${r.writeMsMedian} |`,
    ),
    "",
    "Profile (`--cpu-prof`, one more run), top five by self time:",
    "",
    ...rows
      .filter((r) => r.top5.length)
      .map(
        (r) =>
          `- ${r.name}: ${r.top5.map((b) => `${b.where} ${b.ms} ms (${Math.round(b.share * 100)}%)`).join(", ")}`,
      ),
  ];
}

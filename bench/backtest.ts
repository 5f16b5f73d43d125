/**
 * npm run bench -- backtest: the dev stack's plan backtested against itself over 7 days at a 1m step,
 * against Debian's Prometheus serving 7 days of generated history (promtool-built blocks) for every
 * series the dev stack's alerts read. Reports min and median wall time of the backtest command over
 * BENCH_RUNS (3) runs, each a fresh process as a user runs it, with the plan and the history built
 * beforehand; writes bench/backtest-results.json. Target: ≤ 30 s.
 */
import { SpawnSyncReturns, spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { Family, openMetrics, startHistoryPrometheus } from "../tests/e2e/history";
import { Processes } from "../tests/e2e/processes";

const root = path.resolve(__dirname, "..");
const POINTS = 7 * 24 * 60 + 60;

/** A week of the dev app's metrics at 1m: steady traffic, one error burst, one slow hour, one restart. */
function devHistory(): Family[] {
  const app = { namespace: "rust-app", job: "rust-app" };
  const pod = { namespace: "rust-app", pod: "rust-app-0", container: "app" };
  const burst = (i: number) => i >= 3000 && i < 3030;
  let errors = 0;
  const errorsAt: number[] = [];
  for (let i = 0; i < POINTS; i++) errorsAt.push((errors += burst(i) ? 300 : i % 7 === 0 ? 1 : 0));
  return [
    {
      name: "http_requests",
      type: "counter",
      help: "Requests.",
      series: [
        { labels: { ...app, status: "200" }, values: (i) => 1000 * i },
        { labels: { ...app, status: "500" }, values: (i) => errorsAt[i] },
      ],
    },
    {
      name: "up",
      type: "gauge",
      help: "Scrape health.",
      series: [
        { labels: { ...app, instance: "10.0.0.1:8080" }, values: (i) => (i >= 5000 && i < 5010 ? 0 : 1) },
      ],
    },
    {
      name: "container_memory_working_set_bytes",
      type: "gauge",
      help: "Memory.",
      series: [{ labels: pod, values: (i) => 400e6 + (i % 1440) * 1e5 }],
    },
    {
      name: "kube_pod_container_resource_limits",
      type: "gauge",
      help: "Limits.",
      series: [
        { labels: { ...pod, resource: "memory" }, values: () => 512e6 },
        { labels: { ...pod, resource: "cpu" }, values: () => 1 },
      ],
    },
    {
      name: "container_cpu_usage_seconds",
      type: "counter",
      help: "CPU.",
      series: [{ labels: pod, values: (i) => 30 * i }],
    },
    {
      name: "probe_success",
      type: "gauge",
      help: "Probe.",
      series: [{ labels: { job: "probe-rust-app-health", instance: "https://rust-app" }, values: () => 1 }],
    },
  ];
}

function main() {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "kube-monitoring-bench-backtest-"));
  const processes = new Processes();
  const done = (code: number) =>
    processes.stopAll().finally(() => {
      fs.rmSync(tmp, { recursive: true, force: true });
      process.exit(code);
    });
  (async () => {
    const out = path.join(tmp, "out");
    const plan = spawnSync(
      process.execPath,
      ["-r", "./plan/register.js", "plan/cli.ts", "dev", "--out", out],
      {
        cwd: root,
        encoding: "utf8",
      },
    );
    const planFile = path.join(out, "dev", "plan.json");
    if (!fs.existsSync(planFile)) throw new Error(`the dev plan failed:\n${plan.stderr}`);
    const end = Math.floor(Date.now() / 1000 / 60) * 60;
    const start = end - (POINTS - 1) * 60;
    const built = performance.now();
    const server = await startHistoryPrometheus(processes, openMetrics(devHistory(), start, 60, POINTS));
    const historyMs = performance.now() - built;
    const runs = Number(process.env.BENCH_RUNS ?? 3);
    const walls: number[] = [];
    let run!: SpawnSyncReturns<string>;
    for (let r = 0; r < runs; r++) {
      const started = performance.now();
      run = spawnSync(
        process.execPath,
        [
          "-r",
          "./plan/register.js",
          "plan/backtestCli.ts",
          "dev",
          "--compare",
          planFile,
          "--plan",
          planFile,
          "--prometheus-url",
          server.url,
          "--range",
          "7d",
          "--step",
          "1m",
          "--end",
          String(end),
          "--format",
          "json",
        ],
        { cwd: root, encoding: "utf8", maxBuffer: 1 << 26 },
      );
      walls.push(performance.now() - started);
      if (run.status !== 0) throw new Error(`backtest exited ${run.status}:\n${run.stderr}`);
    }
    const sorted = [...walls].sort((a, b) => a - b);
    const result = JSON.parse(run.stdout) as {
      alerts: { old: { episodes: number } | null }[];
      queries: number;
      complete: boolean;
    };
    const summary = {
      name: "backtest dev, 7d at 1m",
      runs,
      wallMsMin: Math.round(sorted[0]),
      wallMsMedian: Math.round(sorted[Math.floor(runs / 2)]),
      targetMs: 30 * 1000,
      alerts: result.alerts.length,
      queries: result.queries,
      episodes: result.alerts.reduce((n, a) => n + (a.old?.episodes ?? 0), 0),
      complete: result.complete,
      historySamples: devHistory().reduce((n, f) => n + f.series.length, 0) * POINTS,
      historyBuildMs: Math.round(historyMs),
      rangeDays: 7,
    };
    fs.writeFileSync(path.join(__dirname, "backtest-results.json"), JSON.stringify(summary, null, 2) + "\n");
    console.log(JSON.stringify(summary));
  })().then(
    () => done(0),
    (err: Error) => {
      console.error(err.message);
      return done(1);
    },
  );
}

main();

/**
 * Real history for the backtest: an OpenMetrics file generated from known series, turned into TSDB
 * blocks by `promtool tsdb create-blocks-from openmetrics`, served by Debian's Prometheus on loopback
 * (started and stopped by its own process handle, see Processes).
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { Processes, freePort, ready, waitFor } from "./processes";

export interface Family {
  /** For a counter, the family name without `_total`. */
  readonly name: string;
  readonly type: "gauge" | "counter";
  readonly help: string;
  /** Each series' value at each step (cumulative for counters). */
  readonly series: { labels: Record<string, string>; values: (i: number) => number }[];
}

const labelText = (labels: Record<string, string>) =>
  `{${Object.entries(labels)
    .map(([k, v]) => `${k}=${JSON.stringify(v)}`)
    .join(",")}}`;

/** OpenMetrics text: timestamps in seconds, `points` samples `stepSeconds` apart from `startSeconds`, `# EOF` last. */
export function openMetrics(
  families: readonly Family[],
  startSeconds: number,
  stepSeconds: number,
  points: number,
) {
  const lines: string[] = [];
  for (const f of families) {
    lines.push(`# HELP ${f.name} ${f.help}`, `# TYPE ${f.name} ${f.type}`);
    const sample = f.type === "counter" ? `${f.name}_total` : f.name;
    for (const s of f.series) {
      const l = labelText(s.labels);
      for (let i = 0; i < points; i++)
        lines.push(`${sample}${l} ${s.values(i)} ${startSeconds + i * stepSeconds}`);
    }
  }
  lines.push("# EOF", "");
  return lines.join("\n");
}

export interface HistoryServer {
  readonly url: string;
  readonly dir: string;
}

/** Builds the TSDB from `text` and starts Prometheus on it; `processes.stopAll()` stops it. */
export async function startHistoryPrometheus(processes: Processes, text: string): Promise<HistoryServer> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "kube-monitoring-history-"));
  const input = path.join(dir, "history.om");
  const data = path.join(dir, "data");
  fs.writeFileSync(input, text);
  const created = spawnSync(
    "promtool",
    ["tsdb", "create-blocks-from", "openmetrics", "--quiet", input, data],
    {
      encoding: "utf8",
    },
  );
  if (created.status !== 0)
    throw new Error(`promtool create-blocks failed:\n${created.stderr}${created.stdout}`);
  fs.rmSync(input);
  const config = path.join(dir, "prometheus.yaml");
  fs.writeFileSync(config, "scrape_configs: []\n");
  const port = await freePort();
  processes.start("prometheus", [
    `--config.file=${config}`,
    `--storage.tsdb.path=${data}`,
    // The blocks are older than the default 15d: a shorter retention would delete them at start.
    "--storage.tsdb.retention.time=100y",
    `--web.listen-address=127.0.0.1:${port}`,
  ]);
  const url = `http://127.0.0.1:${port}`;
  await waitFor("Prometheus on the generated history", 60_000, () => ready(`${url}/-/ready`));
  return { url, dir };
}

/**
 * `npm run check -- … --prometheus-url`: rules judged against a real Prometheus that scrapes a tiny
 * target serving `# TYPE` lines, so the metadata API knows a counter without _total, a gauge, a counter
 * family (`http_requests` covering `http_requests_total`) and a histogram.
 */
import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as http from "node:http";
import type { AddressInfo } from "node:net";
import * as os from "node:os";
import * as path from "node:path";
import { stringify } from "yaml";
import { checkWithServer, main } from "../../plan/check";
import { requireTool } from "../helpers/tools";
import { Processes, freePort, ready, waitFor } from "./processes";

const METRICS = `# HELP kubelet_evictions Pods evicted, by signal: a counter without _total.
# TYPE kubelet_evictions counter
kubelet_evictions{eviction_signal="memory.available"} 3
# HELP node_memory_Active_bytes Active memory.
# TYPE node_memory_Active_bytes gauge
node_memory_Active_bytes 1.5e+09
# HELP http_requests Requests served.
# TYPE http_requests counter
http_requests_total{code="200"} 42
# HELP http_request_duration_seconds Latency.
# TYPE http_request_duration_seconds histogram
http_request_duration_seconds_bucket{le="0.1"} 4
http_request_duration_seconds_bucket{le="+Inf"} 5
http_request_duration_seconds_sum 0.4
http_request_duration_seconds_count 5
`;

const rule = (alert: string, expr: string) => ({
  alert,
  expr,
  for: "5m",
  labels: { severity: "warning" },
  annotations: { summary: "s", description: "d", runbook_url: "https://runbooks.example.com/x" },
});

const CHECKED = {
  groups: [
    {
      name: "live",
      rules: [
        rule("Evictions", "sum by (node) (rate(kubelet_evictions[5m])) > 0"),
        rule("MemoryRising", "rate(node_memory_Active_bytes[5m]) > 1e6"),
        rule("Gone", "rate(exporter_gone_total[5m]) > 0"),
        rule("NoSuchLabel", 'kubelet_evictions{pod="api-0"} > 0'),
        rule("EmptyMatches", 'kubelet_evictions{pod!="api-0", namespace=~".*"} > 0'),
        rule("Requests", "sum(rate(http_requests_total[5m])) > 0"),
        rule("LatencyDeriv", "deriv(http_request_duration_seconds_count[5m]) > 0"),
        rule("ServerRecorded", "job:never:sum > 0"),
        { record: "job:local_evictions:sum", expr: "sum(kubelet_evictions)" },
        rule("LocalRecorded", "job:local_evictions:sum > 0"),
      ],
    },
  ],
};

describe("end to end: check --prometheus-url judges rules by the server's data", function () {
  this.timeout(60_000);
  const processes = new Processes();
  let dir: string;
  let url: string;
  let target: http.Server;

  before(async function () {
    requireTool(this, "prometheus", "prometheus");
    requireTool(this, "promtool", "prometheus");
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "kube-monitoring-live-"));
    target = http.createServer((_req, res) => {
      res.writeHead(200, { "Content-Type": "text/plain; version=0.0.4" });
      res.end(METRICS);
    });
    await new Promise<void>((resolve) => target.listen(0, "127.0.0.1", resolve));
    const port = await freePort();
    fs.writeFileSync(
      path.join(dir, "server.rules.yaml"),
      // A recording rule of the server whose output has no series: it still counts as existing.
      stringify({
        groups: [{ name: "server", rules: [{ record: "job:never:sum", expr: "sum(nothing_here)" }] }],
      }),
    );
    fs.writeFileSync(
      path.join(dir, "prometheus.yaml"),
      stringify({
        global: { scrape_interval: "1s", evaluation_interval: "1s" },
        rule_files: [path.join(dir, "server.rules.yaml")],
        scrape_configs: [
          {
            job_name: "app",
            static_configs: [{ targets: [`127.0.0.1:${(target.address() as AddressInfo).port}`] }],
          },
        ],
      }),
    );
    fs.writeFileSync(path.join(dir, "checked.rules.yaml"), stringify(CHECKED));
    processes.start("prometheus", [
      `--config.file=${path.join(dir, "prometheus.yaml")}`,
      `--storage.tsdb.path=${path.join(dir, "data")}`,
      `--web.listen-address=127.0.0.1:${port}`,
    ]);
    url = `http://127.0.0.1:${port}`;
    await waitFor("Prometheus ready", 30_000, () => ready(`${url}/-/ready`));
    await waitFor("the target's metadata", 30_000, async () => {
      const res = (await fetch(`${url}/api/v1/metadata`).then((r) => r.json())) as { data: object };
      return Object.keys(res.data).includes("http_request_duration_seconds") ? true : undefined;
    });
  });

  after(async () => {
    await processes.stopAll();
    await new Promise((resolve) => target?.close(resolve));
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  it("flags a gauge under rate(), a counter under deriv(), a missing metric and an impossible matcher; not a counter without _total", async () => {
    const file = path.join(dir, "checked.rules.yaml");
    const result = await checkWithServer([file], {}, url, "7d");
    assert.deepEqual(
      result.findings.map((f) => `${f.line} ${f.level} ${f.policy}: ${f.message}`),
      [
        `13 mandatory prometheus-data: rule MemoryRising: rate() over node_memory_Active_bytes, a gauge by the server's metadata; use deriv() or delta().`,
        `22 advisory prometheus-data: rule Gone: exporter_gone_total has had no series on ${url} over the last 7d; the rule would never fire (or record) until it does.`,
        `31 mandatory prometheus-data: rule NoSuchLabel: kubelet_evictions{pod="api-0"} can never match: kubelet_evictions has carried no label pod over the last 7d, and pod="api-0" does not match "".`,
        `58 mandatory prometheus-data: rule LatencyDeriv: deriv() over http_request_duration_seconds_count, a counter by the server's metadata; use rate() or increase().`,
      ],
    );
  });

  it("exits 2 on those, 3 naming the URL when the server cannot answer", async () => {
    const { log, error } = console;
    const err: string[] = [];
    console.log = () => undefined;
    console.error = (t: string) => err.push(t);
    try {
      const file = path.join(dir, "checked.rules.yaml");
      assert.equal(await main([file, "--prometheus-url", url]), 2);
      const closed = `http://127.0.0.1:${await freePort()}`;
      assert.equal(await main([file, "--prometheus-url", closed]), 3);
      assert.match(
        err.join("\n"),
        new RegExp(`^cannot judge the rules against the server: ${closed}/api/v1/metadata: cannot connect`),
      );
      assert.equal(await main([file, "--prometheus-url", "http://user:secret@127.0.0.1:1"]), 1);
      assert.ok(!err.join("\n").includes("secret"));
    } finally {
      console.log = log;
      console.error = error;
    }
  });
});

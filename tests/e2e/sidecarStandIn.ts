/**
 * A Thanos sidecar stand-in for the multi-replica verify world (the Thanos binaries cannot run here),
 * started as its own process so a spec can stop it by pid. It answers what verify's checks read of a
 * sidecar, from its Prometheus:
 *   GET /metrics  the shipper's `thanos_objstore_bucket_last_successful_upload_time` (0 until a block is
 *                 shipped, as the real gauge) and `process_start_time_seconds`;
 *   GET /info     what Thanos Query's Info call learns: the Prometheus's external labels as its label
 *                 set, 503 when its Prometheus does not answer;
 * and ships every block it finds in the Prometheus data directory to the bucket directory (with the
 * `thanos` section the shipper adds to meta.json).
 * Run as: node -r plan/register.js sidecarStandIn.ts PORT PROMETHEUS_URL DATA_DIR BUCKET_DIR
 */
import * as fs from "node:fs";
import * as http from "node:http";
import * as path from "node:path";

const [port, prometheus, dataDir, bucketDir] = process.argv.slice(2);
const started = Date.now() / 1000;
let lastUpload = 0;

async function externalLabels(): Promise<Record<string, string>> {
  const res = await fetch(`${prometheus}/api/v1/status/config`, { signal: AbortSignal.timeout(1000) });
  const yaml = ((await res.json()) as { data: { yaml: string } }).data.yaml;
  // The block Prometheus writes: `  external_labels:` then one `    name: value` line per label.
  const block = /^ {2}external_labels:\n((?: {4}.+\n)+)/m.exec(yaml)?.[1] ?? "";
  return Object.fromEntries(
    block
      .trimEnd()
      .split("\n")
      .filter(Boolean)
      .map((line) => {
        const [name, ...value] = line.trim().split(": ");
        return [name, value.join(": ").replace(/^"(.*)"$/, "$1")];
      }),
  );
}

async function ship() {
  const blocks = fs.existsSync(dataDir)
    ? fs.readdirSync(dataDir).filter((d) => fs.existsSync(path.join(dataDir, d, "meta.json")))
    : [];
  for (const ulid of blocks) {
    const target = path.join(bucketDir, ulid);
    if (fs.existsSync(target)) continue;
    const labels = await externalLabels();
    fs.cpSync(path.join(dataDir, ulid), target, { recursive: true });
    const meta = JSON.parse(fs.readFileSync(path.join(target, "meta.json"), "utf8")) as object;
    const thanos = { labels, downsample: { resolution: 0 }, source: "sidecar" };
    fs.writeFileSync(path.join(target, "meta.json"), JSON.stringify({ ...meta, thanos }));
    lastUpload = Date.now() / 1000;
  }
}

const server = http.createServer((req, res) => {
  if (req.url === "/metrics") {
    res.writeHead(200, { "content-type": "text/plain; version=0.0.4" });
    res.end(
      [
        "# TYPE thanos_objstore_bucket_last_successful_upload_time gauge",
        `thanos_objstore_bucket_last_successful_upload_time{bucket="e2e"} ${lastUpload}`,
        "# TYPE process_start_time_seconds gauge",
        `process_start_time_seconds ${started}`,
        "",
      ].join("\n"),
    );
  } else if (req.url === "/info") {
    externalLabels().then(
      (labels) => res.writeHead(200).end(JSON.stringify({ labelSets: [labels] })),
      (err: Error) => res.writeHead(503).end(`prometheus ${prometheus} not reachable: ${err.message}`),
    );
  } else res.writeHead(404).end();
});
server.listen(Number(port), "127.0.0.1");
const timer = setInterval(() => void ship().catch(() => undefined), 500);
process.on("SIGTERM", () => {
  clearInterval(timer);
  server.close(() => process.exit(0));
  server.closeAllConnections();
});

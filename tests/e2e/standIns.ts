/**
 * Stand-ins for what the e2e worlds cannot run, each answering what verify reads of the real thing:
 * the chart's rule groups (helm is not here), a local server for receivers, remote write and small
 * exporters, and Thanos Query's store list (the Thanos binaries are not here either; the sidecars'
 * stand-in is sidecarStandIn.ts, its own process).
 */
import * as fs from "node:fs";
import * as http from "node:http";
import type { AddressInfo } from "node:net";
import * as path from "node:path";
import { stringify } from "yaml";
import type { Expectations } from "../../plan/verify";

export const CHART_GROUP_WITH_WATCHDOG = "general.rules";

/**
 * Each chart rule group the plan expects, as a file named as the operator names it
 * (`<namespace>-<rule>-<uid>.yaml`) holding that group with one recording rule; `general.rules` carries
 * Watchdog, as the chart's does. Returns the file names.
 */
export function writeChartRuleStandIns(exp: Expectations, dir: string, interval = "1s"): string[] {
  return exp.ruleGroups
    .filter((g) => g.from.startsWith("chart"))
    .map(({ group, filePrefix }) => {
      const name = `${filePrefix}0a1b2c.yaml`;
      const rules =
        group === CHART_GROUP_WITH_WATCHDOG
          ? [{ alert: "Watchdog", expr: "vector(1)", labels: { severity: "none" } }]
          : [{ record: "kube_monitoring_e2e:chart_group", expr: "vector(1)", labels: { group } }];
      fs.writeFileSync(path.join(dir, name), stringify({ groups: [{ name: group, interval, rules }] }));
      return name;
    });
}

/** A local server: answers every request, keeps what was POSTed by path; `/metrics` is a tiny exporter. */
export async function localServer(answer?: (req: http.IncomingMessage) => Promise<string> | undefined) {
  const posts: { path: string; body: string }[] = [];
  const server = http.createServer((req, res) => {
    let body = "";
    req.on("data", (c) => (body += String(c)));
    req.on("end", () => {
      if (req.method === "POST") posts.push({ path: req.url ?? "", body });
      const custom = answer?.(req);
      if (custom) void custom.then((text) => res.writeHead(200).end(text));
      else if (req.url === "/metrics") res.writeHead(200).end("# TYPE stand_in gauge\nstand_in 1\n");
      // PagerDuty's Events API answers 202; the rest 200 (a remote write receiver 204).
      else res.writeHead(req.url?.startsWith("/pagerduty") ? 202 : req.url === "/write" ? 204 : 200).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  return { server, posts, port: (server.address() as AddressInfo).port };
}

/** Thanos Query's /api/v1/stores, asked of the live sidecars (their /info) and the bucket, as Query reports them. */
export async function thanosStores(sidecarPorts: readonly number[], bucket: string): Promise<string> {
  const now = new Date().toISOString();
  const sidecar = await Promise.all(
    sidecarPorts.map(async (port) => {
      const name = `127.0.0.1:${port}`;
      try {
        const res = await fetch(`http://${name}/info`, { signal: AbortSignal.timeout(1000) });
        if (!res.ok) throw new Error(await res.text());
        const info = (await res.json()) as { labelSets: object[] };
        return { name, lastCheck: now, lastError: null, labelSets: info.labelSets };
      } catch (err) {
        const why = (err as Error & { cause?: { code?: string } }).cause?.code ?? (err as Error).message;
        return { name, lastCheck: now, lastError: `fetching info from ${name}: ${why}`, labelSets: [] };
      }
    }),
  );
  // The store gateway serves what the sidecars shipped: one label set per replica's blocks.
  const shipped = fs.readdirSync(bucket).map((b) => {
    const meta = JSON.parse(fs.readFileSync(path.join(bucket, b, "meta.json"), "utf8"));
    return JSON.stringify((meta as { thanos: { labels: object } }).thanos.labels);
  });
  const labelSets = [...new Set(shipped)].map((l) => JSON.parse(l) as object);
  const store = [{ name: "thanos-store", lastCheck: now, lastError: null, labelSets }];
  return JSON.stringify({ status: "success", data: { sidecar, store } });
}

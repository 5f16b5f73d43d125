/** Synthetic stacks for the benchmark: N monitored apps, each with everything an app can have. */
import * as fs from "node:fs";
import * as path from "node:path";
import { stringify } from "yaml";

export function syntheticApp(i: number): Record<string, unknown> {
  const name = `app-${String(i).padStart(4, "0")}`;
  return {
    name,
    namespace: name,
    team: `team-${i % 7}`,
    workload: { image: `ghcr.io/example/${name}:1.0.${i}`, replicas: 2 },
    serviceMonitor: { endpoints: [{ port: "metrics", interval: "30s" }] },
    alerts: { errorRate: {}, latency: {}, targetDown: {}, memory: {}, cpu: {} },
    recordingRules: true,
    slo: { objective: 99.9 },
    routing: {
      defaultReceiver: "team",
      receivers: [
        { name: "team", webhook: { url: `http://alert-relay.ops.svc:8080/${name}` } },
        { name: "pager", pagerduty: { routingKey: { secretName: "alerting", key: `${name}-pd` } } },
      ],
      routes: [{ receiver: "pager", severity: "critical", continue: true }],
    },
  };
}

/** Writes Pulumi.yaml and Pulumi.<stack>.yaml for a stack of `apps` apps; returns the directory. */
export function writeSyntheticStack(projectDir: string, dir: string, stack: string, apps: number): string {
  fs.mkdirSync(dir, { recursive: true });
  fs.copyFileSync(path.join(projectDir, "Pulumi.yaml"), path.join(dir, "Pulumi.yaml"));
  const config = {
    "kube-monitoring:environment": "dev",
    "kube-monitoring:clusterName": "bench",
    "kube-monitoring:prometheus": {
      replicas: 2,
      retention: "7d",
      expectedActiveSeries: 200_000 * Math.max(1, apps / 10),
    },
    "kube-monitoring:alerting": { runbookBaseUrl: "https://runbooks.example.com/bench" },
    "kube-monitoring:apps": Array.from({ length: apps }, (_, i) => syntheticApp(i)),
  };
  fs.writeFileSync(path.join(dir, `Pulumi.${stack}.yaml`), stringify({ config }));
  // The dev stack's policy settings: every stack declares its own.
  fs.copyFileSync(
    path.join(projectDir, "policies", "config.dev.json"),
    path.join(dir, `config.${stack}.json`),
  );
  return dir;
}

/** A team stack (teams/ project) of apps `from` … `from + count - 1` on the platform stack `reference`. */
export function writeSyntheticTeamStack(
  projectDir: string,
  dir: string,
  team: string,
  from: number,
  count: number,
  reference: string,
): string {
  fs.mkdirSync(dir, { recursive: true });
  fs.copyFileSync(path.join(projectDir, "teams", "Pulumi.yaml"), path.join(dir, "Pulumi.yaml"));
  const config = {
    "kube-monitoring:environment": "dev",
    "kube-monitoring:platformStack": reference,
    "kube-monitoring:apps": Array.from({ length: count }, (_, i) => syntheticApp(from + i)),
  };
  fs.writeFileSync(path.join(dir, `Pulumi.${team}.yaml`), stringify({ config }));
  fs.writeFileSync(path.join(dir, `config.${team}.json`), JSON.stringify({ profile: "dev" }));
  return dir;
}

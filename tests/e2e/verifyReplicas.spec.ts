/**
 * `npm run verify` against a multi-replica world on loopback, set up as the prod fixture's plan deploys
 * it: two Prometheus servers with the external labels the operator gives its replicas, each beside a
 * sidecar stand-in (tests/e2e/sidecarStandIn.ts: the shipper's metrics, its Prometheus's label set,
 * blocks shipped to a bucket directory), a Thanos Query stand-in answering /api/v1/stores from the live
 * sidecars and the bucket, and an Alertmanager pair clustered by --cluster.peer, every receiver pointed
 * at a local server (tests/e2e/standIns.ts). Healthy, every check passes and a test alert reaches one
 * receiver; then a Prometheus replica, its sidecar and an Alertmanager peer are stopped by pid, and
 * each time exactly the checks about it fail.
 */
import { strict as assert } from "node:assert";
import { execFile } from "node:child_process";
import type { ChildProcess } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { promisify } from "node:util";
import { stringify } from "yaml";
import { SIDECAR_UPLOAD_HOURS } from "../../components/platformRules";
import { PROMETHEUS_REPLICA_LABEL } from "../../components/kubePrometheusStack/names";
import { effectiveAlertmanagerConfig, isKpsRelease, ruleFiles } from "../../plan/alertmanagerConfig";
import type { Plan } from "../../plan/plan";
import { CheckResult, Expectations, expectationsOf, verify } from "../../plan/verify";
import { TEST_ALERT_NAME } from "../../plan/verify/testAlert";
import { planOf } from "../helpers/plan";
import { requireTool } from "../helpers/tools";
import { localServer, thanosStores, writeChartRuleStandIns } from "./standIns";
import { Processes, freePort, ready, waitFor } from "./processes";

const NS = "monitoring";
const REPLICAS = [0, 1].map((i) => ({
  pod: `prometheus-kps-prometheus-${i}`,
  am: `alertmanager-kps-alertmanager-${i}`,
}));
const PAGERDUTY = "monitoring/platform/platform-pagerduty";

describe("end to end: verify against two Prometheus replicas, sidecars, Thanos Query and an Alertmanager pair", function () {
  this.timeout(120_000);
  const processes = new Processes();
  let dir: string;
  let plan: Plan;
  let exp: Expectations;
  let hook: Awaited<ReturnType<typeof localServer>>;
  let query: Awaited<ReturnType<typeof localServer>>;
  const ports = { prom: [0, 0], am: [0, 0], gossip: [0, 0], sidecar: [0, 0] };
  const children: { prom: ChildProcess[]; am: ChildProcess[]; sidecar: ChildProcess[] } = {
    prom: [],
    am: [],
    sidecar: [],
  };

  const endpoints = () => ({
    prometheus: `http://127.0.0.1:${ports.prom[0]}`,
    alertmanager: `http://127.0.0.1:${ports.am[0]}`,
    thanosQuery: `http://127.0.0.1:${query.port}`,
  });

  /** Runs verify until exactly `expected` checks fail (or time runs out, and says what it saw). */
  async function expectFailing(expected: string[]) {
    let last: CheckResult[] = [];
    let error = "";
    const want = JSON.stringify([...expected].sort());
    await waitFor(
      `exactly ${expected.join(", ") || "nothing"} to fail`,
      30_000,
      async () => {
        const result = await verify({ stack: "prod", plan, endpoints: endpoints() });
        if (result.error) error = result.error;
        if (result.exitCode === 3) return undefined;
        last = result.results;
        const failing = last.filter((r) => !r.ok).map((r) => r.check);
        return JSON.stringify(failing.sort()) === want ? true : undefined;
        // Each run asks ~60 questions: every 500 ms is often enough.
      },
      500,
    ).catch((err: Error) => {
      throw new Error(
        `${err.message}; last run failed ${JSON.stringify(last.filter((r) => !r.ok))}${error ? `; last API error ${error}` : ""}`,
      );
    });
    return (check: string) => last.find((r) => r.check === check)!.detail;
  }

  before(async function () {
    requireTool(this, "prometheus", "prometheus");
    requireTool(this, "prometheus-alertmanager", "prometheus-alertmanager");
    requireTool(this, "promtool", "prometheus");
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "kube-monitoring-verify-ha-"));
    const bucket = path.join(dir, "bucket");
    fs.mkdirSync(bucket);
    hook = await localServer();
    query = await localServer((req) =>
      req.url === "/api/v1/stores" ? thanosStores(ports.sidecar, bucket) : undefined,
    );
    for (const key of Object.keys(ports) as (keyof typeof ports)[])
      ports[key] = [await freePort(), await freePort()];
    const at = (port: number) => `127.0.0.1:${port}`;

    // While the plan is made: a block of history per replica, and the sidecars that will ship it
    // once their Prometheus answers.
    const now = Math.floor(Date.now() / 1000);
    const history = Promise.all(
      REPLICAS.map((_, i) => {
        const input = path.join(dir, `history-${i}.om`);
        const points = [3, 2, 1].map((h) => `e2e_history{replica="${i}"} ${h} ${now - h * 1800}`);
        fs.writeFileSync(input, ["# TYPE e2e_history gauge", ...points, "# EOF", ""].join("\n"));
        const args = [
          "tsdb",
          "create-blocks-from",
          "openmetrics",
          "--quiet",
          input,
          path.join(dir, `prom-${i}`),
        ];
        return promisify(execFile)("promtool", args);
      }),
    );
    for (const i of [0, 1])
      children.sidecar[i] = processes.start(process.execPath, [
        // The project's loader (its transpile cache) rather than Node's type stripping, which loads a
        // TypeScript parser into each stand-in.
        "--require",
        path.join(__dirname, "..", "..", "plan", "register.js"),
        path.join(__dirname, "sidecarStandIn.ts"),
        String(ports.sidecar[i]),
        `http://${at(ports.prom[i])}`,
        path.join(dir, `prom-${i}`),
        bucket,
      ]);
    plan = (await planOf("prod")).plan!;
    exp = expectationsOf(plan);
    await history;

    // Rules: the stack's PrometheusRules as the operator writes them, the chart's groups as stand-ins.
    const rules = writeChartRuleStandIns(exp, dir);
    for (const f of ruleFiles(plan.resources)) {
      const name = f.name.replace(/\.rules\.yaml$/, "-0a1b2c.yaml");
      const groups = (f.groups as Record<string, unknown>[]).map((g) => ({ ...g, interval: "1s" }));
      fs.writeFileSync(path.join(dir, name), stringify({ groups }));
      rules.push(name);
    }
    // Every pool the plan expects: Prometheus, Alertmanager and the sidecars pod by pod, as the
    // operator's relabelling labels them (job = the Service); the rest a tiny exporter.
    const targetsOf = (pool: string) => {
      const pods = (kind: "prom" | "am" | "sidecar", name: "pod" | "am") =>
        REPLICAS.map((r, i) => ({ targets: [at(ports[kind][i])], labels: { pod: r[name], namespace: NS } }));
      if (/\/kps-prometheus\//.test(pool)) return pods("prom", "pod");
      if (/\/kps-alertmanager\//.test(pool)) return pods("am", "am");
      if (/\/kps-thanos-discovery\//.test(pool)) return pods("sidecar", "pod");
      return [{ targets: [at(hook.port)], labels: { namespace: NS } }];
    };
    const scrapeConfigs = exp.scrapePools.map(({ pool }) => ({
      job_name: pool,
      static_configs: targetsOf(pool),
      relabel_configs: [{ target_label: "job", replacement: pool.split("/")[2] }],
    }));

    const kps = plan.resources.find(isKpsRelease)!;
    const promSpec = (kps.inputs.values as { prometheus: { prometheusSpec: Record<string, unknown> } })
      .prometheus.prometheusSpec;
    assert.equal(promSpec.replicaExternalLabelName, PROMETHEUS_REPLICA_LABEL);
    for (const [i, r] of REPLICAS.entries()) {
      fs.writeFileSync(
        path.join(dir, `prometheus-${i}.yaml`),
        stringify({
          global: {
            scrape_interval: "1s",
            evaluation_interval: "1s",
            // As the operator renders the plan's: its external labels, the Prometheus object, and
            // the replica label (replicaExternalLabelName) per pod.
            external_labels: {
              ...(promSpec.externalLabels as Record<string, string>),
              prometheus: `${NS}/kps-prometheus`,
              [String(promSpec.replicaExternalLabelName)]: r.pod,
            },
          },
          rule_files: rules.map((f) => path.join(dir, f)),
          alerting: { alertmanagers: [{ static_configs: [{ targets: ports.am.map(at) }] }] },
          remote_write: exp.remoteWrite.map((rw) => ({
            name: rw.name,
            url: `http://${at(hook.port)}/write`,
            queue_config: { batch_send_deadline: "1s" },
          })),
          scrape_configs: scrapeConfigs,
        }),
      );
    }

    // Alertmanager: the effective configuration with the team's receiver, every integration pointed
    // at the local server by receiver, and the tree's timers at 1s.
    const config = effectiveAlertmanagerConfig(plan.resources) as {
      route: Record<string, unknown>;
      receivers: Record<string, unknown>[];
    };
    const fast = (route: Record<string, unknown>): Record<string, unknown> => ({
      ...route,
      ...(route.group_wait !== undefined ? { group_wait: "1s" } : {}),
      ...(route.group_interval !== undefined ? { group_interval: "1s" } : {}),
      ...(route.routes ? { routes: (route.routes as Record<string, unknown>[]).map(fast) } : {}),
    });
    const local = (kind: string, name: string) =>
      `http://${at(hook.port)}/${kind}/${encodeURIComponent(name)}`;
    const receivers = [...config.receivers, { name: "payments-checkout/checkout/payments-slack" }].map(
      (r) => {
        const name = String(r.name);
        const out: Record<string, unknown> = { name };
        for (const [key, list] of Object.entries(r).filter(([k]) => k.endsWith("_configs"))) {
          const kind = key.slice(0, -"_configs".length);
          const field = { webhook: "url", slack: "api_url", pagerduty: "url" }[kind];
          assert.ok(field, `${name}: no local stand-in for ${key}`);
          out[key] = (list as Record<string, unknown>[]).map((c) => ({ ...c, [field]: local(kind, name) }));
        }
        return out;
      },
    );
    fs.writeFileSync(
      path.join(dir, "alertmanager.yaml"),
      stringify({
        ...config,
        route: { ...fast(config.route), group_wait: "1s", group_interval: "1s" },
        receivers,
      }),
    );

    for (const i of [0, 1]) {
      children.am[i] = processes.start("prometheus-alertmanager", [
        `--config.file=${path.join(dir, "alertmanager.yaml")}`,
        `--storage.path=${path.join(dir, `am-${i}`)}`,
        `--web.listen-address=${at(ports.am[i])}`,
        `--cluster.listen-address=${at(ports.gossip[i])}`,
        `--cluster.advertise-address=${at(ports.gossip[i])}`,
        `--cluster.peer=${at(ports.gossip[1 - i])}`,
        "--cluster.gossip-interval=50ms",
        "--cluster.pushpull-interval=1s",
        "--cluster.peer-timeout=500ms",
      ]);
      children.prom[i] = processes.start("prometheus", [
        `--config.file=${path.join(dir, `prometheus-${i}.yaml`)}`,
        `--storage.tsdb.path=${path.join(dir, `prom-${i}`)}`,
        `--web.listen-address=${at(ports.prom[i])}`,
        "--rules.alert.resend-delay=1s",
      ]);
    }
    for (const port of [...ports.prom, ...ports.am])
      await waitFor(`port ${port} to be ready`, 20_000, () => ready(`http://127.0.0.1:${port}/-/ready`));
  });

  after(async () => {
    await processes.stopAll();
    for (const s of [hook?.server, query?.server]) {
      s?.closeAllConnections();
      s?.close();
    }
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  it("passes with both replicas, both peers and both sidecars: every check of the prod plan", async () => {
    const detail = await expectFailing([]);
    assert.equal(detail("alertmanager cluster"), "2 of 2 peers");
    assert.equal(detail("thanos query stores"), "2 of 2 sidecars and 1 store gateways");
    assert.equal(
      detail("thanos uploads"),
      `2 sidecars, each uploaded within ${SIDECAR_UPLOAD_HOURS} hours or started since`,
    );
    assert.match(detail("remote write amp"), /^sending, \d+s behind, \d+ pending$/);
    assert.equal(detail("targets serviceMonitor/monitoring/kps-thanos-discovery/0"), "2 up");
    // Each sidecar shipped its replica's block, under the label set Query deduplicates on.
    const shipped = fs
      .readdirSync(path.join(dir, "bucket"))
      .map((b) => JSON.parse(fs.readFileSync(path.join(dir, "bucket", b, "meta.json"), "utf8")).thanos.labels)
      .map((l: Record<string, string>) => l[PROMETHEUS_REPLICA_LABEL]);
    assert.deepEqual(
      [...new Set(shipped)].sort(),
      REPLICAS.map((r) => r.pod),
    );
  });

  it("--send-test-alert: one notification to the named receiver through the pair, none elsewhere, resolved at once", async () => {
    const result = await verify({
      stack: "prod",
      plan,
      endpoints: endpoints(),
      sendTestAlert: PAGERDUTY,
      testAlertWaitMs: 20_000,
      // Sent once every check passes; a check that a starved CI machine fails for a second is retried.
      waitSeconds: 20,
      retryMs: 250,
    });
    const sent = result.results.find((r) => r.check === `test alert ${PAGERDUTY}`)!;
    assert.equal(result.exitCode, 0, result.error ?? JSON.stringify(result.results.filter((r) => !r.ok)));
    // Debian's Alertmanager 0.25 counts per integration only: the result says so.
    assert.match(sent.detail, /^delivered \(\d+ notifications, counted per integration \(pagerduty\): /);
    const mentions = () => hook.posts.filter((p) => p.body.includes(TEST_ALERT_NAME));
    const resolved = await waitFor("the resolved notification", 15_000, () =>
      mentions().find((p) => JSON.parse(p.body).event_action === "resolve"),
    );
    const triggers = mentions().filter((p) => JSON.parse(p.body).event_action === "trigger");
    assert.equal(triggers.length, 1);
    assert.deepEqual(
      [...new Set(mentions().map((p) => decodeURIComponent(p.path)))],
      [`/pagerduty/${PAGERDUTY}`],
    );
    assert.equal(resolved.path, triggers[0].path);
    for (const port of ports.am) {
      const res = await fetch(
        `http://127.0.0.1:${port}/api/v2/alerts?filter=${encodeURIComponent(`alertname="${TEST_ALERT_NAME}"`)}`,
      );
      assert.deepEqual(await res.json(), [], "no test alert left active in either peer");
    }
  });

  it("fails the store, upload, replica and peer checks as a replica, its sidecar and a peer stop, and nothing else", async () => {
    // Prometheus replica 1 stops; its sidecar lives on, but has nothing to serve.
    await processes.stop(children.prom[1]);
    const promPools = [
      "targets serviceMonitor/monitoring/kps-prometheus/0",
      "targets serviceMonitor/monitoring/kps-prometheus/1",
    ];
    let detail = await expectFailing([...promPools, "thanos query stores"]);
    assert.match(
      detail("thanos query stores"),
      new RegExp(`^127\\.0\\.0\\.1:${ports.sidecar[1]}: fetching info from .*: prometheus .* not reachable`),
    );
    assert.match(
      detail(promPools[0]),
      new RegExp(`^1 of 2 targets down: http://127\\.0\\.0\\.1:${ports.prom[1]}/metrics: `),
    );

    // Then its sidecar: its uploads are no longer reported, though the alert's expression alone would pass.
    await processes.stop(children.sidecar[1]);
    const sidecarDown = [...promPools, "thanos query stores", "thanos uploads"];
    detail = await expectFailing([
      ...sidecarDown,
      "targets serviceMonitor/monitoring/kps-thanos-discovery/0",
    ]);
    assert.match(
      detail("thanos query stores"),
      new RegExp(`^127\\.0\\.0\\.1:${ports.sidecar[1]}: fetching info from .*ECONNREFUSED`),
    );
    assert.equal(
      detail("thanos uploads"),
      '1 of 2 sidecars report uploads (job="kps-thanos-discovery"): a sidecar is down or not scraped',
    );

    // Then an Alertmanager peer.
    await processes.stop(children.am[1]);
    const amPools = [
      "targets serviceMonitor/monitoring/kps-alertmanager/0",
      "targets serviceMonitor/monitoring/kps-alertmanager/1",
    ];
    detail = await expectFailing([
      ...sidecarDown,
      "targets serviceMonitor/monitoring/kps-thanos-discovery/0",
      "alertmanager cluster",
      ...amPools,
    ]);
    assert.equal(detail("alertmanager cluster"), "1 of 2 peers");
    assert.match(
      detail(amPools[0]),
      new RegExp(`^1 of 2 targets down: http://127\\.0\\.0\\.1:${ports.am[1]}/metrics: `),
    );
  });
});

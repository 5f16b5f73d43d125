// Scrape limits from the capacity plan (issue 27, point 1): the chart's own monitors' limits derived from
// the cluster's size, enforcedSampleLimit above all of them, the policy that refuses a lower one, the
// 80% alerts, and the team monitors' limits.
import { strict as assert } from "node:assert";
import { coreScrapeLimits as coreLimitsPolicy, CORE_LIMIT_PATHS } from "../policies/scrapeLimits";
import { CORE_TARGETS, coreScrapeLimits, defaultNodes, seriesPerNode } from "../components/scrapeLimits";
import { bodySizeLimitFor, serviceMonitorSpec } from "../components/appResources";
import { HELM_RELEASE, Loose, planOf, resource } from "./helpers/plan";
import { configWith, problemsOf } from "./helpers/config";
import { assertNoViolations, assertViolations, resourceOf } from "./helpers/policies";

const get = (values: Loose, dotted: string): unknown =>
  dotted.split(".").reduce<unknown>((at, k) => (at as Loose | undefined)?.[k], values);

describe("core scrape limits: the model", () => {
  it("derives the prod fixture's size from 400k series and each target's limit from it", () => {
    assert.equal(seriesPerNode(30), 8420);
    assert.equal(defaultNodes(400_000, 30), 24); // 200k node series ÷ 8420 a node
    const cfg = configWith({ prometheus: { expectedActiveSeries: 400_000 } });
    assert.deepEqual(cfg.cluster.size, { nodes: 24, podsPerNode: 30, apiResources: 150 });
    const limits = coreScrapeLimits(cfg.cluster.size);
    assert.deepEqual(Object.fromEntries(CORE_TARGETS.map((t) => [t, [limits[t].need, limits[t].limit]])), {
      kubeStateMetrics: [2000 + 120 * 24 + 40 * 720, 68_000],
      kubelet: [2500, 5000],
      apiServer: [35_000, 70_000],
      nodeExporter: [2500, 5000],
      coreDns: [1500, 3000],
      operator: [2000, 4000],
      prometheus: [8000, 16_000],
      alertmanager: [2000, 4000],
    });
    for (const t of CORE_TARGETS) assert.ok(limits[t].limit >= 2 * limits[t].need, t);
    // The enforced ceiling defaults to the biggest core limit, the API server's.
    assert.equal(cfg.prometheus.enforcedSampleLimit, 70_000);
  });

  it("grows kube-state-metrics with pods and the API server with resource kinds", () => {
    const small = coreScrapeLimits({ nodes: 10, podsPerNode: 30, apiResources: 100 });
    const big = coreScrapeLimits({ nodes: 100, podsPerNode: 110, apiResources: 400 });
    assert.deepEqual([small.kubeStateMetrics.need, big.kubeStateMetrics.need], [15_200, 454_000]);
    assert.deepEqual([small.apiServer.limit, big.apiServer.limit], [50_000, 170_000]);
    assert.deepEqual([small.kubelet.need, big.kubelet.need], [2500, 6500]);
  });

  it("refuses an enforcedSampleLimit below the biggest core limit, naming the key and the need", () => {
    assert.deepEqual(
      problemsOf({ prometheus: { expectedActiveSeries: 400_000, enforcedSampleLimit: 50_000 } }),
      [
        "prod: prometheus.enforcedSampleLimit: 50000 is below the sample limit 70000 derived for apiServer (about 35000 series a scrape at 24 nodes, 30 pods a node, 150 API resources); set at least 70000, 0 to turn it off, or leave it out to derive it",
      ],
    );
    assert.equal(configWith({ prometheus: { enforcedSampleLimit: 0 } }).prometheus.enforcedSampleLimit, 0);
    const sized = configWith({ cluster: { size: { nodes: 200, podsPerNode: 50 } } });
    assert.equal(sized.prometheus.enforcedSampleLimit, 2 * (2000 + 120 * 200 + 40 * 200 * 50));
    assert.deepEqual(problemsOf({ cluster: { size: { nodes: 0 } } }), [
      "prod: cluster.size.nodes: 0 is no node; give at least 1",
    ]);
  });
});

describe("core scrape limits in the prod plan", () => {
  let values: Loose;
  before(async () => {
    const { plan } = await planOf("prod");
    values = resource(plan!, HELM_RELEASE, "kps-release").inputs.values as Loose;
  });

  it("sets each core monitor's derived limit, and the enforced ceiling above every one", () => {
    const limits = coreScrapeLimits({ nodes: 24, podsPerNode: 30, apiResources: 150 });
    for (const t of CORE_TARGETS) assert.equal(get(values, CORE_LIMIT_PATHS[t]), limits[t].limit, t);
    const enforced = values.prometheus.prometheusSpec.enforcedSampleLimit;
    assert.equal(enforced, 70_000);
    for (const t of CORE_TARGETS) assert.ok(enforced >= limits[t].limit, `${t} above the enforced limit`);
    assert.deepEqual(values.prometheus.prometheusSpec.enableFeatures, ["extra-scrape-metrics"]);
  });

  it("alerts at 80% of a limit: critical on platform namespaces, a warning elsewhere", async () => {
    const { plan } = await planOf("prod");
    const rules = resource(plan!, "kubernetes:monitoring.coreos.com/v1:PrometheusRule", "alerting-rules")
      .inputs.spec as Loose;
    const group = (rules.groups as Loose[]).find((g) => g.name === "kube-monitoring.scrape-limits")!;
    const byName = Object.fromEntries((group.rules as Loose[]).map((r) => [r.alert, r]));
    const platform = "default|kube-node-lease|kube-public|kube-system|monitoring";
    assert.equal(
      byName.CoreScrapeSampleLimitNear.expr,
      `(\n  scrape_samples_post_metric_relabeling{namespace=~"${platform}"}\n/\n  (scrape_sample_limit{namespace=~"${platform}"} > 0)\n) > 0.8`,
    );
    assert.equal(byName.CoreScrapeSampleLimitNear.labels.severity, "critical");
    assert.match(byName.ScrapeSampleLimitNear.expr, /namespace!~"default\|kube-node-lease/);
    assert.equal(byName.ScrapeSampleLimitNear.labels.severity, "warning");
    assert.match(byName.ScrapeTargetLimitNear.expr, /prometheus_target_scrape_pool_target_limit/);
  });
});

describe("policy core-scrape-limits", () => {
  const release = (values: Loose) =>
    resourceOf(HELM_RELEASE, "kps-release", { chart: "kube-prometheus-stack", values });
  const withLimits = (enforced: number) => {
    const values: Loose = { prometheus: { prometheusSpec: { enforcedSampleLimit: enforced } } };
    for (const path of Object.values(CORE_LIMIT_PATHS)) {
      const keys = path.split(".");
      let at = values;
      for (const k of keys.slice(0, -1)) at = at[k] ??= {};
      at[keys.at(-1)!] = path.startsWith("kubeApiServer") ? 70_000 : 5000;
    }
    return values;
  };

  it("passes the prod plan's release and an enforced limit of 0", async () => {
    const { plan } = await planOf("prod");
    const kps = resource(plan!, HELM_RELEASE, "kps-release");
    assertNoViolations(coreLimitsPolicy, [release(kps.inputs.values as Loose)]);
    assertNoViolations(coreLimitsPolicy, [release(withLimits(0))]);
  });

  it("refuses an enforced limit below a core target's limit, and a core monitor without one", () => {
    assertViolations(
      coreLimitsPolicy,
      [release(withLimits(50_000))],
      [
        "Helm release kps-release: enforcedSampleLimit 50000 is below apiServer's sampleLimit 70000 (values.kubeApiServer.serviceMonitor.sampleLimit); the lower applies, so its scrapes above 50000 series are dropped whole. Set prometheus.enforcedSampleLimit to at least 70000, or 0.",
      ],
    );
    const missing = withLimits(70_000);
    delete missing["kube-state-metrics"];
    assertViolations(
      coreLimitsPolicy,
      [release(missing)],
      [
        "Helm release kps-release: values.kube-state-metrics.prometheus.monitor.sampleLimit is not set; kubeStateMetrics would scrape without a limit of its own (components/scrapeLimits.ts derives it from cluster.size).",
      ],
    );
  });
});

describe("team monitor limits", () => {
  it("caps targets, labels and label lengths on every team monitor, and the body size with a budget", async () => {
    const { plan } = await planOf("everything");
    const monitor = resource(
      plan!,
      "kubernetes:monitoring.coreos.com/v1:ServiceMonitor",
      "app-api-servicemonitor",
    );
    const spec = monitor.inputs.spec as Loose;
    assert.deepEqual(
      [
        spec.targetLimit,
        spec.labelLimit,
        spec.labelNameLengthLimit,
        spec.labelValueLengthLimit,
        spec.sampleLimit,
      ],
      [200, 64, 128, 2048, undefined],
    );
    const budgeted = configWith({
      apps: [
        { name: "a", namespace: "a", serviceMonitor: { endpoints: [{ port: "m" }] }, seriesBudget: 20_000 },
      ],
    }).apps[0];
    const limits = serviceMonitorSpec(budgeted);
    assert.deepEqual([limits.sampleLimit, limits.bodySizeLimit], [20_000, "5MiB"]);
    assert.equal(bodySizeLimitFor(1), "1MiB");
  });
});

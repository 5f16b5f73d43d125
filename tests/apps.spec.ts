import { strict as assert } from "node:assert";
import * as pulumi from "@pulumi/pulumi";
import {
  AppConfig,
  BURN_RATE_WINDOWS,
  appDashboard,
  appRuleGroups,
  blackboxExporterValues,
  errorBudget,
  jobOf,
  podMonitorSpec,
  pushgatewayValues,
  receiverSecretData,
  routingSpec,
  serviceMonitorSpec,
  workloadSpecs,
} from "../components";
import type { IRule } from "../components/crdTypes";
import { EXPECTED_KINDS, validateCustomResources } from "../plan/crdValidation";
import { promqlSyntaxError } from "../policies/promql";
import { configWith, problemsOf } from "./helpers/config";
import { HELM_RELEASE, Loose, planOf, resource } from "./helpers/plan";
import { unknownKeyPaths } from "./helpers/chartKeys";
import * as fs from "node:fs";
import * as path from "node:path";

const runbooks = "https://runbooks.example.com/rb";
const base = {
  name: "shop",
  namespace: "shop",
  serviceMonitor: { endpoints: [{ port: "metrics" }] },
};
const appOf = (raw: Record<string, unknown>): AppConfig =>
  configWith({ alerting: { runbookBaseUrl: runbooks }, apps: [{ ...base, ...raw }] }).apps[0];
const rulesOf = (app: AppConfig): IRule[] => appRuleGroups(app, runbooks).flatMap((g) => g.rules ?? []);
const rule = (app: AppConfig, name: string) => {
  const found = rulesOf(app).find((r) => r.alert === name || r.record === name);
  assert.ok(found, `no rule ${name}`);
  return found;
};

describe("app rules", () => {
  const app = appOf({
    team: "payments",
    alerts: { errorRate: {}, latency: {}, targetDown: {}, memory: {}, cpu: {} },
    recordingRules: true,
    slo: { objective: 99.9 },
  });

  it("computes the error ratio with both sides aggregated alike and no division by zero", () => {
    assert.equal(
      rule(app, "HighErrorRate").expr,
      "(\n" +
        'sum by (namespace, job) (rate(http_requests_total{namespace="shop", job="shop", status=~"5.."}[5m]))\n' +
        "/\n" +
        '(sum by (namespace, job) (rate(http_requests_total{namespace="shop", job="shop"}[5m])) > 0)\n' +
        ") > 0.05",
    );
  });

  it("uses the job label a ServiceMonitor produces: the Service name", () => {
    assert.equal(rule(app, "TargetDown").expr, 'up{namespace="shop", job="shop"} == 0');
    assert.equal(jobOf(appOf({ serviceName: "shop-api" })), "shop-api");
    assert.equal(
      jobOf(appOf({ serviceMonitor: undefined, podMonitor: { endpoints: [{ port: "metrics" }] } })),
      "shop/shop",
    );
  });

  it("compares the memory working set with limits that exist", () => {
    const expr = String(rule(app, "HighMemoryUsage").expr);
    assert.match(
      expr,
      /container_memory_working_set_bytes\{namespace="shop", pod=~"shop-\.\*", container!="", container!="POD"\}/,
    );
    assert.ok(!expr.includes("container_memory_usage_bytes"));
    assert.match(expr, /kube_pod_container_resource_limits\{[^}]*resource="memory"\}\) > 0\)/);
    assert.match(expr, /> 0\.9$/);
  });

  it("labels and annotates every alert for routing and humans", () => {
    for (const r of rulesOf(app).filter((x) => x.alert)) {
      assert.ok(["critical", "warning", "info"].includes(r.labels!.severity), r.alert);
      assert.equal(r.labels!.team, "payments", r.alert);
      assert.ok(r.annotations!.summary && r.annotations!.description, r.alert);
      assert.equal(r.annotations!.runbook_url, `${runbooks}/${r.alert}`);
    }
    assert.deepEqual(
      rulesOf(app)
        .filter((x) => x.alert)
        .map((r) => [r.alert, r.for, r.labels!.severity]),
      [
        ["HighErrorRate", "5m", "critical"],
        ["HighLatency", "10m", "warning"],
        ["TargetDown", "5m", "critical"],
        ["HighMemoryUsage", "5m", "warning"],
        ["HighCPUUsage", "15m", "warning"],
        ["ErrorBudgetBurnFast", "2m", "critical"],
        ["ErrorBudgetBurnSlow", "15m", "warning"],
      ],
    );
  });

  it("names recording rules level:metric:operations", () => {
    const records = rulesOf(app).flatMap((r) => (r.record ? [r.record] : []));
    for (const r of records) assert.match(r, /^[a-zA-Z_][a-zA-Z0-9_]*:[a-zA-Z0-9_]+:[a-zA-Z0-9_]+$/, r);
    assert.deepEqual(records.slice(0, 3), [
      "namespace_job:http_requests_total:rate5m",
      "namespace_job:http_requests_total_errors:rate5m",
      "namespace_job:http_request_duration_seconds:p95_rate5m",
    ]);
  });

  it("alerts on SLO burn over the SRE workbook's windows and factors", () => {
    assert.equal(errorBudget(99.9), 0.001);
    assert.equal(errorBudget(99.95), 0.0005);
    assert.deepEqual(
      BURN_RATE_WINDOWS.map((w) => [w.kind, w.short, w.long, w.factor]),
      [
        ["page", "5m", "1h", 14.4],
        ["page", "30m", "6h", 6],
        ["ticket", "2h", "1d", 3],
        ["ticket", "6h", "3d", 1],
      ],
    );
    const sli = (w: string) => `slo:sli_error:ratio_rate${w}{slo="shop-availability"}`;
    assert.equal(
      rule(app, "ErrorBudgetBurnFast").expr,
      `(${sli("5m")} > (14.4 * 0.001) and ${sli("1h")} > (14.4 * 0.001))\nor\n` +
        `(${sli("30m")} > (6 * 0.001) and ${sli("6h")} > (6 * 0.001))`,
    );
    assert.equal(
      rule(app, "ErrorBudgetBurnSlow").expr,
      `(${sli("2h")} > (3 * 0.001) and ${sli("1d")} > (3 * 0.001))\nor\n` +
        `(${sli("6h")} > (1 * 0.001) and ${sli("3d")} > (1 * 0.001))`,
    );
    const windows = rulesOf(app).flatMap((r) => (r.record?.startsWith("slo:sli_error") ? [r.record] : []));
    assert.deepEqual(
      windows,
      ["5m", "30m", "1h", "2h", "6h", "1d", "3d"].map((w) => `slo:sli_error:ratio_rate${w}`),
    );
    assert.equal(
      rule(app, "slo:sli_error:ratio_rate1h").expr,
      '(sum by (namespace, job) (rate(http_requests_total{namespace="shop", job="shop", status=~"5.."}[1h])))\n/\n' +
        '(sum by (namespace, job) (rate(http_requests_total{namespace="shop", job="shop"}[1h])) > 0)',
    );
  });

  it("takes SLO queries with a {{window}} placeholder", () => {
    const custom = appOf({
      slo: {
        objective: 99.5,
        errorQuery: "sum(rate(errors[{{window}}]))",
        totalQuery: "sum(rate(reqs[{{window}}]))",
      },
    });
    assert.equal(
      rule(custom, "slo:sli_error:ratio_rate30m").expr,
      "(sum(rate(errors[30m])))\n/\n(sum(rate(reqs[30m])) > 0)",
    );
  });

  it("parses every generated expression as PromQL", () => {
    for (const r of rulesOf(app)) assert.equal(promqlSyntaxError(String(r.expr)), undefined, String(r.expr));
  });

  it("adds app labels to custom alerts, keeps their annotations as written and recording rules bare", () => {
    const custom = appOf({
      alerts: {
        custom: [
          {
            alert: "QueueBacklog",
            expr: "sum(queue_depth) > 100",
            for: "10m",
            labels: { severity: "warning" },
            annotations: { summary: "s", description: "d" },
          },
          { record: "job:queue_depth:sum", expr: "sum by (job) (queue_depth)" },
        ],
      },
    });
    assert.deepEqual(appRuleGroups(custom, runbooks).find((g) => g.name === "shop.custom")!.rules, [
      {
        alert: "QueueBacklog",
        expr: "sum(queue_depth) > 100",
        for: "10m",
        labels: { app: "shop", severity: "warning", namespace: "shop" },
        // No invented runbook_url: an unlinked alert must look unlinked to alert-runbook-url.
        annotations: { summary: "s", description: "d" },
      },
      { record: "job:queue_depth:sum", expr: "sum by (job) (queue_depth)" },
    ]);
  });

  it("takes rules as Prometheus does: zero for, keep_firing_for, any alert name, named groups with their own interval", () => {
    const app = appOf({
      ruleGroups: [
        {
          name: "availability-30d",
          interval: "3m",
          limit: 10,
          queryOffset: "1m",
          rules: [
            { alert: "Watchdog", expr: "vector(1)", for: "0s", labels: { severity: "none" } },
            { alert: "KubeAPI/Down-É", expr: "up == 0", for: "0", keep_firing_for: "10m" },
            { record: "apiserver_request:availability30d", expr: "vector(1)" },
          ],
        },
      ],
    });
    assert.deepEqual(
      appRuleGroups(app).find((g) => g.name === "shop.availability-30d"),
      {
        name: "shop.availability-30d",
        interval: "3m",
        limit: 10,
        query_offset: "1m",
        rules: [
          {
            alert: "Watchdog",
            expr: "vector(1)",
            for: "0s",
            labels: { app: "shop", severity: "none", namespace: "shop" },
            annotations: {},
          },
          {
            alert: "KubeAPI/Down-É",
            expr: "up == 0",
            for: "0",
            keep_firing_for: "10m",
            labels: { app: "shop", namespace: "shop" },
            annotations: {},
          },
          { record: "apiserver_request:availability30d", expr: "vector(1)" },
        ],
      },
    );
  });

  it("links generated alerts to runbooks only when a runbook base is set", () => {
    const app = appOf({ alerts: { targetDown: {} } });
    const rule = (base?: string) =>
      appRuleGroups(app, base)
        .flatMap((g) => g.rules ?? [])
        .find((r) => r.alert === "TargetDown")!;
    assert.equal(rule(runbooks).annotations!.runbook_url, `${runbooks}/TargetDown`);
    assert.equal(rule(undefined).annotations!.runbook_url, undefined);
  });
});

describe("app monitors", () => {
  it("selects the app's Service in its namespace and names ports", () => {
    const app = appOf({
      serviceMonitor: {
        endpoints: [
          { port: "metrics", interval: "30s" },
          { port: "jmx", interval: "60s", path: "/jmx" },
          { port: "probe", interval: "10s", scrapeTimeout: "5s" },
        ],
      },
    });
    assert.deepEqual(serviceMonitorSpec(app), {
      selector: { matchLabels: { app: "shop" } },
      namespaceSelector: { matchNames: ["shop"] },
      endpoints: [
        { port: "metrics", path: "/metrics", interval: "30s", scheme: "http" },
        { port: "jmx", path: "/jmx", interval: "60s", scheme: "http" },
        { port: "probe", path: "/metrics", interval: "10s", scrapeTimeout: "5s", scheme: "http" },
      ],
      targetLimit: 200,
      labelLimit: 64,
      labelNameLengthLimit: 128,
      labelValueLengthLimit: 2048,
    });
  });

  it("adds the guide's pod_ordinal relabeling for StatefulSets", () => {
    const app = appOf({
      serviceMonitor: undefined,
      podMonitor: { endpoints: [{ port: "metrics" }], statefulSetOrdinal: true },
      selector: { "app.kubernetes.io/name": "kafka" },
    });
    assert.deepEqual(podMonitorSpec(app).podMetricsEndpoints![0].relabelings, [
      {
        sourceLabels: ["__meta_kubernetes_pod_name"],
        regex: "(.*)-([0-9]+)",
        targetLabel: "pod_ordinal",
        replacement: "$2",
        action: "replace",
      },
    ]);
    assert.deepEqual(podMonitorSpec(app).selector, { matchLabels: { "app.kubernetes.io/name": "kafka" } });
  });

  it("builds a dashboard of rate, errors, latency and SLO burn", () => {
    const dash = appDashboard(appOf({ slo: { objective: 99.9 } })) as {
      panels: { title: string; targets: { expr: string }[] }[];
    };
    assert.deepEqual(
      dash.panels.map((p) => p.title),
      ["Request rate", "Error ratio", "Latency", "SLO burn rate (1h)"],
    );
    for (const p of dash.panels)
      for (const t of p.targets) assert.equal(promqlSyntaxError(t.expr), undefined, t.expr);
  });
});

describe("app routing", () => {
  const routing = {
    defaultReceiver: "slack",
    receivers: [
      { name: "pd", pagerduty: { routingKey: "pd-key-123" } },
      { name: "slack", slack: { apiUrl: { secretName: "existing", key: "url" }, channel: "#alerts" } },
      { name: "hook", webhook: { url: "http://relay.ops:8080/hook" } },
    ],
    routes: [
      { receiver: "pd", severity: "critical", continue: true },
      { receiver: "slack", team: "payments", muteTimeIntervals: ["nights"] },
    ],
    muteTimeIntervals: [
      { name: "nights", weekdays: ["monday:friday"], times: [{ start: "22:00", end: "24:00" }] },
    ],
  };
  const app = configWith({ apps: [{ name: "shop", namespace: "shop", routing }] }, ["apps"]).apps[0];

  const failing = (integration: string) => [
    { name: "alertname", value: "AlertmanagerNotificationsFailing", matchType: "=" },
    { name: "integration", value: integration, matchType: "=" },
  ];

  it("routes with matchers, continue and mute time intervals", () => {
    const spec = routingSpec("shop", app.routing!, { router: false, siblings: [] })!;
    assert.deepEqual(spec.route, {
      receiver: "slack",
      // Not the namespace's router: only the app's own alerts.
      matchers: [{ name: "app", value: "shop", matchType: "=" }],
      groupBy: ["alertname", "severity"],
      groupWait: "30s",
      groupInterval: "5m",
      repeatInterval: "12h",
      routes: [
        { receiver: "null", matchers: [{ name: "alertname", value: "InfoInhibitor", matchType: "=" }] },
        // A failing integration is reported through another one: PagerDuty → Slack, Slack → PagerDuty.
        { receiver: "slack", matchers: failing("pagerduty") },
        { receiver: "pd", matchers: failing("slack") },
        { receiver: "pd", matchers: failing("webhook") },
        {
          receiver: "pd",
          matchers: [{ name: "severity", value: "critical", matchType: "=" }],
          continue: true,
        },
        {
          receiver: "slack",
          matchers: [{ name: "team", value: "payments", matchType: "=" }],
          continue: false,
          muteTimeIntervals: ["nights"],
        },
      ],
    });
    assert.ok(
      !JSON.stringify(spec).includes('"match"'),
      "the old match: map is not valid in AlertmanagerConfig",
    );
    assert.deepEqual(spec.muteTimeIntervals, [
      {
        name: "nights",
        timeIntervals: [{ weekdays: ["monday:friday"], times: [{ startTime: "22:00", endTime: "24:00" }] }],
      },
    ]);
  });

  it("takes every alert of its namespace as the router, but its routed siblings' own", () => {
    assert.equal(routingSpec("shop", app.routing!).route!.matchers, undefined);
    assert.deepEqual(
      routingSpec("shop", app.routing!, { router: true, siblings: ["cart", "search"] }).route!.matchers,
      [{ name: "app", value: "cart|search", matchType: "!~" }],
    );
  });

  it("references credentials in Secrets, never inline; PagerDuty through an Events v2 routing key", () => {
    const spec = routingSpec("shop", app.routing!)!;
    assert.deepEqual(spec.receivers![0].pagerdutyConfigs![0].routingKey, {
      name: "shop-alertmanager-receivers",
      key: "pd-routing-key",
    });
    assert.equal(spec.receivers![0].pagerdutyConfigs![0].serviceKey, undefined);
    assert.deepEqual(spec.receivers![1].slackConfigs![0].apiURL, { name: "existing", key: "url" });
    assert.equal(spec.receivers![2].webhookConfigs![0].url, "http://relay.ops:8080/hook");
    assert.ok(!JSON.stringify(spec).includes("pd-key-123"));
  });

  it("puts Pulumi-secret credentials in the app's receiver Secret, as secrets", async () => {
    const data = receiverSecretData(app.routing!.receivers);
    assert.deepEqual(Object.keys(data), ["pd-routing-key"]);
    assert.equal(await pulumi.isSecret(data["pd-routing-key"]), true);
  });
});

describe("app config", () => {
  const app = (raw: Record<string, unknown>) => ({
    apps: [{ ...base, ...raw }],
    alerting: { runbookBaseUrl: runbooks },
  });

  it("refuses a numbered port: monitors name ports", () => {
    assert.deepEqual(problemsOf(app({ serviceMonitor: { endpoints: [{ port: 8080 }] } })), [
      "prod: apps[shop].serviceMonitor.endpoints[0].port: 8080 is not a port name; monitors refer to ports by name (like metrics), not number",
    ]);
    assert.deepEqual(problemsOf(app({ serviceMonitor: { endpoints: [{ port: "8080" }] } })), [
      'prod: apps[shop].serviceMonitor.endpoints[0].port: "8080" is not a port name; monitors refer to ports by name (like metrics), not number',
    ]);
  });

  it("refuses an unknown severity, a bad duration and a timeout longer than the interval", () => {
    assert.deepEqual(
      problemsOf(
        app({
          alerts: { errorRate: { severity: "page", for: "5 min" } },
          serviceMonitor: { endpoints: [{ port: "metrics", interval: "10s", scrapeTimeout: "30s" }] },
        }),
      ),
      [
        "prod: apps[shop].serviceMonitor.endpoints[0].scrapeTimeout: 30s is longer than interval 10s",
        'prod: apps[shop].alerts.errorRate.for: "5 min" is not a Prometheus duration (like 5m)',
        'prod: apps[shop].alerts.errorRate.severity: "page" is not a severity; expected critical, warning or info',
      ],
    );
  });

  it("refuses routes to receivers that do not exist and plain-text credentials", () => {
    const routing = {
      defaultReceiver: "nobody",
      receivers: [{ name: "pd", pagerduty: { routingKey: "abc" } }],
      routes: [{ receiver: "ghost" }],
    };
    assert.deepEqual(problemsOf({ apps: [{ name: "a", namespace: "a", routing }] }, ["apps"]), [
      'prod: apps[a].routing.defaultReceiver: "nobody" is not a receiver here; expected one of: pd',
      'prod: apps[a].routing.routes[0].receiver: "ghost" is not a receiver here; expected one of: pd',
    ]);
    const ok = { ...routing, defaultReceiver: "pd", routes: [] };
    assert.deepEqual(problemsOf({ apps: [{ name: "a", namespace: "a", routing: ok }] }), [
      "prod: apps[a].routing.receivers[0].pagerduty.routingKey: must not be plain text in the stack file; either make it a Pulumi secret: pulumi config set --secret --path 'apps[0].routing.receivers[0].pagerduty.routingKey' VALUE, or keep it in a Secret and reference it: { secretName: <Secret>, key: <key> } (the app's namespace for apps, else the monitoring namespace)",
    ]);
  });

  it("needs a monitor to alert on", () => {
    assert.deepEqual(problemsOf(app({ serviceMonitor: undefined, alerts: { errorRate: {} } })), [
      "prod: apps[shop]: alerts, recording rules and SLOs need a serviceMonitor or podMonitor to scrape from",
    ]);
  });

  it("gives each deployed app its own namespace", () => {
    const workload = { image: "ghcr.io/x/y:1.0.0" };
    assert.deepEqual(
      problemsOf({
        apps: [
          { ...base, workload },
          { ...base, name: "shop2", workload },
        ],
      }),
      [
        'prod: apps[shop2].namespace: "shop" already holds the workload of apps[0]; give each deployed app its own namespace',
      ],
    );
  });

  it("takes an SLO objective in percent only, naming both readings of a fraction", () => {
    assert.deepEqual(problemsOf(app({ slo: { objective: 0.999 } })), [
      'prod: apps[shop].slo.objective: 0.999 is a percentage here: it reads as 0.999% (an error budget of 99.001%), not 99.9%; write 99.9 or "99.9%"',
    ]);
    assert.deepEqual(problemsOf(app({ slo: { objective: "0.5%" } })), [
      'prod: apps[shop].slo.objective: 0.5% is a percentage here: it reads as 0.5% (an error budget of 99.5%), not 50%; write 50 or "50%"',
    ]);
    assert.deepEqual(problemsOf(app({ slo: { objective: 42 } })), [
      "prod: apps[shop].slo.objective: 42 is not an objective in percent between 50 and 100 (like 99.9; 100 leaves no error budget)",
    ]);
    assert.equal(configWith(app({ slo: { objective: "99.95%" } })).apps[0].slo!.objective, 99.95);
  });

  it("refuses a rule that labels itself into another owner's namespace, app or team", () => {
    const rule = (labels: Record<string, string>) => ({
      alerts: { custom: [{ alert: "X", expr: "vector(1) > 0", labels }] },
    });
    assert.deepEqual(problemsOf(app({ team: "shop-team", ...rule({ namespace: "kube-system" }) })), [
      'prod: apps[shop].alerts.custom[0].labels: sets namespace="kube-system", but this app\'s alerts carry namespace="shop": the stack sets it, so the alert reaches the app\'s owner and no other',
    ]);
    assert.deepEqual(
      problemsOf(app({ ruleGroups: [{ name: "g", rules: [rule({ app: "billing" }).alerts.custom[0]] }] })),
      [
        'prod: apps[shop].ruleGroups[0].rules[0].labels: sets app="billing", but this app\'s alerts carry app="shop": the stack sets it, so the alert reaches the app\'s owner and no other',
      ],
    );
    assert.deepEqual(problemsOf(app({ team: "shop-team", ...rule({ team: "payments" }) })), [
      'prod: apps[shop].alerts.custom[0].labels: sets team="payments", but this app\'s alerts carry team="shop-team": the stack sets it, so the alert reaches the app\'s owner and no other',
    ]);
  });

  it("refuses an unpinned image and a 100% objective", () => {
    assert.deepEqual(problemsOf(app({ workload: { image: "nginx" }, slo: { objective: 100 } })), [
      "prod: apps[shop].slo.objective: 100 is not an objective in percent between 50 and 100 (like 99.9; 100 leaves no error budget)",
      'prod: apps[shop].workload.image: "nginx" is not a pinned image: give a tag other than latest (registry:5000/team/api:1.2.3) or a digest (name@sha256:…)',
    ]);
  });
});

describe("exporters", () => {
  const fixtures = JSON.parse(
    fs.readFileSync(path.join(__dirname, "fixtures", "subchart-keys.json"), "utf8"),
  );
  const res = { requests: { cpu: "50m", memory: "64Mi" }, limits: { cpu: "200m", memory: "128Mi" } };

  it("keeps pushed job and instance labels and sets only chart keys", () => {
    const values = pushgatewayValues(res, true, "monitoring") as Loose;
    assert.deepEqual(values.serviceMonitor, { enabled: true, namespace: "monitoring", honorLabels: true });
    assert.deepEqual(values.resources, res);
    assert.deepEqual(unknownKeyPaths(values, fixtures["prometheus-pushgateway"]), []);
  });

  it("gives the blackbox exporter the http and tcp modules Probes use", () => {
    const values = blackboxExporterValues(res) as Loose;
    assert.deepEqual(Object.keys(values.config.modules), ["http_2xx", "tcp_connect"]);
    assert.deepEqual(unknownKeyPaths(values, fixtures["prometheus-blackbox-exporter"]), []);
  });
});

describe("apps in the dev plan", () => {
  it("deploys the guide's Rust app with its monitors, rules, routing, probe and dashboard", async () => {
    const { plan } = await planOf("dev");
    const deployment = resource(plan, "kubernetes:apps/v1:Deployment", "app-rust-app-deployment").inputs
      .spec as Loose;
    assert.equal(deployment.replicas, 3);
    const container = deployment.template.spec.containers[0];
    assert.deepEqual(container.ports, [{ name: "http", containerPort: 8080 }]);
    assert.equal(container.livenessProbe.httpGet.path, "/health");
    assert.deepEqual(container.resources, {
      requests: { cpu: "100m", memory: "128Mi" },
      limits: { cpu: "500m", memory: "256Mi" },
    });
    const service = resource(plan, "kubernetes:core/v1:Service", "app-rust-app-service").inputs.spec as Loose;
    assert.deepEqual(service.ports[1], { name: "metrics", port: 9090, targetPort: "http" });

    const crdsUrn = resource(plan, HELM_RELEASE, "crds-release").urn;
    for (const [type, name] of [
      ["kubernetes:monitoring.coreos.com/v1:ServiceMonitor", "app-rust-app-servicemonitor"],
      ["kubernetes:monitoring.coreos.com/v1:PrometheusRule", "app-rust-app-rules"],
      ["kubernetes:monitoring.coreos.com/v1alpha1:AlertmanagerConfig", "app-rust-app-alertmanagerconfig"],
      ["kubernetes:monitoring.coreos.com/v1:Probe", "app-rust-app-probe-health"],
    ]) {
      assert.ok(resource(plan, type, name).dependsOn.includes(crdsUrn), `${name} must wait for the CRDs`);
    }
    const probe = resource(plan, "kubernetes:monitoring.coreos.com/v1:Probe", "app-rust-app-probe-health")
      .inputs.spec as Loose;
    assert.deepEqual(probe.prober, { url: "prometheus-blackbox-exporter.monitoring.svc:9115" });
    const dashboard = resource(plan, "kubernetes:core/v1:ConfigMap", "app-rust-app-dashboard").inputs
      .metadata as Loose;
    assert.deepEqual([dashboard.namespace, dashboard.labels.grafana_dashboard], ["monitoring", "1"]);
    const pushgateway = resource(plan, HELM_RELEASE, "exporters-pushgateway").inputs.values as Loose;
    assert.equal(pushgateway.serviceMonitor.honorLabels, true);
  });

  it("validates every custom resource against the CRD schemas, and the check catches a bad one", async () => {
    const { plan } = await planOf("dev");
    assert.deepEqual(await validateCustomResources(plan!.resources), []);
    const monitor = resource(
      plan,
      "kubernetes:monitoring.coreos.com/v1:ServiceMonitor",
      "app-rust-app-servicemonitor",
    );
    const broken = structuredClone(monitor);
    (broken.inputs.spec as Loose).endpoints[0].interval = "30 s";
    const problems = await validateCustomResources([broken]);
    assert.equal(problems.length, 1);
    assert.match(problems[0].message, /endpoints\/0\/interval must match pattern/);
    // A kind without a schema fails the check, naming it; the check's thread answers the next plan still.
    const bogus = structuredClone(monitor);
    bogus.inputs.kind = "ServiceMonitorr";
    await assert.rejects(validateCustomResources([bogus]), (err: Error) => {
      assert.match(err.message, /^checking custom resources against their CRD schemas: .*ServiceMonitorr/);
      return true;
    });
    assert.deepEqual(await validateCustomResources([monitor]), []);
    // Sent to the thread a batch at a time: a problem in a later batch is found, under its own URN.
    const many = Array.from({ length: 450 }, (_, i) => ({ ...monitor, urn: `${monitor.urn}-${i}` }));
    many[420] = { ...broken, urn: "urn:broken-420" };
    assert.deepEqual(
      (await validateCustomResources(many)).map((p) => p.urn),
      ["urn:broken-420"],
    );
  });

  it("expects exactly the kinds the program makes (the fullest fixture's), so their schemas load before they are asked for", async () => {
    const { plan } = await planOf("everything");
    const kinds = new Set(
      plan!.resources
        .map((r) => `${String(r.inputs.apiVersion)} ${String(r.inputs.kind)}`)
        .filter((k) => k.startsWith("monitoring.coreos.com/")),
    );
    assert.deepEqual(
      [...kinds].sort(),
      EXPECTED_KINDS.map(([version, kind]) => `monitoring.coreos.com/${version} ${kind}`).sort(),
    );
  });

  it("parses every rule expression in the plan", async () => {
    const { plan } = await planOf("dev");
    const rules = plan!.resources
      .filter((r) => r.inputs.kind === "PrometheusRule")
      .flatMap((r) => ((r.inputs.spec as Loose).groups as Loose[]).flatMap((g) => g.rules as Loose[]));
    // recording 3, golden signals 5, SLO 9 + 2 alerts, probe failing and certificate expiry 2, and
    // the platform's 5 pipeline alerts.
    const perGroup = plan!.resources
      .filter((r) => r.inputs.kind === "PrometheusRule")
      .flatMap((r) => ((r.inputs.spec as Loose).groups as Loose[]).map((g) => `${g.name}:${g.rules.length}`))
      .sort();
    assert.deepEqual(perGroup, [
      "kube-monitoring.monitoring-pipeline:3",
      "kube-monitoring.scrape-limits:3",
      "rust-app.golden-signals:5",
      "rust-app.probes:2",
      "rust-app.recording:3",
      "rust-app.slo:11",
    ]);
    for (const r of rules) assert.equal(promqlSyntaxError(r.expr), undefined, r.expr);
  });
});

describe("app workload", () => {
  it("deploys probes, named ports, hardened containers and an Ingress when asked", () => {
    const app = appOf({
      workload: {
        image: "ghcr.io/x/shop:2.0.0",
        ingress: { host: "shop.example.com", className: "nginx", tlsSecretName: "shop-tls" },
      },
    });
    const specs = workloadSpecs(app, app.workload!);
    const container = (specs.deployment.template.spec.containers as Loose[])[0];
    assert.equal(container.image, "ghcr.io/x/shop:2.0.0");
    assert.deepEqual(container.readinessProbe.httpGet, { path: "/health", port: "http" });
    assert.deepEqual(container.securityContext, {
      allowPrivilegeEscalation: false,
      readOnlyRootFilesystem: true,
      capabilities: { drop: ["ALL"] },
    });
    assert.deepEqual(specs.service.ports, [
      { name: "http", port: 80, targetPort: "http" },
      { name: "metrics", port: 9090, targetPort: "http" },
    ]);
    assert.deepEqual(specs.ingress, {
      ingressClassName: "nginx",
      rules: [
        {
          host: "shop.example.com",
          http: {
            paths: [
              {
                path: "/",
                pathType: "Prefix",
                backend: { service: { name: "shop", port: { name: "http" } } },
              },
            ],
          },
        },
      ],
      tls: [{ hosts: ["shop.example.com"], secretName: "shop-tls" }],
    });
    assert.equal(
      workloadSpecs(
        appOf({ workload: { image: "ghcr.io/x/shop:2.0.0" } }),
        appOf({ workload: { image: "ghcr.io/x/shop:2.0.0" } }).workload!,
      ).ingress,
      undefined,
    );
  });
});

describe("app series budget", () => {
  const budgeted = () => appOf({ seriesBudget: 5000 });

  it("caps each target's samples and labels, and warns at 80% of the budget", () => {
    const app = budgeted();
    const spec = serviceMonitorSpec(app);
    assert.deepEqual(
      [spec.sampleLimit, spec.bodySizeLimit, spec.labelLimit, spec.labelValueLengthLimit],
      [5000, "2MiB", 64, 2048],
    );
    const [rule] = appRuleGroups(app).find((g) => g.name === "shop.cardinality")!.rules!;
    assert.equal(rule.alert, "SeriesBudgetNearlyExhausted");
    assert.equal(
      rule.expr,
      'max by (namespace, job, instance) (scrape_samples_post_metric_relabeling{namespace="shop", job="shop"}) > 4000',
    );
    assert.equal(serviceMonitorSpec(appOf({})).sampleLimit, undefined);
    assert.equal(serviceMonitorSpec(appOf({})).bodySizeLimit, undefined);
  });

  it("refuses budgets that do not fit the expected active series", () => {
    assert.deepEqual(
      problemsOf({
        prometheus: { expectedActiveSeries: 8000 },
        apps: [
          { ...base, seriesBudget: 5000 },
          { ...base, name: "b", namespace: "b", seriesBudget: 5000 },
        ],
      }),
      [
        "prod: prometheus.expectedActiveSeries: 8000 is less than the apps' series budgets together (10000); raise it so storage and memory are sized for them",
      ],
    );
  });
});

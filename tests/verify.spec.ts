import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { controlPlaneValues } from "../components/kubePrometheusStack/controlPlane";
import { expectationsOf, formatText, main, testAlertLabels } from "../plan/verify";
import { CHART_RULE_GROUPS, chartFullname, chartRuleGroups } from "../plan/verify/chartRules";
import { TEST_ALERT_NAME, integrationsOf, sendTestAlert } from "../plan/verify/testAlert";
import { selectorsOf } from "../policies/promqlSyntax";
import { planOf, planTeamOf } from "./helpers/plan";

const chartKeys = JSON.parse(
  fs.readFileSync(path.join(__dirname, "fixtures", "kube-prometheus-stack-88.5.3.keys.json"), "utf8"),
) as Record<string, Record<string, unknown>>;

/** The payments team fixture, planned against the prod platform fixture's plan. */
async function planTeam() {
  return planTeamOf("payments", (await planOf("prod")).plan!, "prod");
}

/** A fixture's plan written to a file, as `npm run plan` leaves it. */
async function planFile(stack: string): Promise<string> {
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "verify-plan-")), "plan.json");
  fs.writeFileSync(file, JSON.stringify((await planOf(stack)).plan));
  return file;
}

/** Runs the verify command, capturing what it prints. */
async function verifyCli(args: string[]) {
  const printed: string[] = [];
  const saved = { log: console.log, error: console.error };
  console.log = (...a: unknown[]) => printed.push(a.join(" "));
  console.error = (...a: unknown[]) => printed.push(a.join(" "));
  try {
    return { code: await main(args), printed: printed.join("\n") };
  } finally {
    Object.assign(console, saved);
  }
}

describe("verify: what a deployed plan must show", () => {
  it("expects the dev plan's scrape pools, rule groups and receivers under the operator's names", async () => {
    const exp = expectationsOf((await planOf("dev")).plan!);
    // The stack's own pools; the chart's are pinned on prod below.
    const own = exp.scrapePools.filter((p) => !p.from.startsWith("chart"));
    assert.deepEqual(own.map((p) => p.pool).sort(), [
      "probe/rust-app/rust-app-health",
      "serviceMonitor/rust-app/rust-app/0",
    ]);
    const ownGroups = exp.ruleGroups.filter((g) => !g.from.startsWith("chart"));
    assert.deepEqual(ownGroups.map((g) => `${g.filePrefix}${g.group}`).sort(), [
      "monitoring-kube-monitoring-platform-kube-monitoring.monitoring-pipeline",
      "monitoring-kube-monitoring-platform-kube-monitoring.scrape-limits",
      "rust-app-rust-app-rust-app.golden-signals",
      "rust-app-rust-app-rust-app.probes",
      "rust-app-rust-app-rust-app.recording",
      "rust-app-rust-app-rust-app.slo",
    ]);
    assert.ok(exp.receivers.includes("monitoring/platform/watchdog-heartbeat"));
    assert.ok(exp.receivers.includes("rust-app/rust-app/audit-webhook"));
    assert.equal(exp.thanos, undefined);
  });

  it("expects Thanos and two Alertmanager peers in prod", async () => {
    const exp = expectationsOf((await planOf("prod")).plan!);
    assert.deepEqual(exp.thanos, { sidecarJob: "kps-thanos-discovery", compactorJob: "thanos-compactor" });
    assert.equal(exp.alertmanagerReplicas, 2);
    assert.deepEqual(exp.scrapePools.map((p) => p.pool).sort(), [
      "serviceMonitor/monitoring/eks-control-plane/0",
      "serviceMonitor/monitoring/eks-control-plane/1",
      "serviceMonitor/monitoring/kps-alertmanager/0",
      "serviceMonitor/monitoring/kps-alertmanager/1",
      "serviceMonitor/monitoring/kps-apiserver/0",
      "serviceMonitor/monitoring/kps-coredns/0",
      "serviceMonitor/monitoring/kps-grafana/0",
      "serviceMonitor/monitoring/kps-kube-state-metrics/0",
      "serviceMonitor/monitoring/kps-kubelet/0",
      "serviceMonitor/monitoring/kps-kubelet/1",
      "serviceMonitor/monitoring/kps-kubelet/2",
      "serviceMonitor/monitoring/kps-operator/0",
      "serviceMonitor/monitoring/kps-prometheus-node-exporter/0",
      "serviceMonitor/monitoring/kps-prometheus/0",
      "serviceMonitor/monitoring/kps-prometheus/1",
      "serviceMonitor/monitoring/kps-thanos-discovery/0",
      "serviceMonitor/monitoring/thanos/0",
    ]);
    assert.deepEqual(exp.remoteWrite, [
      {
        name: "amp",
        url: "https://aps-workspaces.eu-west-1.amazonaws.com/workspaces/ws-EXAMPLE/api/v1/remote_write",
        maxLagSeconds: 120,
      },
    ]);
    assert.deepEqual(exp.headSeries, { expected: 400000, warnRatio: 1.2 });
    assert.deepEqual(exp.routedNamespaces, [{ namespace: "payments-*", owner: "team payments" }]);
    assert.equal(exp.networkPolicies?.count, 6);
  });

  it("leaves out the chart's monitors its values turn off (generic keeps the control plane)", async () => {
    const exp = expectationsOf((await planOf("generic")).plan!);
    const chart = exp.scrapePools.filter((p) => p.from.startsWith("chart")).map((p) => p.pool);
    for (const on of ["kps-kube-scheduler/0", "kps-kube-controller-manager/0", "kps-kube-proxy/0"])
      assert.ok(chart.includes(`serviceMonitor/monitoring/${on}`), on);
    const prod = expectationsOf((await planOf("prod")).plan!).scrapePools.map((p) => p.pool);
    assert.ok(!prod.some((p) => /kube-scheduler|kube-proxy|kube-etcd/.test(p)));
  });

  it("prints its expectations as JSON without calling any API: the chart's pools and remote write", async () => {
    const { code, printed } = await verifyCli([
      "prod",
      "--expectations",
      "--format",
      "json",
      "--plan",
      await planFile("prod"),
    ]);
    assert.equal(code, 0);
    const out = JSON.parse(printed);
    assert.equal(out.stack, "prod");
    assert.ok(
      out.expectations.scrapePools.some(
        (p: { pool: string }) => p.pool === "serviceMonitor/monitoring/kps-kubelet/1",
      ),
    );
    assert.deepEqual(
      out.expectations.remoteWrite.map((r: { name: string }) => r.name),
      ["amp"],
    );
  });

  it("expects every chart rule group prod's values leave on, under the operator's file names", async () => {
    const exp = expectationsOf((await planOf("prod")).plan!);
    const chart = exp.ruleGroups.filter((g) => g.from === "chart kube-prometheus-stack");
    // EKS: no etcd, scheduler, controller manager or kube-proxy groups; Windows off.
    assert.deepEqual(
      chart.map((g) => g.group),
      [
        "alertmanager.rules",
        "config-reloaders",
        "general.rules",
        "k8s.rules.container_cpu_usage_seconds_total",
        "k8s.rules.container_memory_cache",
        "k8s.rules.container_memory_rss",
        "k8s.rules.container_memory_swap",
        "k8s.rules.container_memory_working_set_bytes",
        "k8s.rules.container_resource",
        "k8s.rules.pod_owner",
        "kube-apiserver-availability.rules",
        "kube-apiserver-burnrate.rules",
        "kube-apiserver-histogram.rules",
        "kube-apiserver-slos",
        "kube-prometheus-general.rules",
        "kube-prometheus-node-recording.rules",
        "kube-state-metrics",
        "kubelet.rules",
        "kubernetes-apps",
        "kubernetes-resources",
        "kubernetes-storage",
        "kubernetes-system",
        "kubernetes-system-apiserver",
        "kubernetes-system-kubelet",
        "node-exporter.rules",
        "node-exporter",
        "node.rules",
        "node-network",
        "prometheus-operator",
        "prometheus",
      ],
    );
    // The operator's rule file is <namespace>-<PrometheusRule name>-<uid>.yaml; the chart names the rule <fullname>-<group>.
    assert.equal(
      chart.find((g) => g.group === "kubernetes-system-kubelet")!.filePrefix,
      "monitoring-kps-kubernetes-system-kubelet-",
    );
    assert.equal(exp.ruleGroups.length, chart.length + 3);
  });

  it("keeps the chart rule table to the pinned chart's toggles and switches", () => {
    const toggles = Object.keys(chartKeys.defaultRules.rules as object).sort();
    assert.deepEqual([...new Set(CHART_RULE_GROUPS.map((g) => g.toggle))].sort(), toggles);
    for (const g of CHART_RULE_GROUPS.filter((x) => x.needs))
      assert.equal((chartKeys[g.needs!.key] as Record<string, unknown>).enabled, "boolean", g.group);
    assert.equal(new Set(CHART_RULE_GROUPS.map((g) => g.group)).size, CHART_RULE_GROUPS.length);
  });

  it("drops a chart rule group when the values turn its toggle or its component off", () => {
    const groups = (values: Record<string, unknown>) =>
      chartRuleGroups({ fullnameOverride: "kps", ...values }, "kps", "monitoring").map((g) => g.group);
    const all = groups({});
    assert.equal(all.length, CHART_RULE_GROUPS.length - 2, "Windows is off by default");
    const without = (values: Record<string, unknown>) => all.filter((g) => !groups(values).includes(g));
    assert.deepEqual(without({ defaultRules: { rules: { kubernetesStorage: false } } }), [
      "kubernetes-storage",
    ]);
    assert.deepEqual(without({ defaultRules: { rules: { kubernetesSystem: false } } }), [
      "kubernetes-system",
      "kubernetes-system-apiserver",
      "kubernetes-system-kubelet",
    ]);
    assert.deepEqual(without({ kubeApiServer: { enabled: false } }), [
      "kube-apiserver-availability.rules",
      "kube-apiserver-burnrate.rules",
      "kube-apiserver-histogram.rules",
      "kube-apiserver-slos",
    ]);
    assert.deepEqual(groups({ defaultRules: { create: false } }), []);
    assert.deepEqual(
      groups({ windowsMonitoring: { enabled: true } }).filter((g) => !all.includes(g)),
      ["windows.node.rules", "windows.pod.rules"],
    );
    // The stack's own switch: a managed control plane turns off what it cannot scrape.
    assert.deepEqual(without(controlPlaneValues({ provider: "eks", kubeProxyMetrics: false })), [
      "etcd",
      "kube-scheduler.rules",
      "kubernetes-system-kube-proxy",
      "kubernetes-system-controller-manager",
      "kubernetes-system-scheduler",
    ]);
    assert.deepEqual(without(controlPlaneValues({ provider: "generic", kubeProxyMetrics: true })), []);
  });

  it("names the chart's objects as its fullname helper does", () => {
    assert.equal(chartFullname({ fullnameOverride: "kps" }, "anything"), "kps");
    assert.equal(chartFullname({}, "monitoring"), "monitoring-kube-prometheus");
    assert.equal(chartFullname({}, "kube-prometheus-stack-prod"), "kube-prometheus-stack-prod");
    assert.equal(
      chartFullname({ fullnameOverride: "a-very-long-override-name-for-it" }, "x"),
      "a-very-long-override-name",
    );
  });

  it("builds a test alert's labels from a route that leads to the named receiver alone", () => {
    const config = {
      route: {
        receiver: "monitoring/platform/platform-slack",
        routes: [
          { receiver: "monitoring/platform/watchdog-heartbeat", matchers: ['alertname="Watchdog"'] },
          {
            receiver: "monitoring/platform/platform-slack",
            matchers: ['alertname="AlertmanagerNotificationsFailing"'],
            routes: [
              {
                receiver: "monitoring/platform/platform-pagerduty",
                matchers: ['alertname="AlertmanagerNotificationsFailing"', 'integration="slack"'],
              },
            ],
          },
          { receiver: "monitoring/platform/null", matchers: ['namespace=~"payments-.+"'] },
          { receiver: "monitoring/platform/platform-pagerduty", matchers: ['severity="critical"'] },
          { receiver: "monitoring/platform/platform-slack", matchers: ['severity=~"warning|info"'] },
        ],
      },
      receivers: [
        { name: "monitoring/platform/platform-slack", slack_configs: [{ channel: "#x" }] },
        { name: "monitoring/platform/platform-pagerduty", pagerduty_configs: [{ routing_key: "k" }] },
        { name: "monitoring/platform/audit", webhook_configs: [{ url: "http://audit" }] },
        { name: "monitoring/platform/null" },
      ],
    };
    // The first route to PagerDuty matches on another alertname: the test alert would miss it.
    assert.deepEqual(testAlertLabels(config, "monitoring/platform/platform-pagerduty"), {
      severity: "critical",
    });
    // A `continue` route before it takes critical alerts too: neither reaches its receiver alone.
    const audit = {
      receiver: "monitoring/platform/audit",
      matchers: ['severity="critical"'],
      continue: true,
    };
    const withAudit = { ...config, route: { ...config.route, routes: [audit, ...config.route.routes] } };
    assert.equal(testAlertLabels(withAudit, "monitoring/platform/platform-pagerduty"), undefined);
    assert.equal(testAlertLabels(withAudit, "monitoring/platform/audit"), undefined);
    assert.equal(testAlertLabels(config, "monitoring/platform/platform-slack"), undefined);
    assert.equal(testAlertLabels(config, "monitoring/platform/null"), undefined);
    assert.deepEqual(integrationsOf(config, "monitoring/platform/platform-pagerduty"), ["pagerduty"]);
    assert.deepEqual(integrationsOf(config, "monitoring/platform/null"), []);
    assert.equal(integrationsOf(config, "nobody"), undefined);
  });

  it("sends the test alert, confirms it by the receiver's counter or else the integration's, and resolves it", async () => {
    const config = {
      route: { receiver: "r/slack", routes: [{ receiver: "r/pager.v2", matchers: ['severity="critical"'] }] },
      receivers: [
        { name: "r/slack", slack_configs: [{ channel: "#x" }] },
        { name: "r/pager.v2", pagerduty_configs: [{ routing_key: "k" }] },
      ],
    };
    const run = async (perReceiver: boolean) => {
      const posts: { labels: Record<string, string>; startsAt: string; endsAt: string }[] = [];
      const queries: string[] = [];
      let sent = 0;
      const client = {
        async get(url: string) {
          const q = decodeURIComponent(new URL(url).searchParams.get("query") ?? "");
          queries.push(q);
          const known = perReceiver || !q.includes("receiver_name");
          // Two notifications before, one more once the alert is posted.
          const value = String(2 + sent);
          return { status: "success", data: { result: known ? [{ metric: {}, value: [0, value] }] : [] } };
        },
        async post(_url: string, body: unknown) {
          posts.push(...(body as typeof posts));
          sent = 1;
        },
      };
      const endpoints = { alertmanager: "http://am", prometheus: "http://prom" };
      const result = await sendTestAlert(client, endpoints, config, "r/pager.v2", { pollMs: 1 });
      return { result, posts, queries };
    };
    const byReceiver = await run(true);
    assert.deepEqual(byReceiver.result, {
      check: "test alert r/pager.v2",
      ok: true,
      detail: "delivered (1 notifications, counted for this receiver) and resolved",
    });
    assert.equal(byReceiver.posts.length, 2);
    const [fire, resolve] = byReceiver.posts;
    assert.deepEqual(fire.labels, { severity: "critical", alertname: TEST_ALERT_NAME, test: "true" });
    assert.equal(resolve.startsAt, fire.startsAt);
    assert.ok(Date.parse(resolve.endsAt) >= Date.parse(resolve.startsAt));
    assert.ok(Date.parse(fire.endsAt) > Date.now());
    // The counter's matcher, read back as Prometheus reads it, matches the receiver's full name only.
    const matcher = selectorsOf(byReceiver.queries[0]).flatMap((x) => x.matchers)[1];
    assert.equal(matcher.label, "receiver_name");
    const re = new RegExp(`^(?:${matcher.value})$`);
    assert.deepEqual(
      ["monitoring/r/pager.v2", "r/pager.v2", "r/pagerXv2"].map((n) => re.test(n)),
      [true, true, false],
    );

    const byIntegration = await run(false);
    assert.equal(byIntegration.result.ok, true);
    assert.match(
      byIntegration.result.detail,
      /^delivered \(1 notifications, counted per integration \(pagerduty\): this Alertmanager has no receiver_name/,
    );
    assert.match(byIntegration.queries.at(-1)!, /integration=~"pagerduty"/);
  });

  it("builds a test alert for an app's pager past the failing-notification route to the same receiver", () => {
    // An app's tree as the operator writes it: the routes for a failing integration come first.
    const route = {
      receiver: "monitoring/platform/null",
      routes: [
        {
          receiver: "shop/checkout/web-slack",
          matchers: ['namespace="shop"'],
          routes: [
            {
              receiver: "shop/checkout/web-pager",
              matchers: ['alertname="AlertmanagerNotificationsFailing"', 'integration="slack"'],
            },
            { receiver: "shop/checkout/web-pager", matchers: ['severity="critical"'] },
          ],
        },
      ],
    };
    assert.deepEqual(testAlertLabels({ route }, "shop/checkout/web-pager"), {
      namespace: "shop",
      severity: "critical",
    });
    assert.deepEqual(testAlertLabels({ route }, "shop/checkout/web-slack"), { namespace: "shop" });
  });

  it("expects only a team stack's own pools, groups and receivers", async () => {
    const { plan } = await planTeam();
    const exp = expectationsOf(plan!);
    assert.deepEqual(exp.scrapePools.map((p) => p.pool).sort(), [
      "serviceMonitor/payments-checkout/checkout/0",
      "serviceMonitor/payments-ledger/ledger/0",
    ]);
    assert.deepEqual(exp.receivers, [
      "payments-checkout/checkout/payments-pager",
      "payments-checkout/checkout/payments-slack",
      "payments-checkout/checkout/null",
      "payments-ledger/ledger/payments-slack",
      "payments-ledger/ledger/null",
    ]);
  });

  it("refuses API URLs that carry credentials, without printing them", async () => {
    for (const url of ["http://u:S3NT1NEL@127.0.0.1:9090", "http://127.0.0.1:9090/?token=S3NT1NEL"]) {
      const { code, printed } = await verifyCli([
        "dev",
        "--prometheus-url",
        url,
        "--alertmanager-url",
        "http://127.0.0.1:1",
      ]);
      assert.equal(code, 1);
      assert.equal(
        printed,
        "--prometheus-url: must not carry credentials; set KUBE_MONITORING_VERIFY_TOKEN, or _USER and _PASSWORD, instead",
      );
    }
  });

  it("writes failures first, then the count", () => {
    assert.equal(
      formatText([
        { check: "watchdog", ok: true, detail: "firing" },
        { check: "targets a", ok: false, detail: "1 of 1 targets down" },
      ]),
      "FAIL  targets a  1 of 1 targets down\nok    watchdog   firing\n\n1 of 2 checks failed",
    );
  });
});

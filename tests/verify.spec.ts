import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { expectationsOf, formatText, main, testAlertLabels } from "../plan/verify";
import { planOf, planTeamOf } from "./helpers/plan";

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
    assert.deepEqual(exp.ruleGroups.map((g) => `${g.filePrefix}${g.group}`).sort(), [
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

  it("builds a test alert's labels from the route to the named receiver only", () => {
    const route = {
      receiver: "monitoring/platform/null",
      routes: [
        { receiver: "monitoring/platform/watchdog-heartbeat", matchers: ['alertname="Watchdog"'] },
        {
          matchers: ['namespace="monitoring"'],
          routes: [{ receiver: "monitoring/platform/platform-pagerduty", matchers: ['severity="critical"'] }],
        },
        { receiver: "monitoring/platform/platform-slack", matchers: ['severity=~"warning|info"'] },
      ],
    };
    assert.deepEqual(testAlertLabels(route, "monitoring/platform/platform-pagerduty"), {
      namespace: "monitoring",
      severity: "critical",
    });
    assert.equal(testAlertLabels(route, "monitoring/platform/platform-slack"), undefined);
    assert.equal(testAlertLabels(route, "monitoring/platform/null"), undefined);
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
    assert.deepEqual(testAlertLabels(route, "shop/checkout/web-pager"), {
      namespace: "shop",
      severity: "critical",
    });
    assert.deepEqual(testAlertLabels(route, "shop/checkout/web-slack"), { namespace: "shop" });
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
      "payments-ledger/ledger/payments-slack",
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

import { strict as assert } from "node:assert";
import { allPolicies } from "../../policies/all";
import { loadPolicyConfig, runPolicies } from "../../policies/harness";
import type { Policy } from "../../policies/util";
import { devPolicyConfig, planWithConfig } from "../helpers/plan";
import { resourceOf } from "../helpers/policies";

const base = {
  "kube-monitoring:environment": "dev",
  "kube-monitoring:clusterName": "dev-1",
  // Volumes on a class the cluster has and no Grafana for people, so only the policy under test is violated.
  "kube-monitoring:cluster": { storageClass: { name: "standard" } },
  "kube-monitoring:grafana": { enabled: false },
  // Platform alerts reach someone, so only the policy under test is violated.
  "kube-monitoring:alerting": {
    receivers: [{ name: "ops", webhook: { url: "https://hooks.example.com/ops" } }],
    defaultReceiver: "ops",
    heartbeat: { url: { secretName: "platform", key: "heartbeat-url" } },
  },
};

describe("policy pack", () => {
  it("has the policies the issue names, each kebab-case with a description, level and config schema", () => {
    assert.deepEqual(
      allPolicies.map((p) => p.name),
      [
        "workload-resource-limits",
        "monitoring-resource-limits",
        "prometheus-retention",
        "prometheus-high-availability",
        "core-scrape-limits",
        "thanos-bucket-security",
        "no-plaintext-secrets",
        "alert-rule-quality",
        "alert-runbook-url",
        "rule-conventions",
        "monitor-targets-resolve",
        "monitor-targets-verifiable",
        "helm-chart-pinned",
        "alert-delivery",
        "alert-ownership",
        "regex-syntax",
        "notification-links",
        "volumes-name-storage-class",
        "prometheus-memory-guaranteed",
        "iam-least-privilege",
        "grafana-access",
        "web-ui-access",
        "team-stack-scope",
      ],
    );
    for (const p of allPolicies) {
      assert.match(p.name, /^[a-z]+(-[a-z]+)*$/);
      assert.ok(p.description.length > 20, p.name);
      assert.ok(["advisory", "mandatory"].includes(p.enforcementLevel), p.name);
      assert.equal(typeof p.configSchema.properties, "object", p.name);
    }
  });

  it("reads the per-stack config files and lets them change levels and thresholds", () => {
    const dev = loadPolicyConfig("dev", undefined, allPolicies, "dev");
    assert.deepEqual(dev.settings["prometheus-high-availability"], { enforcementLevel: "advisory" });
    assert.deepEqual(
      dev.loosened.map((l) => `${l.policy}${l.setting ? `.${l.setting}` : ""} ${l.from}→${l.to}`),
      [
        "prometheus-high-availability mandatory→advisory",
        "alert-delivery mandatory→advisory",
        "thanos-bucket-security.requireProtect true→false",
        "monitor-targets-resolve.minInterval 15s→10s",
        "workload-resource-limits.requireCpuLimit true→false",
        "monitoring-resource-limits.requireCpuLimit true→false",
        "volumes-name-storage-class mandatory→advisory",
        "prometheus-memory-guaranteed mandatory→advisory",
        "grafana-access mandatory→advisory",
      ],
    );
    const release = resourceOf("kubernetes:helm.sh/v3:Release", "r", {
      chart: "prometheus-pushgateway",
      version: "latest",
    });
    const pinned = allPolicies.find((p) => p.name === "helm-chart-pinned") as Policy;
    assert.equal(runPolicies([release], [pinned], {})[0].enforcementLevel, "mandatory");
    assert.equal(
      runPolicies([release], [pinned], { "helm-chart-pinned": "advisory" })[0].enforcementLevel,
      "advisory",
    );
    assert.deepEqual(
      runPolicies([release], [pinned], { "helm-chart-pinned": { enforcementLevel: "disabled" } }),
      [],
    );
  });

  describe("in the offline plan", () => {
    it("exits 2 naming the policy when retention is unbounded", async () => {
      const result = await planWithConfig("broken", {
        ...base,
        "kube-monitoring:prometheus": { replicas: 2, retention: "400d" },
      });
      assert.equal(result.exitCode, 2);
      const mandatory = result.plan!.violations.filter((v) => v.enforcementLevel === "mandatory");
      assert.deepEqual(
        mandatory.map((v) => v.policy),
        ["prometheus-retention"],
      );
      assert.match(
        result.report,
        /^mandatory: prometheus-retention \(1\)\n  Release kps-release: .*retention 400d is longer than the allowed 30d/m,
      );
    });

    it("exits 2 when Prometheus runs one replica where HA is mandatory", async () => {
      const result = await planWithConfig("broken", {
        ...base,
        "kube-monitoring:prometheus": { replicas: 1 },
      });
      assert.equal(result.exitCode, 2);
      assert.deepEqual(
        [
          ...new Set(
            result.plan!.violations.filter((v) => v.enforcementLevel === "mandatory").map((v) => v.policy),
          ),
        ],
        ["prometheus-high-availability"],
      );
    });

    it("plans an app deployed elsewhere with exit 0, saying its targets cannot be verified", async () => {
      const result = await planWithConfig("elsewhere", {
        ...base,
        "kube-monitoring:prometheus": { retention: "2d" },
        "kube-monitoring:apps": [
          {
            name: "ghost",
            namespace: "ghost",
            serviceMonitor: { endpoints: [{ port: "metrics", interval: "30s" }] },
          },
        ],
      });
      assert.equal(result.exitCode, 0, result.report);
      const found = result.plan!.violations.filter((x) => x.policy.startsWith("monitor-targets"));
      assert.deepEqual(
        found.map((v) => [v.policy, v.enforcementLevel, v.message]),
        [
          [
            "monitor-targets-verifiable",
            "advisory",
            'ServiceMonitor ghost/ghost: cannot verify its targets: this stack creates no Service in ghost; check that something deployed elsewhere carries {"app":"ghost"}.',
          ],
        ],
      );
    });

    it("exits 1 at the config key when a custom rule is not PromQL, before anything is planned", async () => {
      const result = await planWithConfig("broken", {
        ...base,
        "kube-monitoring:alerting": {
          ...base["kube-monitoring:alerting"],
          runbookBaseUrl: "https://runbooks.example.com",
        },
        "kube-monitoring:apps": [
          {
            name: "web",
            namespace: "web",
            workload: { image: "ghcr.io/x/web:1.0.0" },
            serviceMonitor: { endpoints: [{ port: "metrics" }] },
            alerts: {
              custom: [
                {
                  alert: "Broken",
                  expr: "rate(x[5m]",
                  labels: { severity: "warning" },
                  annotations: { summary: "s", description: "d" },
                },
              ],
            },
          },
        ],
      });
      assert.equal(result.exitCode, 1);
      assert.equal(result.plan, undefined);
      assert.deepEqual(result.report.replace(/^Pulumi\.broken\.yaml:\d+: /, "").split("\n"), [
        "apps[web].alerts.custom[0].expr: is not PromQL: unexpected end of expression at column 11",
        "      rate(x[5m]",
        "                ^",
      ]);
    });
  });
});

describe("monitors of apps deployed elsewhere, with a declared target", () => {
  const app = (target: Record<string, unknown>) => ({
    "kube-monitoring:environment": "dev",
    "kube-monitoring:clusterName": "dev-1",
    "kube-monitoring:prometheus": { retention: "2d" },
    "kube-monitoring:apps": [
      {
        name: "billing",
        namespace: "billing",
        serviceMonitor: { endpoints: [{ port: "metrics", interval: "30s" }] },
        target,
      },
    ],
  });

  it("checks the monitor against the declared labels and ports, as against a Service of the stack", async () => {
    const ok = await planWithConfig(
      "declared",
      app({ labels: { app: "billing", tier: "api" }, ports: ["metrics"] }),
      undefined,
      devPolicyConfig(),
    );
    assert.equal(ok.exitCode, 0, ok.report);
    assert.deepEqual(
      ok.plan!.violations.filter((v) => v.policy.startsWith("monitor-targets")),
      [],
    );
    const wrong = await planWithConfig(
      "declared",
      app({ labels: { app: "billing-api" }, ports: ["http"] }),
      undefined,
      devPolicyConfig(),
    );
    assert.equal(wrong.exitCode, 2);
    assert.deepEqual(
      wrong.plan!.violations.filter((v) => v.policy === "monitor-targets-resolve").map((v) => v.message),
      [
        'ServiceMonitor billing/billing: its selector {"app":"billing"} does not match the labels its declared target carries ({"app":"billing-api"}); Prometheus would find no targets.',
      ],
    );
  });
});

import { strict as assert } from "node:assert";
import { readRuleFile } from "../components/ruleFiles";
import { devPolicyConfig, planWithConfig, resource, Loose } from "./helpers/plan";

const base = {
  "kube-monitoring:environment": "dev",
  "kube-monitoring:clusterName": "dev-1",
  "kube-monitoring:prometheus": { retention: "2d" },
};
const upstream = "tests/fixtures/check/upstream.rules.yaml";

describe("rule files brought as they are", () => {
  it("deploys a stack's and an app's existing rules, planning clean through promtool and the policies", async () => {
    const result = await planWithConfig(
      "imported",
      {
        ...base,
        "kube-monitoring:ruleFiles": [upstream],
        "kube-monitoring:apps": [{ name: "api", namespace: "api", team: "core", ruleFiles: [upstream] }],
      },
      undefined,
      devPolicyConfig(),
    );
    assert.equal(result.exitCode, 0, result.report);
    assert.deepEqual(
      result.plan!.violations.filter((v) => v.enforcementLevel === "mandatory"),
      [],
    );
    assert.ok(
      result.plan!.checks.every((c) => c.status === "passed"),
      JSON.stringify(result.plan!.checks),
    );
    const platform = resource(
      result.plan,
      "kubernetes:monitoring.coreos.com/v1:PrometheusRule",
      "alerting-imported-rules",
    );
    const groups = (platform.inputs.spec as Loose).groups as Loose[];
    assert.deepEqual(
      groups.map((g) => [g.name, g.interval, g.rules.length]),
      [
        ["general", undefined, 6],
        ["recording", "3m", 4],
      ],
    );
    assert.deepEqual(groups[0].rules[0], {
      alert: "Watchdog",
      expr: "vector(1)",
      for: "0s",
      labels: { severity: "none" },
      annotations: { summary: "Pipeline heartbeat", description: "Always firing." },
    });
    const app = resource(result.plan, "kubernetes:monitoring.coreos.com/v1:PrometheusRule", "app-api-rules");
    const appGroups = (app.inputs.spec as Loose).groups as Loose[];
    assert.deepEqual(
      appGroups.map((g) => g.name),
      ["api.general", "api.recording"],
    );
    // The app's owner labels, so its routing finds the alerts; recording rules untouched.
    assert.deepEqual(appGroups[0].rules[1].labels, {
      app: "api",
      namespace: "api",
      team: "core",
      severity: "critical",
      long: "1h",
      short: "5m",
    });
    assert.equal(appGroups[1].rules[0].labels, undefined);
  });

  it("refuses files that are missing, outside the project or not rules, naming the key", async () => {
    const result = await planWithConfig(
      "badrules",
      {
        ...base,
        "kube-monitoring:ruleFiles": ["tests/fixtures/check/nope.yaml", "../outside.yaml", "package.json"],
      },
      undefined,
      devPolicyConfig(),
    );
    assert.equal(result.exitCode, 1);
    assert.deepEqual(result.report.split("\n"), [
      'badrules: ruleFiles[0]: "tests/fixtures/check/nope.yaml" cannot be read',
      'badrules: ruleFiles[1]: "../outside.yaml" is outside the project; give a path inside it',
      'badrules: ruleFiles[2]: "package.json" is neither a rule file (groups:) nor a PrometheusRule',
    ]);
  });

  it("validates groups and rules as Prometheus would", () => {
    const read = (text: string) => () => text;
    assert.deepEqual(
      readRuleFile(
        "r.yaml",
        read("groups:\n  - name: g\n    rules:\n      - { alert: A, record: 'b:c', expr: up }\n"),
      ),
      { problem: '"r.yaml": groups[0].rules[0]: needs exactly one of alert or record' },
    );
    assert.deepEqual(
      readRuleFile(
        "r.yaml",
        read("groups:\n  - name: g\n    rules:\n      - { alert: A, expr: up, for: 5 min }\n"),
      ),
      { problem: '"r.yaml": groups[0].rules[0].for: "5 min" is not a Prometheus duration' },
    );
    assert.deepEqual(readRuleFile("r.yaml", read("groups: []\n")), {
      problem: '"r.yaml": groups: holds no rule groups',
    });
  });
});

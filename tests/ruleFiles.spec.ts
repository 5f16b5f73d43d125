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

  it("plans one record name four times over disjoint selectors and Prometheus 3's names, advisory only", async () => {
    const result = await planWithConfig(
      "upstreamish",
      {
        ...base,
        "kube-monitoring:ruleFiles": [
          "tests/fixtures/check/availability.rules.yaml",
          "tests/fixtures/check/strings.rules.yaml",
        ],
      },
      undefined,
      devPolicyConfig(),
    );
    assert.equal(result.exitCode, 0, result.report);
    // The fixtures' rules (the stack's own pipeline alerts link no runbook in dev either).
    const rules = result.plan!.violations.filter((v) =>
      /: group (strings|apiserver-availability)/.test(v.message),
    );
    assert.deepEqual(
      rules.map((v) => `${v.enforcementLevel} ${v.policy} ${v.message.split(": ")[1]}`),
      [
        "advisory alert-runbook-url group strings rule NotificationsFailing",
        "advisory alert-runbook-url group strings rule KubeletEvicting",
        "advisory alert-runbook-url group strings rule DottedMetricHigh",
        "advisory rule-conventions group apiserver-availability.rules rule code_verb:apiserver_request_total:increase1h (2 of 4)",
        "advisory rule-conventions group apiserver-availability.rules rule code_verb:apiserver_request_total:increase1h (3 of 4)",
        "advisory rule-conventions group apiserver-availability.rules rule code_verb:apiserver_request_total:increase1h (4 of 4)",
        "advisory rule-conventions group strings rule KubeletEvicting",
      ],
    );
    const [promtool, amtool] = result.plan!.checks;
    assert.deepEqual(
      [promtool.tool, promtool.status, amtool.tool, amtool.status],
      ["promtool", "passed", "amtool", "passed"],
    );
    assert.match(promtool.version!, /^\d+\.\d+\.\d+$/);
    assert.match(amtool.version!, /^\d+\.\d+\.\d+$/);
    assert.ok(
      result.report.includes(`; checks passed: promtool ${promtool.version}, amtool ${amtool.version}`),
      result.report,
    );
    if (Number(promtool.version!.split(".")[0]) < 3) {
      const advisory = `not checked by promtool ${promtool.version}: PrometheusRule monitoring/kube-monitoring-imported group strings rule DottedMetricHigh: it uses quoted UTF-8 names (Prometheus 3); set PROMTOOL to a newer promtool to check it`;
      assert.deepEqual(promtool.advisories, [advisory]);
      assert.match(result.report, /^advisory: promtool \(1\)$/m);
      assert.ok(result.report.includes(`\n  ${advisory.slice(0, 150)}`), result.report);
    }
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
      'Pulumi.badrules.yaml:7: ruleFiles[0]: "tests/fixtures/check/nope.yaml" no such file',
      'Pulumi.badrules.yaml:8: ruleFiles[1]: "../outside.yaml" is outside the project; give a path inside it',
      'Pulumi.badrules.yaml:9: ruleFiles[2]: "package.json" is neither a rule file (groups:) nor a PrometheusRule',
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

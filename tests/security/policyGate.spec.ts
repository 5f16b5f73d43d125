/**
 * The policy gate cannot be switched off quietly: `remediate` blocks as mandatory does, every loosened
 * threshold is printed, recorded and shown first in the PR comment, absurd thresholds and reserved keys
 * are refused naming the file and key.
 */
import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { allPolicies } from "../../policies/all";
import { PolicyConfigError, loadPolicyConfig, runPolicies } from "../../policies/harness";
import { diffPlans, renderMarkdown } from "../../plan/diff";
import { main as checkMain } from "../../plan/check";
import { devPolicyConfig, planWithConfig } from "../helpers/plan";
import { captureConsole } from "./capture";

/** loadPolicyConfig on `config.probe.json` holding `body`: its problems, or its loosenings. */
function load(body: Record<string, unknown> | string) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "kube-monitoring-gate-levels-"));
  try {
    const text = typeof body === "string" ? body : JSON.stringify({ profile: "prod", ...body });
    fs.writeFileSync(path.join(dir, "config.probe.json"), text);
    const cfg = loadPolicyConfig("probe", dir, allPolicies, "prod");
    return { problems: [] as string[], loosened: cfg.loosened.map(({ file: _f, ...l }) => l), cfg };
  } catch (err) {
    if (!(err instanceof PolicyConfigError)) throw err;
    return { problems: err.problems.map((p) => p.replaceAll(dir + path.sep, "")), loosened: [] };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

const fixture = {
  "kube-monitoring:environment": "dev",
  "kube-monitoring:clusterName": "gate-1",
  // Longer than prometheus-retention's default maximum (30d): a mandatory violation.
  "kube-monitoring:prometheus": { retention: "45d" },
};

describe("gate: remediate and loosened thresholds", () => {
  it("holds a mandatory violation at remediate as mandatory: exit 2, counted, no loosening", async () => {
    for (const level of ["remediate", { enforcementLevel: "remediate" }]) {
      const result = await planWithConfig("remedy", fixture, undefined, {
        ...devPolicyConfig(),
        "prometheus-retention": level,
      });
      assert.equal(result.exitCode, 2, result.report);
      const found = result.plan!.violations.filter((v) => v.policy === "prometheus-retention");
      assert.ok(found.length > 0);
      assert.deepEqual([...new Set(found.map((v) => v.enforcementLevel))], ["mandatory"]);
      assert.ok(!result.plan!.loosened.some((l) => l.policy === "prometheus-retention"));
      const comment = renderMarkdown([{ diff: diffPlans(result.plan!, result.plan!), plan: result.plan! }]);
      assert.match(comment, /policy: [1-9]\d* mandatory/);
      assert.match(comment, /❌ \*\*remedy\*\* `prometheus-retention`/);
    }
  });

  it("counts remediate violations in a handed-over plan.json as blocking in the PR comment", () => {
    const plan = {
      stack: "x",
      project: "kube-monitoring",
      resources: [],
      outputs: {},
      loosened: [],
      checks: [],
      violations: [{ policy: "p", enforcementLevel: "remediate" as const, urn: "u", message: "m" }],
    };
    const comment = renderMarkdown([{ diff: diffPlans(plan, plan), plan }]);
    assert.match(comment, /policy: 1 mandatory, 0 advisory ❌/);
  });

  it("runs remediate as mandatory in the harness, for resource and stack policies alike", () => {
    const release = {
      urn: "urn:pulumi:s::p::kubernetes:helm.sh/v3:Release::r",
      type: "kubernetes:helm.sh/v3:Release",
      name: "r",
      dependsOn: [],
      protect: false,
      inputs: { chart: "x", version: "latest", values: {} },
    };
    const pinned = allPolicies.filter((p) => p.name === "helm-chart-pinned");
    const found = runPolicies([release], pinned, { "helm-chart-pinned": "remediate" });
    assert.deepEqual(
      found.map((v) => v.enforcementLevel),
      ["mandatory"],
    );
  });

  it("records loosened thresholds with default and new value, and not tightened ones", () => {
    assert.deepEqual(
      load({
        "prometheus-retention": { maxRetention: "60d" },
        "monitor-targets-resolve": { minInterval: "5s" },
        "monitoring-resource-limits": { requireCpuLimit: false },
        "alert-delivery": { maxHeartbeatRepeat: "1m" },
      }).loosened,
      [
        { policy: "prometheus-retention", setting: "maxRetention", from: "30d", to: "60d" },
        { policy: "monitor-targets-resolve", setting: "minInterval", from: "15s", to: "5s" },
        { policy: "monitoring-resource-limits", setting: "requireCpuLimit", from: "true", to: "false" },
      ],
    );
    assert.deepEqual(load({ "prometheus-high-availability": { minPrometheusReplicas: 1 } }).loosened, [
      { policy: "prometheus-high-availability", setting: "minPrometheusReplicas", from: "2", to: "1" },
    ]);
    const ceilings = load({
      "monitoring-resource-limits": { ceilings: { prometheus: { cpu: "64", memory: "256Gi" } } },
    }).loosened;
    assert.deepEqual(
      ceilings.map((l) => `${l.policy}.${l.setting}`),
      ["monitoring-resource-limits.ceilings"],
    );
  });

  it("prints and shows a loosened threshold like a loosened level", async () => {
    const result = await planWithConfig("thresh", fixture, undefined, {
      ...devPolicyConfig(),
      "prometheus-retention": { maxRetention: "60d" },
    });
    assert.equal(result.exitCode, 0, result.report);
    assert.match(
      result.report,
      /^loosened settings in thresh \(.*config\.thresh\.json\): prometheus-retention\.maxRetention 60d \(default 30d\)(,|$)/m,
    );
    const comment = renderMarkdown([{ diff: diffPlans(result.plan!, result.plan!), plan: result.plan! }]);
    assert.match(
      comment,
      /> ⚠️ \*\*thresh\*\*, new in this PR: `prometheus-retention\.maxRetention` is \*\*60d\*\* \(default 30d\)/,
    );
  });

  it("refuses absurd thresholds naming the file and key", () => {
    const cases: [Record<string, unknown>, RegExp][] = [
      [
        { "prometheus-retention": { maxRetention: "100y" } },
        /prometheus-retention\.maxRetention: 100y is outside/,
      ],
      [
        { "monitor-targets-resolve": { minInterval: "1ms" } },
        /monitor-targets-resolve\.minInterval: 1ms is outside/,
      ],
      [
        { "monitor-targets-verifiable": { minInterval: "0s" } },
        /monitor-targets-verifiable\.minInterval: 0s is outside/,
      ],
      [
        { "alert-delivery": { maxHeartbeatRepeat: "52w" } },
        /alert-delivery\.maxHeartbeatRepeat: 52w is outside/,
      ],
      [
        { "prometheus-high-availability": { minAlertmanagerReplicas: 500 } },
        /minAlertmanagerReplicas: 500 is above/,
      ],
      [
        { "monitoring-resource-limits": { ceilings: { default: { cpu: "100000", memory: "1Ei" } } } },
        /monitoring-resource-limits\.ceilings: default\.cpu 100000 is outside/,
      ],
    ];
    for (const [body, expected] of cases) {
      const { problems } = load(body);
      assert.equal(problems.length >= 1, true, JSON.stringify(body));
      assert.match(problems[0], /^config\.probe\.json: /);
      assert.match(problems.join("\n"), expected);
    }
  });

  it("refuses __proto__, constructor and prototype keys anywhere, naming the key", () => {
    assert.deepEqual(load('{"profile":"prod","prometheus-retention":{"constructor":"1d"}}').problems, [
      "config.probe.json: prometheus-retention.constructor: a reserved name (__proto__, constructor, prototype); not a policy or setting",
    ]);
    assert.deepEqual(load('{"profile":"prod","__proto__":{"enforcementLevel":"disabled"}}').problems, [
      "config.probe.json: __proto__: a reserved name (__proto__, constructor, prototype); not a policy or setting",
    ]);
    assert.match(
      load(
        '{"profile":"prod","monitoring-resource-limits":{"ceilings":{"__proto__":{"cpu":"1","memory":"1Gi"}}}}',
      ).problems[0],
      /^config\.probe\.json: monitoring-resource-limits\.ceilings\.__proto__: a reserved name/,
    );
    assert.deepEqual(load('{"profile":"prod","prometheus-retention":{"toString":"1d"}}').problems.length, 1);
  });

  it("npm run check --policy-config: remediate still exits 2, a loosened threshold is printed", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "kube-monitoring-gate-check-"));
    try {
      fs.writeFileSync(
        path.join(dir, "rules.yaml"),
        "groups:\n  - name: g\n    rules:\n      - alert: A\n        expr: up == 0\n        labels: { severity: page }\n",
      );
      fs.writeFileSync(
        path.join(dir, "config.ci.json"),
        JSON.stringify({ profile: "dev", "alert-rule-quality": "remediate" }),
      );
      const run = await captureConsole(() =>
        checkMain([path.join(dir, "rules.yaml"), "--policy-config", path.join(dir, "config.ci.json")]),
      );
      assert.equal(run.result, 2, run.stdout + run.stderr);
      fs.writeFileSync(
        path.join(dir, "config.ci.json"),
        JSON.stringify({ profile: "dev", "alert-rule-quality": { requiredAnnotations: ["summary"] } }),
      );
      const loose = await captureConsole(() =>
        checkMain([path.join(dir, "rules.yaml"), "--policy-config", path.join(dir, "config.ci.json")]),
      );
      assert.match(
        loose.stderr,
        /^loosened: alert-rule-quality\.requiredAnnotations is \["summary"\] in ci \(default \["summary","description"\]\)/m,
      );
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

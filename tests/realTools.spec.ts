import { strict as assert } from "node:assert";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { parse, stringify } from "yaml";
import { effectiveAlertmanagerConfig, ruleFiles } from "../plan/alertmanagerConfig";
import { runRealToolChecks, toolVersion, toolVersionSoon } from "../plan/realTools";
import type { RecordedResource } from "../plan/runtime";
import { Loose, planOf } from "./helpers/plan";
import { requireTool } from "./helpers/tools";

async function devResources(): Promise<RecordedResource[]> {
  return structuredClone((await planOf("dev")).plan!.resources);
}

function withTemp<T>(run: (dir: string) => T): T {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "kube-monitoring-tools-"));
  try {
    return run(dir);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

const appRules = (resources: RecordedResource[]) =>
  resources.find(
    (r) => r.inputs.kind === "PrometheusRule" && (r.inputs.metadata as Loose).namespace === "rust-app",
  )!;

const ruleOf = (resources: RecordedResource[], name: string) => {
  const groups = (appRules(resources).inputs.spec as Loose).groups as Loose[];
  return groups.flatMap((g) => g.rules as Loose[]).find((r) => r.alert === name || r.record === name)!;
};

/**
 * Inside a describe: writes the effective Alertmanager configuration of `resources` once, and returns
 * `routes(...labels)`, the receivers `amtool config routes test` picks for those labels.
 */
function amtoolRouting(resources: () => Promise<RecordedResource[]>) {
  let dir = "";
  const file = () => path.join(dir, "alertmanager.yaml");
  before(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "kube-monitoring-routes-"));
    fs.writeFileSync(file(), stringify(effectiveAlertmanagerConfig(await resources()), { lineWidth: 0 }));
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));
  const routes = (...labels: string[]) => {
    const run = spawnSync("amtool", ["config", "routes", "test", `--config.file=${file()}`, ...labels], {
      encoding: "utf8",
    });
    assert.equal(run.status, 0, run.stderr);
    return run.stdout.trim();
  };
  return { routes, file };
}

describe("real tools: promtool and amtool", () => {
  before(function () {
    requireTool(this, "promtool", "prometheus");
    requireTool(this, "amtool", "prometheus-alertmanager");
  });

  it("accept the rules and Alertmanager configuration of both stacks", async () => {
    for (const stack of ["dev", "prod"]) {
      const { plan } = await planOf(stack);
      assert.ok(
        plan!.checks.every((c) => c.status === "passed"),
        JSON.stringify(plan!.checks),
      );
    }
    const { plan } = await planOf("dev");
    assert.deepEqual(
      plan!.checks.map((c) => [c.tool, c.status]),
      [
        ["promtool", "passed"],
        ["amtool", "passed"],
      ],
    );
    // Each file by the PrometheusRule it holds, never the name the plan gave it for promtool.
    assert.equal(
      plan!.checks[0].output,
      "Checking PrometheusRule monitoring/kube-monitoring-platform\n  SUCCESS: 6 rules found\n\n" +
        "Checking PrometheusRule rust-app/rust-app\n  SUCCESS: 21 rules found",
    );
  });

  it("fail with promtool's own message when a generated expression breaks, at the rule, with a caret", async () => {
    const resources = await devResources();
    ruleOf(resources, "HighErrorRate").expr = "sum by (namespace (rate(x[5m]))";
    const [check] = (await runRealToolChecks(resources)).filter((c) => c.tool === "promtool");
    assert.equal(check.status, "failed");
    // Of the plan's two rule files, the one promtool refused; both, counted, when both break.
    assert.equal(ruleFiles(resources).length, 2);
    assert.equal(check.subject, "PrometheusRule rust-app/rust-app");
    const platformRule = resources.find(
      (r) => r.inputs.kind === "PrometheusRule" && r !== appRules(resources),
    )!;
    ((platformRule.inputs.spec as Loose).groups as Loose[])[0].rules[0].expr = "up ==";
    const [both] = (await runRealToolChecks(resources)).filter((c) => c.tool === "promtool");
    assert.equal(both.subject, "2 of 2 rule files");
    assert.deepEqual(check.output.split("\n").slice(-4), [
      "  FAILED:",
      "PrometheusRule rust-app/rust-app, group rust-app.golden-signals, rule HighErrorRate: expr: promtool: " +
        'unexpected "(" in grouping opts, expected "," or ")" at column 19',
      "      sum by (namespace (rate(x[5m]))",
      `      ${" ".repeat(18)}^`,
    ]);
  });

  it("fail when a `for` is not a duration", async () => {
    const resources = await devResources();
    ruleOf(resources, "TargetDown").for = "5 minutes";
    const [check] = (await runRealToolChecks(resources)).filter((c) => c.tool === "promtool");
    assert.equal(check.status, "failed");
    assert.match(check.output, /5 minutes/);
  });

  it("fail with amtool's message when a route names no receiver", async () => {
    const resources = await devResources();
    const amc = resources.find(
      (r) => r.inputs.kind === "AlertmanagerConfig" && (r.inputs.metadata as Loose).namespace === "rust-app",
    )!;
    ((amc.inputs.spec as Loose).route.routes as Loose[])[1].receiver = "nobody";
    const [check] = (await runRealToolChecks(resources)).filter((c) => c.tool === "amtool");
    assert.equal(check.status, "failed");
    assert.match(check.output, /undefined receiver "rust-app\/rust-app\/nobody"/);
  });

  /**
   * Runs tests/promtool/<test> against the generated rule file `ruleFile` of the plan's resources; with
   * `onlyAlert`, only the test groups that evaluate that alert.
   */
  function promtoolUnitTests(
    resources: RecordedResource[],
    ruleFile = "rust-app-rust-app.rules.yaml",
    test = "rust-app.test.yaml",
    onlyAlert?: string,
  ) {
    const rules = ruleFiles(resources).find((f) => f.name === ruleFile)!;
    return withTemp((dir) => {
      fs.writeFileSync(
        path.join(dir, "generated.rules.yaml"),
        stringify({ groups: rules.groups }, { lineWidth: 0 }),
      );
      const tests = parse(fs.readFileSync(path.join(__dirname, "promtool", test), "utf8"));
      tests.rule_files = ["generated.rules.yaml"];
      if (onlyAlert)
        tests.tests = (tests.tests as Loose[]).filter((group) =>
          ((group.alert_rule_test ?? []) as Loose[]).some((t) => t.alertname === onlyAlert),
        );
      fs.writeFileSync(path.join(dir, test), stringify(tests));
      return spawnSync("promtool", ["test", "rules", path.join(dir, test)], { encoding: "utf8" });
    });
  }

  /** Alerts of a generated rule file that its promtool test file never evaluates. */
  function untested(resources: RecordedResource[], ruleFile: string, test: string): string[] {
    const rules = ruleFiles(resources).find((f) => f.name === ruleFile)!;
    const alerts = (rules.groups as Loose[]).flatMap((g) =>
      (g.rules as Loose[]).flatMap((r) => (r.alert ? [r.alert] : [])),
    );
    const tested = new Set(
      [...fs.readFileSync(path.join(__dirname, "promtool", test), "utf8").matchAll(/alertname: (\w+)/g)].map(
        (m) => m[1],
      ),
    );
    return [...new Set(alerts)].filter((a) => !tested.has(a));
  }

  it("has a promtool unit test for every alert it generates, for apps and for the platform", async () => {
    assert.deepEqual(
      untested(await devResources(), "rust-app-rust-app.rules.yaml", "rust-app.test.yaml"),
      [],
    );
    const prod = (await planOf("prod")).plan!.resources;
    assert.deepEqual(
      untested(prod, "monitoring-kube-monitoring-platform.rules.yaml", "platform.test.yaml"),
      [],
    );
  });

  it("passes every platform alert's promtool unit test: fires on the failure it names, quiet when healthy", async () => {
    const prod = structuredClone((await planOf("prod")).plan!.resources);
    const run = promtoolUnitTests(
      prod,
      "monitoring-kube-monitoring-platform.rules.yaml",
      "platform.test.yaml",
    );
    assert.equal(run.status, 0, run.stdout + run.stderr);
    assert.match(run.stdout, /SUCCESS/);
  });

  it("pass every generated alert's promtool unit test: fires after its for, silent below threshold", async () => {
    const run = promtoolUnitTests(await devResources());
    assert.equal(run.status, 0, run.stdout + run.stderr);
    assert.match(run.stdout, /SUCCESS/);
  });

  it("has a unit test that fails when the generator changes a threshold", async () => {
    const resources = await devResources();
    const rule = ruleOf(resources, "HighErrorRate");
    rule.expr = String(rule.expr).replace("> 0.05", "> 0.5");
    const run = promtoolUnitTests(resources, undefined, undefined, "HighErrorRate");
    assert.notEqual(run.status, 0);
    assert.match(run.stdout + run.stderr, /alertname: HighErrorRate/);
  });

  describe("routing (amtool config routes test)", () => {
    const { routes } = amtoolRouting(devResources);

    it("pages on critical, continues to the team channel and the audit hook", () => {
      assert.equal(
        routes(
          "namespace=rust-app",
          "app=rust-app",
          "severity=critical",
          "team=backend",
          "alertname=HighErrorRate",
        ),
        // The platform's catch-all for the app's own alerts ends the walk: nobody is paged twice.
        "rust-app/rust-app/pagerduty-critical,rust-app/rust-app/backend-slack,rust-app/rust-app/audit-webhook,monitoring/platform/null",
      );
    });

    it("drops the namespace's InfoInhibitor before any of the owner's receivers: it is for nobody", () => {
      assert.equal(
        routes("namespace=rust-app", "severity=none", "alertname=InfoInhibitor"),
        "rust-app/rust-app/null,monitoring/platform/null",
      );
    });

    it("sends warnings to Slack only, and stops there", () => {
      assert.equal(
        routes(
          "namespace=rust-app",
          "app=rust-app",
          "severity=warning",
          "team=backend",
          "alertname=HighLatency",
        ),
        "rust-app/rust-app/backend-slack,monitoring/platform/null",
      );
    });

    it("routes a team's info alerts by team", () => {
      assert.equal(
        routes("namespace=rust-app", "app=rust-app", "severity=info", "team=backend", "alertname=Note"),
        "rust-app/rust-app/backend-slack,rust-app/rust-app/audit-webhook,monitoring/platform/null",
      );
    });

    it("sends Watchdog to the heartbeat only", () => {
      assert.equal(
        routes("alertname=Watchdog", "namespace=monitoring", "severity=none"),
        "monitoring/platform/watchdog-heartbeat",
      );
    });

    it("never lets one namespace's config catch another namespace's alerts", () => {
      assert.equal(
        routes(
          "namespace=payments",
          "app=rust-app",
          "severity=critical",
          "team=backend",
          "alertname=HighErrorRate",
        ),
        "monitoring/platform/platform-slack",
      );
    });

    it("sends kube alerts about an app's namespace to its owner's routing, and the platform drops them", () => {
      assert.equal(
        routes("namespace=rust-app", "severity=warning", "alertname=KubePodCrashLooping"),
        "rust-app/rust-app/backend-slack,monitoring/platform/null",
      );
    });
  });

  describe("platform routing in prod (amtool config routes test)", () => {
    const { routes, file } = amtoolRouting(async () => (await planOf("prod")).plan!.resources);

    it("pages for critical platform alerts in monitoring, kube-system and without a namespace", () => {
      for (const labels of [
        ["alertname=KubePodCrashLooping", "namespace=monitoring", "severity=critical"],
        ["alertname=PrometheusRemoteWriteBehind", "namespace=monitoring", "severity=critical"],
        ["alertname=KubeAPIErrorBudgetBurn", "namespace=kube-system", "severity=critical"],
        ["alertname=KubeNodeNotReady", "node=ip-10-0-0-1", "severity=critical"],
      ]) {
        assert.equal(routes(...labels), "monitoring/platform/platform-pagerduty", labels.join(" "));
      }
    });

    it("sends warnings and unlabelled alerts to the platform channel, Watchdog to the heartbeat", () => {
      assert.equal(
        routes("alertname=ThanosCompactNotRun", "namespace=monitoring", "severity=warning"),
        "monitoring/platform/platform-slack",
      );
      assert.equal(routes("alertname=Something"), "monitoring/platform/platform-slack");
      assert.equal(routes("alertname=Watchdog", "severity=none"), "monitoring/platform/watchdog-heartbeat");
      assert.equal(routes("alertname=InfoInhibitor", "severity=none"), "monitoring/platform/null");
    });

    it("inhibits a slow burn while the fast burn of the same SLO fires", () => {
      const cfg = parse(fs.readFileSync(file(), "utf8")) as Loose;
      assert.deepEqual(
        (cfg.inhibit_rules as Loose[]).find((r) =>
          r.target_matchers.includes('alertname="ErrorBudgetBurnSlow"'),
        ),
        {
          source_matchers: ['alertname="ErrorBudgetBurnFast"'],
          target_matchers: ['alertname="ErrorBudgetBurnSlow"'],
          equal: ["namespace", "slo"],
        },
      );
    });
  });
});

describe("tool versions, asked without blocking", () => {
  const saved = { PROMTOOL: process.env.PROMTOOL, AMTOOL: process.env.AMTOOL };
  afterEach(() => {
    for (const [key, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[key];
      else process.env[key] = value;
    }
  });

  it("asks a binary once, however often and however asked, and says when it does not run", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "kube-monitoring-versions-"));
    try {
      const calls = path.join(dir, "calls");
      const wrapper = path.join(dir, "promtool");
      fs.writeFileSync(
        wrapper,
        `#!/bin/sh\necho "$@" >> ${calls}\necho "promtool, version 9.8.7 (branch: test)"\n`,
        { mode: 0o755 },
      );
      process.env.PROMTOOL = wrapper;
      const asked = [toolVersionSoon("promtool"), toolVersionSoon("promtool")];
      assert.deepEqual(await Promise.all(asked), ["9.8.7", "9.8.7"]);
      assert.equal(toolVersion("promtool"), "9.8.7");
      assert.equal(await toolVersionSoon("promtool"), "9.8.7");
      assert.equal(fs.readFileSync(calls, "utf8"), "--version\n");

      process.env.AMTOOL = path.join(dir, "missing-amtool");
      assert.equal(await toolVersionSoon("amtool"), undefined);
      assert.equal(toolVersion("amtool"), undefined);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it("fails a plan's check naming the PROMTOOL or AMTOOL that does not run", async () => {
    const resources = await devResources();
    process.env.PROMTOOL = "/nonexistent/promtool";
    process.env.AMTOOL = "/nonexistent/amtool";
    const checks = await runRealToolChecks(resources);
    assert.deepEqual(
      checks.map((c) => [c.tool, c.status, c.output]),
      [
        ["promtool", "failed", "PROMTOOL=/nonexistent/promtool does not run (`--version` failed)"],
        ["amtool", "failed", "AMTOOL=/nonexistent/amtool does not run (`--version` failed)"],
      ],
    );
  });
});

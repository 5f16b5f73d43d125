/**
 * What `npm run plan` prints, for a person: loosened levels and settings a line each, findings per
 * policy by the resource's short name, and a verdict line; with --compare, the diff's counts.
 */
import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as path from "node:path";
import type { Violation } from "../policies/harness";
import { findingLines, loosenedLines, renderReport, shortName, verdictLine, wrap } from "../plan/report";
import type { ToolCheck } from "../plan/realTools";
import { planCli } from "./helpers/cli";

const RELEASE =
  "urn:pulumi:dev::kube-monitoring::kube-monitoring:monitoring:KubePrometheusStack$kubernetes:helm.sh/v3:Release::kps-release";
const RULE =
  "urn:pulumi:dev::kube-monitoring::kube-monitoring:app:AppMonitoring$kubernetes:monitoring.coreos.com/v1:PrometheusRule::app-shop-rules";
const checks: ToolCheck[] = [
  { tool: "promtool", version: "2.42.0", status: "passed", subject: "2 rule files", output: "" },
  { tool: "amtool", version: "0.25.0", status: "passed", subject: "the config", output: "" },
];
const violation = (level: Violation["enforcementLevel"], policy: string, urn: string, message: string) => ({
  policy,
  enforcementLevel: level,
  urn,
  message,
});

describe("plan report", () => {
  it("names a resource by its type and name, not its URN", () => {
    assert.equal(shortName(RELEASE), "Release kps-release");
    assert.equal(shortName(RULE), "PrometheusRule app-shop-rules");
    assert.equal(
      shortName("urn:pulumi:dev::kube-monitoring::pulumi:pulumi:Stack::kube-monitoring-dev"),
      "Stack kube-monitoring-dev",
    );
  });

  it("groups findings per policy, mandatory first, without the URN or a repeated subject", () => {
    const lines = findingLines(
      [
        violation(
          "advisory",
          "grafana-access",
          RELEASE,
          "Helm release kps-release: Grafana has no single sign-on.",
        ),
        violation(
          "advisory",
          "prometheus-high-availability",
          RELEASE,
          "Helm release kps-release: replicas is 1.",
        ),
        violation("mandatory", "alert-rule-quality", RULE, "group shop: alert X has no summary."),
        violation(
          "advisory",
          "prometheus-high-availability",
          RELEASE,
          "Helm release kps-release: antiAffinity soft.",
        ),
      ],
      [{ ...checks[0], advisories: ["not checked by promtool 2.42.0: rule Y"] }],
    );
    assert.deepEqual(lines, [
      "mandatory: alert-rule-quality (1)",
      "  PrometheusRule app-shop-rules: group shop: alert X has no summary.",
      "advisory: grafana-access (1)",
      "  Release kps-release: Grafana has no single sign-on.",
      "advisory: prometheus-high-availability (2)",
      "  Release kps-release: replicas is 1.",
      "  Release kps-release: antiAffinity soft.",
      "advisory: promtool (1)",
      "  not checked by promtool 2.42.0: rule Y",
    ]);
  });

  it("puts loosened levels in one line and loosened settings in another", () => {
    const file = "policies/config.dev.json";
    assert.deepEqual(
      loosenedLines(
        [
          { policy: "a", from: "mandatory", to: "advisory", file },
          { policy: "b", from: "mandatory", to: "disabled", file },
          { policy: "c", from: "mandatory", to: "advisory", file },
          { policy: "d", setting: "minInterval", from: "15s", to: "10s", file },
        ],
        "dev",
      ),
      [
        "loosened levels in dev (mandatory by default; policies/config.dev.json): advisory: a, c; disabled: b",
        "loosened settings in dev (policies/config.dev.json): d.minInterval 10s (default 15s)",
      ],
    );
    assert.deepEqual(loosenedLines([], "dev"), []);
  });

  it("ends with a verdict: stack, changes, findings, checks with versions, files written", () => {
    const plan = { stack: "dev", resources: [{ urn: RELEASE }], violations: [], loosened: [], checks };
    const cwd = process.cwd();
    assert.equal(
      verdictLine(plan, { planDir: path.join(cwd, "out", "dev"), routingFile: "alert-routing.md" }),
      "dev: planned (exit 0); 1 to create; 0 mandatory, 0 advisory; checks passed: promtool 2.42.0, amtool 0.25.0; " +
        "wrote out/dev/plan.json, alert routing in manifests/alert-routing.md",
    );
    assert.equal(
      verdictLine(
        {
          ...plan,
          violations: [violation("mandatory", "p", RELEASE, "m")],
          checks: [{ ...checks[0], status: "failed" }],
        },
        { changes: { create: 6, update: 1, replace: 0, delete: 0, unchanged: 33 } },
      ),
      "dev: blocked by a mandatory policy (exit 2); +6 to create, ~1 to update, 33 unchanged; 1 mandatory, 0 advisory; checks failed: promtool 2.42.0",
    );
  });

  it("wraps a long line at a space, continued with an indent, none over 200 characters", () => {
    const long = `x ${"word ".repeat(80)}end`;
    const lines = wrap(long);
    assert.ok(lines.length > 1);
    assert.ok(lines.every((l) => l.length <= 200));
    assert.ok(lines.slice(1).every((l) => l.startsWith("    word")));
    assert.equal(lines.map((l) => l.trim()).join(" "), long);
    assert.ok(
      renderReport({ stack: "s", resources: [], violations: [], loosened: [], checks }, [long])
        .split("\n")
        .every((l) => l.length <= 200),
    );
  });

  it("the dev plan: no line over 200 characters, no control characters, the verdict last; --compare shows the diff's counts", async () => {
    // Under the project's out/ (ignored by Git): the verdict shows paths relative to the working directory.
    fs.mkdirSync("out", { recursive: true });
    const out = path.relative(process.cwd(), fs.mkdtempSync(path.join(process.cwd(), "out", "report-")));
    try {
      const first = await planCli(["dev", "--config-dir", "tests/fixtures/stacks", "--out", out]);
      assert.equal(first.status, 0, first.stderr);
      const lines = first.stdout.trimEnd().split("\n");
      for (const line of lines) assert.ok(line.length <= 200, `${line.length}: ${line}`);
      assert.ok(!/[\u0000-\u0008\u000b-\u001f\u007f]/.test(first.stdout), "a control character");
      assert.ok(!first.stdout.includes("urn:pulumi:"), "a URN in the terminal");
      const plan = JSON.parse(fs.readFileSync(path.join(out, "dev", "plan.json"), "utf8"));
      const advisory = plan.violations.length;
      assert.match(
        lines[lines.length - 1],
        new RegExp(
          `^dev: planned \\(exit 0\\); ${plan.resources.length} to create; 0 mandatory, ${advisory} advisory; ` +
            `checks passed: promtool [\\d.]+, amtool [\\d.]+; wrote ${out}/dev/plan\\.json, ` +
            `alert routing in manifests/alert-routing\\.md$`,
        ),
      );
      assert.match(first.stdout, /^advisory: prometheus-high-availability \(4\)\n  Release kps-release: /m);
      // The earlier plan lacked one resource: the terminal shows +1, not the full creation count.
      const older = {
        ...plan,
        resources: plan.resources.filter((r: { name: string }) => r.name !== "network-pushgateway"),
      };
      fs.writeFileSync(path.join(out, "old.json"), JSON.stringify(older));
      const second = await planCli([
        "dev",
        "--config-dir",
        "tests/fixtures/stacks",
        "--out",
        out,
        "--compare",
        path.join(out, "old.json"),
      ]);
      assert.equal(second.status, 0, second.stderr);
      assert.match(
        second.stdout,
        /^Changes to stack dev against dev:\n \+  NetworkPolicy network-pushgateway\n\n/m,
      );
      assert.match(
        second.stdout,
        new RegExp(`\\ndev: planned \\(exit 0\\); \\+1 to create, ${plan.resources.length - 1} unchanged; `),
      );
      assert.ok(!second.stdout.includes(`${plan.resources.length} to create`));
    } finally {
      fs.rmSync(out, { recursive: true, force: true });
    }
  });
});

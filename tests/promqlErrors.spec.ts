/**
 * PromQL errors at the config key that holds the expression (or the imported rule file's own line),
 * with the expression and a caret under the error, cut around it at token boundaries when long.
 */
import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { ConfigError, parseStackConfig } from "../components/config";
import { stackFileLocator } from "../components/configLocation";
import { excerptAt, promqlProblem } from "../components/promqlExcerpt";
import { sloQueryProblem } from "../components/promqlConfig";
import { readRuleFile } from "../components/ruleFiles";
import { configExpressionOrigins, explainPromtoolOutput } from "../plan/promtoolErrors";

const I = "      ";

/** The problems parseStackConfig throws for `stackText`, located in it as Pulumi.<stack>.yaml. */
function configProblems(stack: string, stackText: string, raw: Record<string, unknown>): string[] {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "kube-monitoring-promql-"));
  try {
    fs.writeFileSync(path.join(dir, `Pulumi.${stack}.yaml`), stackText);
    parseStackConfig(stack, raw, { locate: stackFileLocator(dir, stack) });
  } catch (err) {
    assert.ok(err instanceof ConfigError, String(err));
    return err.problems;
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
  assert.fail("the config was accepted");
}

const app = (alerts: unknown) => ({
  name: "checkout",
  namespace: "shop",
  serviceMonitor: { endpoints: [{ port: "metrics" }] },
  alerts,
});

describe("PromQL errors", () => {
  it("puts the caret under the offending token and says what stops there", () => {
    assert.equal(
      promqlProblem("sum(rate(x[5m])) > > 3"),
      `is not PromQL: unexpected ">" at column 20\n${I}sum(rate(x[5m])) > > 3\n${I}                   ^`,
    );
    assert.equal(
      promqlProblem('up{job="a"'),
      `is not PromQL: unexpected end of expression at column 11\n${I}up{job="a"\n${I}          ^`,
    );
    assert.equal(
      promqlProblem("rate_of(x[5m])"),
      `is not PromQL: rate_of() is not a PromQL function at column 8\n${I}rate_of(x[5m])\n${I}       ^`,
    );
    // A multi-line expression: the line of the error, with its line and column.
    assert.equal(
      promqlProblem("sum(\n  rate(x[5m])\n) >> 3"),
      `is not PromQL: unexpected ">" at line 3, column 4\n${I}) >> 3\n${I}   ^`,
    );
    assert.equal(promqlProblem("sum by (job) (rate(x[5m])) > 3"), undefined);
  });

  it("shows a long line around the caret, cut at token boundaries with an ellipsis", () => {
    const left = Array.from({ length: 12 }, (_, i) => `metric_number_${i}`).join(" + ");
    const expr = `${left} + + ${left}`;
    const error = expr.indexOf("+ +") + 2;
    // Both ends cut at a token's start, never inside a name, within the width; the caret under "+".
    assert.deepEqual(excerptAt(expr, error), {
      line: 1,
      column: error + 1,
      text: "…metric_number_10 + metric_number_11 + + metric_number_0 +…",
      caret: `${" ".repeat(39)}^`,
    });
    assert.equal("…metric_number_10 + metric_number_11 + + metric_number_0 +…"[39], "+");
    assert.equal(expr[error], "+");
    // A short line is shown whole.
    assert.deepEqual(excerptAt("a + + b", 4), { line: 1, column: 5, text: "a + + b", caret: "    ^" });
  });

  it("names the config key and its line, never a generated rule file", () => {
    const stackText = [
      "config:",
      "  kube-monitoring:environment: dev",
      "  kube-monitoring:apps:",
      "    - name: checkout",
      "      namespace: shop",
      "      serviceMonitor: { endpoints: [{ port: metrics }] }",
      "      alerts:",
      "        custom:",
      "          - alert: CheckoutSlow",
      "            expr: sum(rate(http_requests_total[5m])) > > 3",
      "            labels: { severity: warning }",
      "",
    ].join("\n");
    const raw = {
      environment: "dev",
      clusterName: "dev-1",
      apps: [
        app({
          custom: [
            {
              alert: "CheckoutSlow",
              expr: "sum(rate(http_requests_total[5m])) > > 3",
              labels: { severity: "warning" },
            },
          ],
        }),
      ],
    };
    assert.deepEqual(configProblems("dev", stackText, raw), [
      'Pulumi.dev.yaml:10: apps[checkout].alerts.custom[0].expr: is not PromQL: unexpected ">" at column 38\n' +
        `${I}sum(rate(http_requests_total[5m])) > > 3\n` +
        `${I}                                     ^`,
    ]);
  });

  it("shows an SLO query as written, {{window}} and all, with the caret at the written column", () => {
    const query = "sum(rate(errors_total[{{window}}])) by";
    assert.equal(
      sloQueryProblem(query),
      `is not PromQL: unexpected end of expression at column 39\n${I}${query}\n${I}${" ".repeat(38)}^`,
    );
    const after = "sum(rate(errors_total[{{window}}])) * * 2";
    assert.equal(
      sloQueryProblem(after),
      `is not PromQL: unexpected "*" at column 39\n${I}${after}\n${I}${" ".repeat(38)}^`,
    );
    assert.equal(sloQueryProblem("sum(rate(errors_total[{{window}}]))"), undefined);
  });

  it("locates an imported rule file's expression at its own line, in rule files and PrometheusRules", () => {
    const read = (text: string) => () => text;
    const ruleFile = [
      "groups:",
      "  - name: legacy",
      "    rules:",
      "      - record: job:up:sum",
      "        expr: sum by (job) (up)",
      "      - alert: Down",
      "        expr: |",
      "          sum by (job) (up)",
      "            == == 0",
      "",
    ].join("\n");
    assert.deepEqual(readRuleFile("rules/legacy.yaml", read(ruleFile)), {
      problem:
        'rules/legacy.yaml:7: groups[0].rules[1].expr (alert Down): is not PromQL: unexpected "=" at line 2, column 6\n' +
        `${I}  == == 0\n${I}     ^`,
      located: true,
    });
    const manifests = [
      "kind: PrometheusRule",
      "spec:",
      "  groups:",
      "    - name: a",
      "      rules: [{ record: 'a:b', expr: up }]",
      "---",
      "kind: PrometheusRule",
      "spec:",
      "  groups:",
      "    - name: b",
      "      rules:",
      "        - record: b:c",
      "          expr: rate(x[5m]",
      "",
    ].join("\n");
    assert.deepEqual(readRuleFile("rules/two.yaml", read(manifests)), {
      problem:
        "rules/two.yaml:13: spec.groups[0].rules[0].expr (record b:c): is not PromQL: unexpected end of expression at column 11\n" +
        `${I}rate(x[5m]\n${I}          ^`,
      located: true,
    });
  });

  it("says promtool's rule errors at the config key, with the caret at promtool's position", () => {
    const expr = 'sum by (job) (rate(http_requests_total{job="checkout"})) > 3';
    const raw = {
      apps: [
        { name: "api", alerts: { custom: [{ alert: "Other", expr: "up" }] } },
        { name: "checkout", alerts: { custom: [{ alert: "CheckoutSlow", expr }] } },
      ],
    };
    const origin = configExpressionOrigins("dev", raw, (p) =>
      p[1] === 1 ? "Pulumi.dev.yaml:15" : undefined,
    );
    const files = [
      {
        name: "shop-checkout.rules.yaml",
        resource: "PrometheusRule shop/checkout",
        // The first rule was left out for promtool (kept: [1]): promtool's "rule 1" is the second.
        groups: [
          {
            name: "checkout.custom",
            rules: [
              { alert: "New", expr: "limitk(1, up)" },
              { alert: "CheckoutSlow", expr },
            ],
          },
        ],
        kept: [[1]],
      },
    ];
    const output = [
      "Checking shop-checkout.rules.yaml",
      "",
      "  FAILED:",
      'shop-checkout.rules.yaml: 13:14: group "checkout.custom", rule 1, "CheckoutSlow": could not parse expression: ' +
        '1:20: parse error: expected type range vector in call to function "rate", got instant vector',
    ].join("\n");
    assert.deepEqual(explainPromtoolOutput(output, files, origin).split("\n"), [
      "Checking PrometheusRule shop/checkout",
      "",
      "  FAILED:",
      'Pulumi.dev.yaml:15: apps[checkout].alerts.custom[0].expr: promtool: expected type range vector in call to function "rate", got instant vector at column 20',
      `${I}${expr}`,
      `${I}${" ".repeat(19)}^`,
    ]);
    // Without an origin: the PrometheusRule, group and rule; never the generated file.
    assert.deepEqual(explainPromtoolOutput(output, files).split("\n").slice(3, 4), [
      'PrometheusRule shop/checkout, group checkout.custom, rule CheckoutSlow: expr: promtool: expected type range vector in call to function "rate", got instant vector at column 20',
    ]);
    assert.equal(origin("up"), "dev: apps[api].alerts.custom[0].expr");
  });
});

import { strict as assert } from "node:assert";
import { alertRuleQuality, alertRunbookUrl, ruleConventions } from "../../policies/rules";
import { assertNoViolations, assertViolations, resourceOf } from "../helpers/policies";

const ruleResource = (rules: unknown[]) =>
  resourceOf("kubernetes:monitoring.coreos.com/v1:PrometheusRule", "shop", {
    apiVersion: "monitoring.coreos.com/v1",
    kind: "PrometheusRule",
    spec: { groups: [{ name: "shop.alerts", rules }] },
  });
const good = {
  alert: "HighErrorRate",
  expr: "sum by (job) (rate(errors_total[5m])) / sum by (job) (rate(requests_total[5m])) > 0.05",
  for: "5m",
  labels: { severity: "critical" },
  annotations: { summary: "s", description: "d", runbook_url: "https://runbooks/x" },
};

describe("policy alert-rule-quality", () => {
  it("passes a well-formed alert and recording rule", () => {
    assertNoViolations(alertRuleQuality, [
      ruleResource([good, { record: "job:errors:rate5m", expr: "sum by (job) (rate(errors_total[5m]))" }]),
    ]);
  });

  it("refuses PromQL that does not parse, naming where", () => {
    assertViolations(
      alertRuleQuality,
      [ruleResource([{ ...good, expr: "sum by (job (rate(errors_total[5m]))" }])],
      [
        'PrometheusRule shop: group shop.alerts rule HighErrorRate: expr is not valid PromQL near "sum by (job (rate(errors_to" (offset 12); fix it or the rule never loads.',
      ],
    );
  });

  it("refuses alerts without a routable severity or readable annotations", () => {
    assertViolations(
      alertRuleQuality,
      [ruleResource([{ ...good, labels: { severity: "page" }, annotations: {} }])],
      [
        'PrometheusRule shop: group shop.alerts rule HighErrorRate: severity "page" is not one of critical, warning, info, none; routes match on it.',
        "PrometheusRule shop: group shop.alerts rule HighErrorRate: annotation summary is missing; on-call reads it first.",
        "PrometheusRule shop: group shop.alerts rule HighErrorRate: annotation description is missing; on-call reads it first.",
      ],
    );
  });

  it("refuses exact copies and bad durations; holds `for` to maxFor only when the stack sets one", () => {
    const rules = [
      good,
      { ...good, for: "5 min" },
      { ...good, for: "10m" },
      { ...good, alert: "Slow", for: "30d", keep_firing_for: "ten minutes" },
    ];
    assertViolations(
      alertRuleQuality,
      [ruleResource(rules)],
      [
        'PrometheusRule shop: group shop.alerts rule HighErrorRate (2 of 3): for "5 min" is not a Prometheus duration.',
        "PrometheusRule shop: group shop.alerts rule HighErrorRate (2 of 3): is an exact copy (name, labels and expr) of an earlier rule of this file.",
        "PrometheusRule shop: group shop.alerts rule HighErrorRate (3 of 3): is an exact copy (name, labels and expr) of an earlier rule of this file.",
        'PrometheusRule shop: group shop.alerts rule Slow: keep_firing_for "ten minutes" is not a Prometheus duration.',
      ],
    );
    assertViolations(
      alertRuleQuality,
      [ruleResource([{ ...good, alert: "Slow", for: "30d" }])],
      ["PrometheusRule shop: group shop.alerts rule Slow: for 30d is longer than 7d, this stack's maximum."],
      { "alert-rule-quality": { maxFor: "7d" } },
    );
  });

  it("accepts what upstream rules do: zero for, severity none, one name per severity, recording names with empty or extra parts", () => {
    assertNoViolations(alertRuleQuality, [
      ruleResource([
        { ...good, for: "0s" },
        { ...good, for: "0m", labels: { severity: "warning" } },
        { ...good, alert: "Watchdog", expr: "vector(1)", for: "0", labels: { severity: "none" } },
        { ...good, alert: "Burn", labels: { severity: "critical", long: "1h", short: "5m" } },
        { ...good, alert: "Burn", labels: { severity: "critical", long: "6h", short: "30m" } },
        { record: "apiserver_request:burnrate1d", expr: "sum(rate(apiserver_request_total[1d]))" },
        { record: "node_namespace_pod:kube_pod_info:", expr: "max by (node) (kube_pod_info)" },
        {
          record: "instance:node_cpu:rate:sum",
          expr: "sum by (instance) (rate(node_cpu_seconds_total[5m]))",
        },
      ]),
    ]);
  });

  it("refuses PromQL that parses but cannot mean what it says", () => {
    assertViolations(
      alertRuleQuality,
      [
        ruleResource([
          { ...good, alert: "Counter", expr: "rate(kubelet_evictions[5m]) > 0" },
          { ...good, alert: "NothingDown", expr: 'absent(up{job="api"} == 0)' },
          {
            ...good,
            alert: "Never",
            expr: 'sum(rate(http_requests_total{status=~"5..", status="200"}[5m])) > 0',
          },
        ]),
      ],
      [
        'PrometheusRule shop: group shop.alerts rule NothingDown: absent(up{job="api"} == 0) is true whenever nothing equals 0 (nothing is down), not when the series is missing; alert on the comparison itself, or use absent() on the selector alone.',
        'PrometheusRule shop: group shop.alerts rule Never: {status=~"5..", status="200"} can never match: the matchers on status contradict each other.',
      ],
    );
  });

  it("takes the allowed severities from config", () => {
    assertViolations(
      alertRuleQuality,
      [ruleResource([good])],
      [/severity "critical" is not one of page, ticket/],
      {
        "alert-rule-quality": { severities: ["page", "ticket"] },
      },
    );
  });
});

describe("policy alert-runbook-url", () => {
  it("is advisory and asks for a runbook link", () => {
    assertNoViolations(alertRunbookUrl, [ruleResource([good])]);
    const [v] = assertViolations(
      alertRunbookUrl,
      [ruleResource([{ ...good, annotations: { summary: "s", description: "d" } }])],
      [
        "PrometheusRule shop: group shop.alerts rule HighErrorRate: has no runbook_url; link the page on-call should open.",
      ],
    );
    if (v.enforcementLevel !== "advisory") throw new Error("alert-runbook-url must be advisory");
  });
});

describe("policy alert-rule-quality: templates after aggregation", () => {
  it("refuses $labels the aggregation dropped, and keeps quiet on the labels it keeps or the rule sets", () => {
    const templated = (expr: string, description: string, labels: Record<string, string> = {}) => ({
      ...good,
      expr,
      labels: { severity: "warning", ...labels },
      annotations: { summary: "s", description, runbook_url: "https://runbooks/x" },
    });
    assertViolations(
      alertRuleQuality,
      [
        ruleResource([
          templated(
            "sum by (job) (rate(errors_total[5m])) > 1",
            "{{ $labels.job }} on {{ $labels.instance }}",
          ),
          { ...templated("(sum(rate(errors_total[5m]))) > 1", "{{ $labels.namespace }}"), alert: "Total" },
        ]),
      ],
      [
        "PrometheusRule shop: group shop.alerts rule HighErrorRate: its annotations use $labels.instance, which the expression's aggregation drops (it keeps job).",
        "PrometheusRule shop: group shop.alerts rule Total: its annotations use $labels.namespace, which the expression's aggregation drops (it keeps no labels).",
      ],
    );
    assertNoViolations(alertRuleQuality, [
      ruleResource([
        templated("sum by (job) (rate(errors_total[5m])) > 1", "{{ $labels.job }} in {{ $labels.team }}", {
          team: "a",
        }),
        {
          ...templated("sum without (pod) (rate(errors_total[5m])) > 1", "{{ $labels.instance }}"),
          alert: "Without",
        },
      ]),
    ]);
  });
});

describe("policy rule-conventions", () => {
  it("advises on recording names with fewer than two colons and alerts over a comparison without a for", () => {
    const [v] = assertViolations(
      ruleConventions,
      [
        ruleResource([
          { record: "errors_rate", expr: "rate(errors_total[5m])" },
          { record: "job:errors_rate", expr: "rate(errors_total[5m])" },
          { record: "job:errors:rate5m", expr: "rate(errors_total[5m])" },
          { ...good, for: undefined },
          { ...good, alert: "Zero", for: "0s", expr: "up{job='api'} == 0" },
          { ...good, alert: "Watchdog", for: undefined, expr: "vector(1)" },
          { ...good, alert: "Flag", for: "0", expr: "sum(up > bool 0)" },
        ]),
      ],
      [
        "PrometheusRule shop: group shop.alerts rule errors_rate: recording rule errors_rate does not follow level:metric:operations (like job:http_requests:rate5m).",
        "PrometheusRule shop: group shop.alerts rule job:errors_rate: recording rule job:errors_rate does not follow level:metric:operations (like job:http_requests:rate5m).",
        "PrometheusRule shop: group shop.alerts rule HighErrorRate: alert HighErrorRate has no for on the comparison sum by (job) (rate(errors_total[5m])) / sum by (job) (rate(requests_total[5m])) > 0.05; one evaluation over the threshold pages (a scrape gap, a restart): add for: 5m or more.",
        "PrometheusRule shop: group shop.alerts rule Zero: alert Zero has for 0s on the comparison up{job='api'} == 0; one evaluation over the threshold pages (a scrape gap, a restart): add for: 5m or more.",
      ],
    );
    if (v.enforcementLevel !== "advisory") throw new Error("rule-conventions must be advisory");
    assertNoViolations(ruleConventions, [ruleResource([{ ...good, for: undefined }])], {
      "rule-conventions": { requireFor: false },
    });
  });

  it("advises, never blocks, on rate() over a name without a counter suffix and on a long for", () => {
    const rules = [
      { ...good, alert: "Evictions", expr: "sum by (node) (rate(kubelet_evictions[15m])) > 0" },
      { ...good, alert: "Octets", expr: 'rate({"ifHCInOctets", ifName=~`eth.*`}[5m]) > 1e9' },
      { ...good, alert: "Slow", for: "30d" },
    ];
    const found = assertViolations(
      ruleConventions,
      [ruleResource(rules)],
      [
        "PrometheusRule shop: group shop.alerts rule Evictions: rate() over kubelet_evictions, whose name does not say counter (no _total, _count, _sum or _bucket); if it is a gauge, use deriv() or delta(); if it is a counter, ignore this (check --prometheus-url asks the metric's metadata).",
        "PrometheusRule shop: group shop.alerts rule Octets: rate() over ifHCInOctets, whose name does not say counter (no _total, _count, _sum or _bucket); if it is a gauge, use deriv() or delta(); if it is a counter, ignore this (check --prometheus-url asks the metric's metadata).",
        "PrometheusRule shop: group shop.alerts rule Slow: for 30d is longer than 1d; the alert would page after the damage is done.",
      ],
    );
    assert.deepEqual(
      found.map((v) => v.enforcementLevel),
      ["advisory", "advisory", "advisory"],
    );
    assertNoViolations(alertRuleQuality, [ruleResource(rules)]);
  });

  it("advises on promtool's duplicates: one record name four times over disjoint selectors", () => {
    const availability = ["2..", "3..", "4..", "5.."].map((code) => ({
      record: "code:apiserver_request_total:increase30d",
      expr: `sum by (code, verb) (increase(apiserver_request_total{job="apiserver",code=~"${code}"}[30d]))`,
    }));
    const found = assertViolations(
      ruleConventions,
      [ruleResource(availability)],
      [2, 3, 4].map(
        (n) =>
          `PrometheusRule shop: group shop.alerts rule code:apiserver_request_total:increase30d (${n} of 4): record code:apiserver_request_total:increase30d with these labels is already in this file, with another expr (promtool's duplicate-rules lint); Prometheus loads both: fine when their selectors are disjoint, else their series collide.`,
      ),
    );
    assert.ok(found.every((v) => v.enforcementLevel === "advisory"));
    assertNoViolations(alertRuleQuality, [ruleResource(availability)]);
  });
});

import { alertRuleQuality, alertRunbookUrl } from "../../policies/rules";
import { assertNoViolations, assertViolations, resourceOf } from "../helpers/policies";

const ruleResource = (rules: unknown[]) =>
  resourceOf("kubernetes:monitoring.coreos.com/v1:PrometheusRule", "shop", {
    apiVersion: "monitoring.coreos.com/v1",
    kind: "PrometheusRule",
    spec: { groups: [{ name: "shop.alerts", rules }] },
  });
const good = {
  alert: "HighErrorRate",
  expr: "sum by (job) (rate(errors[5m])) / sum by (job) (rate(total[5m])) > 0.05",
  for: "5m",
  labels: { severity: "critical" },
  annotations: { summary: "s", description: "d", runbook_url: "https://runbooks/x" },
};

describe("policy alert-rule-quality", () => {
  it("passes a well-formed alert and recording rule", () => {
    assertNoViolations(alertRuleQuality, [
      ruleResource([good, { record: "job:errors:rate5m", expr: "sum by (job) (rate(errors[5m]))" }]),
    ]);
  });

  it("refuses PromQL that does not parse, naming where", () => {
    assertViolations(
      alertRuleQuality,
      [ruleResource([{ ...good, expr: "sum by (job (rate(errors[5m]))" }])],
      [
        'PrometheusRule shop: group shop.alerts rule HighErrorRate: expr is not valid PromQL near "sum by (job (rate(errors[5m" (offset 12); fix it or the rule never loads.',
      ],
    );
  });

  it("refuses alerts without a routable severity or readable annotations", () => {
    assertViolations(
      alertRuleQuality,
      [ruleResource([{ ...good, labels: { severity: "page" }, annotations: {} }])],
      [
        'PrometheusRule shop: group shop.alerts rule HighErrorRate: severity "page" is not one of critical, warning, info; routes match on it.',
        "PrometheusRule shop: group shop.alerts rule HighErrorRate: annotation summary is missing; on-call reads it first.",
        "PrometheusRule shop: group shop.alerts rule HighErrorRate: annotation description is missing; on-call reads it first.",
      ],
    );
  });

  it("refuses badly named recording rules, duplicate alerts and bad durations", () => {
    assertViolations(
      alertRuleQuality,
      [ruleResource([{ record: "errors_rate", expr: "rate(errors[5m])" }, good, { ...good, for: "5 min" }])],
      [
        "PrometheusRule shop: group shop.alerts rule errors_rate: recording rule name does not follow level:metric:operations (like job:http_requests:rate5m).",
        'PrometheusRule shop: group shop.alerts rule HighErrorRate: for "5 min" is not a Prometheus duration.',
        "PrometheusRule shop: group shop.alerts rule HighErrorRate: alert name HighErrorRate is used twice in this group.",
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
      ["PrometheusRule shop: alert HighErrorRate has no runbook_url; link the page on-call should open."],
    );
    if (v.enforcementLevel !== "advisory") throw new Error("alert-runbook-url must be advisory");
  });
});

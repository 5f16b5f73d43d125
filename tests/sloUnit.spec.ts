/**
 * SLO burn-rate rules as pure functions (components/appRules.ts): the SLI ratios per window, the
 * objective and budget, and the multi-window, multi-burn-rate alerts. Fast on purpose: mutation testing
 * runs it.
 */
import { strict as assert } from "node:assert";
import { BURN_RATE_WINDOWS, errorBudget, ruleContext, sloRules } from "../components/appRules";
import { appSchema } from "../components/appSchema";

const appOf = (extra: Record<string, unknown>) =>
  appSchema.parse({
    name: "shop",
    namespace: "shop",
    serviceMonitor: { endpoints: [{ port: "http" }] },
    ...extra,
  });

const ratio = (w: string) => `slo:sli_error:ratio_rate${w}{slo="shop-availability"}`;
const burn = (short: string, long: string, factor: number, budget: string) =>
  `(${ratio(short)} > (${factor} * ${budget}) and ${ratio(long)} > (${factor} * ${budget}))`;
const labels = { slo: "shop-availability", namespace: "shop" };

describe("SLO burn-rate rules", () => {
  it("computes the error budget without floating-point noise", () => {
    assert.deepEqual(
      [99.9, 99.95, 99, 99.99, 95, 50].map(errorBudget),
      [0.001, 0.0005, 0.01, 0.0001, 0.05, 0.5],
    );
  });

  it("burns at 14.4 and 6 (page) and 3 and 1 (ticket), each over a short and a long window", () => {
    assert.deepEqual(BURN_RATE_WINDOWS, [
      { kind: "page", short: "5m", long: "1h", factor: 14.4 },
      { kind: "page", short: "30m", long: "6h", factor: 6 },
      { kind: "ticket", short: "2h", long: "1d", factor: 3 },
      { kind: "ticket", short: "6h", long: "3d", factor: 1 },
    ]);
  });

  it("records the SLI per window from the app's metrics, the objective and the budget, then pages and tickets", () => {
    const app = appOf({ team: "retail", slo: { objective: 99.9 } });
    const rules = sloRules(app, ruleContext(app, "https://runbooks.example.com/"));
    const sli = (w: string) => ({
      record: `slo:sli_error:ratio_rate${w}`,
      expr:
        `(sum by (namespace, job) (rate(http_requests_total{namespace="shop", job="shop", status=~"5.."}[${w}])))` +
        `\n/\n(sum by (namespace, job) (rate(http_requests_total{namespace="shop", job="shop"}[${w}])) > 0)`,
      labels,
    });
    const owner = { app: "shop", team: "retail", slo: "shop-availability" };
    assert.deepEqual(rules, [
      ...["5m", "30m", "1h", "2h", "6h", "1d", "3d"].map(sli),
      { record: "slo:objective:ratio", expr: "vector(0.999)", labels },
      { record: "slo:error_budget:ratio", expr: "vector(0.001)", labels },
      {
        alert: "ErrorBudgetBurnFast",
        expr: `${burn("5m", "1h", 14.4, "0.001")}\nor\n${burn("30m", "6h", 6, "0.001")}`,
        for: "2m",
        labels: { severity: "critical", ...owner },
        annotations: {
          summary: "shop: burning the 99.9% availability error budget fast",
          description: "At this rate the 30d error budget of shop runs out within days: act now.",
          runbook_url: "https://runbooks.example.com/ErrorBudgetBurnFast",
        },
      },
      {
        alert: "ErrorBudgetBurnSlow",
        expr: `${burn("2h", "1d", 3, "0.001")}\nor\n${burn("6h", "3d", 1, "0.001")}`,
        for: "15m",
        labels: { severity: "warning", ...owner },
        annotations: {
          summary: "shop: burning the 99.9% availability error budget steadily",
          description:
            "At this rate the 30d error budget of shop runs out before the window ends: plan a fix.",
          runbook_url: "https://runbooks.example.com/ErrorBudgetBurnSlow",
        },
      },
    ]);
  });

  it("takes the app's own SLI queries, window and severities, and links no runbook without a base", () => {
    const app = appOf({
      slo: {
        objective: "99.95%",
        window: "28d",
        errorQuery: 'sum(rate(grpc_errors_total{svc="shop"}[{{window}}])) + 0 * ({{window}})',
        totalQuery: 'sum(rate(grpc_total{svc="shop"}[{{window}}]))',
        pageSeverity: "warning",
        ticketSeverity: "info",
      },
    });
    const rules = sloRules(app, ruleContext(app));
    assert.deepEqual(rules[1], {
      record: "slo:sli_error:ratio_rate30m",
      expr: '(sum(rate(grpc_errors_total{svc="shop"}[30m])) + 0 * (30m))\n/\n(sum(rate(grpc_total{svc="shop"}[30m])) > 0)',
      labels,
    });
    assert.deepEqual(
      rules.slice(7, 9).map((r) => r.expr),
      ["vector(0.9995)", "vector(0.0005)"],
    );
    assert.deepEqual(
      rules.slice(9).map((r) => [r.alert, r.labels, r.annotations]),
      [
        [
          "ErrorBudgetBurnFast",
          { severity: "warning", app: "shop", slo: "shop-availability" },
          {
            summary: "shop: burning the 99.95% availability error budget fast",
            description: "At this rate the 28d error budget of shop runs out within days: act now.",
          },
        ],
        [
          "ErrorBudgetBurnSlow",
          { severity: "info", app: "shop", slo: "shop-availability" },
          {
            summary: "shop: burning the 99.95% availability error budget steadily",
            description:
              "At this rate the 28d error budget of shop runs out before the window ends: plan a fix.",
          },
        ],
      ],
    );
    assert.equal(rules[9].expr, `${burn("5m", "1h", 14.4, "0.0005")}\nor\n${burn("30m", "6h", 6, "0.0005")}`);
  });

  it("has no SLO rules without an SLO", () => {
    const app = appOf({});
    assert.deepEqual(sloRules(app, ruleContext(app)), []);
  });
});

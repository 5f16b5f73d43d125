/**
 * `npm run backtest` against Debian's Prometheus serving generated history (promtool-built blocks): a
 * queue-depth gauge with one known spike (10, then 100 from 2h00 to 2h29, then 10) and request counters
 * with one known error burst (600 errors a minute from 4h00 to 4h20 beside 100 successes a minute).
 * Evaluations fall 30 s after each sample, so no rate window starts on a sample and the counts are
 * exact whatever side of a window Prometheus' version includes.
 */
import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { main } from "../../plan/backtestCli";
import { planFromJson } from "../../plan/backtest/input";
import { DEFAULT_LIMITS, httpFetcher } from "../../plan/backtest/query";
import { BacktestResult, backtest } from "../../plan/backtest/run";
import {
  DEFAULT_RECEIVER,
  FixtureGroup,
  NULL_RECEIVER,
  PAGER_RECEIVER,
  TEAM_RECEIVER,
  fixturePlan,
} from "../helpers/backtestPlans";
import { requireTool } from "../helpers/tools";
import { HistoryServer, openMetrics, startHistoryPrometheus } from "./history";
import { Processes } from "./processes";

const T0 = Date.UTC(2025, 0, 1) / 1000;
const MIN = 60;
const shop = { namespace: "shop", job: "shop" };
const HISTORY = openMetrics(
  [
    {
      name: "queue_depth",
      type: "gauge",
      help: "Jobs waiting.",
      series: [{ labels: { ...shop, instance: "a" }, values: (i) => (i >= 120 && i < 150 ? 100 : 10) }],
    },
    {
      name: "http_requests",
      type: "counter",
      help: "Requests answered.",
      series: [
        { labels: { ...shop, status: "200" }, values: (i) => 100 * i },
        { labels: { ...shop, status: "500" }, values: (i) => 600 * Math.min(Math.max(i - 240, 0), 20) },
      ],
    },
  ],
  T0,
  MIN,
  6 * 60 + 1,
);

const warning = { severity: "warning", app: "shop" };
const queue = (threshold: number) => `queue_depth{job="shop"} > ${threshold}`;
const ratio = (window: string) =>
  `sum by (namespace) (rate(http_requests_total{job="shop", status=~"5.."}[${window}]))\n/\n` +
  `sum by (namespace) (rate(http_requests_total{job="shop"}[${window}]))`;
const slo: FixtureGroup = {
  name: "shop.slo",
  interval: "1m",
  rules: [
    { record: "slo:sli_error:ratio_rate5m", expr: ratio("5m"), labels: { slo: "shop-availability" } },
    { record: "slo:sli_error:ratio_rate30m", expr: ratio("30m"), labels: { slo: "shop-availability" } },
    {
      alert: "ErrorBudgetBurnFast",
      expr:
        'slo:sli_error:ratio_rate5m{slo="shop-availability"} > (14.4 * 0.01)\nand\n' +
        'slo:sli_error:ratio_rate30m{slo="shop-availability"} > (14.4 * 0.01)',
      for: "2m",
      labels: { severity: "critical", app: "shop", slo: "shop-availability" },
    },
  ],
};
const OLD = fixturePlan("backtest", [
  {
    name: "shop.alerts",
    interval: "1m",
    rules: [
      { alert: "QueueDeep", expr: queue(50), for: "5m", labels: warning },
      { alert: "QueueDeepLong", expr: queue(50), for: "10m", labels: warning },
      {
        alert: "ShopErrors",
        expr: 'sum by (namespace) (rate(http_requests_total{job="shop", status="500"}[5m])) > 1',
        for: "5m",
        labels: warning,
      },
    ],
  },
  slo,
]);
const NEW = fixturePlan("backtest", [
  {
    name: "shop.alerts",
    interval: "1m",
    rules: [
      { alert: "QueueDeep", expr: queue(150), for: "5m", labels: warning },
      { alert: "QueueDeepLong", expr: queue(50), for: "20m", labels: warning },
      { alert: "QueueNotEmpty", expr: queue(90), for: "1m", labels: { severity: "page", app: "shop" } },
    ],
  },
  slo,
]);
// Evaluations at hh:mm:30, from 1h00m30s to 6h00m30s.
const FROM_MS = (T0 + 60 * MIN + 30) * 1000;
const TO_MS = (T0 + 360 * MIN + 30) * 1000;

describe("end to end: npm run backtest against a Prometheus with known history", function () {
  this.timeout(120_000);
  const processes = new Processes();
  let server: HistoryServer;
  let result: BacktestResult;
  const alert = (name: string) => {
    const found = result.alerts.find((a) => a.alert === name);
    assert.ok(found, `${name} in the result`);
    return { change: found.change, old: found.old, new: found.new, errors: found.errors };
  };
  const receiver = (name: string) => {
    const r = result.receivers.find((x) => x.receiver === name);
    return r && [r.old, r.new];
  };

  before(async function () {
    requireTool(this, "prometheus", "prometheus");
    requireTool(this, "promtool", "prometheus");
    server = await startHistoryPrometheus(processes, HISTORY);
    const limits = DEFAULT_LIMITS;
    result = await backtest(
      planFromJson(OLD, "old.json", "backtest"),
      planFromJson(NEW, "new.json", "backtest"),
      {
        prometheusUrl: server.url,
        fromMs: FROM_MS,
        toMs: TO_MS,
        limits,
        fetcher: httpFetcher(limits, {}),
      },
    );
  });

  after(async () => {
    await processes.stopAll();
    if (server) fs.rmSync(server.dir, { recursive: true, force: true });
  });

  it("a threshold raised above the spike: one episode (2h05m30s to 2h30m30s) before, none after", () => {
    assert.deepEqual(alert("QueueDeep"), {
      change: "changed",
      old: { episodes: 1, firingSeconds: 1500 },
      new: { episodes: 0, firingSeconds: 0 },
      errors: undefined,
    });
  });

  it("a longer for: fires 10 minutes later in the same spike", () => {
    assert.deepEqual(alert("QueueDeepLong"), {
      change: "changed",
      old: { episodes: 1, firingSeconds: 1200 },
      new: { episodes: 1, firingSeconds: 600 },
      errors: undefined,
    });
  });

  it("an SLO burn-rate alert over recording rules the server never recorded: 4h03m30s to 4h24m30s", () => {
    assert.deepEqual(alert("ErrorBudgetBurnFast"), {
      change: "unchanged",
      old: { episodes: 1, firingSeconds: 1260 },
      new: { episodes: 1, firingSeconds: 1260 },
      errors: undefined,
    });
  });

  it("a new alert and a deleted one", () => {
    assert.deepEqual(alert("QueueNotEmpty"), {
      change: "added",
      old: null,
      new: { episodes: 1, firingSeconds: 1740 },
      errors: undefined,
    });
    assert.deepEqual(alert("ShopErrors"), {
      change: "deleted",
      old: { episodes: 1, firingSeconds: 1080 },
      new: null,
      errors: undefined,
    });
  });

  it("counts each receiver's notifications: a firing and a resolved one per episode, none when inhibited", () => {
    // Old: QueueDeep 2 + QueueDeepLong 2 to the team, ShopErrors inhibited by the critical burn alert
    // for all its firing; the burn alert 2 to the pager. New: QueueDeepLong 2 to the team; the burn
    // alert and QueueNotEmpty (severity page, which inhibits nothing) 2 each to the pager.
    assert.deepEqual(receiver(TEAM_RECEIVER), [4, 2]);
    assert.deepEqual(receiver(PAGER_RECEIVER), [2, 4]);
    // The app's namespace goes to the platform's null route: no integration, nothing sent.
    assert.deepEqual(receiver(NULL_RECEIVER), [0, 0]);
    assert.deepEqual(receiver(DEFAULT_RECEIVER), [0, 0]);
    assert.equal(result.complete, true);
  });

  it("keeps regex and negative matchers' meaning on labels a recording rule does not set", async () => {
    const filtered = (matcher: string) =>
      planFromJson(
        fixturePlan("backtest", [
          {
            ...slo,
            rules: [
              ...slo.rules.filter((r) => r.record),
              { alert: "Filtered", expr: `slo:sli_error:ratio_rate5m{${matcher}} > 0.144`, labels: warning },
            ],
          },
        ]),
        "p.json",
        "backtest",
      );
    const limits = DEFAULT_LIMITS;
    const r = await backtest(filtered('namespace=~"sh.p"'), filtered('namespace!~"sh.p"'), {
      prometheusUrl: server.url,
      fromMs: FROM_MS,
      toMs: TO_MS,
      limits,
      fetcher: httpFetcher(limits, {}),
    });
    // The 5m error ratio is above 0.144 from 4h01m30s to 4h23m30s: with no `for`, resolved at 4h24m30s.
    assert.deepEqual(
      r.alerts.map((a) => [a.alert, a.old, a.new]),
      [["Filtered", { episodes: 1, firingSeconds: 1380 }, { episodes: 0, firingSeconds: 0 }]],
    );
  });

  it("npm run backtest --format json prints the documented shape, and markdown the changed alerts", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "kube-monitoring-backtest-"));
    try {
      fs.writeFileSync(path.join(dir, "old.json"), JSON.stringify(OLD));
      fs.writeFileSync(path.join(dir, "new.json"), JSON.stringify(NEW));
      const run = async (format: string) => {
        const out: string[] = [];
        const err: string[] = [];
        const code = await main(
          [
            "backtest",
            "--compare",
            path.join(dir, "old.json"),
            "--plan",
            path.join(dir, "new.json"),
            "--prometheus-url",
            server.url,
            "--range",
            "5h",
            "--end",
            String(TO_MS / 1000),
            "--format",
            format,
          ],
          { out: (s) => out.push(s), err: (s) => err.push(s), env: {} },
        );
        return { code, out: out.join("\n"), err: err.join("\n") };
      };
      const json = await run("json");
      assert.equal(json.code, 0, json.err);
      const parsed = JSON.parse(json.out) as BacktestResult;
      assert.deepEqual(parsed.range, {
        from: new Date(FROM_MS).toISOString(),
        to: new Date(TO_MS).toISOString(),
        seconds: 5 * 3600,
        stepSeconds: null,
      });
      assert.deepEqual(
        parsed.alerts.map((a) => [
          a.alert,
          a.app,
          a.namespace,
          a.old?.episodes ?? null,
          a.new?.episodes ?? null,
        ]),
        [
          ["QueueDeep", "shop", "shop", 1, 0],
          ["QueueDeepLong", "shop", "shop", 1, 1],
          ["QueueNotEmpty", "shop", "shop", null, 1],
          ["ShopErrors", "shop", "shop", 1, null],
          ["ErrorBudgetBurnFast", "shop", "shop", 1, 1],
        ],
      );
      assert.deepEqual(parsed.receivers, result.receivers);
      const markdown = await run("markdown");
      assert.equal(markdown.code, 0, markdown.err);
      assert.match(
        markdown.out,
        /^\| changed \| QueueDeep \| shop \| shop \| 1 episodes, 25m firing \| 0 episodes, 0s firing \|$/m,
      );
      assert.match(markdown.out, new RegExp(`^\\| shop/shop/team \\| 4 \\| 2 \\|$`, "m"));
      assert.doesNotMatch(
        markdown.out,
        /ErrorBudgetBurnFast/,
        "an unchanged alert that fires the same is not listed",
      );
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

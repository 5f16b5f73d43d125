/**
 * `npm run verify` against a real Prometheus and Alertmanager on loopback, set up as the operator would
 * render the dev plan: scrape pools named like the operator names them, the generated rule files, the
 * effective Alertmanager configuration, and a fixture app as the target. Healthy, every check passes;
 * then one thing breaks after another, and each time exactly the checks about it fail.
 */
import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as http from "node:http";
import type { AddressInfo } from "node:net";
import * as os from "node:os";
import * as path from "node:path";
import { parse, stringify } from "yaml";
import { effectiveAlertmanagerConfig, ruleFiles } from "../../plan/alertmanagerConfig";
import type { Plan } from "../../plan/plan";
import { ApiError, CheckResult, expectationsOf, httpClient, verify } from "../../plan/verify";
import { planOf } from "../helpers/plan";
import { requireTool } from "../helpers/tools";
import { CHART_GROUP_WITH_WATCHDOG, localServer, writeChartRuleStandIns } from "./standIns";
import { FixtureApp, startFixtureApp } from "./fixtureApp";
import { Processes, freePort, ready, waitFor } from "./processes";

const SERVICE_MONITOR_POOL = "serviceMonitor/rust-app/rust-app/0";
const PROBE_POOL = "probe/rust-app/rust-app-health";

/** The payments team's stack, deployed: its receiver joins the platform's configuration. */
function withTeamReceiver(config: Record<string, unknown>) {
  const receivers = (config.receivers ?? []) as { name: string }[];
  return { ...config, receivers: [...receivers, { name: "payments-checkout/checkout/payments-slack" }] };
}

describe("end to end: npm run verify against live servers", function () {
  this.timeout(120_000);
  const processes = new Processes();
  let dir: string;
  let app: FixtureApp;
  let exporter: Awaited<ReturnType<typeof localServer>>;
  let plan: Plan;
  let ports: { prometheus: number; alertmanager: number };
  let pools: Record<string, string>;
  let chartPools: Record<string, string>;
  let ruleFileNames: string[];

  const endpoints = () => ({
    prometheus: `http://127.0.0.1:${ports.prometheus}`,
    alertmanager: `http://127.0.0.1:${ports.alertmanager}`,
  });
  const failing = (results: CheckResult[]) =>
    results
      .filter((r) => !r.ok)
      .map((r) => r.check)
      .sort();

  /**
   * The chart's Prometheus pools scrape Prometheus itself (head series), its other pools a tiny
   * exporter: both stay up while the app breaks, and Prometheus is not scraped fifteen times a second.
   */
  const targetPort = (job: string) =>
    !(job in chartPools) ? app.port : /\/kps-prometheus\//.test(job) ? ports.prometheus : exporter.port;

  function writePrometheusConfig() {
    fs.writeFileSync(
      path.join(dir, "prometheus.yaml"),
      stringify({
        global: { scrape_interval: "1s", evaluation_interval: "1s" },
        rule_files: ruleFileNames.map((f) => path.join(dir, f)),
        alerting: { alertmanagers: [{ static_configs: [{ targets: [`127.0.0.1:${ports.alertmanager}`] }] }] },
        scrape_configs: Object.entries(pools).map(([job, metricsPath]) => ({
          job_name: job,
          metrics_path: metricsPath,
          static_configs: [{ targets: [`127.0.0.1:${targetPort(job)}`] }],
        })),
      }),
    );
  }

  const reload = async (port: number) => {
    const res = await fetch(`http://127.0.0.1:${port}/-/reload`, { method: "POST" });
    assert.equal(res.status, 200, await res.text());
  };

  /** Runs verify until exactly `expected` checks fail (or time runs out, and says what it saw). */
  async function expectFailing(expected: string[]) {
    let last: CheckResult[] = [];
    await waitFor(
      `exactly ${expected.join(", ") || "nothing"} to fail`,
      30_000,
      async () => {
        const result = await verify({ stack: "dev", plan, endpoints: endpoints(), retryMs: 250 });
        last = result.results;
        return JSON.stringify(failing(last)) === JSON.stringify([...expected].sort()) ? true : undefined;
      },
      // Each run asks every API of the setup: every 500 ms is often enough for 1 s scrapes.
      500,
    ).catch((err: Error) => {
      throw new Error(`${err.message}; last run failed ${JSON.stringify(last.filter((r) => !r.ok))}`);
    });
    return last;
  }

  before(async function () {
    requireTool(this, "prometheus", "prometheus");
    requireTool(this, "prometheus-alertmanager", "prometheus-alertmanager");
    plan = (await planOf("dev")).plan!;
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "kube-monitoring-verify-"));
    app = await startFixtureApp();
    exporter = await localServer();
    ports = { prometheus: await freePort(), alertmanager: await freePort() };
    // The chart's own pools (kubelet, kube-state-metrics, …) scrape the fixture app here: their names matter.
    chartPools = Object.fromEntries(
      expectationsOf(plan)
        .scrapePools.filter((p) => p.from.startsWith("chart"))
        .map((p) => [p.pool, "/metrics"]),
    );
    pools = { ...chartPools, [SERVICE_MONITOR_POOL]: "/metrics", [PROBE_POOL]: "/health" };
    // The operator's rule files: one per PrometheusRule, named <namespace>-<name>-<uid>.yaml; the
    // chart's own groups (Watchdog in general.rules) as stand-ins named the same way.
    ruleFileNames = [];
    for (const f of ruleFiles(plan.resources)) {
      const name = f.name.replace(/\.rules\.yaml$/, "-0a1b2c.yaml");
      const groups = (f.groups as Record<string, unknown>[]).map((g) => ({ ...g, interval: "1s" }));
      fs.writeFileSync(path.join(dir, name), stringify({ groups }));
      ruleFileNames.push(name);
    }
    ruleFileNames.push(...writeChartRuleStandIns(expectationsOf(plan), dir));
    writePrometheusConfig();
    fs.writeFileSync(
      path.join(dir, "alertmanager.yaml"),
      stringify(withTeamReceiver(effectiveAlertmanagerConfig(plan.resources))),
    );

    processes.start("prometheus-alertmanager", [
      `--config.file=${path.join(dir, "alertmanager.yaml")}`,
      `--storage.path=${path.join(dir, "am")}`,
      `--web.listen-address=127.0.0.1:${ports.alertmanager}`,
      "--cluster.listen-address=",
    ]);
    processes.start("prometheus", [
      `--config.file=${path.join(dir, "prometheus.yaml")}`,
      `--storage.tsdb.path=${path.join(dir, "prom")}`,
      `--web.listen-address=127.0.0.1:${ports.prometheus}`,
      "--web.enable-lifecycle",
      "--rules.alert.resend-delay=1s",
    ]);
    for (const port of Object.values(ports)) {
      await waitFor(`port ${port} to be ready`, 20_000, () => ready(`http://127.0.0.1:${port}/-/ready`));
    }
  });

  after(async () => {
    await processes.stopAll();
    await app?.close();
    exporter?.server.closeAllConnections();
    exporter?.server.close();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  it("passes for the healthy setup: every pool up, every group healthy, receivers loaded, Watchdog firing", async () => {
    const results = await expectFailing([]);
    assert.deepEqual(
      results.map((r) => r.check).sort(),
      [
        `targets ${PROBE_POOL}`,
        `targets ${SERVICE_MONITOR_POOL}`,
        ...Object.keys(chartPools).map((p) => `targets ${p}`),
        ...expectationsOf(plan)
          .ruleGroups.filter((g) => g.from.startsWith("chart"))
          .map((g) => `rules ${g.group}`),
        "rules kube-monitoring.monitoring-pipeline",
        "rules kube-monitoring.scrape-limits",
        "rules rust-app.recording",
        "rules rust-app.golden-signals",
        "rules rust-app.slo",
        "rules rust-app.probes",
        "alertmanager configuration",
        "routing payments-*",
        "routing rust-app",
        "watchdog",
        "operator",
        "notifications",
        "head series",
        "network policies",
      ].sort(),
    );
    // Prometheus scrapes itself here, so the head series are known: far below dev's plan, no warning.
    const head = results.find((r) => r.check === "head series")!;
    assert.match(head.detail, /^\d+ of \d+ expected \(\d+%\)$/);
    assert.equal(head.warn, false);
    assert.equal(results.find((r) => r.check === "network policies")!.warn, true);
  });

  it("fails naming each broken thing, one after another, and nothing else", async () => {
    // Alertmanager keeps a configuration without one of the app's receivers.
    const am = withTeamReceiver(effectiveAlertmanagerConfig(plan.resources)) as {
      receivers: { name: string }[];
      route: unknown;
    };
    const dropped = "rust-app/rust-app/audit-webhook";
    const withoutAudit = JSON.parse(JSON.stringify(am), (_key, value) =>
      Array.isArray(value)
        ? value.filter((v) => !(v && (v.name === dropped || v.receiver === dropped)))
        : value,
    );
    fs.writeFileSync(path.join(dir, "alertmanager.yaml"), stringify(withoutAudit));
    await reload(ports.alertmanager);
    let results = await expectFailing(["alertmanager configuration"]);
    assert.match(
      results.find((r) => r.check === "alertmanager configuration")!.detail,
      /^receiver "rust-app\/rust-app\/audit-webhook" missing from the loaded configuration/,
    );

    // A rule that loads but fails on every evaluation.
    const appRules = ruleFileNames.find((f) => f.startsWith("rust-app-rust-app-"))!;
    const file = parse(fs.readFileSync(path.join(dir, appRules), "utf8")) as {
      groups: { name: string; rules: unknown[] }[];
    };
    file.groups
      .find((g) => g.name === "rust-app.recording")!
      .rules.push({ record: "broken:up:duplicate", expr: "vector(1) * on() group_left() up" });
    fs.writeFileSync(path.join(dir, appRules), stringify(file));
    await reload(ports.prometheus);
    results = await expectFailing(["alertmanager configuration", "rules rust-app.recording"]);
    assert.match(
      results.find((r) => r.check === "rules rust-app.recording")!.detail,
      /^broken:up:duplicate fails to evaluate: .*duplicate series/,
    );

    // The chart's general.rules, and with it Watchdog, is gone.
    ruleFileNames = ruleFileNames.filter(
      (f) => !f.startsWith(`monitoring-kps-${CHART_GROUP_WITH_WATCHDOG}-`),
    );
    writePrometheusConfig();
    await reload(ports.prometheus);
    const lost = [
      "alertmanager configuration",
      "rules rust-app.recording",
      `rules ${CHART_GROUP_WITH_WATCHDOG}`,
    ];
    await expectFailing([...lost, "watchdog"]);

    // The ServiceMonitor's pool is renamed: Prometheus no longer has the pool the plan expects.
    pools = { ...chartPools, [`${SERVICE_MONITOR_POOL}-renamed`]: "/metrics", [PROBE_POOL]: "/health" };
    writePrometheusConfig();
    await reload(ports.prometheus);
    results = await expectFailing([...lost, "watchdog", `targets ${SERVICE_MONITOR_POOL}`]);
    assert.match(
      results.find((r) => r.check === `targets ${SERVICE_MONITOR_POOL}`)!.detail,
      /^ServiceMonitor rust-app\/rust-app: not picked up by Prometheus; likely causes: /,
    );

    // The target stops answering.
    await app.close();
    results = await expectFailing([
      ...lost,
      "watchdog",
      `targets ${SERVICE_MONITOR_POOL}`,
      `targets ${PROBE_POOL}`,
    ]);
    assert.match(
      results.find((r) => r.check === `targets ${PROBE_POOL}`)!.detail,
      /^1 of 1 targets down: http:\/\/127\.0\.0\.1:\d+\/health: /,
    );
  });
});

describe("verify when an API cannot answer", () => {
  let server: http.Server;
  let base: string;
  before(async () => {
    server = http.createServer((req, res) => {
      if (req.url?.startsWith("/unauthorized")) res.writeHead(401).end();
      else if (req.url?.startsWith("/garbage")) res.writeHead(200).end("<html>login</html>");
      else if (req.url?.startsWith("/slow")) setTimeout(() => res.writeHead(200).end("{}"), 2000);
      else res.writeHead(404).end();
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(() => {
    server.closeAllConnections();
    server.close();
  });

  const errorOf = async (url: string, timeoutMs = 5000) => {
    const err = await httpClient({}, timeoutMs)
      .get(url)
      .then(
        () => undefined,
        (e: unknown) => e,
      );
    assert.ok(err instanceof ApiError, String(err));
    return err.message;
  };

  it("names the URL and why: refused, unauthorized, not JSON, too slow", async () => {
    const closed = await freePort();
    assert.match(
      await errorOf(`http://127.0.0.1:${closed}/api/v1/targets`),
      new RegExp(`^http://127\\.0\\.0\\.1:${closed}/api/v1/targets: cannot connect \\(ECONNREFUSED\\)$`),
    );
    assert.equal(
      await errorOf(`${base}/unauthorized`),
      `${base}/unauthorized: 401: not allowed; set KUBE_MONITORING_VERIFY_TOKEN, or _USER and _PASSWORD`,
    );
    assert.equal(
      await errorOf(`${base}/garbage`),
      `${base}/garbage: answered with something that is not JSON: "<html>login</html>"`,
    );
    assert.equal(await errorOf(`${base}/slow`, 200), `${base}/slow: no answer within 0.2s`);
  });

  it("exits 3 naming the unreachable API, and sends the bearer token from the environment", async () => {
    const closed = await freePort();
    const result = await verify({
      stack: "dev",
      plan: { stack: "dev", resources: [] },
      endpoints: { prometheus: `http://127.0.0.1:${closed}`, alertmanager: base },
    });
    assert.equal(result.exitCode, 3);
    assert.match(
      result.error!,
      new RegExp(`^http://127\\.0\\.0\\.1:${closed}/api/v1/targets\\?state=active: cannot connect`),
    );

    let seen: string | undefined;
    const echo = http.createServer((req, res) => {
      seen = req.headers.authorization;
      res.writeHead(200).end("{}");
    });
    await new Promise<void>((r) => echo.listen(0, "127.0.0.1", r));
    try {
      await httpClient({ KUBE_MONITORING_VERIFY_TOKEN: "t0ken" }).get(
        `http://127.0.0.1:${(echo.address() as AddressInfo).port}/`,
      );
      assert.equal(seen, "Bearer t0ken");
    } finally {
      echo.close();
    }
  });
});

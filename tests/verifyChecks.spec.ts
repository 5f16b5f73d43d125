/**
 * verify's checks against a fake API: each check's verdict and detail from the answers of Prometheus,
 * Alertmanager and Thanos Query, and the exact queries it asks. No process, no plan: mutation testing
 * runs it for plan/verify/checks.ts (tests/e2e/verify.spec.ts runs verify against real servers).
 */
import { strict as assert } from "node:assert";
import { verifyOnce, type Endpoints } from "../plan/verify/checks";
import type { Expectations } from "../plan/verify/expectations";
import { sinceLastUpload } from "../components/platformRules";

const NOW = Date.parse("2026-12-02T07:00:00Z");
const ago = (s: number) => new Date(NOW - s * 1000).toISOString();
const ok = <T>(data: T) => ({ status: "success", data });
const sample = (value: number | string, metric: Record<string, string> = {}) => ({
  metric,
  value: [NOW / 1000, String(value)],
});

/** A client that answers by path, and PromQL queries by their exact expression; anything else throws. */
function fakeClient(paths: Record<string, unknown>, queries: Record<string, unknown[]>) {
  const asked: string[] = [];
  const client = {
    async get(url: string) {
      const u = new URL(url);
      if (u.pathname === "/api/v1/query") {
        const expr = u.searchParams.get("query")!;
        asked.push(`${u.host} ${expr}`);
        if (!(expr in queries)) throw new Error(`unexpected query ${expr}`);
        return ok({ resultType: "vector", result: queries[expr] });
      }
      asked.push(`${u.host}${u.pathname}${u.search}`);
      if (!(url in paths)) throw new Error(`unexpected GET ${url}`);
      return paths[url];
    },
  };
  return { client, asked };
}

const ep: Endpoints = {
  prometheus: "http://prom:9090/",
  alertmanager: "http://am:9093",
  thanosQuery: "http://query:10902",
};
const SIDECAR = "kps-thanos-discovery";
const COMPACTOR = "thanos-compactor";

const exp: Expectations = {
  scrapePools: [
    { pool: "serviceMonitor/shop/api/0", from: "ServiceMonitor shop/api" },
    { pool: "podMonitor/shop/worker", from: "PodMonitor shop/worker" },
    { pool: "serviceMonitor/shop/db/0", from: "ServiceMonitor shop/db" },
    { pool: "probe/shop/site", from: "Probe shop/site" },
  ],
  ruleGroups: [
    { group: "shop.rules", filePrefix: "shop-rules-", from: "PrometheusRule shop/rules" },
    { group: "shop.slo", filePrefix: "shop-slo-", from: "PrometheusRule shop/slo" },
    { group: "shop.stale", filePrefix: "shop-stale-", from: "PrometheusRule shop/stale" },
    { group: "shop.edge", filePrefix: "shop-edge-", from: "PrometheusRule shop/edge" },
    { group: "shop.fast", filePrefix: "shop-fast-", from: "PrometheusRule shop/fast" },
    { group: "shop.gone", filePrefix: "shop-gone-", from: "PrometheusRule shop/gone" },
  ],
  receivers: ["shop/routing/pager", "monitoring/platform/chat", "monitoring/platform/pager"],
  alertmanagerReplicas: 2,
  prometheusReplicas: 2,
  thanos: { sidecarJob: SIDECAR, compactorJob: COMPACTOR },
  remoteWrite: [
    { name: "amp", url: "https://amp.example.com/write", maxLagSeconds: 120 },
    { name: "mimir", url: "https://mimir.example.com/push", maxLagSeconds: 120 },
    { name: "gone", url: "https://gone.example.com/push", maxLagSeconds: 120 },
  ],
  headSeries: { expected: 1000, warnRatio: 1.2 },
  seriesBudgets: [
    { namespace: "shop", monitor: "api", budget: 100 },
    { namespace: "cart", monitor: "api", budget: 100 },
    { namespace: "edge", monitor: "api", budget: 100 },
    { namespace: "idle", monitor: "api", budget: 100 },
  ],
  routedNamespaces: [
    { namespace: "shop", owner: "app shop" },
    { namespace: "payments-*", owner: "team payments" },
    { namespace: "sho", owner: "app sho" },
  ],
  networkPolicies: { count: 3, note: "enforced only where the CNI enforces NetworkPolicies" },
};

const RULE_FILE = "/etc/prometheus/rules/prometheus-kps-rulefiles-0";
const group = (name: string, file: string, interval: number, evaluatedAgo: number, rules: unknown[]) => ({
  name,
  file: `${RULE_FILE}/${file}-0a1b.yaml`,
  interval,
  lastEvaluation: ago(evaluatedAgo),
  rules,
});
const healthy = { name: "r", health: "ok" };

const QUERIES = {
  operator: 'max by (controller, resource) (prometheus_operator_managed_resources{state="rejected"}) > 0',
  notifications: "sum by (integration) (increase(alertmanager_notifications_failed_total[15m])) > 0",
  uploads: `${sinceLastUpload(`job="${SIDECAR}"`, "pod")} > 4 * 3600`,
  reporting: `max by (pod) (thanos_objstore_bucket_last_successful_upload_time{job="${SIDECAR}"})`,
  compactor: `max(thanos_compact_halted{job="${COMPACTOR}"}) == 1`,
  failed: (rw: string) =>
    `sum(increase(prometheus_remote_storage_samples_failed_total{remote_name="${rw}"}[15m]))`,
  pending: (rw: string) => `sum(prometheus_remote_storage_samples_pending{remote_name="${rw}"})`,
  lag: (rw: string) =>
    `max(prometheus_remote_storage_highest_timestamp_in_seconds - ignoring(remote_name, url) group_right prometheus_remote_storage_queue_highest_sent_timestamp_seconds{remote_name="${rw}"})`,
  head: "max(prometheus_tsdb_head_series)",
  budget: (ns: string) => `max(scrape_samples_post_metric_relabeling{namespace="${ns}"})`,
};

// `pricing/…` starts like `payments-*` but is no payments namespace; `shop/…` is not `sho`'s.
const amConfig =
  "route:\n  receiver: x\nreceivers:\n- name: shop/routing/pager\n- name: shop/routing/chat\n- name: pricing/routing/x\n";

function troubledApis() {
  return fakeClient(
    {
      "http://prom:9090/api/v1/targets?state=active": ok({
        activeTargets: [
          { scrapePool: "serviceMonitor/shop/api/0", health: "up", scrapeUrl: "http://a:8080/metrics" },
          { scrapePool: "serviceMonitor/shop/api/0", health: "up", scrapeUrl: "http://b:8080/metrics" },
          { scrapePool: "podMonitor/shop/worker", health: "up", scrapeUrl: "http://w0:9000/metrics" },
          {
            scrapePool: "podMonitor/shop/worker",
            health: "down",
            scrapeUrl: "http://w1:9000/metrics",
            lastError: "",
          },
          { scrapePool: "podMonitor/shop/worker", health: "unknown", scrapeUrl: "http://w2:9000/metrics" },
          {
            scrapePool: "serviceMonitor/shop/db/0",
            health: "down",
            scrapeUrl: "http://db:9187/metrics",
            lastError: "connection refused",
          },
          { scrapePool: "serviceMonitor/other/x/0", health: "up", scrapeUrl: "http://x/metrics" },
        ],
      }),
      "http://prom:9090/api/v1/rules": ok({
        groups: [
          group("shop.rules", "shop-rules", 30, 10, [healthy, healthy]),
          group("shop.slo", "shop-slo", 30, 10, [
            healthy,
            { name: "SloBurn", health: "err", lastError: "many-to-many matching not allowed" },
            { name: "Other", health: "err", lastError: "second" },
          ]),
          group("shop.stale", "shop-stale", 30, 91, [healthy]),
          group("shop.edge", "shop-edge", 30, 90, [{ name: "r", health: "err" }]),
          group("shop.fast", "shop-fast", 0, 4, [healthy]),
          group("shop.gone", "other-gone", 30, 10, [healthy]),
          // The file shop/gone's would have, under another group's name: still not shop.gone.
          group("shop.renamed", "shop-gone", 30, 10, [healthy]),
        ],
      }),
      "http://am:9093/api/v2/status": {
        config: { original: amConfig },
        cluster: { peers: [{ name: "am-0" }] },
      },
      "http://am:9093/api/v2/alerts?active=true&filter=alertname%3D%22Watchdog%22": [
        { status: { state: "suppressed" } },
      ],
      "http://query:10902/api/v1/stores": ok({
        sidecar: [
          { name: "prometheus-0:10901", lastError: null },
          { name: "prometheus-1:10901", lastError: "connection refused" },
        ],
        store: [{ name: "store:10901", lastError: "no such host" }],
      }),
    },
    {
      [QUERIES.operator]: [
        { metric: { controller: "alertmanager", resource: "alertmanagerconfig" } },
        { metric: {} },
      ],
      [QUERIES.notifications]: [
        { metric: { integration: "slack" } },
        { metric: { integration: "pagerduty" } },
      ],
      [QUERIES.uploads]: [{ metric: { pod: "prometheus-kps-0" } }],
      // One of the two replicas' sidecars reports at all.
      [QUERIES.reporting]: [{ metric: { pod: "prometheus-kps-0" } }],
      [QUERIES.compactor]: [],
      [QUERIES.failed("amp")]: [sample(3)],
      [QUERIES.pending("amp")]: [sample(5)],
      [QUERIES.lag("amp")]: [sample(130.4)],
      // No series of failed samples yet (the healthy world answers 0): nothing failed.
      [QUERIES.failed("mimir")]: [],
      [QUERIES.pending("mimir")]: [],
      [QUERIES.lag("mimir")]: [sample(120)],
      [QUERIES.failed("gone")]: [],
      [QUERIES.pending("gone")]: [],
      [QUERIES.lag("gone")]: [],
      [QUERIES.head]: [sample(1201)],
      [QUERIES.budget("shop")]: [sample(101)],
      [QUERIES.budget("cart")]: [sample(80)],
      [QUERIES.budget("edge")]: [sample(100)],
      [QUERIES.budget("idle")]: [],
    },
  );
}

describe("verify's checks", () => {
  it("fails each check with what is wrong and its likely cause, in a fixed order", async () => {
    const { client } = troubledApis();
    assert.deepEqual(await verifyOnce(client, ep, exp, NOW), [
      { check: "targets serviceMonitor/shop/api/0", ok: true, detail: "2 up" },
      {
        check: "targets podMonitor/shop/worker",
        ok: false,
        detail: "2 of 3 targets down: http://w1:9000/metrics: down",
      },
      {
        check: "targets serviceMonitor/shop/db/0",
        ok: false,
        detail: "1 of 1 targets down: http://db:9187/metrics: connection refused",
      },
      {
        check: "targets probe/shop/site",
        ok: false,
        detail:
          "Probe shop/site: not picked up by Prometheus; likely causes: the monitor's labels or namespace are outside the Prometheus selectors, its selector matches no Service or Pod, or its port name is not one the Service has (kubectl get prometheus -A -o yaml, and the operator's log for 'skipping')",
      },
      { check: "rules shop.rules", ok: true, detail: "2 rules healthy" },
      {
        check: "rules shop.slo",
        ok: false,
        detail: "SloBurn fails to evaluate: many-to-many matching not allowed",
      },
      { check: "rules shop.stale", ok: false, detail: "last evaluated 91s ago, every 30s expected" },
      { check: "rules shop.edge", ok: false, detail: "r fails to evaluate: ?" },
      { check: "rules shop.fast", ok: false, detail: "last evaluated 4s ago, every 0s expected" },
      {
        check: "rules shop.gone",
        ok: false,
        detail:
          "PrometheusRule shop/gone: not loaded; the operator skips a PrometheusRule it rejects (its log says why) or one outside the rule selectors",
      },
      {
        check: "alertmanager configuration",
        ok: false,
        detail:
          'receiver "monitoring/platform/chat", "monitoring/platform/pager" missing from the loaded configuration: the operator did not apply the new one (its log and the config-reloader\'s say why)',
      },
      { check: "routing shop", ok: true, detail: "2 receivers of app shop loaded" },
      {
        check: "routing payments-*",
        ok: false,
        detail:
          "no receiver of team payments in the loaded configuration: its AlertmanagerConfig is missing, rejected or outside the selector, so its alerts reach nobody",
      },
      {
        check: "routing sho",
        ok: false,
        detail:
          "no receiver of app sho in the loaded configuration: its AlertmanagerConfig is missing, rejected or outside the selector, so its alerts reach nobody",
      },
      { check: "alertmanager cluster", ok: false, detail: "1 of 2 peers" },
      {
        check: "watchdog",
        ok: false,
        detail:
          "Watchdog is not firing in Alertmanager: alerts are not getting from Prometheus to Alertmanager, or it is silenced or inhibited",
      },
      {
        check: "operator",
        ok: false,
        detail:
          "the alertmanager rejected a alertmanagerconfig (its log says which and why); the operator rejected a resource (its log says which and why)",
      },
      {
        check: "notifications",
        ok: false,
        detail:
          "slack notifications failed in the last 15 minutes; pagerduty notifications failed in the last 15 minutes",
      },
      { check: "thanos compactor", ok: true, detail: "nothing wrong" },
      {
        check: "thanos uploads",
        ok: false,
        detail:
          "prometheus-kps-0 has not uploaded a block for more than 4 hours since its last upload or start; " +
          '1 of 2 sidecars report uploads (job="kps-thanos-discovery"): a sidecar is down or not scraped',
      },
      { check: "thanos query stores", ok: false, detail: "prometheus-1:10901: connection refused" },
      { check: "remote write amp", ok: false, detail: "3 samples failed in 15m; highest sent 130s behind" },
      { check: "remote write mimir", ok: true, detail: "sending, 120s behind, 0 pending" },
      {
        check: "remote write gone",
        ok: false,
        detail: "no queue for this destination: Prometheus does not write to it",
      },
      {
        check: "head series",
        ok: true,
        warn: true,
        detail:
          "1201 of 1000 expected (120%): above the plan; raise prometheus.expectedActiveSeries and re-plan the volumes",
      },
      { check: "series budget shop/api", ok: false, warn: true, detail: "biggest target 101 of 100" },
      { check: "series budget cart/api", ok: true, warn: false, detail: "biggest target 80 of 100" },
      { check: "series budget edge/api", ok: true, warn: true, detail: "biggest target 100 of 100" },
      { check: "series budget idle/api", ok: true, warn: false, detail: "no samples scraped yet" },
      {
        check: "network policies",
        ok: true,
        warn: true,
        detail: "enforced only where the CNI enforces NetworkPolicies",
      },
    ]);
  });

  it("passes a healthy deployment, at the edges of each limit", async () => {
    const { client, asked } = fakeClient(
      {
        "http://prom:9090/api/v1/targets?state=active": ok({
          activeTargets: [{ scrapePool: "p", health: "up", scrapeUrl: "http://p/metrics" }],
        }),
        "http://prom:9090/api/v1/rules": ok({
          groups: [group("g", "ns-rules", 30, 90, [healthy]), group("fast", "ns-fast", 0.5, 3, [healthy])],
        }),
        "http://am:9093/api/v2/status": {
          config: { original: "receivers:\n- name: ns/routing/pager\n- name: payments-a/r/x\n" },
          cluster: { peers: [{}, {}] },
        },
        "http://am:9093/api/v2/alerts?active=true&filter=alertname%3D%22Watchdog%22": [
          { status: { state: "suppressed" } },
          { status: { state: "active" } },
        ],
        "http://query:10902/api/v1/stores": ok({
          sidecar: [{ name: "s0" }, { name: "s1" }],
          store: [{ name: "st" }],
        }),
      },
      {
        [QUERIES.operator]: [],
        [QUERIES.notifications]: [],
        [QUERIES.uploads]: [],
        [QUERIES.reporting]: [
          { metric: { pod: "prometheus-kps-0" } },
          { metric: { pod: "prometheus-kps-1" } },
        ],
        [QUERIES.compactor]: [],
        [QUERIES.failed("amp")]: [sample(0)],
        [QUERIES.pending("amp")]: [sample(7)],
        [QUERIES.lag("amp")]: [sample(12.4)],
        [QUERIES.head]: [sample(1200)],
      },
    );
    const healthyExp: Expectations = {
      ...exp,
      scrapePools: [{ pool: "p", from: "ServiceMonitor ns/p" }],
      ruleGroups: [
        { group: "g", filePrefix: "ns-rules-", from: "PrometheusRule ns/rules" },
        { group: "fast", filePrefix: "ns-fast-", from: "PrometheusRule ns/fast" },
      ],
      receivers: ["ns/routing/pager"],
      remoteWrite: [{ name: "amp", url: "https://amp.example.com/write", maxLagSeconds: 120 }],
      seriesBudgets: [],
      routedNamespaces: [{ namespace: "payments-*", owner: "team payments" }],
      networkPolicies: undefined,
    };
    assert.deepEqual(await verifyOnce(client, ep, healthyExp, NOW), [
      { check: "targets p", ok: true, detail: "1 up" },
      { check: "rules g", ok: true, detail: "1 rules healthy" },
      { check: "rules fast", ok: true, detail: "1 rules healthy" },
      { check: "alertmanager configuration", ok: true, detail: "1 receivers loaded" },
      { check: "routing payments-*", ok: true, detail: "1 receivers of team payments loaded" },
      { check: "alertmanager cluster", ok: true, detail: "2 of 2 peers" },
      { check: "watchdog", ok: true, detail: "firing, reaching Alertmanager" },
      { check: "operator", ok: true, detail: "nothing wrong" },
      { check: "notifications", ok: true, detail: "nothing wrong" },
      { check: "thanos compactor", ok: true, detail: "nothing wrong" },
      {
        check: "thanos uploads",
        ok: true,
        detail: "2 sidecars, each uploaded within 4 hours or started since",
      },
      { check: "thanos query stores", ok: true, detail: "2 of 2 sidecars and 1 store gateways" },
      { check: "remote write amp", ok: true, detail: "sending, 12s behind, 7 pending" },
      { check: "head series", ok: true, warn: false, detail: "1200 of 1000 expected (120%)" },
    ]);
    assert.deepEqual(asked.slice(0, 4), [
      "prom:9090/api/v1/targets?state=active",
      "prom:9090/api/v1/rules",
      "am:9093/api/v2/status",
      "am:9093/api/v2/alerts?active=true&filter=alertname%3D%22Watchdog%22",
    ]);
  });

  it("asks only what the plan has: one Alertmanager, no Thanos, no remote write, no head series", async () => {
    const { client, asked } = fakeClient(
      {
        "http://prom:9090/api/v1/targets?state=active": ok({ activeTargets: [] }),
        "http://prom:9090/api/v1/rules": ok({ groups: [] }),
        "http://am:9093/api/v2/status": { config: { original: "receivers: []\n" } },
        "http://am:9093/api/v2/alerts?active=true&filter=alertname%3D%22Watchdog%22": [
          { status: { state: "active" } },
        ],
      },
      { [QUERIES.operator]: [], [QUERIES.notifications]: [] },
    );
    const bare: Expectations = {
      scrapePools: [],
      ruleGroups: [],
      receivers: [],
      alertmanagerReplicas: 1,
      prometheusReplicas: 1,
      remoteWrite: [],
      seriesBudgets: [],
      routedNamespaces: [],
    };
    assert.deepEqual(await verifyOnce(client, ep, bare, NOW), [
      { check: "alertmanager configuration", ok: true, detail: "0 receivers loaded" },
      { check: "watchdog", ok: true, detail: "firing, reaching Alertmanager" },
      { check: "operator", ok: true, detail: "nothing wrong" },
      { check: "notifications", ok: true, detail: "nothing wrong" },
    ]);
    assert.equal(asked.length, 6);
  });

  it("checks the stores only with a Thanos Query URL, and counts missing sidecars and store gateways", async () => {
    const stores = (data: unknown) =>
      fakeClient(
        {
          "http://prom:9090/api/v1/targets?state=active": ok({ activeTargets: [] }),
          "http://prom:9090/api/v1/rules": ok({ groups: [] }),
          "http://am:9093/api/v2/status": {
            config: { original: "receivers: []\n" },
            cluster: { peers: null },
          },
          "http://am:9093/api/v2/alerts?active=true&filter=alertname%3D%22Watchdog%22": [],
          "http://query:10902/api/v1/stores": ok(data),
        },
        {
          [QUERIES.operator]: [],
          [QUERIES.notifications]: [],
          [QUERIES.uploads]: [],
          [QUERIES.reporting]: [
            { metric: { pod: "prometheus-kps-0" } },
            { metric: { pod: "prometheus-kps-1" } },
          ],
          [QUERIES.compactor]: [{ metric: {} }],
        },
      ).client;
    const thanosOnly: Expectations = {
      scrapePools: [],
      ruleGroups: [],
      receivers: [],
      alertmanagerReplicas: 2,
      prometheusReplicas: 2,
      thanos: { sidecarJob: SIDECAR, compactorJob: COMPACTOR },
      remoteWrite: [],
      seriesBudgets: [],
      routedNamespaces: [],
    };
    const storeCheck = async (data: unknown, endpoints: Endpoints = ep) =>
      (await verifyOnce(stores(data), endpoints, thanosOnly, NOW)).filter((r) =>
        r.check.startsWith("thanos"),
      );
    const compactorHalted = {
      check: "thanos compactor",
      ok: false,
      detail: "the compactor has halted (its log says why; the bucket needs attention)",
    };
    assert.deepEqual(await storeCheck({ sidecar: [{ name: "s0" }], store: [{ name: "st" }] }), [
      compactorHalted,
      {
        check: "thanos uploads",
        ok: true,
        detail: "2 sidecars, each uploaded within 4 hours or started since",
      },
      { check: "thanos query stores", ok: false, detail: "1 of 2 sidecars and 1 store gateways" },
    ]);
    assert.deepEqual((await storeCheck({ sidecar: [{ name: "s0" }, { name: "s1" }] })).slice(2), [
      { check: "thanos query stores", ok: false, detail: "2 of 2 sidecars and 0 store gateways" },
    ]);
    assert.deepEqual((await storeCheck({})).slice(2), [
      { check: "thanos query stores", ok: false, detail: "0 of 2 sidecars and 0 store gateways" },
    ]);
    assert.equal(
      (await storeCheck({}, { prometheus: ep.prometheus, alertmanager: ep.alertmanager })).length,
      2,
    );
    const cluster = (await verifyOnce(stores({}), ep, thanosOnly, NOW)).find(
      (r) => r.check === "alertmanager cluster",
    );
    assert.deepEqual(cluster, { check: "alertmanager cluster", ok: false, detail: "0 of 2 peers" });
  });

  it("warns when head series are missing, and fails on an API that answers something else", async () => {
    const apis = (head: unknown[], targets: unknown) =>
      fakeClient(
        {
          "http://prom:9090/api/v1/targets?state=active": targets,
          "http://prom:9090/api/v1/rules": ok({ groups: [] }),
          "http://am:9093/api/v2/status": { config: { original: "receivers: []\n" } },
          "http://am:9093/api/v2/alerts?active=true&filter=alertname%3D%22Watchdog%22": [],
        },
        { [QUERIES.operator]: [], [QUERIES.notifications]: [], [QUERIES.head]: head },
      ).client;
    const headOnly: Expectations = {
      scrapePools: [],
      ruleGroups: [],
      receivers: [],
      alertmanagerReplicas: 1,
      prometheusReplicas: 1,
      remoteWrite: [],
      headSeries: { expected: 1000, warnRatio: 1.2 },
      seriesBudgets: [],
      routedNamespaces: [],
    };
    const results = await verifyOnce(apis([], ok({ activeTargets: [] })), ep, headOnly, NOW);
    assert.deepEqual(results.at(-1), {
      check: "head series",
      ok: true,
      warn: true,
      detail: "prometheus_tsdb_head_series is missing: Prometheus does not scrape itself",
    });
    await assert.rejects(verifyOnce(apis([], { status: "success", data: {} }), ep, headOnly, NOW), {
      name: "ApiError",
      message:
        "http://prom:9090/api/v1/targets?state=active: not a Prometheus targets answer: data.activeTargets: expected array",
    });
  });
});

describe("verify's checks on odd answers", () => {
  const base = (status: unknown, alerts: unknown, stores: unknown = ok({ sidecar: [], store: [] })) =>
    fakeClient(
      {
        "http://prom:9090/api/v1/targets?state=active": ok({ activeTargets: [] }),
        "http://prom:9090/api/v1/rules": ok({ groups: [] }),
        "http://am:9093/api/v2/status": status,
        "http://am:9093/api/v2/alerts?active=true&filter=alertname%3D%22Watchdog%22": alerts,
        "http://query:10902/api/v1/stores": stores,
      },
      {
        [QUERIES.operator]: [],
        [QUERIES.notifications]: [],
        [QUERIES.uploads]: [],
        [QUERIES.reporting]: [{ metric: { pod: "prometheus-kps-0" } }],
        [QUERIES.compactor]: [],
      },
    ).client;
  const twoPeers: Expectations = {
    scrapePools: [],
    ruleGroups: [],
    receivers: [],
    alertmanagerReplicas: 2,
    prometheusReplicas: 1,
    thanos: { sidecarJob: SIDECAR, compactorJob: COMPACTOR },
    remoteWrite: [],
    seriesBudgets: [],
    routedNamespaces: [],
  };
  const status = { config: { original: "receivers: []\n" } };

  it("counts no peers when Alertmanager reports no cluster, and no Watchdog in an alert without a status", async () => {
    const results = await verifyOnce(base(status, [{}]), ep, twoPeers, NOW);
    assert.deepEqual(
      results
        .filter((r) => r.check === "alertmanager cluster" || r.check === "watchdog")
        .map((r) => [r.ok, r.detail]),
      [
        [false, "0 of 2 peers"],
        [
          false,
          "Watchdog is not firing in Alertmanager: alerts are not getting from Prometheus to Alertmanager, or it is silenced or inhibited",
        ],
      ],
    );
  });

  it("names the answer an API got wrong", async () => {
    await assert.rejects(verifyOnce(base({ config: {} }, []), ep, twoPeers, NOW), {
      name: "ApiError",
      message: "http://am:9093/api/v2/status: not an Alertmanager status: config.original: expected string",
    });
    await assert.rejects(verifyOnce(base(status, {}), ep, twoPeers, NOW), {
      name: "ApiError",
      message:
        "http://am:9093/api/v2/alerts?active=true&filter=alertname%3D%22Watchdog%22: not an Alertmanager alerts answer: the answer: expected array",
    });
    const rulesWrong = fakeClient(
      {
        "http://prom:9090/api/v1/targets?state=active": ok({ activeTargets: [] }),
        "http://prom:9090/api/v1/rules": ok({ groups: {} }),
      },
      {},
    ).client;
    await assert.rejects(verifyOnce(rulesWrong, ep, twoPeers, NOW), {
      name: "ApiError",
      message: "http://prom:9090/api/v1/rules: not a Prometheus rules answer: data.groups: expected array",
    });
    await assert.rejects(verifyOnce(base(status, [], { status: "error" }), ep, twoPeers, NOW), {
      name: "ApiError",
      message: 'http://query:10902/api/v1/stores: not a Thanos stores answer: status: expected "success"',
    });
  });
});

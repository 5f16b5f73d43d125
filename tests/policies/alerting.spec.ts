import { strict as assert } from "node:assert";
import { alertDelivery, matches, routeFor } from "../../policies/alerting";
import { HELM_RELEASE, planWithConfig } from "../helpers/plan";
import { assertNoViolations, assertViolations, resourceOf } from "../helpers/policies";

const prod = {
  "kube-monitoring:environment": "prod",
  "kube-monitoring:clusterName": "prod-1",
  "kube-monitoring:cluster": { provider: "eks" },
  "kube-monitoring:grafana": { enabled: false },
};
const receivers = {
  receivers: [
    { name: "pager", pagerduty: { routingKey: { secretName: "alerting", key: "pd" } } },
    { name: "chat", slack: { apiUrl: { secretName: "alerting", key: "slack" }, channel: "#ops" } },
  ],
  defaultReceiver: "chat",
  routes: [{ receiver: "pager", severity: "critical" }],
};
const heartbeat = { url: { secretName: "alerting", key: "heartbeat" } };

const deliveryFindings = async (alerting: Record<string, unknown>) => {
  const result = await planWithConfig("delivery", { ...prod, "kube-monitoring:alerting": alerting });
  const found = result.plan!.violations.filter((v) => v.policy === "alert-delivery");
  return { exitCode: result.exitCode, messages: found.map((v) => `${v.enforcementLevel}: ${v.message}`) };
};

describe("policy alert-delivery in the offline plan", () => {
  it("passes a prod stack whose platform alerts reach people and whose Watchdog reaches a heartbeat", async () => {
    assert.deepEqual(await deliveryFindings({ ...receivers, heartbeat }), { exitCode: 0, messages: [] });
  });

  it("exits 2 in prod when Watchdog has no heartbeat", async () => {
    assert.deepEqual(await deliveryFindings(receivers), {
      exitCode: 2,
      messages: [
        'mandatory: AlertmanagerConfig platform: Watchdog goes to "null"; send it to a heartbeat (alerting.heartbeat) so a dead pipeline pages someone',
      ],
    });
  });

  it("exits 2 in prod when platform alerts have no receiver, naming each case", async () => {
    const { exitCode, messages } = await deliveryFindings({ heartbeat });
    assert.equal(exitCode, 2);
    assert.deepEqual(messages, [
      'mandatory: AlertmanagerConfig platform: the root route\'s receiver "null" notifies nobody',
      'mandatory: AlertmanagerConfig platform: a critical platform alert without a namespace goes to "null", which notifies nobody',
      'mandatory: AlertmanagerConfig platform: a critical platform alert in kube-system goes to "null", which notifies nobody',
      'mandatory: AlertmanagerConfig platform: a critical platform alert in monitoring goes to "null", which notifies nobody',
      'mandatory: AlertmanagerConfig platform: a warning platform alert without a namespace goes to "null", which notifies nobody',
      'mandatory: AlertmanagerConfig platform: a warning platform alert in kube-system goes to "null", which notifies nobody',
      'mandatory: AlertmanagerConfig platform: a warning platform alert in monitoring goes to "null", which notifies nobody',
    ]);
  });
});

describe("policy alert-delivery", () => {
  const release = resourceOf(HELM_RELEASE, "kps-release", {
    chart: "kube-prometheus-stack",
    namespace: "monitoring",
    values: { alertmanager: { alertmanagerSpec: { alertmanagerConfiguration: { name: "platform" } } } },
  });
  const platform = (routes: Record<string, unknown>[], inhibitRules: unknown[] = []) =>
    resourceOf("kubernetes:monitoring.coreos.com/v1alpha1:AlertmanagerConfig", "platform", {
      kind: "AlertmanagerConfig",
      metadata: { name: "platform", namespace: "monitoring" },
      spec: {
        route: { receiver: "chat", routes },
        receivers: [
          { name: "null" },
          { name: "chat", slackConfigs: [{ channel: "#ops" }] },
          { name: "hb", webhookConfigs: [{ urlSecret: { name: "a", key: "b" } }] },
        ],
        inhibitRules,
      },
    });
  const watchdog = (extra: Record<string, unknown> = {}) => ({
    receiver: "hb",
    matchers: [{ name: "alertname", value: "Watchdog", matchType: "=" }],
    groupWait: "0s",
    repeatInterval: "1m",
    ...extra,
  });

  it("refuses a muted or rarely repeated heartbeat, a silent drop, and an inhibition that can hit Watchdog", () => {
    assertViolations(
      alertDelivery,
      [
        release,
        platform(
          [
            watchdog({ repeatInterval: "1h", groupWait: "2m", muteTimeIntervals: ["nights", "weekends"] }),
            { receiver: "null", matchers: [{ name: "severity", value: "warning", matchType: "=" }] },
          ],
          [{ sourceMatch: [{ name: "alertname", value: "Any" }], targetMatch: [] }],
        ),
      ],
      [
        'AlertmanagerConfig platform: a warning platform alert without a namespace goes to "null", which notifies nobody',
        'AlertmanagerConfig platform: a warning platform alert in kube-system goes to "null", which notifies nobody',
        'AlertmanagerConfig platform: a warning platform alert in monitoring goes to "null", which notifies nobody',
        "AlertmanagerConfig platform: the Watchdog route is muted by nights, weekends; a heartbeat must never be muted",
        "AlertmanagerConfig platform: Watchdog repeats every 1h; at most 5m",
        "AlertmanagerConfig platform: Watchdog waits 2m before its first send; at most 30s",
        'AlertmanagerConfig platform: the route {severity="warning"} drops alerts to "null", which notifies nobody',
        "AlertmanagerConfig platform: an inhibit rule can silence Watchdog",
      ],
    );
  });

  it("allows dropping InfoInhibitor and an app's own alerts, a matcher without a type being equality", () => {
    assertNoViolations(alertDelivery, [
      release,
      platform([
        watchdog(),
        { receiver: "null", matchers: [{ name: "alertname", value: "InfoInhibitor", matchType: "=" }] },
        { receiver: "null", matchers: [{ name: "alertname", value: "InfoInhibitor" }] },
        {
          receiver: "null",
          matchers: [
            { name: "namespace", value: "cart" },
            { name: "app", value: "cart" },
          ],
        },
        {
          receiver: "null",
          matchers: [
            { name: "namespace", value: "shop", matchType: "=" },
            { name: "app", value: "shop", matchType: "=" },
          ],
        },
      ]),
    ]);
  });

  it("allows dropping the namespaces teams own, never the platform's or alerts without a namespace", () => {
    const claim = (value: string) => ({
      receiver: "null",
      matchers: [{ name: "namespace", value, matchType: "=~" }],
    });
    assertNoViolations(alertDelivery, [release, platform([watchdog(), claim("shop|payments-.+")])]);
    assertViolations(
      alertDelivery,
      [release, platform([watchdog(), claim("payments-.+|monitoring")])],
      [
        'AlertmanagerConfig platform: a critical platform alert in monitoring goes to "null", which notifies nobody',
        'AlertmanagerConfig platform: a warning platform alert in monitoring goes to "null", which notifies nobody',
        'AlertmanagerConfig platform: the route {namespace=~"payments-.+|monitoring"} drops alerts to "null", which notifies nobody',
      ],
    );
    assertViolations(
      alertDelivery,
      [release, platform([watchdog(), claim(".*")])],
      [
        'AlertmanagerConfig platform: a critical platform alert without a namespace goes to "null", which notifies nobody',
        'AlertmanagerConfig platform: a critical platform alert in kube-system goes to "null", which notifies nobody',
        'AlertmanagerConfig platform: a critical platform alert in monitoring goes to "null", which notifies nobody',
        'AlertmanagerConfig platform: a warning platform alert without a namespace goes to "null", which notifies nobody',
        'AlertmanagerConfig platform: a warning platform alert in kube-system goes to "null", which notifies nobody',
        'AlertmanagerConfig platform: a warning platform alert in monitoring goes to "null", which notifies nobody',
        'AlertmanagerConfig platform: the route {namespace=~".*"} drops alerts to "null", which notifies nobody',
      ],
    );
  });
  it("counts every Alertmanager integration as notifying, and an empty one as not", () => {
    const integrations = [
      "pagerdutyConfigs",
      "slackConfigs",
      "emailConfigs",
      "webhookConfigs",
      "opsgenieConfigs",
      "victoropsConfigs",
      "pushoverConfigs",
      "snsConfigs",
      "telegramConfigs",
      "msteamsConfigs",
      "msteamsv2Configs",
      "webexConfigs",
      "wechatConfigs",
      "discordConfigs",
      "rocketchatConfigs",
    ];
    const rootTo = (receiver: Record<string, unknown>) =>
      resourceOf("kubernetes:monitoring.coreos.com/v1alpha1:AlertmanagerConfig", "platform", {
        metadata: { name: "platform", namespace: "monitoring" },
        spec: {
          route: { receiver: "only", routes: [{ ...watchdog(), receiver: "only" }] },
          receivers: [{ name: "only", ...receiver }],
        },
      });
    for (const key of integrations) assertNoViolations(alertDelivery, [release, rootTo({ [key]: [{}] })]);
    assertViolations(
      alertDelivery,
      [release, rootTo({ slackConfigs: [], webhookConfigs: {} })],
      [
        'AlertmanagerConfig platform: the root route\'s receiver "only" notifies nobody',
        ...["critical", "warning"].flatMap((s) =>
          ["without a namespace", "in kube-system", "in monitoring"].map(
            (w) =>
              `AlertmanagerConfig platform: a ${s} platform alert ${w} goes to "only", which notifies nobody`,
          ),
        ),
        'AlertmanagerConfig platform: Watchdog goes to "only"; send it to a heartbeat (alerting.heartbeat) so a dead pipeline pages someone',
      ],
    );
  });

  it("refuses an Alertmanager without a base configuration, or with one the stack does not hold", () => {
    const bare = resourceOf(HELM_RELEASE, "kps-release", {
      chart: "kube-prometheus-stack",
      namespace: "monitoring",
    });
    assertViolations(
      alertDelivery,
      [bare, platform([watchdog()])],
      [
        "the Alertmanager has no alertmanagerConfiguration: its base configuration is the chart's, which sends every platform alert to a null receiver",
      ],
    );
    const elsewhere = resourceOf("kubernetes:monitoring.coreos.com/v1alpha1:AlertmanagerConfig", "platform", {
      metadata: { name: "platform", namespace: "other" },
      spec: {},
    });
    const renamed = resourceOf("kubernetes:monitoring.coreos.com/v1alpha1:AlertmanagerConfig", "platform", {
      metadata: { name: "platform2", namespace: "monitoring" },
      spec: {},
    });
    const missing = "the Alertmanager's base AlertmanagerConfig platform is not part of this stack";
    assertViolations(alertDelivery, [release, elsewhere, renamed], [missing]);
    assertViolations(
      alertDelivery,
      [release, resourceOf("kubernetes:core/v1:ConfigMap", "platform", elsewhere.inputs)],
      [missing],
    );
    // Only the release and the AlertmanagerConfig count, not other kinds with the same chart or name.
    const lookalikes = [
      resourceOf("kubernetes:core/v1:ConfigMap", "chart", {
        chart: "kube-prometheus-stack",
        namespace: "monitoring",
      }),
      resourceOf("kubernetes:core/v1:ConfigMap", "platform", {
        metadata: { name: "platform", namespace: "monitoring" },
      }),
    ];
    assertNoViolations(alertDelivery, [...lookalikes, release, platform([watchdog()])]);
    const otherChart = resourceOf(HELM_RELEASE, "other", { chart: "thanos", namespace: "monitoring" });
    assertNoViolations(alertDelivery, [otherChart]);
  });

  it("judges the Watchdog route by the configured limits, and by Alertmanager's defaults when it sets none", () => {
    const limits = { "alert-delivery": { maxHeartbeatRepeat: "2h", maxHeartbeatGroupWait: "3m" } };
    assertNoViolations(
      alertDelivery,
      [release, platform([watchdog({ repeatInterval: "2h", groupWait: "3m" })])],
      limits,
    );
    assertViolations(
      alertDelivery,
      [release, platform([watchdog({ repeatInterval: "121m", groupWait: "181s" })])],
      [
        "AlertmanagerConfig platform: Watchdog repeats every 121m; at most 2h",
        "AlertmanagerConfig platform: Watchdog waits 181s before its first send; at most 3m",
      ],
      limits,
    );
    assertNoViolations(alertDelivery, [
      release,
      platform([watchdog({ repeatInterval: "5m", groupWait: "30s" })]),
    ]);
    const { repeatInterval, groupWait, ...unset } = watchdog();
    assert.deepEqual([repeatInterval, groupWait], ["1m", "0s"]);
    assertViolations(
      alertDelivery,
      [release, platform([unset])],
      ["AlertmanagerConfig platform: Watchdog repeats every 4h (the default); at most 5m"],
    );
    assertNoViolations(alertDelivery, [release, platform([unset])], {
      "alert-delivery": { maxHeartbeatRepeat: "4h", maxHeartbeatGroupWait: "30s" },
    });
    assertViolations(
      alertDelivery,
      [release, platform([{ ...unset, repeatInterval: "1m" }])],
      ["AlertmanagerConfig platform: Watchdog waits 30s (the default) before its first send; at most 29s"],
      {
        "alert-delivery": { maxHeartbeatRepeat: "5m", maxHeartbeatGroupWait: "29s" },
      },
    );
  });

  it("takes a Watchdog interval it cannot read as too long", () => {
    assertViolations(
      alertDelivery,
      [release, platform([watchdog({ repeatInterval: "often", groupWait: "soon" })])],
      [
        "AlertmanagerConfig platform: Watchdog repeats every often; at most 5m",
        "AlertmanagerConfig platform: Watchdog waits soon before its first send; at most 30s",
      ],
    );
  });

  it("names a dropping route's matchers, equality by default, and lets only Watchdog's own route go unjudged", () => {
    assertViolations(
      alertDelivery,
      [
        release,
        platform([
          watchdog(),
          // Every platform alert ends here: the routes below are judged as routes only.
          { receiver: "chat" },
          {
            receiver: "null",
            matchers: [
              { name: "team", value: "x" },
              { name: "job", value: "a.*", matchType: "=~" },
            ],
          },
          {
            receiver: "null",
            matchers: [
              { name: "alertname", value: "Watchdog", matchType: "!=" },
              { name: "team", value: "z" },
            ],
          },
          { receiver: "null", matchers: [{ name: "alertname", value: "Other", matchType: "=" }] },
          { receiver: "null", matchers: [{ name: "namespace", value: "shop", matchType: "=" }] },
          { receiver: "null", matchers: [{ name: "app", value: "shop", matchType: "=" }] },
          {
            matchers: [{ name: "team", value: "y" }],
            routes: [{ receiver: "null", matchers: [{ name: "deep", value: "1" }] }],
          },
          { receiver: "null", matchers: [{ name: "namespace", value: "(", matchType: "=~" }] },
          {
            receiver: "null",
            matchers: [
              { name: "namespace", value: "a.+", matchType: "=~" },
              { name: "app", value: "x", matchType: "=" },
            ],
          },
          { receiver: "null", matchers: [{ name: "ns", value: "a.+", matchType: "=~" }] },
          { receiver: "null", matchers: [{ name: "namespace", value: "a.+", matchType: "=" }] },
          { receiver: "null", matchers: [{ name: "namespace", value: "default|x", matchType: "=~" }] },
          { receiver: "null", matchers: [{ name: "namespace", value: "kube-public|x", matchType: "=~" }] },
          {
            receiver: "null",
            matchers: [{ name: "namespace", value: "kube-node-lease|x", matchType: "=~" }],
          },
          { receiver: "null", matchers: [{ name: "namespace", value: "kube-system|x", matchType: "=~" }] },
          { receiver: "null", matchers: [{ name: "namespace", value: "(payments-.+)?", matchType: "=~" }] },
          { receiver: "null" },
          { receiver: "null", matchers: [{ name: "namespace", value: "payments-.+", matchType: "=~" }] },
        ]),
      ],
      [
        'AlertmanagerConfig platform: the route {team="x", job=~"a.*"} drops alerts to "null", which notifies nobody',
        'AlertmanagerConfig platform: the route {alertname!="Watchdog", team="z"} drops alerts to "null", which notifies nobody',
        'AlertmanagerConfig platform: the route {alertname="Other"} drops alerts to "null", which notifies nobody',
        'AlertmanagerConfig platform: the route {namespace="shop"} drops alerts to "null", which notifies nobody',
        'AlertmanagerConfig platform: the route {app="shop"} drops alerts to "null", which notifies nobody',
        'AlertmanagerConfig platform: the route {deep="1"} drops alerts to "null", which notifies nobody',
        'AlertmanagerConfig platform: the route {namespace=~"("} drops alerts to "null", which notifies nobody',
        'AlertmanagerConfig platform: the route {namespace=~"a.+", app="x"} drops alerts to "null", which notifies nobody',
        'AlertmanagerConfig platform: the route {ns=~"a.+"} drops alerts to "null", which notifies nobody',
        'AlertmanagerConfig platform: the route {namespace="a.+"} drops alerts to "null", which notifies nobody',
        'AlertmanagerConfig platform: the route {namespace=~"default|x"} drops alerts to "null", which notifies nobody',
        'AlertmanagerConfig platform: the route {namespace=~"kube-public|x"} drops alerts to "null", which notifies nobody',
        'AlertmanagerConfig platform: the route {namespace=~"kube-node-lease|x"} drops alerts to "null", which notifies nobody',
        'AlertmanagerConfig platform: the route {namespace=~"kube-system|x"} drops alerts to "null", which notifies nobody',
        'AlertmanagerConfig platform: the route {namespace=~"(payments-.+)?"} drops alerts to "null", which notifies nobody',
        'AlertmanagerConfig platform: the route {} drops alerts to "null", which notifies nobody',
      ],
    );
  });

  it("lets an inhibit rule stand when some target matcher misses Watchdog", () => {
    assertNoViolations(alertDelivery, [
      release,
      platform(
        [watchdog()],
        [
          { targetMatch: [{ name: "severity", value: "warning", matchType: "=" }] },
          {
            targetMatch: [
              { name: "alertname", value: "Watchdog" },
              { name: "severity", value: "info" },
            ],
          },
        ],
      ),
    ]);
    assertViolations(
      alertDelivery,
      [
        release,
        platform(
          [watchdog()],
          [{ targetMatch: [{ name: "alertname", value: "Watch.*", matchType: "=~" }] }, {}],
        ),
      ],
      [
        "AlertmanagerConfig platform: an inhibit rule can silence Watchdog",
        "AlertmanagerConfig platform: an inhibit rule can silence Watchdog",
      ],
    );
  });
});

describe("alert-delivery's matcher and route walk", () => {
  it("matches as Alertmanager does: a missing label is empty, regexes anchored, unknown types never", () => {
    const labels = { app: "shop", team: "retail" };
    const m = (matchType: string | undefined, name: string, value?: string) =>
      matches({ name, value, matchType }, labels);
    assert.deepEqual(
      [
        m("=", "app", "shop"),
        m(undefined, "app", "shop"),
        m(undefined, "app", "sho"),
        m("=", "missing", ""),
        m("=", "missing", undefined),
        m("=", "missing", "x"),
        m("!=", "app", "shop"),
        m("!=", "app", "cart"),
        m("=~", "app", "sh.p"),
        m("=~", "app", "sh"),
        m("=~", "app", "hop"),
        m("=~", "app", "shop|cart"),
        m("!~", "app", "sh.p"),
        m("!~", "app", "sh"),
        m("=~", "missing", ".*"),
        m("~", "app", "shop"),
      ],
      [true, true, false, true, true, false, false, true, true, false, false, true, false, true, true, false],
    );
  });

  it("ends at the first matching route, depth first, inheriting the receiver from its parent", () => {
    const root = {
      receiver: "root",
      routes: [
        { receiver: "a", matchers: [{ name: "team", value: "a" }] },
        {
          matchers: [{ name: "team", value: "b" }],
          routes: [
            { receiver: "b-critical", matchers: [{ name: "severity", value: "critical" }] },
            { repeatInterval: "1m" },
          ],
        },
        { receiver: "second-a", matchers: [{ name: "team", value: "a" }] },
      ],
    };
    assert.deepEqual(routeFor(root, { team: "a" }), {
      receiver: "a",
      matchers: [{ name: "team", value: "a" }],
    });
    assert.equal(routeFor(root, { team: "b", severity: "critical" }).receiver, "b-critical");
    assert.deepEqual(routeFor(root, { team: "b" }), { receiver: "root", repeatInterval: "1m" });
    assert.equal(routeFor(root, { team: "c" }), root);
    assert.equal(routeFor({ receiver: "r" }, {}).receiver, "r");
  });
});

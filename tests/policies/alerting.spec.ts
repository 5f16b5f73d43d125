import { strict as assert } from "node:assert";
import { alertDelivery } from "../../policies/alerting";
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
            watchdog({ repeatInterval: "1h", groupWait: "2m", muteTimeIntervals: ["nights"] }),
            { receiver: "null", matchers: [{ name: "severity", value: "warning", matchType: "=" }] },
          ],
          [{ sourceMatch: [{ name: "alertname", value: "Any" }], targetMatch: [] }],
        ),
      ],
      [
        'AlertmanagerConfig platform: a warning platform alert without a namespace goes to "null", which notifies nobody',
        'AlertmanagerConfig platform: a warning platform alert in kube-system goes to "null", which notifies nobody',
        'AlertmanagerConfig platform: a warning platform alert in monitoring goes to "null", which notifies nobody',
        "AlertmanagerConfig platform: the Watchdog route is muted by nights; a heartbeat must never be muted",
        "AlertmanagerConfig platform: Watchdog repeats every 1h; at most 5m",
        "AlertmanagerConfig platform: Watchdog waits 2m before its first send; at most 30s",
        'AlertmanagerConfig platform: the route {severity="warning"} drops alerts to "null", which notifies nobody',
        "AlertmanagerConfig platform: an inhibit rule can silence Watchdog",
      ],
    );
  });

  it("allows dropping InfoInhibitor and an app's own alerts", () => {
    assertNoViolations(alertDelivery, [
      release,
      platform([
        watchdog(),
        { receiver: "null", matchers: [{ name: "alertname", value: "InfoInhibitor", matchType: "=" }] },
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
});

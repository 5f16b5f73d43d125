import { strict as assert } from "node:assert";
import * as pulumi from "@pulumi/pulumi";
import { ownershipOf, platformRoutingSpec, platformSecretData } from "../components";
import { configWith, problemsOf } from "./helpers/config";
import type { Loose } from "./helpers/plan";

const slack = { name: "ops", slack: { apiUrl: { secretName: "alerting", key: "slack" }, channel: "#ops" } };

describe("platform alerting config", () => {
  it("refuses a heartbeat without a URL, with a plaintext one, and one repeating less often than 5m", () => {
    assert.deepEqual(problemsOf({ alerting: { heartbeat: {} } }), [
      "prod: alerting.heartbeat.url: must be a Pulumi secret or { secretName, key } of an existing Secret",
    ]);
    assert.deepEqual(problemsOf({ alerting: { heartbeat: { url: "https://hc-ping.com/uuid" } } }), [
      "prod: alerting.heartbeat.url: must not be plain text in the stack file; either make it a Pulumi secret: pulumi config set --secret --path 'alerting.heartbeat.url' VALUE, or keep it in a Secret and reference it: { secretName: <Secret>, key: <key> } (the app's namespace for apps, else the monitoring namespace)",
    ]);
    assert.deepEqual(
      problemsOf({
        alerting: { heartbeat: { url: { secretName: "hb", key: "url" }, repeatInterval: "10m" } },
      }),
      [
        "prod: alerting.heartbeat.repeatInterval: 10m is longer than 5m: a dead man's switch needs a frequent heartbeat",
      ],
    );
  });

  it("refuses receivers without credentials or integrations, plaintext keys, and routes to unknown receivers", () => {
    assert.deepEqual(
      problemsOf({
        alerting: {
          receivers: [{ name: "pd", pagerduty: {} }, { name: "empty" }],
          defaultReceiver: "pd",
          routes: [{ receiver: "nobody", severity: "critical" }],
        },
      }),
      [
        "prod: alerting.receivers[pd].pagerduty.routingKey: must be a Pulumi secret or { secretName, key } of an existing Secret",
        "prod: alerting.receivers[empty]: needs at least one of pagerduty, slack, email, webhook or opsgenie",
      ],
    );
    assert.deepEqual(
      problemsOf({
        alerting: { receivers: [slack], defaultReceiver: "ops", routes: [{ receiver: "nobody" }] },
      }),
      ['prod: alerting.routes[0].receiver: "nobody" is not one of alerting.receivers'],
    );
    assert.deepEqual(problemsOf({ alerting: { receivers: [slack] } }), [
      "prod: alerting.defaultReceiver: is required when there are receivers: platform alerts no route matches go there",
    ]);
    assert.deepEqual(
      problemsOf({
        alerting: { receivers: [{ name: "og", opsgenie: { apiKey: "k-123" } }], defaultReceiver: "og" },
      }),
      [
        "prod: alerting.receivers[og].opsgenie.apiKey: must not be plain text in the stack file; either make it a Pulumi secret: pulumi config set --secret --path 'alerting.receivers[0].opsgenie.apiKey' VALUE, or keep it in a Secret and reference it: { secretName: <Secret>, key: <key> } (the app's namespace for apps, else the monitoring namespace)",
      ],
    );
  });

  it("reserves the null and heartbeat receiver names and refuses duplicates", () => {
    assert.deepEqual(
      problemsOf({
        alerting: {
          receivers: [
            { ...slack, name: "watchdog-heartbeat" },
            { ...slack, name: "ops" },
            { ...slack, name: "ops" },
          ],
          defaultReceiver: "ops",
        },
      }),
      [
        'prod: alerting.receivers[watchdog-heartbeat].name: "watchdog-heartbeat" is reserved for alerting.heartbeat',
        'prod: alerting.receivers[2].name: "ops" is not a unique receiver name',
      ],
    );
    assert.deepEqual(
      problemsOf({ alerting: { receivers: [{ ...slack, name: "null" }], defaultReceiver: "ops" } }),
      [
        'prod: alerting.receivers[null].name: "null" is reserved for the receiver that drops alerts; pick another name',
        'prod: alerting.defaultReceiver: "ops" is not one of alerting.receivers',
      ],
    );
  });
});

describe("platform routing", () => {
  const cfg = configWith(
    {
      alerting: {
        receivers: [slack, { name: "pager", opsgenie: { apiKey: { secretName: "alerting", key: "og" } } }],
        defaultReceiver: "ops",
        routes: [{ receiver: "pager", severity: "critical", matchers: { cluster: "prod-1" } }],
        heartbeat: { url: "hb-secret", repeatInterval: "2m" },
      },
    },
    ["alerting"],
  );

  it("sends Watchdog first to the heartbeat, at once and every repeatInterval, then drops InfoInhibitor", () => {
    const spec = platformRoutingSpec(cfg.alerting, ownershipOf(cfg));
    assert.deepEqual(spec.route!.routes!.slice(0, 2), [
      {
        receiver: "watchdog-heartbeat",
        matchers: [{ name: "alertname", value: "Watchdog", matchType: "=" }],
        groupBy: ["alertname", "cluster"],
        groupWait: "0s",
        groupInterval: "2m",
        repeatInterval: "2m",
      },
      { receiver: "null", matchers: [{ name: "alertname", value: "InfoInhibitor", matchType: "=" }] },
    ]);
    assert.deepEqual(spec.receivers![1], {
      name: "watchdog-heartbeat",
      webhookConfigs: [
        {
          urlSecret: { name: "platform-alertmanager-receivers", key: "watchdog-heartbeat-webhook-url" },
          sendResolved: false,
        },
      ],
    });
  });

  it("routes by severity and matchers to the configured receivers, with the root on the default", () => {
    const spec = platformRoutingSpec(cfg.alerting, ownershipOf(cfg));
    assert.deepEqual(spec.route!.routes![3], {
      receiver: "pager",
      matchers: [
        { name: "severity", value: "critical", matchType: "=" },
        { name: "cluster", value: "prod-1", matchType: "=" },
      ],
    });
    assert.equal(spec.route!.receiver, "ops");
    assert.deepEqual(spec.route!.groupBy, ["alertname", "namespace", "cluster"]);
    assert.deepEqual(spec.receivers![3].opsgenieConfigs, [
      { apiKey: { name: "alerting", key: "og" }, sendResolved: true },
    ]);
  });

  it("drops, after the owners' routing, the namespaces of routed apps and registered teams, nothing else", () => {
    const owned = configWith({
      alerting: { runbookBaseUrl: "https://runbooks.example.com" },
      teams: [{ name: "payments" }, { name: "search", namespacePrefix: "find-" }],
      apps: [
        {
          name: "shop",
          namespace: "shop",
          routing: { defaultReceiver: "s", receivers: [{ ...slack, name: "s" }] },
        },
        {
          name: "copied",
          namespace: "copied",
          routing: { defaultReceiver: "s", copyToPlatform: true, receivers: [{ ...slack, name: "s" }] },
        },
        { name: "quiet", namespace: "quiet" },
      ],
    });
    const routes = platformRoutingSpec(cfg.alerting, ownershipOf(owned)).route!.routes as Loose[];
    const drops = routes.filter(
      (r) => r.receiver === "null" && r.matchers.some((m: Loose) => m.name === "namespace"),
    );
    assert.deepEqual(drops, [
      {
        receiver: "null",
        matchers: [{ name: "namespace", value: "shop|payments-.+|find-.+", matchType: "=~" }],
      },
    ]);
    // After Watchdog, InfoInhibitor and failing notifications; before the platform's own routes.
    assert.equal(routes.indexOf(drops[0]), 3);
    assert.equal(routes[2].matchers[0].value, "AlertmanagerNotificationsFailing");
  });

  it("refuses apps whose alerts would reach the wrong owner or nobody", () => {
    const r = { defaultReceiver: "s", receivers: [{ ...slack, name: "s" }] };
    const problems = problemsOf({
      alerting: { runbookBaseUrl: "https://runbooks.example.com" },
      teams: [{ name: "payments" }],
      apps: [
        { name: "sys", namespace: "kube-system", routing: r },
        { name: "quiet", namespace: "payments-quiet" },
        { name: "stranger", namespace: "payments-x", team: "search", routing: r },
        { name: "a", namespace: "shared", team: "one", routing: r },
        { name: "b", namespace: "shared", team: "two", routing: r },
      ],
    });
    assert.deepEqual(problems, [
      "prod: apps[sys].namespace: namespace kube-system is owned by the platform: an app with routing there would take the platform's alerts; give the app its own namespace",
      "prod: apps[quiet].namespace: namespace payments-quiet is claimed by team payments (prefix payments-): the platform leaves its alerts to the team's routing, so an app there without routing would reach nobody; give it routing or another namespace",
      "prod: apps[stranger].namespace: namespace payments-x is claimed by team payments (prefix payments-), not team search",
      "prod: apps[a].namespace: namespace shared is already owned by two (app b); one namespace has one owner",
      "prod: apps[b].namespace: namespace shared is already owned by one (app a); one namespace has one owner",
    ]);
    assert.deepEqual(
      problemsOf({ teams: [{ name: "pay" }, { name: "payroll", namespacePrefix: "pay-roll-" }] }),
      [
        "prod: teams: teams[payroll].namespacePrefix: pay-roll- overlaps team pay's pay-; one namespace has one owner",
      ],
    );
  });

  it("reports a failing integration through a platform receiver of another integration, never the heartbeat", () => {
    // Of the platform's own receivers; another owner's failure goes to the default receiver alone.
    const PLATFORM_NAMESPACES = "default|kube-node-lease|kube-public|kube-system|monitoring";
    const route = (platformRoutingSpec(cfg.alerting, ownershipOf(cfg)).route!.routes as Loose[])[2];
    assert.deepEqual(route, {
      receiver: "ops",
      matchers: [{ name: "alertname", value: "AlertmanagerNotificationsFailing", matchType: "=" }],
      routes: [
        {
          receiver: "ops",
          matchers: [
            { name: "alertname", value: "AlertmanagerNotificationsFailing", matchType: "=" },
            { name: "integration", value: "opsgenie", matchType: "=" },
            { name: "namespace", value: PLATFORM_NAMESPACES, matchType: "=~" },
          ],
        },
        {
          receiver: "pager",
          matchers: [
            { name: "alertname", value: "AlertmanagerNotificationsFailing", matchType: "=" },
            { name: "integration", value: "slack", matchType: "=" },
            { name: "namespace", value: PLATFORM_NAMESPACES, matchType: "=~" },
          ],
        },
      ],
    });
  });

  it("keeps the heartbeat URL given as a Pulumi secret a secret, in the platform's Secret", async () => {
    const data = platformSecretData(cfg.alerting);
    assert.deepEqual(Object.keys(data), ["watchdog-heartbeat-webhook-url"]);
    assert.equal(await pulumi.isSecret(data["watchdog-heartbeat-webhook-url"]), true);
  });
});

/**
 * The routing builders as pure functions: an app's AlertmanagerConfig (receivers, credentials as Secret
 * references, routes, scope, mute times) and the platform's (route order, heartbeat, inhibitions). Fast
 * on purpose: mutation testing runs it for components/appRouting.ts and components/PlatformAlerting.ts.
 */
import { strict as assert } from "node:assert";
import * as pulumi from "@pulumi/pulumi";
import {
  failingIntegrationRoutes,
  integrationOf,
  receiver,
  receiverSecretData,
  receiverSecretName,
  routingSpec,
  secretRef,
} from "../components/appRouting";
import { inhibitRules, platformRoutingSpec, platformSecretData } from "../components/PlatformAlerting";
import type { Ownership } from "../components/ownership";
import type { AlertingConfig, ReceiverConfig, RoutingConfig } from "../components/schema";

const ref = (secretName: string, key: string) => ({ secretName, key });
const secret = (text: string) => pulumi.secret(text);

// PagerDuty's Events API v2 takes these four severities; InfoInhibitor's `none` becomes error.
const pdTemplate =
  '{{ if eq .CommonLabels.severity "critical" "warning" "info" }}{{ .CommonLabels.severity }}{{ else }}error{{ end }}';
const slackTitle = "[{{ .Status | toUpper }}] {{ .CommonLabels.alertname }}";
const slackText =
  "{{ range .Alerts }}{{ .Annotations.summary }}\n" +
  "{{ if .Annotations.runbook_url }}Runbook: {{ .Annotations.runbook_url }}\n{{ end }}" +
  "Source: {{ .GeneratorURL }}\n{{ end }}";
/** Alertmanager's list of the receiver's alerts, at its external URL; each alert's source in Prometheus. */
const alertsLink = "{{ .ExternalURL }}/#/alerts?receiver={{ .Receiver | urlquery }}";
const sourceLink = "{{ (index .Alerts 0).GeneratorURL }}";

const pager: ReceiverConfig = {
  name: "pager",
  pagerduty: { routingKey: ref("pd", "routing"), sendResolved: true },
};
const chat: ReceiverConfig = {
  name: "chat",
  slack: { apiUrl: ref("slack", "url"), channel: "#shop", sendResolved: false },
};
const mail: ReceiverConfig = {
  name: "mail",
  email: {
    to: "oncall@example.com",
    from: "am@example.com",
    smarthost: "smtp.example.com:587",
    requireTLS: true,
    sendResolved: false,
  },
};
const genie: ReceiverConfig = { name: "genie", opsgenie: { apiKey: ref("og", "key"), sendResolved: true } };
const hook: ReceiverConfig = {
  name: "hook",
  webhook: { url: "https://hooks.example.com/x", sendResolved: true },
};

describe("app routing: receivers and their credentials", () => {
  it("names the owner's receiver Secret and keys a Pulumi secret by receiver and field", () => {
    assert.equal(receiverSecretName("shop"), "shop-alertmanager-receivers");
    assert.deepEqual(secretRef("shop", "pager", "routing-key", secret("k")), {
      name: "shop-alertmanager-receivers",
      key: "pager-routing-key",
    });
    assert.deepEqual(secretRef("shop", "pager", "routing-key", ref("given", "pd-key")), {
      name: "given",
      key: "pd-key",
    });
  });

  it("writes only the credentials given as Pulumi secrets into the owner's Secret, under secretRef's keys", () => {
    const key = secret("k");
    const url = secret("u");
    const password = secret("p");
    const data = receiverSecretData([
      { name: "pager", pagerduty: { routingKey: key, sendResolved: true } },
      { name: "chat", slack: { apiUrl: url, channel: "#c", sendResolved: true } },
      { ...mail, email: { ...mail.email!, authUsername: "am", authPassword: password } },
      genie,
    ]);
    assert.deepEqual(Object.keys(data), ["pager-routing-key", "chat-slack-api-url", "mail-smtp-password"]);
    assert.equal(data["pager-routing-key"], key);
    assert.equal(data["chat-slack-api-url"], url);
    assert.equal(data["mail-smtp-password"], password);
    assert.deepEqual(receiverSecretData([pager, chat, genie]), {});
  });

  it("keys every integration's Pulumi secret as receiverSecretData writes it", () => {
    const given = receiver("shop", {
      name: "all",
      pagerduty: { routingKey: secret("k"), sendResolved: true },
      slack: { apiUrl: secret("u"), channel: "#c", sendResolved: true },
      email: { ...mail.email!, authPassword: secret("p") },
      webhook: { urlSecret: secret("w"), sendResolved: true },
      opsgenie: { apiKey: secret("o"), sendResolved: true },
    });
    const refs = [
      given.pagerdutyConfigs![0].routingKey,
      given.slackConfigs![0].apiURL,
      given.emailConfigs![0].authPassword,
      given.webhookConfigs![0].urlSecret,
      given.opsgenieConfigs![0].apiKey,
    ];
    const written = receiverSecretData([
      {
        name: "all",
        pagerduty: { routingKey: secret("k"), sendResolved: true },
        slack: { apiUrl: secret("u"), channel: "#c", sendResolved: true },
        email: { ...mail.email!, authPassword: secret("p") },
        webhook: { urlSecret: secret("w"), sendResolved: true },
        opsgenie: { apiKey: secret("o"), sendResolved: true },
      },
    ]);
    assert.deepEqual(refs, [
      { name: "shop-alertmanager-receivers", key: "all-routing-key" },
      { name: "shop-alertmanager-receivers", key: "all-slack-api-url" },
      { name: "shop-alertmanager-receivers", key: "all-smtp-password" },
      { name: "shop-alertmanager-receivers", key: "all-webhook-url" },
      { name: "shop-alertmanager-receivers", key: "all-opsgenie-api-key" },
    ]);
    assert.deepEqual(
      refs.map((r) => r!.key),
      Object.keys(written),
    );
  });

  it("builds a PagerDuty receiver on the Events API v2 with the alert's severity", () => {
    assert.deepEqual(receiver("shop", pager), {
      name: "pager",
      pagerdutyConfigs: [
        {
          routingKey: { name: "pd", key: "routing" },
          sendResolved: true,
          severity: pdTemplate,
          clientURL: alertsLink,
          pagerDutyLinkConfigs: [{ href: sourceLink, alt: "Query in Prometheus" }],
        },
      ],
    });
  });

  it("builds a Slack receiver with its channel, title and text", () => {
    assert.deepEqual(receiver("shop", { ...chat, slack: { ...chat.slack!, apiUrl: secret("u") } }), {
      name: "chat",
      slackConfigs: [
        {
          apiURL: { name: "shop-alertmanager-receivers", key: "chat-slack-api-url" },
          channel: "#shop",
          sendResolved: false,
          title: slackTitle,
          titleLink: alertsLink,
          text: slackText,
        },
      ],
    });
  });

  it("builds an email receiver, with the login only when given", () => {
    assert.deepEqual(receiver("shop", mail), {
      name: "mail",
      emailConfigs: [
        {
          to: "oncall@example.com",
          from: "am@example.com",
          smarthost: "smtp.example.com:587",
          requireTLS: true,
          sendResolved: false,
        },
      ],
    });
    const login = receiver("shop", {
      ...mail,
      email: { ...mail.email!, requireTLS: false, authUsername: "am", authPassword: secret("p") },
    });
    assert.deepEqual(login.emailConfigs, [
      {
        to: "oncall@example.com",
        from: "am@example.com",
        smarthost: "smtp.example.com:587",
        requireTLS: false,
        sendResolved: false,
        authUsername: "am",
        authPassword: { name: "shop-alertmanager-receivers", key: "mail-smtp-password" },
      },
    ]);
  });

  it("builds an Opsgenie receiver, with a priority only when given", () => {
    assert.deepEqual(receiver("shop", genie), {
      name: "genie",
      opsgenieConfigs: [{ apiKey: { name: "og", key: "key" }, sendResolved: true }],
    });
    assert.deepEqual(
      receiver("shop", { ...genie, opsgenie: { ...genie.opsgenie!, priority: "P1" } }).opsgenieConfigs,
      [{ apiKey: { name: "og", key: "key" }, sendResolved: true, priority: "P1" }],
    );
  });

  it("builds a webhook receiver from a plain URL or from a URL Secret, never both", () => {
    assert.deepEqual(receiver("shop", hook), {
      name: "hook",
      webhookConfigs: [{ sendResolved: true, url: "https://hooks.example.com/x" }],
    });
    assert.deepEqual(
      receiver("shop", { name: "hook", webhook: { urlSecret: secret("w"), sendResolved: false } }),
      {
        name: "hook",
        webhookConfigs: [
          {
            sendResolved: false,
            urlSecret: { name: "shop-alertmanager-receivers", key: "hook-webhook-url" },
          },
        ],
      },
    );
  });

  it("builds every integration a receiver names, each under its own key", () => {
    const both = receiver("shop", { name: "both", pagerduty: pager.pagerduty, slack: chat.slack });
    assert.deepEqual(Object.keys(both), ["name", "pagerdutyConfigs", "slackConfigs"]);
  });

  it("tells a receiver's integration as Alertmanager's integration label names it, the first one given", () => {
    assert.deepEqual([pager, chat, mail, genie, hook].map(integrationOf), [
      "pagerduty",
      "slack",
      "email",
      "opsgenie",
      "webhook",
    ]);
    assert.equal(integrationOf({ name: "x", slack: chat.slack, email: mail.email }), "slack");
    assert.equal(integrationOf({ name: "x", email: mail.email, opsgenie: genie.opsgenie }), "email");
    assert.equal(integrationOf({ name: "x", opsgenie: genie.opsgenie, webhook: hook.webhook }), "opsgenie");
  });
});

const failing = (integration: string, receiverName: string) => ({
  receiver: receiverName,
  matchers: [
    { name: "alertname", value: "AlertmanagerNotificationsFailing", matchType: "=" },
    { name: "integration", value: integration, matchType: "=" },
  ],
});

describe("app routing: a failing integration is reported through another", () => {
  it("routes each integration's failure to the first receiver of another integration, kinds sorted", () => {
    const pager2: ReceiverConfig = { ...pager, name: "pager2" };
    assert.deepEqual(failingIntegrationRoutes([pager, chat, pager2, hook]), [
      failing("pagerduty", "chat"),
      failing("slack", "pager"),
      failing("webhook", "pager"),
    ]);
  });

  it("gives the same routes whatever the receivers' order: integrations sorted", () => {
    assert.deepEqual(failingIntegrationRoutes([hook, chat, pager]), [
      failing("pagerduty", "hook"),
      failing("slack", "hook"),
      failing("webhook", "chat"),
    ]);
  });

  it("has no such route when every receiver uses one integration", () => {
    assert.deepEqual(failingIntegrationRoutes([pager, { ...pager, name: "pager2" }]), []);
    assert.deepEqual(failingIntegrationRoutes([]), []);
  });
});

const routing = (over: Partial<RoutingConfig> = {}): RoutingConfig => ({
  receivers: [pager, chat],
  defaultReceiver: "chat",
  copyToPlatform: false,
  groupBy: ["alertname", "severity"],
  groupWait: "30s",
  groupInterval: "5m",
  repeatInterval: "12h",
  routes: [],
  muteTimeIntervals: [],
  ...over,
});

describe("app routing: the AlertmanagerConfig spec", () => {
  it("routes by severity and team in order, with continue and mute times, after the failing-integration routes", () => {
    const spec = routingSpec(
      "shop",
      routing({
        routes: [
          {
            receiver: "pager",
            severity: "critical",
            team: "retail",
            continue: true,
            muteTimeIntervals: ["night"],
          },
          { receiver: "chat", severity: "warning", continue: false, muteTimeIntervals: [] },
          { receiver: "chat", team: "retail", continue: false, muteTimeIntervals: [] },
          { receiver: "pager", continue: false, muteTimeIntervals: [] },
        ],
        muteTimeIntervals: [{ name: "night", weekdays: [], times: [{ start: "22:00", end: "24:00" }] }],
      }),
    );
    assert.deepEqual(spec, {
      route: {
        receiver: "chat",
        groupBy: ["alertname", "severity"],
        groupWait: "30s",
        groupInterval: "5m",
        repeatInterval: "12h",
        routes: [
          // The namespace's InfoInhibitor is never for a person: dropped before the owner's receivers.
          { receiver: "null", matchers: [{ name: "alertname", value: "InfoInhibitor", matchType: "=" }] },
          failing("pagerduty", "chat"),
          failing("slack", "pager"),
          {
            receiver: "pager",
            matchers: [
              { name: "severity", value: "critical", matchType: "=" },
              { name: "team", value: "retail", matchType: "=" },
            ],
            continue: true,
            muteTimeIntervals: ["night"],
          },
          {
            receiver: "chat",
            matchers: [{ name: "severity", value: "warning", matchType: "=" }],
            continue: false,
          },
          {
            receiver: "chat",
            matchers: [{ name: "team", value: "retail", matchType: "=" }],
            continue: false,
          },
          { receiver: "pager", matchers: [], continue: false },
        ],
      },
      receivers: [receiver("shop", pager), receiver("shop", chat), { name: "null" }],
      muteTimeIntervals: [
        { name: "night", timeIntervals: [{ times: [{ startTime: "22:00", endTime: "24:00" }] }] },
      ],
    });
  });

  it("writes a mute time's weekdays and times only when given", () => {
    const spec = routingSpec(
      "shop",
      routing({
        muteTimeIntervals: [
          { name: "weekend", weekdays: ["saturday", "sunday"], times: [] },
          { name: "always", weekdays: [], times: [] },
          { name: "evenings", weekdays: ["monday:friday"], times: [{ start: "18:00", end: "22:00" }] },
        ],
      }),
    );
    assert.deepEqual(spec.muteTimeIntervals, [
      { name: "weekend", timeIntervals: [{ weekdays: ["saturday", "sunday"] }] },
      { name: "always", timeIntervals: [{}] },
      {
        name: "evenings",
        timeIntervals: [{ weekdays: ["monday:friday"], times: [{ startTime: "18:00", endTime: "22:00" }] }],
      },
    ]);
    assert.equal("muteTimeIntervals" in routingSpec("shop", routing()), false);
  });

  it("takes the whole namespace for its router, all but the routed siblings' alerts, or only its own app's", () => {
    const scoped = (scope?: { router: boolean; siblings: string[] }) =>
      (routingSpec("shop", routing(), scope).route as { matchers?: unknown }).matchers;
    assert.equal(scoped(), undefined);
    assert.equal(scoped({ router: true, siblings: [] }), undefined);
    assert.deepEqual(scoped({ router: true, siblings: ["cart", "search"] }), [
      { name: "app", value: "cart|search", matchType: "!~" },
    ]);
    assert.deepEqual(scoped({ router: false, siblings: ["cart"] }), [
      { name: "app", value: "shop", matchType: "=" },
    ]);
  });
});

const alerting = (over: Partial<AlertingConfig> = {}): AlertingConfig => ({
  platformNamespaces: [],
  receivers: [],
  groupBy: ["alertname", "namespace", "cluster"],
  groupWait: "30s",
  groupInterval: "5m",
  repeatInterval: "4h",
  routes: [],
  ...over,
});
const nobody: Ownership = { platformNamespaces: ["monitoring"], teams: [], apps: [] };
const eq = (name: string, value: string) => ({ name, value, matchType: "=" });

describe("platform routing: the global AlertmanagerConfig spec", () => {
  it("with nothing configured: Watchdog and InfoInhibitor dropped, every alert to null, the inhibitions", () => {
    assert.deepEqual(platformRoutingSpec(alerting(), nobody), {
      route: {
        receiver: "null",
        groupBy: ["alertname", "namespace", "cluster"],
        groupWait: "30s",
        groupInterval: "5m",
        repeatInterval: "4h",
        routes: [
          {
            receiver: "null",
            matchers: [eq("alertname", "Watchdog")],
            groupBy: ["alertname", "cluster"],
            groupWait: "0s",
            groupInterval: "1h",
            repeatInterval: "1h",
          },
          { receiver: "null", matchers: [eq("alertname", "InfoInhibitor")] },
        ],
      },
      receivers: [{ name: "null" }],
      inhibitRules: inhibitRules(),
    });
  });

  it("orders Watchdog to the heartbeat, InfoInhibitor, failing notifications, claimed namespaces, then routes", () => {
    const own: Ownership = {
      platformNamespaces: ["monitoring"],
      teams: [{ name: "payments", namespacePrefix: "payments-" }],
      apps: [{ name: "shop", namespace: "shop", routing: { copyToPlatform: false } }],
    };
    const spec = platformRoutingSpec(
      alerting({
        receivers: [pager, chat],
        defaultReceiver: "chat",
        groupBy: ["alertname"],
        groupWait: "10s",
        groupInterval: "2m",
        repeatInterval: "3h",
        routes: [
          { receiver: "pager", severity: "critical", matchers: { namespace: "kube-system" }, continue: true },
          { receiver: "chat", matchers: { team: "infra", cluster: "eu" }, continue: false },
        ],
        heartbeat: { url: ref("heartbeat", "url"), repeatInterval: "2m" },
      }),
      own,
    );
    assert.deepEqual(spec.route, {
      receiver: "chat",
      groupBy: ["alertname"],
      groupWait: "10s",
      groupInterval: "2m",
      repeatInterval: "3h",
      routes: [
        {
          receiver: "watchdog-heartbeat",
          matchers: [eq("alertname", "Watchdog")],
          groupBy: ["alertname", "cluster"],
          groupWait: "0s",
          groupInterval: "2m",
          repeatInterval: "2m",
        },
        { receiver: "null", matchers: [eq("alertname", "InfoInhibitor")] },
        {
          receiver: "chat",
          matchers: [eq("alertname", "AlertmanagerNotificationsFailing")],
          // Only the platform's own receivers' failures go through another integration (a team's
          // revoked Slack webhook pages nobody on the platform).
          routes: [failing("pagerduty", "chat"), failing("slack", "pager")].map((r) => ({
            ...r,
            matchers: [...r.matchers, { name: "namespace", value: "monitoring", matchType: "=~" }],
          })),
        },
        { receiver: "null", matchers: [{ name: "namespace", value: "shop|payments-.+", matchType: "=~" }] },
        {
          receiver: "pager",
          matchers: [eq("severity", "critical"), eq("namespace", "kube-system")],
          continue: true,
        },
        { receiver: "chat", matchers: [eq("team", "infra"), eq("cluster", "eu")] },
      ],
    });
    assert.deepEqual(spec.receivers, [
      { name: "null" },
      {
        name: "watchdog-heartbeat",
        webhookConfigs: [{ urlSecret: { name: "heartbeat", key: "url" }, sendResolved: false }],
      },
      receiver("platform", pager),
      receiver("platform", chat),
    ]);
  });

  it("keeps a heartbeat given as a Pulumi secret in the platform's receiver Secret", () => {
    const url = secret("https://hc.example.com/ping");
    const key = secret("k");
    const config = alerting({
      receivers: [{ name: "pager", pagerduty: { routingKey: key, sendResolved: true } }],
      defaultReceiver: "pager",
      heartbeat: { url, repeatInterval: "1m" },
    });
    const data = platformSecretData(config);
    assert.deepEqual(Object.keys(data), ["pager-routing-key", "watchdog-heartbeat-webhook-url"]);
    assert.equal(data["watchdog-heartbeat-webhook-url"], url);
    assert.equal(data["pager-routing-key"], key);
    assert.deepEqual(platformRoutingSpec(config, nobody).receivers![1], {
      name: "watchdog-heartbeat",
      webhookConfigs: [
        {
          urlSecret: { name: "platform-alertmanager-receivers", key: "watchdog-heartbeat-webhook-url" },
          sendResolved: false,
        },
      ],
    });
    assert.deepEqual(
      platformSecretData(alerting({ heartbeat: { url: ref("hb", "url"), repeatInterval: "1m" } })),
      {},
    );
    assert.deepEqual(platformSecretData(alerting({ receivers: [pager], defaultReceiver: "pager" })), {});
  });

  it("inhibits the lesser alert about the same thing, slow burns under fast ones, pod warnings under a node's critical", () => {
    const same = ["namespace", "alertname", "job", "instance"];
    assert.deepEqual(inhibitRules(), [
      {
        sourceMatch: [eq("severity", "critical")],
        targetMatch: [{ name: "severity", value: "warning|info", matchType: "=~" }],
        equal: same,
      },
      { sourceMatch: [eq("severity", "warning")], targetMatch: [eq("severity", "info")], equal: same },
      {
        sourceMatch: [eq("alertname", "InfoInhibitor")],
        targetMatch: [eq("severity", "info")],
        equal: ["namespace"],
      },
      {
        sourceMatch: [eq("alertname", "ErrorBudgetBurnFast")],
        targetMatch: [eq("alertname", "ErrorBudgetBurnSlow")],
        equal: ["namespace", "slo"],
      },
      {
        sourceMatch: [
          eq("severity", "critical"),
          { name: "node", value: ".+", matchType: "=~" },
          eq("pod", ""),
        ],
        targetMatch: [
          { name: "severity", value: "warning|info", matchType: "=~" },
          { name: "pod", value: ".+", matchType: "=~" },
        ],
        equal: ["cluster", "node"],
      },
    ]);
  });
});

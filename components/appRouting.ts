/**
 * An app's AlertmanagerConfig (v1alpha1): routes by severity and team with `continue`, receivers whose
 * credentials are Secret references, and maintenance windows as mute time intervals (prometheus-operator
 * has no `Silence` kind; ad-hoc silences belong to the Alertmanager API, not to IaC).
 */
import * as pulumi from "@pulumi/pulumi";
import { receiverCredentials } from "./appSchema";
import type { ReceiverConfig, RoutingConfig } from "./schema";
import type { IAlertmanagerConfig, IReceiver, IRoute } from "./crdTypes";
import { INFO_INHIBITOR, NULL_RECEIVER } from "./alertmanagerNames";

type Matcher = { name: string; value: string; matchType: "=" | "!=" | "=~" | "!~" };
/** An equality matcher, as AlertmanagerConfig routes take them. */
export const eq = (name: string, value: string): Matcher => ({ name, value, matchType: "=" });

type SecretSource = pulumi.Output<string> | { secretName: string; key: string };

/** The Secret an owner's (an app's, or the platform's) receiver credentials are written to. */
export const receiverSecretName = (owner: string) => `${owner}-alertmanager-receivers`;

/** Where a credential lives: its own Secret when given as a Pulumi secret, else the named Secret. */
export function secretRef(app: string, receiver: string, field: string, source: SecretSource) {
  return pulumi.Output.isInstance(source)
    ? { name: receiverSecretName(app), key: `${receiver}-${field}` }
    : { name: source.secretName, key: source.key };
}

/** Credentials given as Pulumi secrets, keyed as `secretRef` names them. */
export function receiverSecretData(receivers: ReceiverConfig[]): Record<string, pulumi.Output<string>> {
  const data: Record<string, pulumi.Output<string>> = {};
  for (const r of receivers) {
    for (const { key, source } of receiverCredentials(r)) {
      if (pulumi.Output.isInstance(source)) data[`${r.name}-${key}`] = source as pulumi.Output<string>;
    }
  }
  return data;
}

/**
 * Links in notifications, as Alertmanager's templates fill them: `.ExternalURL` is the Alertmanager's
 * alertmanager.externalUrl, each alert's `.GeneratorURL` its rule's expression on Prometheus'
 * prometheus.externalUrl. Both must be URLs people can open (https in prod, schema.ts).
 */
export const NOTIFICATION_LINKS = {
  /** The receiver's alerts in the Alertmanager UI, where they can be silenced. */
  alerts: "{{ .ExternalURL }}/#/alerts?receiver={{ .Receiver | urlquery }}",
  /** The first alert's rule expression in Prometheus. */
  source: "{{ (index .Alerts 0).GeneratorURL }}",
  /** One line per alert: its summary, runbook and source. */
  slackText:
    "{{ range .Alerts }}{{ .Annotations.summary }}\n" +
    "{{ if .Annotations.runbook_url }}Runbook: {{ .Annotations.runbook_url }}\n{{ end }}" +
    "Source: {{ .GeneratorURL }}\n{{ end }}",
} as const;

export function receiver(app: string, r: ReceiverConfig): IReceiver {
  const out: IReceiver = { name: r.name };
  if (r.pagerduty) {
    // Events API v2 routing key; the guide's serviceKey is the retired v1 integration.
    out.pagerdutyConfigs = [
      {
        routingKey: secretRef(app, r.name, "routing-key", r.pagerduty.routingKey),
        sendResolved: r.pagerduty.sendResolved,
        // Events API v2 takes critical, error, warning or info; anything else (InfoInhibitor's none) is refused.
        severity:
          '{{ if eq .CommonLabels.severity "critical" "warning" "info" }}{{ .CommonLabels.severity }}{{ else }}error{{ end }}',
        clientURL: NOTIFICATION_LINKS.alerts,
        pagerDutyLinkConfigs: [{ href: NOTIFICATION_LINKS.source, alt: "Query in Prometheus" }],
      },
    ];
  }
  if (r.slack) {
    out.slackConfigs = [
      {
        apiURL: secretRef(app, r.name, "slack-api-url", r.slack.apiUrl),
        channel: r.slack.channel,
        sendResolved: r.slack.sendResolved,
        title: "[{{ .Status | toUpper }}] {{ .CommonLabels.alertname }}",
        titleLink: NOTIFICATION_LINKS.alerts,
        text: NOTIFICATION_LINKS.slackText,
      },
    ];
  }
  if (r.email) {
    out.emailConfigs = [
      {
        to: r.email.to,
        from: r.email.from,
        smarthost: r.email.smarthost,
        requireTLS: r.email.requireTLS,
        sendResolved: r.email.sendResolved,
        ...(r.email.authUsername ? { authUsername: r.email.authUsername } : {}),
        ...(r.email.authPassword
          ? { authPassword: secretRef(app, r.name, "smtp-password", r.email.authPassword) }
          : {}),
      },
    ];
  }
  if (r.opsgenie) {
    out.opsgenieConfigs = [
      {
        apiKey: secretRef(app, r.name, "opsgenie-api-key", r.opsgenie.apiKey),
        sendResolved: r.opsgenie.sendResolved,
        ...(r.opsgenie.priority ? { priority: r.opsgenie.priority } : {}),
      },
    ];
  }
  if (r.webhook) {
    out.webhookConfigs = [
      {
        sendResolved: r.webhook.sendResolved,
        ...(r.webhook.url ? { url: r.webhook.url } : {}),
        ...(r.webhook.urlSecret
          ? { urlSecret: secretRef(app, r.name, "webhook-url", r.webhook.urlSecret) }
          : {}),
      },
    ];
  }
  return out;
}

/** The kind of integration a receiver notifies through, as Alertmanager's `integration` label names it. */
export function integrationOf(r: ReceiverConfig): string {
  if (r.pagerduty) return "pagerduty";
  if (r.slack) return "slack";
  if (r.email) return "email";
  if (r.opsgenie) return "opsgenie";
  return "webhook";
}

/** The alert that reports a receiver failing to notify (platformRules.ts), routed around the failure. */
export const NOTIFICATIONS_FAILING_ALERT = "AlertmanagerNotificationsFailing";

/**
 * Routes that send a failing integration's alert through a receiver of another integration, so a
 * broken pager is reported where someone still reads it. None for an integration with no alternative.
 */
export function failingIntegrationRoutes(receivers: readonly ReceiverConfig[]): IRoute[] {
  const kinds = [...new Set(receivers.map(integrationOf))].sort();
  return kinds.flatMap((kind) => {
    const other = receivers.find((r) => integrationOf(r) !== kind);
    return other
      ? [
          {
            receiver: other.name,
            matchers: [eq("alertname", NOTIFICATIONS_FAILING_ALERT), eq("integration", kind)],
          },
        ]
      : [];
  });
}

/**
 * Which of its namespace's alerts an app's AlertmanagerConfig takes (the operator adds
 * `namespace="<ns>"`): the namespace's router takes all but its routed siblings' alerts, so the
 * owner hears of its pods, volumes and jobs; any other app only its own.
 */
export interface RoutingScope {
  readonly router: boolean;
  /** The other routed apps of the namespace. */
  readonly siblings: readonly string[];
}

export function routingSpec(
  app: string,
  routing: RoutingConfig,
  scope: RoutingScope = { router: true, siblings: [] },
): IAlertmanagerConfig["spec"] {
  const routes: IRoute[] = routing.routes.map((r) => ({
    receiver: r.receiver,
    matchers: [...(r.severity ? [eq("severity", r.severity)] : []), ...(r.team ? [eq("team", r.team)] : [])],
    continue: r.continue,
    ...(r.muteTimeIntervals.length ? { muteTimeIntervals: r.muteTimeIntervals } : {}),
  }));
  return {
    route: {
      receiver: routing.defaultReceiver,
      ...(scope.router
        ? scope.siblings.length
          ? { matchers: [{ name: "app", value: scope.siblings.join("|"), matchType: "!~" as const }] }
          : {}
        : { matchers: [eq("app", app)] }),
      groupBy: routing.groupBy,
      groupWait: routing.groupWait,
      groupInterval: routing.groupInterval,
      repeatInterval: routing.repeatInterval,
      // The namespace's InfoInhibitor reaches the owner's config first (the operator puts it before the
      // platform's routes): dropped here, or it would page whoever the default receiver is.
      routes: [
        {
          receiver: NULL_RECEIVER,
          matchers: [eq("alertname", INFO_INHIBITOR)],
        },
        ...failingIntegrationRoutes(routing.receivers),
        ...routes,
      ],
    },
    receivers: [...routing.receivers.map((r) => receiver(app, r)), { name: NULL_RECEIVER }],
    ...(routing.muteTimeIntervals.length
      ? {
          muteTimeIntervals: routing.muteTimeIntervals.map((m) => ({
            name: m.name,
            timeIntervals: [
              {
                ...(m.weekdays.length ? { weekdays: m.weekdays } : {}),
                ...(m.times.length
                  ? { times: m.times.map((t) => ({ startTime: t.start, endTime: t.end })) }
                  : {}),
              },
            ],
          })),
        }
      : {}),
  };
}

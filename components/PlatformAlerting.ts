/**
 * The stack's own alert routing and meta-monitoring: a global AlertmanagerConfig in the monitoring
 * namespace that the Alertmanager takes as its base configuration (`alertmanagerConfiguration`), so
 * platform receivers keep their credentials in Secrets, plus the rules that watch the monitoring itself.
 *
 * Routing order (first match wins; apps' own AlertmanagerConfigs come before all of these and continue):
 * Watchdog → the heartbeat; InfoInhibitor → dropped; a failing notification integration → a platform
 * receiver of another integration; alerts of namespaces a team owns (ownership.ts), which its routing
 * already delivered → dropped here; the configured platform routes; everything else → the default
 * platform receiver.
 */
import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import {
  NOTIFICATIONS_FAILING_ALERT,
  eq,
  failingIntegrationRoutes,
  receiver,
  receiverSecretData,
  receiverSecretName,
  secretRef,
} from "./appRouting";
import { Ownership, claimedNamespaceRegex } from "./ownership";
import { HEARTBEAT_RECEIVER } from "./appSchema";
import type { AlertingConfig, ImportedRules } from "./schema";
import type { IAlertmanagerConfig, IRoute } from "./crdTypes";
import { STACK_LABELS } from "./labels";
import { PlatformRuleOptions, platformRuleGroups } from "./platformRules";

export { GLOBAL_CONFIG_LABEL, PLATFORM_ALERTMANAGER_CONFIG } from "./alertmanagerNames";
import {
  GLOBAL_CONFIG_LABEL,
  INFO_INHIBITOR,
  NULL_RECEIVER,
  PLATFORM_ALERTMANAGER_CONFIG,
} from "./alertmanagerNames";
const OWNER = "platform";

/** Inhibitions: the worse alert about the same thing silences the lesser ones. */
export function inhibitRules(): NonNullable<IAlertmanagerConfig["spec"]["inhibitRules"]> {
  const sameTarget = ["namespace", "alertname", "job", "instance"];
  return [
    {
      sourceMatch: [eq("severity", "critical")],
      targetMatch: [{ name: "severity", value: "warning|info", matchType: "=~" }],
      equal: sameTarget,
    },
    { sourceMatch: [eq("severity", "warning")], targetMatch: [eq("severity", "info")], equal: sameTarget },
    {
      sourceMatch: [eq("alertname", "InfoInhibitor")],
      targetMatch: [eq("severity", "info")],
      equal: ["namespace"],
    },
    // A fast burn already pages for the same SLO; the slow-burn ticket adds nothing.
    {
      sourceMatch: [eq("alertname", "ErrorBudgetBurnFast")],
      targetMatch: [eq("alertname", "ErrorBudgetBurnSlow")],
      equal: ["namespace", "slo"],
    },
    // A critical alert about a whole node (it has a node label, no pod label) silences the warnings of
    // pods on that node, where those carry the node label.
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
  ];
}

/**
 * The platform's route for a receiver failing to notify: never the heartbeat, and never swallowed as a
 * team's alert: it comes before the claimed namespaces' `null`. Whose receiver failed is in `namespace`.
 * The platform's own receivers' failures go through a platform receiver of another integration
 * (PagerDuty failing → Slack, Slack failing → PagerDuty); another owner's go to the default receiver
 * only, so a team's revoked Slack webhook does not page the platform (the team hears of it through its
 * own routes).
 */
function failingNotificationsRoute(alerting: AlertingConfig, ownership: Ownership): IRoute | undefined {
  const fallback = alerting.defaultReceiver;
  if (!fallback) return undefined;
  const platform = {
    name: "namespace",
    value: ownership.platformNamespaces.join("|"),
    matchType: "=~" as const,
  };
  return {
    receiver: fallback,
    matchers: [eq("alertname", NOTIFICATIONS_FAILING_ALERT)],
    routes: failingIntegrationRoutes(alerting.receivers).map((r) => ({
      ...r,
      matchers: [...(r.matchers ?? []), platform],
    })),
  };
}

/** The global AlertmanagerConfig's spec. Pure. */
export function platformRoutingSpec(
  alerting: AlertingConfig,
  ownership: Ownership,
): IAlertmanagerConfig["spec"] {
  const heartbeat = alerting.heartbeat;
  const claimed = claimedNamespaceRegex(ownership);
  const failing = failingNotificationsRoute(alerting, ownership);
  const routes: IRoute[] = [
    {
      receiver: heartbeat ? HEARTBEAT_RECEIVER : NULL_RECEIVER,
      matchers: [eq("alertname", "Watchdog")],
      // Never grouped with anything, sent at once and then every repeatInterval while it fires.
      groupBy: ["alertname", "cluster"],
      groupWait: "0s",
      groupInterval: heartbeat?.repeatInterval ?? "1h",
      repeatInterval: heartbeat?.repeatInterval ?? "1h",
    },
    { receiver: NULL_RECEIVER, matchers: [eq("alertname", INFO_INHIBITOR)] },
    ...(failing ? [failing] : []),
    // What teams own, their AlertmanagerConfigs already delivered (they come first, with `continue`):
    // the platform must not page for it too.
    ...(claimed
      ? [
          {
            receiver: NULL_RECEIVER,
            matchers: [{ name: "namespace", value: claimed, matchType: "=~" as const }],
          },
        ]
      : []),
    ...alerting.routes.map((r) => ({
      receiver: r.receiver,
      matchers: [
        ...(r.severity ? [eq("severity", r.severity)] : []),
        ...Object.entries(r.matchers).map(([k, v]) => eq(k, v)),
      ],
      ...(r.continue ? { continue: true } : {}),
    })),
  ];
  return {
    route: {
      receiver: alerting.defaultReceiver ?? NULL_RECEIVER,
      groupBy: alerting.groupBy,
      groupWait: alerting.groupWait,
      groupInterval: alerting.groupInterval,
      repeatInterval: alerting.repeatInterval,
      routes,
    },
    receivers: [
      { name: NULL_RECEIVER },
      ...(heartbeat
        ? [
            {
              name: HEARTBEAT_RECEIVER,
              webhookConfigs: [
                {
                  urlSecret: secretRef(OWNER, HEARTBEAT_RECEIVER, "webhook-url", heartbeat.url),
                  sendResolved: false,
                },
              ],
            },
          ]
        : []),
      ...alerting.receivers.map((r) => receiver(OWNER, r)),
    ],
    inhibitRules: inhibitRules(),
  };
}

/** Credentials given as Pulumi secrets, for the platform's receiver Secret. */
export function platformSecretData(alerting: AlertingConfig): Record<string, pulumi.Output<string>> {
  const data = receiverSecretData(alerting.receivers);
  if (pulumi.Output.isInstance(alerting.heartbeat?.url)) {
    data[`${HEARTBEAT_RECEIVER}-webhook-url`] = alerting.heartbeat.url as pulumi.Output<string>;
  }
  return data;
}

export interface PlatformAlertingArgs {
  /** The monitoring namespace (the Alertmanager's). */
  readonly namespace: pulumi.Input<string>;
  readonly alerting: AlertingConfig;
  /** Who owns which namespace: alerts their owners' routing delivers are not routed again. */
  readonly ownership: Ownership;
  /** What the meta-monitoring rules watch. */
  readonly rules: PlatformRuleOptions;
  /** Rule groups read from the stack's `ruleFiles`, deployed as they are. */
  readonly importedRules?: ImportedRules;
  /** The operator CRDs: the custom resources wait for them. */
  readonly crds: pulumi.Resource;
}

export class PlatformAlerting extends pulumi.ComponentResource {
  constructor(name: string, args: PlatformAlertingArgs, opts?: pulumi.ComponentResourceOptions) {
    super("kube-monitoring:alerting:PlatformAlerting", name, {}, opts);
    const labels = STACK_LABELS;
    const data = platformSecretData(args.alerting);
    const secrets = Object.keys(data).length
      ? [
          new k8s.core.v1.Secret(
            `${name}-receivers`,
            {
              metadata: { name: receiverSecretName(OWNER), namespace: args.namespace, labels },
              type: "Opaque",
              stringData: data,
            },
            { parent: this },
          ),
        ]
      : [];
    new k8s.apiextensions.CustomResource(
      `${name}-routing`,
      {
        apiVersion: "monitoring.coreos.com/v1alpha1",
        kind: "AlertmanagerConfig",
        metadata: {
          name: PLATFORM_ALERTMANAGER_CONFIG,
          namespace: args.namespace,
          labels: { ...labels, [GLOBAL_CONFIG_LABEL]: "true" },
        },
        spec: platformRoutingSpec(args.alerting, args.ownership),
      },
      { parent: this, dependsOn: [args.crds, ...secrets] },
    );
    new k8s.apiextensions.CustomResource(
      `${name}-rules`,
      {
        apiVersion: "monitoring.coreos.com/v1",
        kind: "PrometheusRule",
        metadata: { name: "kube-monitoring-platform", namespace: args.namespace, labels },
        spec: { groups: platformRuleGroups(args.rules) },
      },
      { parent: this, dependsOn: [args.crds] },
    );
    const imported = (args.importedRules ?? []).flatMap((f) => f.groups);
    if (imported.length) {
      new k8s.apiextensions.CustomResource(
        `${name}-imported-rules`,
        {
          apiVersion: "monitoring.coreos.com/v1",
          kind: "PrometheusRule",
          metadata: { name: "kube-monitoring-imported", namespace: args.namespace, labels },
          spec: { groups: imported },
        },
        { parent: this, dependsOn: [args.crds] },
      );
    }
    this.registerOutputs({});
  }
}

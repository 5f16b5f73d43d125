/**
 * Alerts reach a person: the Alertmanager's base configuration (the global AlertmanagerConfig its
 * `alertmanagerConfiguration` names) sends critical and warning platform alerts to receivers that
 * notify someone, Watchdog to a heartbeat that is never muted and repeats often, and drops only what is
 * meant to be dropped.
 */
import type { PolicyResource, ReportViolation, StackValidationArgs } from "@pulumi/policy";
import { fullMatch, regexError } from "./regex";
import { PROMETHEUS_DURATION, durationSeconds } from "./units";
import { AMC, CLUSTER_NAMESPACES, HELM_RELEASE, Json, KPS_CHART, Policy, get } from "./util";

export interface Matcher {
  name: string;
  value?: string;
  matchType?: string;
}
export interface Route {
  receiver?: string;
  matchers?: Matcher[];
  routes?: Route[];
  continue?: boolean;
  muteTimeIntervals?: string[];
  groupWait?: string;
  repeatInterval?: string;
}

export function matches(m: Matcher, labels: Record<string, string>): boolean {
  // Own labels only: `constructor` or `toString` is no label of an alert.
  const actual = Object.hasOwn(labels, m.name) ? String(labels[m.name] ?? "") : "";
  const value = String(m.value ?? "");
  switch (m.matchType ?? "=") {
    case "=":
      return actual === value;
    case "!=":
      return actual !== value;
    // A regex Alertmanager would refuse matches nothing here; alert-matchers-valid refuses it.
    case "=~":
      return fullMatch(value, actual) === true;
    case "!~":
      return fullMatch(value, actual) === false;
    default:
      return false;
  }
}

/** The route an alert with `labels` ends at (first match, depth first), as Alertmanager picks it. */
export function routeFor(root: Route, labels: Record<string, string>): Route {
  for (const child of root.routes ?? []) {
    if ((child.matchers ?? []).every((m) => matches(m, labels))) {
      const deeper = routeFor(child, labels);
      return { ...deeper, receiver: deeper.receiver ?? root.receiver };
    }
  }
  return root;
}

const INTEGRATIONS = [
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

const notifies = (receiver: Json | undefined) =>
  Boolean(
    receiver && INTEGRATIONS.some((k) => Array.isArray(receiver[k]) && (receiver[k] as unknown[]).length),
  );

/** Namespaces whose alerts are always the platform's: never dropped as another owner's. */

/**
 * A route that may drop alerts: InfoInhibitor, one app's alerts (namespace and app) its own routing
 * sent, or the namespaces teams own (one `namespace=~` matcher), whose own routes came first. Such a
 * claim never covers the platform's namespaces nor alerts without a namespace.
 */
const mayDrop = (route: Route, platformNamespace: string) =>
  hasEquality(route, "alertname", "InfoInhibitor") ||
  (hasEquality(route, "namespace") && hasEquality(route, "app")) ||
  isTeamClaim(route, platformNamespace);

function isTeamClaim(route: Route, platformNamespace: string): boolean {
  const m = route.matchers ?? [];
  if (m.length !== 1 || m[0].name !== "namespace" || m[0].matchType !== "=~") return false;
  const pattern = String(m[0].value ?? "");
  if (regexError(pattern) !== undefined) return false;
  return !["", platformNamespace, ...CLUSTER_NAMESPACES].some((ns) => fullMatch(pattern, ns));
}

/** Whether the route matches `name` by equality (to `value`, when given). */
function hasEquality(route: Route, name: string, value?: string): boolean {
  return (route.matchers ?? []).some(
    (m) => m.name === name && (m.matchType ?? "=") === "=" && (value === undefined || m.value === value),
  );
}

function allRoutes(route: Route): Route[] {
  return (route.routes ?? []).flatMap((r) => [r, ...allRoutes(r)]);
}

export const alertDelivery: Policy = {
  name: "alert-delivery",
  description:
    "Critical and warning platform alerts reach a receiver that notifies someone; Watchdog reaches a heartbeat, unmuted and repeating at least every 5m; nothing else is dropped.",
  enforcementLevel: "mandatory",
  configSchema: {
    properties: {
      maxHeartbeatRepeat: {
        type: "string",
        pattern: PROMETHEUS_DURATION.source,
        default: "5m",
        description: "Longest Watchdog repeat interval.",
      },
      maxHeartbeatGroupWait: {
        type: "string",
        pattern: PROMETHEUS_DURATION.source,
        default: "30s",
        description: "Longest Watchdog group wait.",
      },
    },
  },
  validateStack: (args: StackValidationArgs, report: ReportViolation) => {
    const cfg = args.getConfig<{ maxHeartbeatRepeat: string; maxHeartbeatGroupWait: string }>();
    const kps = args.resources.find((r) => r.type === HELM_RELEASE && r.props.chart === KPS_CHART);
    if (!kps) return;
    const name = get(kps.props.values, "alertmanager.alertmanagerSpec.alertmanagerConfiguration.name");
    if (typeof name !== "string") {
      report(
        "the Alertmanager has no alertmanagerConfiguration: its base configuration is the chart's, which sends every platform alert to a null receiver",
        kps.urn,
      );
      return;
    }
    const global: PolicyResource | undefined = args.resources.find(
      (r) =>
        r.type === AMC &&
        r.props.metadata?.name === name &&
        r.props.metadata?.namespace === kps.props.namespace,
    );
    if (!global) {
      report(`the Alertmanager's base AlertmanagerConfig ${name} is not part of this stack`, kps.urn);
      return;
    }
    const spec = (global.props.spec ?? {}) as { route?: Route; receivers?: Json[] };
    const root = spec.route ?? {};
    const receivers = new Map((spec.receivers ?? []).map((r) => [String(r.name), r]));
    const where = `AlertmanagerConfig ${name}`;

    if (!notifies(receivers.get(String(root.receiver)))) {
      report(
        `${where}: the root route's receiver ${JSON.stringify(root.receiver)} notifies nobody`,
        global.urn,
      );
    }
    for (const severity of ["critical", "warning"]) {
      const cases: Record<string, string>[] = [
        { severity },
        { severity, namespace: "kube-system" },
        { severity, namespace: String(kps.props.namespace) },
      ];
      for (const labels of cases) {
        const route = routeFor(root, { alertname: "PlatformAlert", ...labels });
        if (!notifies(receivers.get(String(route.receiver)))) {
          report(
            `${where}: a ${severity} platform alert${labels.namespace ? ` in ${labels.namespace}` : " without a namespace"} goes to ${JSON.stringify(route.receiver)}, which notifies nobody`,
            global.urn,
          );
        }
      }
    }
    const watchdog = routeFor(root, { alertname: "Watchdog", severity: "none" });
    const heartbeat = receivers.get(String(watchdog.receiver));
    if (!notifies(heartbeat)) {
      report(
        `${where}: Watchdog goes to ${JSON.stringify(watchdog.receiver)}; send it to a heartbeat (alerting.heartbeat) so a dead pipeline pages someone`,
        global.urn,
      );
    } else {
      if (watchdog.muteTimeIntervals?.length)
        report(
          `${where}: the Watchdog route is muted by ${watchdog.muteTimeIntervals.join(", ")}; a heartbeat must never be muted`,
          global.urn,
        );
      const repeat = durationSeconds(watchdog.repeatInterval ?? "4h") ?? Infinity;
      if (repeat > (durationSeconds(cfg.maxHeartbeatRepeat) ?? 300))
        report(
          `${where}: Watchdog repeats every ${watchdog.repeatInterval ?? "4h (the default)"}; at most ${cfg.maxHeartbeatRepeat}`,
          global.urn,
        );
      const wait = durationSeconds(watchdog.groupWait ?? "30s") ?? Infinity;
      if (wait > (durationSeconds(cfg.maxHeartbeatGroupWait) ?? 30))
        report(
          `${where}: Watchdog waits ${watchdog.groupWait ?? "30s (the default)"} before its first send; at most ${cfg.maxHeartbeatGroupWait}`,
          global.urn,
        );
    }
    for (const route of allRoutes(root)) {
      if (route.receiver === undefined) continue;
      // Watchdog's own route is judged above, with its heartbeat.
      const isWatchdog = hasEquality(route, "alertname", "Watchdog");
      if (
        !notifies(receivers.get(route.receiver)) &&
        !mayDrop(route, String((global.props.metadata as Json)?.namespace ?? "")) &&
        !isWatchdog
      ) {
        const on = (route.matchers ?? [])
          .map((m) => `${m.name}${m.matchType ?? "="}${JSON.stringify(m.value)}`)
          .join(", ");
        report(
          `${where}: the route {${on}} drops alerts to ${JSON.stringify(route.receiver)}, which notifies nobody`,
          global.urn,
        );
      }
    }
    // Inhibition must never silence the heartbeat.
    const inhibits = ((global.props.spec as Json)?.inhibitRules ?? []) as { targetMatch?: Matcher[] }[];
    for (const rule of inhibits) {
      if ((rule.targetMatch ?? []).every((m) => matches(m, { alertname: "Watchdog", severity: "none" }))) {
        report(`${where}: an inhibit rule can silence Watchdog`, global.urn);
      }
    }
  },
};

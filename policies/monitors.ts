/**
 * Monitors that resolve: the troubleshooting chapter's "ServiceMonitor not picked up" and "metrics
 * missing" caught before deployment. Every ServiceMonitor/PodMonitor selects something this stack
 * creates, names ports that exist there, carries the labels Prometheus selects on, and scrapes sanely.
 */
import type { PolicyResource, ReportViolation, StackValidationArgs } from "@pulumi/policy";
import { PROMETHEUS_DURATION, durationSeconds } from "./units";
import {
  HELM_RELEASE,
  Json,
  KPS_CHART,
  Policy,
  WORKLOAD_TYPES,
  containersOf,
  get,
  matchesLabels,
  podLabelsOf,
  podSpecOf,
} from "./util";

interface MonitorConfig {
  minInterval: string;
}

interface Target {
  namespace: string;
  labels: Record<string, string>;
  ports: Set<string>;
}

const namespaceOf = (r: PolicyResource) => String(r.props.metadata?.namespace ?? "default");

/** Services and pod templates of the stack, each indexed once by namespace. */
function indexTargets(resources: PolicyResource[]) {
  const services = new Map<string, Target[]>();
  const pods = new Map<string, Target[]>();
  const add = (map: Map<string, Target[]>, t: Target) =>
    map.set(t.namespace, [...(map.get(t.namespace) ?? []), t]);
  for (const r of resources) {
    if (r.type === "kubernetes:core/v1:Service") {
      const ports = ((r.props.spec?.ports ?? []) as { name?: string }[]).flatMap((p) =>
        p.name ? [p.name] : [],
      );
      add(services, {
        namespace: namespaceOf(r),
        labels: (r.props.metadata?.labels ?? {}) as Record<string, string>,
        ports: new Set(ports),
      });
    } else if (WORKLOAD_TYPES.includes(r.type)) {
      const ports = containersOf(podSpecOf(r.type, r.props)).flatMap(({ c }) =>
        (c.ports ?? []).flatMap((p) => (p.name ? [p.name] : [])),
      );
      add(pods, { namespace: namespaceOf(r), labels: podLabelsOf(r.type, r.props), ports: new Set(ports) });
    }
  }
  return { services, pods };
}

/** The labels a monitor must carry for the kube-prometheus-stack Prometheus to select it, per kind. */
function requiredMonitorLabels(
  resources: PolicyResource[],
): Record<string, Record<string, string>> | undefined {
  const kps = resources.find((r) => r.type === HELM_RELEASE && r.props.chart === KPS_CHART);
  if (!kps) return undefined;
  const spec = (get(kps.props.values, "prometheus.prometheusSpec") ?? {}) as Json;
  const release = String(kps.props.name ?? kps.name);
  const required = (selectorKey: string, nilKey: string) => {
    const selector = get(spec, `${selectorKey}.matchLabels`) as Record<string, string> | undefined;
    if (selector) return selector;
    // The chart's default: with *NilUsesHelmValues left true, only monitors labelled release=<name> count.
    return spec[nilKey] === false ? {} : { release };
  };
  return {
    ServiceMonitor: required("serviceMonitorSelector", "serviceMonitorSelectorNilUsesHelmValues"),
    PodMonitor: required("podMonitorSelector", "podMonitorSelectorNilUsesHelmValues"),
  };
}

/** A Kubernetes label selector: matchLabels and matchExpressions (In, NotIn, Exists, DoesNotExist). */
export function selects(selector: Json | undefined, labels: Record<string, string>): boolean {
  if (!selector) return false;
  const exact = (selector.matchLabels ?? {}) as Record<string, string>;
  const expressions = (selector.matchExpressions ?? []) as {
    key: string;
    operator: string;
    values?: string[];
  }[];
  if (!Object.keys(exact).length && !expressions.length) return true;
  return (
    Object.entries(exact).every(([k, v]) => labels[k] === v) &&
    expressions.every((e) => {
      const has = e.key in labels;
      switch (e.operator) {
        case "In":
          return has && (e.values ?? []).includes(labels[e.key]);
        case "NotIn":
          return !has || !(e.values ?? []).includes(labels[e.key]);
        case "Exists":
          return has;
        case "DoesNotExist":
          return !has;
        default:
          return false;
      }
    })
  );
}

/** Marks a monitor whose targets another stack or the platform provides (the EKS control plane, say). */
export const EXTERNAL_TARGETS_ANNOTATION = "kube-monitoring.io/targets-outside-stack";
/**
 * On a monitor of a workload deployed elsewhere: what its target looks like, `{"labels":{…},"ports":[…]}`
 * (JSON), so the monitor can be checked against it as against a Service of the stack.
 */
export const DECLARED_TARGET_ANNOTATION = "kube-monitoring.io/declared-target";

/** The target a monitor declares for a workload deployed elsewhere, as a Target in its own namespace. */
function declaredTarget(m: PolicyResource): Target | undefined {
  const text = m.props.metadata?.annotations?.[DECLARED_TARGET_ANNOTATION];
  if (typeof text !== "string") return undefined;
  const parsed = JSON.parse(text) as { labels?: Record<string, string>; ports?: string[] };
  return { namespace: namespaceOf(m), labels: parsed.labels ?? {}, ports: new Set(parsed.ports ?? []) };
}

type Finding = [message: string, urn: string];

/**
 * What can be proven about each monitor: `wrong` where the stack creates targets in the monitor's
 * namespaces and the monitor misses them (or scrapes badly); `unverifiable` where the stack creates
 * nothing there, so its targets come from elsewhere and cannot be checked here.
 */
function analyzeMonitors(resources: PolicyResource[], cfg: MonitorConfig) {
  const wrong: Finding[] = [];
  const unverifiable: Finding[] = [];
  const floor = durationSeconds(cfg.minInterval) ?? 0;
  const { services, pods } = indexTargets(resources);
  const required = requiredMonitorLabels(resources);
  // The floor holds for Prometheus' own defaults too: every monitor without an interval inherits them.
  const kps = resources.find((r) => r.type === HELM_RELEASE && r.props.chart === KPS_CHART);
  for (const key of ["scrapeInterval", "evaluationInterval"]) {
    const value = get(kps?.props.values, `prometheus.prometheusSpec.${key}`);
    if (kps && typeof value === "string" && (durationSeconds(value) ?? 0) < floor) {
      wrong.push([
        `Helm release ${kps.name}: prometheus.prometheusSpec.${key} ${value} is below the ${cfg.minInterval} floor.`,
        kps.urn,
      ]);
    }
  }
  wrong.push(...otherIntervalsBelow(resources, floor, cfg.minInterval));
  for (const m of resources) {
    const kind = m.props.kind as string | undefined;
    if (kind !== "ServiceMonitor" && kind !== "PodMonitor") continue;
    const where = `${kind} ${namespaceOf(m)}/${String(m.props.metadata?.name ?? m.name)}`;
    const selector = m.props.spec?.selector as Json | undefined;
    const nsSelector = (m.props.spec?.namespaceSelector ?? {}) as { any?: boolean; matchNames?: string[] };
    const pool = kind === "ServiceMonitor" ? services : pods;
    const namespaces = nsSelector.any ? [...pool.keys()] : (nsSelector.matchNames ?? [namespaceOf(m)]);
    const declared = declaredTarget(m);
    const candidates = declared ? [declared] : namespaces.flatMap((ns) => pool.get(ns) ?? []);
    const matched = candidates.filter((t) => selects(selector, t.labels));
    const what = kind === "ServiceMonitor" ? "Service" : "pod template";
    const declaredExternal = m.props.metadata?.annotations?.[EXTERNAL_TARGETS_ANNOTATION] === "true";
    if (!matched.length && !declaredExternal) {
      // matchLabels alone is shown as the plain map people write.
      const exprs = (selector?.matchExpressions ?? []) as unknown[];
      const shown = JSON.stringify(exprs.length ? (selector ?? {}) : (selector?.matchLabels ?? {}));
      const scope = nsSelector.any ? "any namespace" : namespaces.join(", ");
      if (candidates.length) {
        wrong.push([
          declared
            ? `${where}: its selector ${shown} does not match the labels its declared target carries (${JSON.stringify(declared.labels)}); Prometheus would find no targets.`
            : `${where}: its selector ${shown} matches no ${what} this stack creates in ${scope}; Prometheus would find no targets.`,
          m.urn,
        ]);
      } else {
        unverifiable.push([
          `${where}: cannot verify its targets: this stack creates no ${what} in ${scope}; check that something deployed elsewhere carries ${shown}.`,
          m.urn,
        ]);
      }
    }
    const endpoints =
      (kind === "ServiceMonitor" ? m.props.spec?.endpoints : m.props.spec?.podMetricsEndpoints) ?? [];
    for (const e of endpoints as Json[]) {
      const port = e.port as string | undefined;
      if (matched.length && port && !matched.some((t) => t.ports.has(port))) {
        wrong.push([`${where}: port "${port}" is not a named port of the ${what} it selects.`, m.urn]);
      }
      const interval = durationSeconds(String(e.interval ?? "30s")) ?? 0;
      const timeout = e.scrapeTimeout === undefined ? undefined : durationSeconds(String(e.scrapeTimeout));
      if (interval < floor)
        wrong.push([
          `${where}: interval ${String(e.interval)} is below the ${cfg.minInterval} floor.`,
          m.urn,
        ]);
      if (timeout !== undefined && timeout > interval) {
        wrong.push([
          `${where}: scrapeTimeout ${String(e.scrapeTimeout)} is longer than interval ${String(e.interval ?? "30s")}.`,
          m.urn,
        ]);
      }
    }
    const need = required?.[kind] ?? {};
    const labels = (m.props.metadata?.labels ?? {}) as Record<string, string>;
    if (!matchesLabels(need, labels)) {
      wrong.push([
        `${where}: lacks the labels ${JSON.stringify(need)} Prometheus selects monitors by; it would be ignored.`,
        m.urn,
      ]);
    }
  }
  return { wrong, unverifiable };
}

/** The federation scrape configs' Secret, and the annotation listing their intervals (see secrets.ts). */
const FEDERATION = { name: "prometheus-federation", intervals: "kube-monitoring.io/scrape-intervals" };

/**
 * The floor on every other interval the stack writes: Probes, rule groups (PrometheusRule and
 * rule-file groups) and federation scrape configs.
 */
function otherIntervalsBelow(resources: PolicyResource[], floor: number, shown: string): Finding[] {
  const found: Finding[] = [];
  const below = (value: unknown) =>
    typeof value === "string" && (durationSeconds(value) === undefined || durationSeconds(value)! < floor);
  for (const r of resources) {
    const kind = r.props.kind as string | undefined;
    const where = `${kind} ${namespaceOf(r)}/${String(r.props.metadata?.name ?? r.name)}`;
    if (kind === "Probe" && below(r.props.spec?.interval))
      found.push([`${where}: interval ${String(r.props.spec.interval)} is below the ${shown} floor.`, r.urn]);
    if (kind === "PrometheusRule") {
      for (const group of (r.props.spec?.groups ?? []) as Json[]) {
        if (below(group.interval))
          found.push([
            `${where}: group ${String(group.name)} interval ${String(group.interval)} is below the ${shown} floor.`,
            r.urn,
          ]);
      }
    }
    if (r.type === "kubernetes:core/v1:Secret" && r.props.metadata?.name === FEDERATION.name) {
      // The data is a secret; the program lists the intervals in an annotation beside it.
      const listed = r.props.metadata?.annotations?.[FEDERATION.intervals];
      for (const interval of typeof listed === "string" ? listed.split(",") : []) {
        if (below(interval))
          found.push([
            `${where}: federation scrape_interval ${interval} is below the ${shown} floor.`,
            r.urn,
          ]);
      }
    }
  }
  return found;
}

const intervalFloor = {
  minInterval: {
    type: "string",
    pattern: PROMETHEUS_DURATION.source,
    default: "15s",
    description: "Shortest scrape interval allowed.",
  },
} as const;

export const monitorTargetsResolve: Policy = {
  name: "monitor-targets-resolve",
  description:
    "Every ServiceMonitor and PodMonitor that selects in a namespace where this stack creates workloads matches a Service or pod template there, names ports that exist, matches the Prometheus selectors, and scrapes with timeout ≤ interval and interval ≥ a floor; the floor holds for Probes, rule groups and federation too.",
  enforcementLevel: "mandatory",
  configSchema: { properties: { ...intervalFloor } },
  validateStack: (args: StackValidationArgs, report: ReportViolation) => {
    for (const [message, urn] of analyzeMonitors(args.resources, args.getConfig<MonitorConfig>()).wrong)
      report(message, urn);
  },
};

export const monitorTargetsVerifiable: Policy = {
  name: "monitor-targets-verifiable",
  description:
    "Monitors of workloads this stack does not deploy cannot be checked against their targets; says so, without blocking.",
  enforcementLevel: "advisory",
  configSchema: { properties: { ...intervalFloor } },
  validateStack: (args: StackValidationArgs, report: ReportViolation) => {
    for (const [message, urn] of analyzeMonitors(args.resources, args.getConfig<MonitorConfig>())
      .unverifiable)
      report(message, urn);
  },
};

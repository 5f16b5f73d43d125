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

export const monitorTargetsResolve: Policy = {
  name: "monitor-targets-resolve",
  description:
    "Every ServiceMonitor and PodMonitor selects a Service or pod template created in this stack, names ports that exist there, matches the Prometheus selectors, and scrapes with timeout ≤ interval and interval ≥ a floor.",
  enforcementLevel: "mandatory",
  configSchema: {
    properties: {
      minInterval: {
        type: "string",
        pattern: PROMETHEUS_DURATION.source,
        default: "15s",
        description: "Shortest scrape interval allowed.",
      },
    },
  },
  validateStack: (args: StackValidationArgs, report: ReportViolation) => {
    const cfg = args.getConfig<MonitorConfig>();
    const floor = durationSeconds(cfg.minInterval) ?? 0;
    const { services, pods } = indexTargets(args.resources);
    const required = requiredMonitorLabels(args.resources);
    for (const m of args.resources) {
      const kind = m.props.kind as string | undefined;
      if (kind !== "ServiceMonitor" && kind !== "PodMonitor") continue;
      const where = `${kind} ${namespaceOf(m)}/${String(m.props.metadata?.name ?? m.name)}`;
      const selector = m.props.spec?.selector?.matchLabels as Record<string, string> | undefined;
      const namespaces = (m.props.spec?.namespaceSelector?.matchNames as string[] | undefined) ?? [
        namespaceOf(m),
      ];
      const pool = kind === "ServiceMonitor" ? services : pods;
      const matched = namespaces
        .flatMap((ns) => pool.get(ns) ?? [])
        .filter((t) => matchesLabels(selector, t.labels));
      const what = kind === "ServiceMonitor" ? "Service" : "pod template";
      if (!matched.length) {
        report(
          `${where}: its selector ${JSON.stringify(selector ?? {})} matches no ${what} this stack creates in ` +
            `${namespaces.join(", ")}; Prometheus would find no targets.`,
          m.urn,
        );
      }
      const endpoints =
        (kind === "ServiceMonitor" ? m.props.spec?.endpoints : m.props.spec?.podMetricsEndpoints) ?? [];
      for (const e of endpoints as Json[]) {
        const port = e.port as string | undefined;
        if (matched.length && port && !matched.some((t) => t.ports.has(port))) {
          report(`${where}: port "${port}" is not a named port of the ${what} it selects.`, m.urn);
        }
        const interval = durationSeconds(String(e.interval ?? "30s")) ?? 0;
        const timeout = e.scrapeTimeout === undefined ? undefined : durationSeconds(String(e.scrapeTimeout));
        if (interval < floor)
          report(`${where}: interval ${String(e.interval)} is below the ${cfg.minInterval} floor.`, m.urn);
        if (timeout !== undefined && timeout > interval) {
          report(
            `${where}: scrapeTimeout ${String(e.scrapeTimeout)} is longer than interval ${String(e.interval ?? "30s")}.`,
            m.urn,
          );
        }
      }
      const need = required?.[kind] ?? {};
      const labels = (m.props.metadata?.labels ?? {}) as Record<string, string>;
      if (!matchesLabels(need, labels)) {
        report(
          `${where}: lacks the labels ${JSON.stringify(need)} Prometheus selects monitors by; it would be ignored.`,
          m.urn,
        );
      }
    }
  },
};

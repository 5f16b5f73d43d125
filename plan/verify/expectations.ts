/** What a plan says must be true once it is deployed: pure, no API is asked. */
import { THANOS_SIDECAR_SERVICE } from "../../components/kubePrometheusStack/names";
import { thanosName } from "../../components/Thanos";
import { effectiveAlertmanagerConfig, isKpsRelease } from "../alertmanagerConfig";
import type { Plan } from "../plan";
import type { RecordedResource } from "../runtime";
import { chartFullname, chartRuleGroups } from "./chartRules";

type Json = Record<string, unknown>;

/** What the plan says must exist once it is deployed. */
export interface Expectations {
  /** Scrape pools as the operator names them, with the resource that asks for each. */
  readonly scrapePools: { pool: string; from: string }[];
  /** Rule groups as the operator renders them: the group name and the file prefix `<ns>-<name>-`. */
  readonly ruleGroups: { group: string; filePrefix: string; from: string }[];
  /** Receivers of the effective Alertmanager configuration. */
  readonly receivers: string[];
  readonly alertmanagerReplicas: number;
  readonly prometheusReplicas: number;
  /** With Thanos: the `job` of the sidecars' and the compactor's targets. */
  readonly thanos?: { sidecarJob: string; compactorJob: string };
  /** Each remote write destination, by the `remote_name` Prometheus gives its queue. */
  readonly remoteWrite: { name: string; url: string; maxLagSeconds: number }[];
  /** Head series per replica against the plan's expectedActiveSeries. */
  readonly headSeries?: { expected: number; warnRatio: number };
  /** Monitors with a series budget (their sampleLimit): the biggest target stays within it. */
  readonly seriesBudgets: { namespace: string; monitor: string; budget: number }[];
  /** Namespaces whose AlertmanagerConfig routes must be loaded, by owner (a team's prefix or an app). */
  readonly routedNamespaces: { namespace: string; owner: string }[];
  /** NetworkPolicies in the plan, and what verify can say about their enforcement. */
  readonly networkPolicies?: { count: number; note: string };
}

/** Above this share of expectedActiveSeries, head series warn: the plan's sizes no longer hold. */
export const HEAD_SERIES_WARN_RATIO = 1.2;
/** Highest-sent lag a remote write queue may have: two batch deadlines and a scrape interval, rounded up. */
export const REMOTE_WRITE_MAX_LAG_SECONDS = 120;

/**
 * The chart's own monitors, named as kube-prometheus-stack names them (`<fullname>-<component>`, the
 * subcharts `<release>-<chart>`), with their endpoint count; each off where the values turn it off.
 */
export function chartScrapePools(values: Record<string, Json>, release: string, namespace: string): string[] {
  const full = chartFullname(values, release);
  const on = (key: string) => (values[key] as Json | undefined)?.enabled !== false;
  const prometheus = (values.prometheus ?? {}) as Record<string, Json | undefined>;
  const monitors: [string, number, boolean][] = [
    [`${full}-apiserver`, 1, on("kubeApiServer")],
    // kubelet: /metrics, cAdvisor, probes.
    [`${full}-kubelet`, 3, on("kubelet")],
    [`${full}-coredns`, 1, on("coreDns")],
    [`${full}-kube-controller-manager`, 1, on("kubeControllerManager")],
    [`${full}-kube-scheduler`, 1, on("kubeScheduler")],
    [`${full}-kube-etcd`, 1, on("kubeEtcd")],
    [`${full}-kube-proxy`, 1, on("kubeProxy")],
    [`${release}-kube-state-metrics`, 1, on("kubeStateMetrics")],
    [`${release}-prometheus-node-exporter`, 1, on("nodeExporter")],
    [`${full}-operator`, 1, on("prometheusOperator")],
    // web and the config reloader.
    [`${full}-alertmanager`, 2, on("alertmanager")],
    [`${full}-prometheus`, 2, on("prometheus")],
    // The Thanos sidecars' metrics, behind the thanos-discovery Service (both off by default).
    [
      `${full}-thanos-discovery`,
      1,
      on("prometheus") &&
        prometheus.thanosService?.enabled === true &&
        prometheus.thanosServiceMonitor?.enabled === true,
    ],
    [`${release}-grafana`, 1, on("grafana")],
  ];
  return monitors
    .filter(([, , enabled]) => enabled)
    .flatMap(([name, n]) => Array.from({ length: n }, (_, i) => `serviceMonitor/${namespace}/${name}/${i}`));
}

const metaOf = (r: RecordedResource) => (r.inputs.metadata ?? {}) as { name?: string; namespace?: string };

/** The expectations of a plan. Pure. */
export function expectationsOf(plan: Pick<Plan, "resources"> & Partial<Pick<Plan, "outputs">>): Expectations {
  const scrapePools: Expectations["scrapePools"] = [];
  const ruleGroups: Expectations["ruleGroups"] = [];
  for (const r of plan.resources) {
    const { name, namespace } = metaOf(r);
    const from = `${String(r.inputs.kind)} ${namespace}/${name}`;
    const spec = (r.inputs.spec ?? {}) as Json;
    switch (r.inputs.kind) {
      case "ServiceMonitor":
      case "PodMonitor": {
        const prefix = r.inputs.kind === "ServiceMonitor" ? "serviceMonitor" : "podMonitor";
        const endpoints = ((spec.endpoints ?? spec.podMetricsEndpoints ?? []) as unknown[]).length;
        for (let i = 0; i < endpoints; i++)
          scrapePools.push({ pool: `${prefix}/${namespace}/${name}/${i}`, from });
        break;
      }
      case "Probe":
        scrapePools.push({ pool: `probe/${namespace}/${name}`, from });
        break;
      case "ScrapeConfig":
        scrapePools.push({ pool: `scrapeConfig/${namespace}/${name}`, from });
        break;
      case "PrometheusRule":
        for (const g of (spec.groups ?? []) as { name: string }[]) {
          ruleGroups.push({ group: g.name, filePrefix: `${namespace}-${name}-`, from });
        }
        break;
    }
  }
  const kps = plan.resources.find(isKpsRelease);
  const values = (kps?.inputs.values ?? {}) as Record<string, Record<string, Json>>;
  const promSpec = values.prometheus?.prometheusSpec ?? {};
  const amSpec = values.alertmanager?.alertmanagerSpec ?? {};
  // The receivers of this plan's AlertmanagerConfigs (a team stack's join the platform's configuration).
  const owners = plan.resources
    .filter((r) => r.inputs.kind === "AlertmanagerConfig")
    .map((r) => `${metaOf(r).namespace}/${metaOf(r).name}/`);
  const receivers = ((effectiveAlertmanagerConfig(plan.resources).receivers ?? []) as { name: string }[])
    .map((r) => r.name)
    .filter((name) => owners.some((o) => name.startsWith(o)));
  // The chart's pools, and the exporter charts' (blackbox, Pushgateway) in the release's namespace.
  if (kps) {
    const ns = String(kps.inputs.namespace);
    const chart = `chart ${String(kps.inputs.chart)}`;
    for (const pool of chartScrapePools(values as Record<string, Json>, String(kps.inputs.name), ns))
      scrapePools.push({ pool, from: chart });
    for (const g of chartRuleGroups(values as Record<string, Json>, String(kps.inputs.name), ns))
      ruleGroups.push({ ...g, from: chart });
    for (const r of plan.resources.filter(
      (x) => x.type === kps.type && x !== kps && !/crds/.test(String(x.inputs.chart)),
    )) {
      const sm = ((r.inputs.values ?? {}) as Json).serviceMonitor as Json | undefined;
      if (sm?.enabled)
        scrapePools.push({
          pool: `serviceMonitor/${String(r.inputs.namespace)}/${String(r.inputs.name)}/0`,
          from: `chart ${String(r.inputs.chart)}`,
        });
    }
  }
  const remoteWrite = ((promSpec.remoteWrite ?? []) as { name?: string; url: string }[]).map((rw) => ({
    name: rw.name ?? rw.url,
    url: rw.url,
    maxLagSeconds: REMOTE_WRITE_MAX_LAG_SECONDS,
  }));
  const storage = (plan as Partial<Pick<Plan, "outputs">>).outputs?.prometheusStorage as Json | undefined;
  const expected = Number(storage?.expectedActiveSeries ?? 0);
  const seriesBudgets = plan.resources
    .filter((r) => ["ServiceMonitor", "PodMonitor"].includes(String(r.inputs.kind)))
    .filter((r) => typeof ((r.inputs.spec ?? {}) as Json).sampleLimit === "number")
    .map((r) => ({
      namespace: metaOf(r).namespace!,
      monitor: metaOf(r).name!,
      budget: ((r.inputs.spec ?? {}) as Json).sampleLimit as number,
    }));
  const contract = (plan as Partial<Pick<Plan, "outputs">>).outputs?.platformContract as
    | { teams?: { name: string; namespacePrefix: string }[]; apps?: { name: string; namespace: string }[] }
    | undefined;
  const routedNamespaces = [
    ...(contract?.teams ?? []).map((t) => ({ namespace: `${t.namespacePrefix}*`, owner: `team ${t.name}` })),
    ...(contract?.apps ?? []).map((a) => ({ namespace: a.namespace, owner: `app ${a.name}` })),
    ...plan.resources
      .filter((r) => r.inputs.kind === "AlertmanagerConfig" && metaOf(r).namespace !== kps?.inputs.namespace)
      .map((r) => ({ namespace: metaOf(r).namespace!, owner: `AlertmanagerConfig ${metaOf(r).name}` })),
  ].filter((n, i, all) => all.findIndex((m) => m.namespace === n.namespace) === i);
  const policies = plan.resources.filter(
    (r) => r.type === "kubernetes:networking.k8s.io/v1:NetworkPolicy",
  ).length;
  const thanosJobs = plan.resources.some(
    (r) => r.type === "kubernetes:apps/v1:StatefulSet" && metaOf(r).name === "thanos-compactor",
  );
  return {
    scrapePools,
    ruleGroups,
    receivers,
    alertmanagerReplicas: Number(amSpec.replicas ?? 1),
    prometheusReplicas: Number(promSpec.replicas ?? 1),
    remoteWrite,
    ...(expected > 0 ? { headSeries: { expected, warnRatio: HEAD_SERIES_WARN_RATIO } } : {}),
    seriesBudgets,
    routedNamespaces,
    ...(policies
      ? {
          networkPolicies: {
            count: policies,
            note:
              `${policies} NetworkPolicies: whether they are enforced cannot be told from the Prometheus and Alertmanager APIs ` +
              "(that needs a probe from a pod they must refuse); on EKS the VPC CNI's network policy agent must be on (enableNetworkPolicy)",
          },
        }
      : {}),
    ...(promSpec.thanos && thanosJobs
      ? { thanos: { sidecarJob: THANOS_SIDECAR_SERVICE, compactorJob: thanosName("compactor") } }
      : {}),
  };
}

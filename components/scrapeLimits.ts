/**
 * Per-target sample limits for the chart's own monitors, from the cluster's size: plain arithmetic, no
 * Pulumi. A scrape over its `sampleLimit` is dropped whole (every series of the target goes stale), so a
 * core limit must sit well above what the target legitimately exposes, and `enforcedSampleLimit` (the
 * operator applies the lower of it and a monitor's own limit) above every core limit.
 *
 * The figures are series per scrape after the chart's metric relabelings, estimated from what each
 * exporter exposes per object (docs/capacity.md gives the sources); `cluster.size` tunes them.
 */

/** The chart's monitors that scrape the cluster itself, each owned by the platform. */
export const CORE_TARGETS = [
  "kubeStateMetrics",
  "kubelet",
  "apiServer",
  "nodeExporter",
  "coreDns",
  "operator",
  "prometheus",
  "alertmanager",
] as const;
export type CoreTarget = (typeof CORE_TARGETS)[number];

/** What a core target's series grow with. */
export interface ClusterSize {
  readonly nodes: number;
  readonly podsPerNode: number;
  /** API resource kinds the API server serves (built-in and CRDs): `kubectl api-resources | wc -l`. */
  readonly apiResources: number;
}

/** Series per object, per target (see docs/capacity.md for where each figure comes from). */
export const SERIES_MODEL = {
  kubeStateMetrics: { base: 2000, perNode: 120, perPod: 40 },
  /** One kubelet's biggest endpoint, cAdvisor: containers and pod network on its node. */
  cAdvisor: { base: 1000, perPodOnNode: 50 },
  /** The kubelet's own /metrics: fixed histograms, plus volume and probe series per pod. */
  kubeletOwn: { base: 1500, perPodOnNode: 20 },
  /** Request latency histograms per verb and resource kind, etcd per kind. */
  apiServer: { base: 5000, perApiResource: 200 },
  nodeExporter: { fixed: 2500 },
  coreDns: { fixed: 1500 },
  operator: { fixed: 2000 },
  prometheus: { fixed: 8000 },
  alertmanager: { fixed: 2000 },
} as const;

/** A limit is this many times the need: a scrape over it is lost whole, so room matters more than tightness. */
export const SCRAPE_LIMIT_HEADROOM = 2;
/** Share of `expectedActiveSeries` assumed to come from the nodes when `cluster.size.nodes` is not given. */
export const NODE_SERIES_SHARE = 0.5;
export const DEFAULT_PODS_PER_NODE = 30;
export const DEFAULT_API_RESOURCES = 150;

/** Series one node brings: its kubelet (own metrics and cAdvisor), node-exporter and its share of kube-state-metrics. */
export function seriesPerNode(podsPerNode: number): number {
  const m = SERIES_MODEL;
  return (
    m.kubeletOwn.base +
    m.kubeletOwn.perPodOnNode * podsPerNode +
    m.cAdvisor.base +
    m.cAdvisor.perPodOnNode * podsPerNode +
    m.nodeExporter.fixed +
    m.kubeStateMetrics.perNode +
    m.kubeStateMetrics.perPod * podsPerNode
  );
}

/** The node count to plan for when the stack does not say: half the expected series from the nodes, at least 3. */
export function defaultNodes(expectedActiveSeries: number, podsPerNode: number): number {
  return Math.max(3, Math.ceil((expectedActiveSeries * NODE_SERIES_SHARE) / seriesPerNode(podsPerNode)));
}

/** Series each core target exposes in one scrape, at this size. */
export function coreScrapeNeeds(size: ClusterSize): Record<CoreTarget, number> {
  const m = SERIES_MODEL;
  const pods = size.nodes * size.podsPerNode;
  return {
    kubeStateMetrics:
      m.kubeStateMetrics.base + m.kubeStateMetrics.perNode * size.nodes + m.kubeStateMetrics.perPod * pods,
    // One ServiceMonitor, one sampleLimit for all its endpoints: the biggest, cAdvisor, decides.
    kubelet: Math.max(
      m.cAdvisor.base + m.cAdvisor.perPodOnNode * size.podsPerNode,
      m.kubeletOwn.base + m.kubeletOwn.perPodOnNode * size.podsPerNode,
    ),
    apiServer: m.apiServer.base + m.apiServer.perApiResource * size.apiResources,
    nodeExporter: m.nodeExporter.fixed,
    coreDns: m.coreDns.fixed,
    operator: m.operator.fixed,
    prometheus: m.prometheus.fixed,
    alertmanager: m.alertmanager.fixed,
  };
}

export interface CoreScrapeLimit {
  /** Series the target is expected to expose per scrape. */
  readonly need: number;
  /** Its `sampleLimit`: the need with headroom, in whole thousands. */
  readonly limit: number;
}
export type CoreScrapeLimits = Record<CoreTarget, CoreScrapeLimit>;

export function coreScrapeLimits(size: ClusterSize): CoreScrapeLimits {
  const needs = coreScrapeNeeds(size);
  return Object.fromEntries(
    CORE_TARGETS.map((t) => [
      t,
      { need: needs[t], limit: Math.ceil((needs[t] * SCRAPE_LIMIT_HEADROOM) / 1000) * 1000 },
    ]),
  ) as CoreScrapeLimits;
}

/** The biggest core limit, and whose it is: `enforcedSampleLimit` may not be below it. */
export function largestCoreLimit(limits: CoreScrapeLimits): { target: CoreTarget } & CoreScrapeLimit {
  const target = CORE_TARGETS.reduce((a, b) => (limits[b].limit > limits[a].limit ? b : a));
  return { target, ...limits[target] };
}

/**
 * The chart values that set each core monitor's limit (every path is in the pinned chart or subchart).
 * kube-state-metrics' and node-exporter's monitors belong to their subcharts.
 */
export function coreScrapeLimitValues(limits: CoreScrapeLimits) {
  const l = (t: CoreTarget) => ({ sampleLimit: limits[t].limit });
  return {
    kubelet: { serviceMonitor: l("kubelet") },
    kubeApiServer: { serviceMonitor: l("apiServer") },
    coreDns: { serviceMonitor: l("coreDns") },
    prometheusOperator: { serviceMonitor: l("operator") },
    prometheus: { serviceMonitor: l("prometheus") },
    alertmanager: { serviceMonitor: l("alertmanager") },
    "kube-state-metrics": { prometheus: { monitor: l("kubeStateMetrics") } },
    "prometheus-node-exporter": { prometheus: { monitor: l("nodeExporter") } },
  };
}

/** Where in the release's values each core target's limit is (the policy pack's list, which stands alone). */
export { CORE_LIMIT_PATHS } from "../policies/scrapeLimits";

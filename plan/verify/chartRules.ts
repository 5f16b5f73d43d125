/**
 * kube-prometheus-stack's own rule groups, as the pinned chart (88.5.3) renders them from the release's
 * values: one PrometheusRule `<fullname>-<group>` per group, rendered when `defaultRules.create`, the
 * group's `defaultRules.rules.<toggle>` and the component switches it also needs are all on. The table
 * is the chart's condition map (hack/ of prometheus-community/helm-charts, `RulesConditionMap`), cut to
 * the toggles 88.5.3 has; tests/verify.spec.ts holds it to the chart keys fixture, so a chart bump that
 * adds or drops a toggle fails until the table follows.
 */

type Json = Record<string, unknown>;

/** A component switch a group needs besides its toggle, with the chart's default. */
interface Needs {
  readonly key: string;
  readonly default: boolean;
}

const on = (key: string): Needs => ({ key, default: true });

/** Every default rule group of the chart: its name, its `defaultRules.rules` toggle, what else it needs. */
export const CHART_RULE_GROUPS: readonly { group: string; toggle: string; needs?: Needs }[] = [
  { group: "alertmanager.rules", toggle: "alertmanager" },
  { group: "config-reloaders", toggle: "configReloaders" },
  { group: "etcd", toggle: "etcd", needs: on("kubeEtcd") },
  { group: "general.rules", toggle: "general" },
  { group: "k8s.rules.container_cpu_usage_seconds_total", toggle: "k8sContainerCpuUsageSecondsTotal" },
  { group: "k8s.rules.container_memory_cache", toggle: "k8sContainerMemoryCache" },
  { group: "k8s.rules.container_memory_rss", toggle: "k8sContainerMemoryRss" },
  { group: "k8s.rules.container_memory_swap", toggle: "k8sContainerMemorySwap" },
  { group: "k8s.rules.container_memory_working_set_bytes", toggle: "k8sContainerMemoryWorkingSetBytes" },
  { group: "k8s.rules.container_resource", toggle: "k8sContainerResource" },
  { group: "k8s.rules.pod_owner", toggle: "k8sPodOwner" },
  {
    group: "kube-apiserver-availability.rules",
    toggle: "kubeApiserverAvailability",
    needs: on("kubeApiServer"),
  },
  { group: "kube-apiserver-burnrate.rules", toggle: "kubeApiserverBurnrate", needs: on("kubeApiServer") },
  { group: "kube-apiserver-histogram.rules", toggle: "kubeApiserverHistogram", needs: on("kubeApiServer") },
  { group: "kube-apiserver-slos", toggle: "kubeApiserverSlos", needs: on("kubeApiServer") },
  { group: "kube-prometheus-general.rules", toggle: "kubePrometheusGeneral" },
  { group: "kube-prometheus-node-recording.rules", toggle: "kubePrometheusNodeRecording" },
  { group: "kube-scheduler.rules", toggle: "kubeSchedulerRecording", needs: on("kubeScheduler") },
  { group: "kube-state-metrics", toggle: "kubeStateMetrics" },
  { group: "kubelet.rules", toggle: "kubelet", needs: on("kubelet") },
  { group: "kubernetes-apps", toggle: "kubernetesApps" },
  { group: "kubernetes-resources", toggle: "kubernetesResources" },
  { group: "kubernetes-storage", toggle: "kubernetesStorage" },
  { group: "kubernetes-system", toggle: "kubernetesSystem" },
  { group: "kubernetes-system-apiserver", toggle: "kubernetesSystem" },
  { group: "kubernetes-system-kubelet", toggle: "kubernetesSystem" },
  { group: "kubernetes-system-kube-proxy", toggle: "kubeProxy", needs: on("kubeProxy") },
  {
    group: "kubernetes-system-controller-manager",
    toggle: "kubeControllerManager",
    needs: on("kubeControllerManager"),
  },
  { group: "kubernetes-system-scheduler", toggle: "kubeSchedulerAlerting", needs: on("kubeScheduler") },
  { group: "node-exporter.rules", toggle: "nodeExporterRecording" },
  { group: "node-exporter", toggle: "nodeExporterAlerting" },
  { group: "node.rules", toggle: "node" },
  { group: "node-network", toggle: "network" },
  { group: "prometheus-operator", toggle: "prometheusOperator" },
  { group: "prometheus", toggle: "prometheus" },
  { group: "windows.node.rules", toggle: "windows", needs: { key: "windowsMonitoring", default: false } },
  { group: "windows.pod.rules", toggle: "windows", needs: { key: "windowsMonitoring", default: false } },
];

/** Helm's `trunc n | trimSuffix "-"`. */
const trunc = (s: string, n: number) => s.slice(0, n).replace(/-$/, "");

/** The chart's `kube-prometheus-stack.fullname`: the override, or the release (with the chart's name unless it holds it). */
export function chartFullname(values: Json, release: string): string {
  if (typeof values.fullnameOverride === "string" && values.fullnameOverride)
    return trunc(values.fullnameOverride, 26);
  const name =
    typeof values.nameOverride === "string" && values.nameOverride
      ? values.nameOverride
      : "kube-prometheus-stack";
  return trunc(release.includes(name) ? release : `${release}-${name}`, 26);
}

/**
 * The chart's rule groups the release's values leave on, each with the operator's rule file prefix
 * (`<namespace>-<PrometheusRule name>-`). The chart defaults every toggle to true.
 */
export function chartRuleGroups(
  values: Json,
  release: string,
  namespace: string,
): { group: string; filePrefix: string }[] {
  const defaultRules = (values.defaultRules ?? {}) as { create?: unknown; rules?: Json };
  if (defaultRules.create === false) return [];
  const toggles = defaultRules.rules ?? {};
  const switchOn = (n: Needs) => {
    const enabled = ((values[n.key] ?? {}) as Json).enabled;
    return typeof enabled === "boolean" ? enabled : n.default;
  };
  const full = chartFullname(values, release);
  return CHART_RULE_GROUPS.filter((g) => toggles[g.toggle] !== false && (!g.needs || switchOn(g.needs))).map(
    (g) => ({ group: g.group, filePrefix: `${namespace}-${trunc(`${full}-${g.group}`, 63)}-` }),
  );
}

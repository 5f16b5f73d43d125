// kube-monitoring: production Prometheus monitoring for one Kubernetes cluster per stack.
import { KubePrometheusStack, OperatorCrds, loadStackConfig, monitorSelectors } from "./components";

const cfg = loadStackConfig();
const production = cfg.environment === "prod";

const crds = new OperatorCrds("crds", { protect: production });
const stack = new KubePrometheusStack("kps", {
  namespace: cfg.namespace,
  clusterName: cfg.clusterName,
  prometheus: cfg.prometheus,
  alertmanager: cfg.alertmanager,
  grafana: cfg.grafana,
  operatorResources: cfg.operator.resources,
  kubeStateMetricsResources: cfg.kubeStateMetrics.resources,
  nodeExporterResources: cfg.nodeExporter.resources,
  security: cfg.security,
  crds,
  protect: production,
});

export const namespace = stack.namespace;
export const operatorVersion = crds.version;
export const prometheusStorage = {
  retention: cfg.prometheus.retention,
  retentionSize: stack.storage.retentionSize,
  volumePerReplica: stack.storage.storageSize,
  derived: { retentionSize: stack.storage.retentionSizeDerived, volume: stack.storage.storageSizeDerived },
  estimatedSamplesPerSecond: Math.round(stack.storage.samplesPerSecond),
  retentionSizeCoversDays: stack.storage.retentionSizeCoversDays,
};
export const selectors = monitorSelectors;
export const grafanaAdminSecret = stack.grafanaAdminSecretName;

// kube-monitoring: production Prometheus monitoring for one Kubernetes cluster per stack.
import * as pulumi from "@pulumi/pulumi";
import {
  AppMonitoring,
  ClusterBase,
  Exporters,
  KubePrometheusStack,
  MonitoringNetworkPolicies,
  OperatorCrds,
  PlatformAlerting,
  PROMETHEUS_REPLICA_LABEL,
  PROMETHEUS_SERVICE_ACCOUNT,
  OBJSTORE_SECRET,
  THANOS_SERVICE_ACCOUNTS,
  THANOS_SIDECAR_SERVICE,
  Thanos,
  ThanosObjectStore,
  ampWorkspacesWithoutRole,
  kubePrometheusStackArgsFrom,
  loadStackConfig,
  monitorSelectors,
} from "./components";

const cfg = loadStackConfig();
const production = cfg.environment === "prod";
const tags = { "kube-monitoring:stack": pulumi.getStack(), "kube-monitoring:cluster": cfg.clusterName };

const crds = new OperatorCrds("crds", { protect: production });
const base = new ClusterBase("cluster", { cluster: cfg.cluster });

const store = cfg.thanos.enabled
  ? new ThanosObjectStore("thanos-objstore", {
      config: cfg.thanos,
      clients: {
        namespace: cfg.namespace,
        serviceAccounts: {
          sidecar: PROMETHEUS_SERVICE_ACCOUNT,
          store: THANOS_SERVICE_ACCOUNTS.store,
          compactor: THANOS_SERVICE_ACCOUNTS.compactor,
        },
      },
      tags,
      remoteWriteWorkspaceArns: ampWorkspacesWithoutRole(cfg.remoteWrite),
      protect: production,
    })
  : undefined;

const stack = new KubePrometheusStack("kps", {
  ...kubePrometheusStackArgsFrom(cfg),
  crds,
  priorityClassName: base.priorityClassName,
  prerequisites: base.ready,
  thanos: store && {
    sidecarResources: cfg.thanos.sidecar.resources,
    roleArn: store.roleArns?.sidecar,
    objstoreConfig: store.objstoreConfig,
    grafanaDatasource: cfg.thanos.grafanaDatasource,
  },
  protect: production,
});

const thanos = store
  ? new Thanos(
      "thanos",
      {
        namespace: stack.namespace,
        config: cfg.thanos,
        replicaLabel: PROMETHEUS_REPLICA_LABEL,
        sidecarService: THANOS_SIDECAR_SERVICE,
        objstoreSecret: { name: stack.objstoreSecretName!, key: OBJSTORE_SECRET.key },
        roleArns: store.roleArns,
        security: cfg.security,
        priorityClassName: base.priorityClassName,
        crds,
      },
      { dependsOn: base.ready },
    )
  : undefined;

new PlatformAlerting("alerting", {
  namespace: stack.namespace,
  alerting: cfg.alerting,
  apps: cfg.apps,
  importedRules: cfg.importedRules,
  rules: {
    runbookBaseUrl: cfg.alerting.runbookBaseUrl,
    thanos:
      thanos && stack.thanosSidecarJob ? { sidecar: stack.thanosSidecarJob, ...thanos.jobs } : undefined,
  },
  crds,
});

const anyProbes = cfg.apps.some((app) => app.probes.length > 0);
const exporters =
  anyProbes || cfg.pushgateway.enabled
    ? new Exporters("exporters", {
        namespace: stack.namespace,
        blackboxExporter: anyProbes ? cfg.blackboxExporter : undefined,
        pushgateway: cfg.pushgateway.enabled ? cfg.pushgateway : undefined,
        crds,
      })
    : undefined;

if (cfg.cluster.networkPolicies) {
  new MonitoringNetworkPolicies("network", {
    namespace: cfg.namespace,
    namespaceOutput: stack.namespace,
    thanos: Boolean(thanos),
    pushgateway: cfg.pushgateway.enabled,
  });
}

for (const app of cfg.apps) {
  new AppMonitoring(`app-${app.name}`, {
    app,
    importedRules: app.importedRules,
    monitoringNamespace: stack.namespace,
    runbookBaseUrl: cfg.alerting.runbookBaseUrl,
    proberUrl: exporters?.proberUrl,
    crds,
  });
}

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
export const thanosStore =
  store && thanos
    ? {
        bucket: store.bucketName,
        roleArns: store.roleArns ?? "static access key",
        queryService: thanos.queryService,
      }
    : "disabled";

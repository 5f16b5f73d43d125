// kube-monitoring: production Prometheus monitoring for one Kubernetes cluster per stack.
import * as pulumi from "@pulumi/pulumi";
import {
  AppMonitoring,
  ClusterBase,
  Exporters,
  GrafanaDashboards,
  KubePrometheusStack,
  MonitoringNetworkPolicies,
  OperatorCrds,
  PlatformAlerting,
  Thanos,
  WebIngresses,
  ThanosObjectStore,
  ampWorkspacesWithoutRole,
  inBatches,
  kubePrometheusStackArgsFrom,
  loadStackConfig,
  monitorSelectors,
  namespaceRouter,
  ownershipOf,
  platformContractOutput,
  siblingsOf,
  thanosBucketClients,
  uiIngresses,
} from "./components";

const cfg = loadStackConfig();
const ownership = ownershipOf(cfg);
const production = cfg.environment === "prod";
const tags = { "kube-monitoring:stack": pulumi.getStack(), "kube-monitoring:cluster": cfg.clusterName };

const crds = new OperatorCrds("crds", { protect: production });
// In prod, whatever the protected, retained release depends on is protected too (children inherit it):
// a partial destroy must not pull the ground from under it.
const keep = { protect: production };
const base = new ClusterBase("cluster", { cluster: cfg.cluster }, keep);

const store = cfg.thanos.enabled
  ? new ThanosObjectStore(
      "thanos-objstore",
      {
        config: cfg.thanos,
        clients: thanosBucketClients(cfg.namespace),
        tags,
        remoteWriteWorkspaceArns: ampWorkspacesWithoutRole(cfg.remoteWrite),
        protect: production,
      },
      keep,
    )
  : undefined;

const stack = new KubePrometheusStack(
  "kps",
  {
    ...kubePrometheusStackArgsFrom(cfg),
    crds,
    priorityClassName: base.priorityClassName,
    prerequisites: base.ready,
    thanos: store && {
      ...store.access("sidecar"),
      sidecarResources: cfg.thanos.sidecar.resources,
      grafanaDatasource: cfg.thanos.grafanaDatasource,
    },
    protect: production,
  },
  keep,
);

const thanos =
  store && stack.thanosSidecar
    ? new Thanos("thanos", {
        config: cfg.thanos,
        sidecar: stack.thanosSidecar,
        objectStore: store,
        security: cfg.security,
        priorityClassName: base.priorityClassName,
        prerequisites: base.ready,
        crds,
      })
    : undefined;

new PlatformAlerting(
  "alerting",
  {
    namespace: stack.namespace,
    alerting: cfg.alerting,
    ownership,
    importedRules: cfg.importedRules,
    rules: {
      runbookBaseUrl: cfg.alerting.runbookBaseUrl,
      thanos: thanos?.jobs,
      platformNamespaces: ownership.platformNamespaces,
    },
    crds,
  },
  keep,
);

if (cfg.grafana.enabled) {
  new GrafanaDashboards("dashboards", { namespace: stack.namespace, dashboards: cfg.dashboards });
}

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

// People reach Prometheus, Alertmanager and Thanos Query through ALBs that sign them in (webAccess).
const ingresses = uiIngresses(cfg);
const webUis = (Object.keys(ingresses) as (keyof typeof ingresses)[]).filter((ui) => ingresses[ui]);
if (cfg.webAccess && webUis.length) {
  new WebIngresses("web", {
    namespace: stack.namespace,
    webAccess: cfg.webAccess,
    sso: cfg.grafana.sso,
    ingresses,
    webTls: Boolean(cfg.security.webTlsSecretName),
    backends: [stack.release, ...(thanos ? [thanos] : [])],
  });
}

if (cfg.cluster.networkPolicies) {
  new MonitoringNetworkPolicies("network", {
    namespace: cfg.namespace,
    namespaceOutput: stack.namespace,
    thanos: Boolean(thanos),
    pushgateway: cfg.pushgateway.enabled,
    loadBalancer: cfg.webAccess && { cidrs: cfg.webAccess.loadBalancerCidrs, uis: webUis },
  });
}

// The apps, a batch at a time: each batch registers before the next is built (components/inBatches.ts).
// Its exports are the function's result, as in teams/index.ts.
export = async () => {
  await inBatches(cfg.apps, (app) => {
    new AppMonitoring(`app-${app.name}`, {
      app,
      importedRules: app.importedRules,
      dashboardNamespace: stack.namespace,
      runbookBaseUrl: cfg.alerting.runbookBaseUrl,
      proberUrl: exporters?.proberUrl,
      routingScope: {
        router: namespaceRouter(cfg.apps, app.namespace) === app,
        siblings: siblingsOf(cfg.apps, app),
      },
      crds,
    });
  });
  return {
    namespace: stack.namespace,
    operatorVersion: crds.version,
    prometheusStorage: {
      retention: cfg.prometheus.retention,
      retentionSize: stack.storage.retentionSize,
      volumePerReplica: stack.storage.storageSize,
      derived: {
        retentionSize: stack.storage.retentionSizeDerived,
        volume: stack.storage.storageSizeDerived,
      },
      estimatedSamplesPerSecond: Math.round(stack.storage.samplesPerSecond),
      /** verify compares head series with it. */
      expectedActiveSeries: cfg.prometheus.expectedActiveSeries,
      retentionSizeCoversDays: stack.storage.retentionSizeCoversDays,
    },
    selectors: monitorSelectors,
    /** What team stacks (teams/) read through a StackReference. */
    platformContract: platformContractOutput({
      environment: cfg.environment,
      namespace: stack.namespace,
      clusterName: cfg.clusterName,
      proberUrl: exporters?.proberUrl,
      runbookBaseUrl: cfg.alerting.runbookBaseUrl,
      ownership,
    }),
    grafanaAdminSecret: stack.grafanaAdminSecretName,
    thanosStore:
      store && thanos
        ? {
            bucket: store.bucketName,
            roleArns: store.roleArns ?? "static access key",
            queryService: thanos.queryService,
          }
        : "disabled",
  };
};

import type * as pulumi from "@pulumi/pulumi";
import { StoragePlan, planPrometheusStorage } from "../capacity";
import type {
  AlertmanagerConfig,
  FederationConfig,
  PrometheusConfig,
  RemoteWriteConfig,
  Resources,
  SecurityConfig,
  StackConfig,
} from "../schema";
import { alertmanagerValues } from "./alertmanagerValues";
import { ControlPlane, controlPlaneValues } from "./controlPlane";
import { GrafanaValuesInput, grafanaCredentialRefs, grafanaValues } from "./grafanaValues";
import { GRAFANA_ADMIN_SECRET, RELEASE_FULLNAME } from "./names";
import { prometheusValues } from "./prometheusValues";
import { CONFIG_RELOADER_RESOURCES, SIDECAR_RESOURCES, mergeValues } from "./shared";
import { CoreScrapeLimits, coreScrapeLimitValues, coreScrapeLimits } from "../scrapeLimits";

/** How the Prometheus pair ships its blocks to Thanos. */
export interface ThanosSidecarArgs {
  readonly sidecarResources: Resources;
  /** IAM role for IRSA, annotated on the Prometheus service account. */
  readonly roleArn?: pulumi.Input<string>;
  /** The objstore config (`thanos.yaml`), a secret Output; stored in OBJSTORE_SECRET. */
  readonly objstoreConfig: pulumi.Input<string>;
  /** Add Thanos Query as a Grafana datasource for long-term queries. */
  readonly grafanaDatasource: boolean;
  /**
   * What the sidecar's bucket access is made of (its IAM policies): the release waits for it, so the
   * first upload does not fail on a role without permissions.
   * @default []
   */
  readonly ready?: pulumi.Resource[];
}

/** Everything the release's values are made of: the stack config's part and the Thanos sidecar. */
export interface KubePrometheusStackValuesInput {
  /** Namespace for the release and everything the chart creates. */
  readonly namespace: string;
  /** Becomes the `cluster` external label on every series and alert. */
  readonly clusterName: string;
  readonly prometheus: PrometheusConfig;
  readonly alertmanager: AlertmanagerConfig;
  readonly grafana: GrafanaValuesInput["grafana"];
  readonly operatorResources: Resources;
  readonly kubeStateMetricsResources: Resources;
  readonly nodeExporterResources: Resources;
  readonly security: SecurityConfig;
  /** Which control plane there is to scrape, and whether kube-proxy's metrics are reachable. */
  readonly cluster: ControlPlane;
  /** The chart's own monitors' sample limits, derived from the cluster's size. */
  readonly scrapeLimits: CoreScrapeLimits;
  /** Team stacks exist: their dashboards live in their namespaces (Grafana reads ConfigMaps everywhere). */
  readonly teamDashboards?: boolean;
  /** PriorityClass of Prometheus and Alertmanager. */
  readonly priorityClassName?: string;
  /** Ship blocks to Thanos through the sidecar. */
  readonly thanos?: ThanosSidecarArgs;
  /**
   * Remote write targets; their credentials become Secrets referenced from the values.
   * @default []
   */
  readonly remoteWrite?: readonly RemoteWriteConfig[];
  /**
   * Other Prometheus servers to federate from, as additional scrape configs in a Secret.
   * @default []
   */
  readonly federation?: readonly FederationConfig[];
}

/** The values input that comes straight from the stack config. */
export function kubePrometheusStackArgsFrom(cfg: StackConfig) {
  return {
    namespace: cfg.namespace,
    clusterName: cfg.clusterName,
    prometheus: cfg.prometheus,
    alertmanager: cfg.alertmanager,
    grafana: cfg.grafana,
    operatorResources: cfg.operator.resources,
    kubeStateMetricsResources: cfg.kubeStateMetrics.resources,
    nodeExporterResources: cfg.nodeExporter.resources,
    security: cfg.security,
    cluster: cfg.cluster,
    scrapeLimits: coreScrapeLimits(cfg.cluster.size),
    teamDashboards: cfg.teams.length > 0,
    remoteWrite: cfg.remoteWrite,
    federation: cfg.federation,
  } satisfies KubePrometheusStackValuesInput;
}

/**
 * The kube-prometheus-stack values for one stack. Pure: config in, plain values out. Every key path
 * here exists in the pinned chart (tests check it against the chart's key structure).
 */
export function buildKubePrometheusStackValues(
  input: KubePrometheusStackValuesInput,
  storage: StoragePlan = planPrometheusStorage({ ...input.prometheus, localCompaction: !input.thanos }),
): Record<string, unknown> {
  return mergeValues(chartValues(input, storage), coreScrapeLimitValues(input.scrapeLimits));
}

function chartValues(input: KubePrometheusStackValuesInput, storage: StoragePlan): Record<string, unknown> {
  const { namespace, security, priorityClassName } = input;
  // Every workload the chart runs gets the stack's priority class (the node exporter a node-level one).
  const priority = priorityClassName ? { priorityClassName } : {};
  return {
    fullnameOverride: RELEASE_FULLNAME,
    ...controlPlaneValues(input.cluster),
    // CRDs are their own retained release (OperatorCrds); the chart must not own them.
    crds: { enabled: false },
    windowsMonitoring: { enabled: false },
    prometheusOperator: {
      resources: input.operatorResources,
      prometheusConfigReloader: { resources: CONFIG_RELOADER_RESOURCES },
      admissionWebhooks: { patch: { resources: SIDECAR_RESOURCES, ...priority } },
      ...priority,
    },
    prometheus: prometheusValues({
      namespace,
      clusterName: input.clusterName,
      prometheus: input.prometheus,
      storage,
      security,
      priorityClassName,
      thanosSidecar: input.thanos && {
        resources: input.thanos.sidecarResources,
        roleArn: input.thanos.roleArn,
      },
      remoteWrite: input.remoteWrite ?? [],
      federation: Boolean(input.federation?.length),
    }),
    alertmanager: alertmanagerValues({
      namespace,
      alertmanager: input.alertmanager,
      security,
      priorityClassName,
    }),
    grafana: {
      ...priority,
      ...grafanaValues({
        namespace,
        grafana: input.grafana,
        adminSecretName: GRAFANA_ADMIN_SECRET,
        scrapeInterval: input.prometheus.scrapeInterval,
        webTlsSecretName: security.webTlsSecretName,
        thanosDatasource: input.thanos?.grafanaDatasource ?? false,
        credentials: grafanaCredentialRefs(input.grafana),
        storageClass: input.grafana.persistence?.storageClass,
        dashboardsClusterWide: input.teamDashboards ?? false,
      }),
    },
    "kube-state-metrics": { resources: input.kubeStateMetricsResources, ...priority },
    // A node's own agent: evicted last, with the kubelet's other per-node pods (allowed outside
    // kube-system since Kubernetes 1.17; a ResourceQuota can restrict it per namespace).
    "prometheus-node-exporter": {
      resources: input.nodeExporterResources,
      priorityClassName: NODE_AGENT_PRIORITY_CLASS,
    },
  };
}

/** The priority class of the node exporter, which runs on every node beside the kubelet. */
export const NODE_AGENT_PRIORITY_CLASS = "system-node-critical";

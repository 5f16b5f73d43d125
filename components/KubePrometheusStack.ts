import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import * as random from "@pulumi/random";
import { StoragePlan, durationSeconds, planPrometheusStorage } from "./capacity";
import { stringify } from "yaml";
import type {
  AlertmanagerConfig,
  FederationConfig,
  PrometheusConfig,
  RemoteWriteConfig,
  Resources,
  ClusterConfig,
  SecurityConfig,
  StackConfig,
} from "./config";
import { THANOS_PORTS } from "./Thanos";
import { zoneSpread } from "./scheduling";
import { GLOBAL_CONFIG_LABEL, PLATFORM_ALERTMANAGER_CONFIG } from "./PlatformAlerting";
import { prometheusCommunityRepo, thanosImage, versions } from "./versions";

/** Prefix of every object the chart names (`kps-prometheus`, `kps-alertmanager`, `kps-grafana`, …). */
export const RELEASE_FULLNAME = "kps";
/**
 * The external label whose value the operator sets per Prometheus pod. Thanos Query deduplicates on it,
 * so it must stay equal to the querier's `--query.replica-label`.
 */
export const PROMETHEUS_REPLICA_LABEL = "prometheus_replica";
/** The Secret keys the chart reads the Grafana admin credentials from. */
export const GRAFANA_ADMIN_KEYS = { user: "admin-user", password: "admin-password" } as const;
/** The Secret holding the generated Grafana admin password (never the chart's well-known default). */
export const GRAFANA_ADMIN_SECRET = "grafana-admin";

// Containers the chart runs beside the main ones; small and fixed, so not worth a config key each.
const sidecarResources: Resources = {
  requests: { cpu: "10m", memory: "32Mi" },
  limits: { cpu: "100m", memory: "64Mi" },
};

export interface KubePrometheusStackArgs {
  /** Namespace for the release and everything the chart creates. */
  readonly namespace: string;
  /** Becomes the `cluster` external label on every series and alert. */
  readonly clusterName: string;
  readonly prometheus: PrometheusConfig;
  readonly alertmanager: AlertmanagerConfig;
  readonly grafana: { readonly enabled: boolean; readonly resources: Resources };
  readonly operatorResources: Resources;
  readonly kubeStateMetricsResources: Resources;
  readonly nodeExporterResources: Resources;
  readonly security: SecurityConfig;
  /** Which control plane there is to scrape, and whether kube-proxy's metrics are reachable. */
  readonly cluster: Pick<ClusterConfig, "provider" | "kubeProxyMetrics">;
  /** PriorityClass of Prometheus and Alertmanager. */
  readonly priorityClassName?: string;
  /** What must exist before the release (StorageClass, PriorityClass). */
  readonly prerequisites?: pulumi.Resource[];
  /**
   * The operator CRDs (OperatorCrds). The release waits for them: a component's own `dependsOn` does
   * not hold back its children, so the dependency is passed here and set on the release itself.
   */
  readonly crds: pulumi.Resource;
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
  /**
   * Protect and retain the namespace and release: deleting the namespace would delete the Prometheus
   * volumes in it. Set for production.
   * @default false
   */
  readonly protect?: boolean;
}

/** The Args that come straight from the stack config. */
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
    remoteWrite: cfg.remoteWrite,
    federation: cfg.federation,
  } satisfies Partial<KubePrometheusStackArgs>;
}

/** What `buildKubePrometheusStackValues` needs beyond the Args. */
export interface ValuesContext {
  /** Name of the Secret that holds the Grafana admin user and password. */
  readonly grafanaAdminSecretName: string;
}

/** Amazon Managed Service for Prometheus remote-write endpoints. */
export const isAmpUrl = (url: string) =>
  /^https:\/\/aps-workspaces\.[a-z0-9-]+\.amazonaws\.com(\.cn)?\//.test(url);

/**
 * AMP deduplicates an HA pair only on the `cluster` and `__replica__` labels: the replica label is copied
 * to `__replica__` and dropped on the way out (external labels are applied before write relabeling), so
 * AMP keeps one copy while Thanos still sees `prometheus_replica`.
 */
export const AMP_REPLICA_RELABELING = [
  { sourceLabels: [PROMETHEUS_REPLICA_LABEL], targetLabel: "__replica__", action: "replace" },
  { regex: PROMETHEUS_REPLICA_LABEL, action: "labeldrop" },
] as const;

/** One `remoteWrite` entry: credentials only as references to the target's Secret. */
export function remoteWriteEntry(rw: RemoteWriteConfig): Record<string, unknown> {
  const secret = remoteWriteSecretName(rw.name);
  const auth: Record<string, unknown> = {};
  switch (rw.auth.type) {
    case "basic":
      auth.basicAuth = {
        username: { name: secret, key: "username" },
        password: { name: secret, key: "password" },
      };
      break;
    case "bearer":
      auth.authorization = { type: "Bearer", credentials: { name: secret, key: "token" } };
      break;
    case "sigv4":
      auth.sigv4 = { region: rw.auth.region, ...(rw.auth.roleArn ? { roleArn: rw.auth.roleArn } : {}) };
      break;
  }
  return {
    name: rw.name,
    url: rw.url,
    ...(rw.queueConfig ? { queueConfig: rw.queueConfig } : {}),
    ...(isAmpUrl(rw.url) || rw.writeRelabelConfigs.length
      ? {
          writeRelabelConfigs: [
            ...(isAmpUrl(rw.url) ? AMP_REPLICA_RELABELING.map((r) => structuredClone(r)) : []),
            ...rw.writeRelabelConfigs,
          ],
        }
      : {}),
    ...auth,
  };
}

/** Federation as plain Prometheus scrape configs (snake_case: they bypass the operator). */
export function federationScrapeConfigs(federation: readonly FederationConfig[]): Record<string, unknown>[] {
  return federation.map((f) => {
    const url = new URL(f.url);
    const path = url.pathname.replace(/\/$/, "");
    return {
      job_name: `federate-${f.name}`,
      honor_labels: true,
      metrics_path: `${path}/federate`,
      scheme: url.protocol.replace(":", ""),
      scrape_interval: f.interval,
      scrape_timeout: f.scrapeTimeout,
      params: { "match[]": [...f.match] },
      static_configs: [{ targets: [url.host], labels: { federated_from: f.name } }],
    };
  });
}

/** The chart's headless Service in front of the Thanos sidecars (`<fullname>-thanos-discovery`). */
export const THANOS_SIDECAR_SERVICE = `${RELEASE_FULLNAME}-thanos-discovery`;
/** The chart's Prometheus service account (`<fullname>-prometheus`); IRSA trusts it to upload blocks. */
export const PROMETHEUS_SERVICE_ACCOUNT = `${RELEASE_FULLNAME}-prometheus`;
export const OBJSTORE_SECRET = { name: "thanos-objstore-config", key: "thanos.yaml" } as const;
export const FEDERATION_SECRET = { name: "prometheus-federation", key: "federation.yaml" } as const;
export const remoteWriteSecretName = (target: string) => `remote-write-${target}`;

/** How the Prometheus pair ships its blocks to Thanos. */
export interface ThanosSidecarArgs {
  readonly sidecarResources: Resources;
  /** IAM role for IRSA, annotated on the Prometheus service account. */
  readonly roleArn?: pulumi.Input<string>;
  /** The objstore config (`thanos.yaml`), a secret Output; stored in OBJSTORE_SECRET. */
  readonly objstoreConfig: pulumi.Input<string>;
  /** Add Thanos Query as a Grafana datasource for long-term queries. */
  readonly grafanaDatasource: boolean;
}

/** The Prometheus selectors this release uses: which labels and namespaces a monitor must have. */
export const monitorSelectors = {
  serviceMonitors: { labels: {}, namespaces: "all" },
  podMonitors: { labels: {}, namespaces: "all" },
  probes: { labels: {}, namespaces: "all" },
  rules: { labels: {}, namespaces: "all" },
  scrapeConfigs: { labels: {}, namespaces: "all" },
  alertmanagerConfigs: { labels: {}, namespaces: "all", except: GLOBAL_CONFIG_LABEL },
} as const;

/** Hard anti-affinity only where there is a second replica to keep apart; soft would let both share a node. */
export function antiAffinityFor(replicas: number): "hard" | "soft" {
  return replicas > 1 ? "hard" : "soft";
}

/** Where EKS serves the scheduler's and controller manager's metrics, through the API server. */
export const EKS_CONTROL_PLANE_METRICS = {
  "kube-scheduler": "/apis/metrics.eks.amazonaws.com/v1/ksh/container/metrics",
  "kube-controller-manager": "/apis/metrics.eks.amazonaws.com/v1/kcm/container/metrics",
} as const;

/** A ServiceMonitor on the `kubernetes` Service scraping the EKS control-plane endpoints as their jobs. */
export function eksControlPlaneMonitorSpec() {
  const sa = "/var/run/secrets/kubernetes.io/serviceaccount";
  return {
    namespaceSelector: { matchNames: ["default"] },
    selector: { matchLabels: { component: "apiserver", provider: "kubernetes" } },
    endpoints: Object.entries(EKS_CONTROL_PLANE_METRICS).map(([job, path]) => ({
      port: "https",
      scheme: "https",
      path,
      interval: "30s",
      bearerTokenFile: `${sa}/token`,
      tlsConfig: { caFile: `${sa}/ca.crt`, serverName: "kubernetes" },
      relabelings: [{ targetLabel: "job", replacement: job, action: "replace" }],
    })),
  };
}

/** Scrape targets the chart would look for as pods, which a managed control plane does not have. */
export function controlPlaneValues(cluster: KubePrometheusStackArgs["cluster"]) {
  const managed = cluster.provider === "eks";
  return {
    kubeScheduler: { enabled: !managed },
    kubeControllerManager: { enabled: !managed },
    kubeEtcd: { enabled: !managed },
    kubeProxy: { enabled: cluster.kubeProxyMetrics },
    // Without these, absent(up{job="kube-scheduler"}) alerts would fire forever on EKS.
    defaultRules: {
      rules: {
        kubeSchedulerAlerting: !managed,
        kubeSchedulerRecording: !managed,
        kubeControllerManager: !managed,
        etcd: !managed,
        kubeProxy: cluster.kubeProxyMetrics,
      },
    },
  };
}

function volumeClaim(size: string, storageClass: string | undefined) {
  return {
    volumeClaimTemplate: {
      spec: {
        ...(storageClass ? { storageClassName: storageClass } : {}),
        accessModes: ["ReadWriteOnce"],
        resources: { requests: { storage: size } },
      },
    },
  };
}

function podSecurityContext(security: SecurityConfig) {
  return {
    runAsNonRoot: true,
    runAsUser: security.runAsUser,
    runAsGroup: security.runAsGroup,
    fsGroup: security.fsGroup,
    seccompProfile: { type: "RuntimeDefault" },
  };
}

/** `web.tlsConfig` serving HTTPS from a cert-manager style Secret. */
function webTls(secretName: string) {
  return {
    tlsConfig: {
      cert: { secret: { name: secretName, key: "tls.crt" } },
      keySecret: { name: secretName, key: "tls.key" },
    },
  };
}

/** How a client inside the cluster verifies one of our HTTPS endpoints. */
function clientTls(secretName: string, serverName: string) {
  return { ca: { secret: { name: secretName, key: "ca.crt" } }, serverName };
}

/**
 * The kube-prometheus-stack values for one stack. Pure: config in, plain values out. Every key path
 * here exists in the pinned chart (tests check it against the chart's key structure).
 */
export function buildKubePrometheusStackValues(
  args: KubePrometheusStackArgs,
  ctx: ValuesContext,
  storage: StoragePlan = planPrometheusStorage(args.prometheus),
): Record<string, unknown> {
  const { prometheus: prom, alertmanager: am, security } = args;
  const tlsSecret = security.webTlsSecretName;
  const promHost = `${RELEASE_FULLNAME}-prometheus.${args.namespace}.svc`;
  const amHost = `${RELEASE_FULLNAME}-alertmanager.${args.namespace}.svc`;
  const keepVolumes = { whenDeleted: "Retain", whenScaled: "Retain" };

  const grafana: Record<string, unknown> = {
    enabled: args.grafana.enabled,
    resources: args.grafana.resources,
    admin: {
      existingSecret: ctx.grafanaAdminSecretName,
      userKey: GRAFANA_ADMIN_KEYS.user,
      passwordKey: GRAFANA_ADMIN_KEYS.password,
    },
    sidecar: { resources: sidecarResources },
  };
  const datasources: Record<string, unknown>[] = [];
  if (tlsSecret) {
    // The chart's own datasource is plain HTTP; replace it with one that verifies our CA.
    const caDir = "/etc/secrets/prometheus-web-tls";
    grafana.sidecar = { resources: sidecarResources, datasources: { defaultDatasourceEnabled: false } };
    grafana.extraSecretMounts = [
      { name: "prometheus-web-tls", secretName: tlsSecret, mountPath: caDir, readOnly: true },
    ];
    datasources.push({
      name: "Prometheus",
      type: "prometheus",
      uid: "prometheus",
      url: `https://${promHost}:9090/`,
      access: "proxy",
      isDefault: true,
      jsonData: { timeInterval: prom.scrapeInterval, tlsAuthWithCACert: true, serverName: promHost },
      secureJsonData: { tlsCACert: `$__file{${caDir}/ca.crt}` },
    });
  }
  if (args.thanos?.grafanaDatasource) {
    datasources.push({
      name: "Thanos",
      type: "prometheus",
      uid: "thanos",
      url: `http://thanos-query.${args.namespace}.svc:${THANOS_PORTS.http}/`,
      access: "proxy",
      isDefault: false,
      jsonData: { timeInterval: prom.scrapeInterval },
    });
  }
  if (datasources.length) grafana.additionalDataSources = datasources;

  const thanos = args.thanos;
  const remoteWrite = (args.remoteWrite ?? []).map(remoteWriteEntry);

  return {
    fullnameOverride: RELEASE_FULLNAME,
    ...controlPlaneValues(args.cluster),
    // CRDs are their own retained release (OperatorCrds); the chart must not own them.
    crds: { enabled: false },
    windowsMonitoring: { enabled: false },
    prometheusOperator: {
      resources: args.operatorResources,
      prometheusConfigReloader: { resources: sidecarResources },
      admissionWebhooks: { patch: { resources: sidecarResources } },
    },
    prometheus: {
      podDisruptionBudget: { enabled: prom.replicas > 1, minAvailable: 1 },
      ...(thanos
        ? {
            thanosService: { enabled: true },
            thanosServiceMonitor: { enabled: true },
            ...(thanos.roleArn
              ? { serviceAccount: { annotations: { "eks.amazonaws.com/role-arn": thanos.roleArn } } }
              : {}),
          }
        : {}),
      ...(tlsSecret
        ? { serviceMonitor: { scheme: "https", tlsConfig: clientTls(tlsSecret, promHost) } }
        : {}),
      prometheusSpec: {
        replicas: prom.replicas,
        scrapeInterval: prom.scrapeInterval,
        evaluationInterval: prom.evaluationInterval,
        retention: prom.retention,
        retentionSize: storage.retentionSize,
        walCompression: prom.walCompression,
        ...(prom.enforcedSampleLimit ? { enforcedSampleLimit: prom.enforcedSampleLimit } : {}),
        externalLabels: { cluster: args.clusterName },
        replicaExternalLabelName: PROMETHEUS_REPLICA_LABEL,
        podAntiAffinity: antiAffinityFor(prom.replicas),
        podAntiAffinityTopologyKey: "kubernetes.io/hostname",
        topologySpreadConstraints: zoneSpread(prom.replicas, {
          "app.kubernetes.io/name": "prometheus",
          prometheus: `${RELEASE_FULLNAME}-prometheus`,
        }),
        ...(args.priorityClassName ? { priorityClassName: args.priorityClassName } : {}),
        resources: prom.resources,
        storageSpec: volumeClaim(storage.storageSize, prom.storageClass),
        persistentVolumeClaimRetentionPolicy: keepVolumes,
        securityContext: podSecurityContext(security),
        // Pick up monitors and rules from every namespace, whatever their labels.
        serviceMonitorSelectorNilUsesHelmValues: false,
        podMonitorSelectorNilUsesHelmValues: false,
        probeSelectorNilUsesHelmValues: false,
        ruleSelectorNilUsesHelmValues: false,
        scrapeConfigSelectorNilUsesHelmValues: false,
        serviceMonitorNamespaceSelector: {},
        podMonitorNamespaceSelector: {},
        probeNamespaceSelector: {},
        ruleNamespaceSelector: {},
        scrapeConfigNamespaceSelector: {},
        ...(tlsSecret ? { web: webTls(tlsSecret) } : {}),
        ...(thanos
          ? {
              thanos: {
                image: thanosImage,
                version: versions.thanos.version,
                resources: thanos.sidecarResources,
                objectStorageConfig: {
                  existingSecret: { name: OBJSTORE_SECRET.name, key: OBJSTORE_SECRET.key },
                },
              },
            }
          : {}),
        ...(remoteWrite.length ? { remoteWrite } : {}),
        ...(args.federation?.length
          ? {
              additionalScrapeConfigsSecret: {
                enabled: true,
                name: FEDERATION_SECRET.name,
                key: FEDERATION_SECRET.key,
              },
            }
          : {}),
      },
    },
    alertmanager: {
      podDisruptionBudget: { enabled: am.replicas > 1, minAvailable: 1 },
      ...(tlsSecret ? { serviceMonitor: { scheme: "https", tlsConfig: clientTls(tlsSecret, amHost) } } : {}),
      alertmanagerSpec: {
        replicas: am.replicas,
        retention: am.retention,
        resources: am.resources,
        podAntiAffinity: antiAffinityFor(am.replicas),
        podAntiAffinityTopologyKey: "kubernetes.io/hostname",
        topologySpreadConstraints: zoneSpread(am.replicas, {
          "app.kubernetes.io/name": "alertmanager",
          alertmanager: `${RELEASE_FULLNAME}-alertmanager`,
        }),
        ...(args.priorityClassName ? { priorityClassName: args.priorityClassName } : {}),
        storage: volumeClaim(am.storageSize, am.storageClass),
        persistentVolumeClaimRetentionPolicy: keepVolumes,
        securityContext: podSecurityContext(security),
        // Each namespace's AlertmanagerConfig only ever sees alerts from its own namespace.
        alertmanagerConfigMatcherStrategy: { type: "OnNamespace" },
        // The platform's AlertmanagerConfig is the base configuration: its routes see every alert.
        alertmanagerConfiguration: {
          name: PLATFORM_ALERTMANAGER_CONFIG,
          global: { resolveTimeout: "5m" },
        },
        // Every other AlertmanagerConfig in every namespace, each confined to its own namespace.
        alertmanagerConfigSelector: {
          matchExpressions: [{ key: GLOBAL_CONFIG_LABEL, operator: "DoesNotExist" }],
        },
        alertmanagerConfigNamespaceSelector: {},
        ...(tlsSecret
          ? { web: webTls(tlsSecret), scheme: "https", tlsConfig: clientTls(tlsSecret, amHost) }
          : {}),
      },
    },
    grafana,
    "kube-state-metrics": { resources: args.kubeStateMetricsResources },
    "prometheus-node-exporter": { resources: args.nodeExporterResources },
  };
}

/**
 * kube-prometheus-stack as one Helm release: the operator, an HA Prometheus and Alertmanager pair,
 * Grafana, kube-state-metrics and node-exporter, in a namespace of its own.
 *
 * The CRDs are not part of it: pass the OperatorCrds component as `crds`.
 */
export class KubePrometheusStack extends pulumi.ComponentResource {
  public readonly namespace: pulumi.Output<string>;
  public readonly release: k8s.helm.v3.Release;
  public readonly storage: StoragePlan;
  public readonly grafanaAdminSecretName: pulumi.Output<string>;
  /** The `job` of the Thanos sidecars' targets (the chart's discovery Service); undefined without Thanos. */
  public readonly thanosSidecarJob?: string;
  /** The objstore Secret's name, once it exists (undefined without Thanos). */
  public readonly objstoreSecretName?: pulumi.Output<string>;

  constructor(name: string, args: KubePrometheusStackArgs, opts?: pulumi.ComponentResourceOptions) {
    super("kube-monitoring:monitoring:KubePrometheusStack", name, {}, opts);
    const keep = { protect: args.protect ?? false, retainOnDelete: args.protect ?? false };
    this.storage = planPrometheusStorage(args.prometheus);
    const retentionDays = (durationSeconds(args.prometheus.retention) ?? 0) / 86400;
    if (this.storage.retentionSizeCoversDays < retentionDays) {
      void pulumi.log.warn(
        `prometheus.retentionSize ${this.storage.retentionSize} holds about ${this.storage.retentionSizeCoversDays} ` +
          `days at the expected load, less than prometheus.retention ${args.prometheus.retention}: ` +
          `size-based retention will delete blocks first`,
        this,
      );
    }

    const ns = new k8s.core.v1.Namespace(
      `${name}-namespace`,
      { metadata: { name: args.namespace, labels: { "app.kubernetes.io/part-of": "kube-monitoring" } } },
      { parent: this, ...keep },
    );
    this.namespace = ns.metadata.name;

    const grafanaPassword = new random.RandomPassword(
      `${name}-grafana-admin`,
      { length: 32, special: false },
      { parent: this },
    );
    const grafanaSecret = new k8s.core.v1.Secret(
      `${name}-grafana-admin`,
      {
        metadata: { name: GRAFANA_ADMIN_SECRET, namespace: this.namespace },
        type: "Opaque",
        stringData: {
          [GRAFANA_ADMIN_KEYS.user]: "admin",
          [GRAFANA_ADMIN_KEYS.password]: grafanaPassword.result,
        },
      },
      { parent: this },
    );
    this.grafanaAdminSecretName = grafanaSecret.metadata.name;

    // Every Secret the values refer to, created before the release reads them.
    const secret = (role: string, secretName: string, stringData: Record<string, pulumi.Input<string>>) =>
      new k8s.core.v1.Secret(
        `${name}-${role}`,
        { metadata: { name: secretName, namespace: this.namespace }, type: "Opaque", stringData },
        { parent: this },
      );
    const valueSecrets: k8s.core.v1.Secret[] = [];
    if (args.thanos) {
      const objstore = secret("thanos-objstore", OBJSTORE_SECRET.name, {
        [OBJSTORE_SECRET.key]: pulumi.secret(args.thanos.objstoreConfig),
      });
      valueSecrets.push(objstore);
      this.objstoreSecretName = objstore.metadata.name;
      this.thanosSidecarJob = THANOS_SIDECAR_SERVICE;
    }
    for (const rw of args.remoteWrite ?? []) {
      const data: Record<string, pulumi.Input<string>> = rw.auth.type === "basic"
        ? { username: rw.auth.username, password: rw.auth.password }
        : rw.auth.type === "bearer"
          ? { token: rw.auth.token }
          : {};
      if (Object.keys(data).length) {
        valueSecrets.push(secret(`remote-write-${rw.name}`, remoteWriteSecretName(rw.name), data));
      }
    }
    if (args.federation?.length) {
      valueSecrets.push(
        secret("federation", FEDERATION_SECRET.name, {
          [FEDERATION_SECRET.key]: stringify(federationScrapeConfigs(args.federation)),
        }),
      );
    }

    this.release = new k8s.helm.v3.Release(
      `${name}-release`,
      {
        name: RELEASE_FULLNAME,
        chart: versions.kubePrometheusStack.chart,
        version: versions.kubePrometheusStack.version,
        repositoryOpts: { repo: prometheusCommunityRepo },
        namespace: this.namespace,
        values: buildKubePrometheusStackValues(
          args,
          { grafanaAdminSecretName: GRAFANA_ADMIN_SECRET },
          this.storage,
        ),
        atomic: true,
        cleanupOnFail: true,
        maxHistory: 10,
        timeout: 900,
      },
      {
        parent: this,
        dependsOn: [args.crds, grafanaSecret, ...valueSecrets, ...(args.prerequisites ?? [])],
        ...keep,
      },
    );

    if (args.cluster.provider === "eks") {
      // Prometheus may read the two control-plane metric endpoints EKS serves, nothing more.
      const role = new k8s.rbac.v1.ClusterRole(
        `${name}-eks-control-plane`,
        {
          metadata: { labels: { "app.kubernetes.io/part-of": "kube-monitoring" } },
          rules: [
            {
              apiGroups: ["metrics.eks.amazonaws.com"],
              resources: ["kcm/metrics", "ksh/metrics"],
              verbs: ["get"],
            },
          ],
        },
        { parent: this },
      );
      new k8s.rbac.v1.ClusterRoleBinding(
        `${name}-eks-control-plane`,
        {
          metadata: { labels: { "app.kubernetes.io/part-of": "kube-monitoring" } },
          roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: role.metadata.name },
          subjects: [{ kind: "ServiceAccount", name: PROMETHEUS_SERVICE_ACCOUNT, namespace: this.namespace }],
        },
        { parent: this },
      );
      new k8s.apiextensions.CustomResource(
        `${name}-eks-control-plane`,
        {
          apiVersion: "monitoring.coreos.com/v1",
          kind: "ServiceMonitor",
          metadata: {
            name: "eks-control-plane",
            namespace: this.namespace,
            // Its target is the API server's `kubernetes` Service, which no stack creates.
            annotations: { "kube-monitoring.io/targets-outside-stack": "true" },
          },
          spec: eksControlPlaneMonitorSpec(),
        },
        { parent: this, dependsOn: [args.crds] },
      );
    }

    this.registerOutputs({
      namespace: this.namespace,
      storage: this.storage,
      grafanaAdminSecretName: this.grafanaAdminSecretName,
    });
  }
}

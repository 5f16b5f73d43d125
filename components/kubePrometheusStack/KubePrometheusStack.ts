import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import { StoragePlan, durationSeconds, planPrometheusStorage } from "../capacity";
import { STACK_LABELS } from "../labels";
import { keepOptions } from "../security";
import { prometheusCommunityRepo, versions } from "../versions";
import { scrapeEksControlPlane } from "./controlPlane";
import { OBJSTORE_SECRET, PROMETHEUS_REPLICA_LABEL, RELEASE_FULLNAME, THANOS_SIDECAR_SERVICE } from "./names";
import { grafanaAuthSecretData } from "./grafanaValues";
import { releaseSecrets } from "./secrets";
import { grafanaRbac, grafanaRbacSpec } from "./grafanaRbac";
import { KubePrometheusStackValuesInput, buildKubePrometheusStackValues } from "./values";

export interface KubePrometheusStackArgs extends KubePrometheusStackValuesInput {
  /** What must exist before the release (StorageClass, PriorityClass). */
  readonly prerequisites?: pulumi.Resource[];
  /**
   * The operator CRDs (OperatorCrds). The release waits for them: a component's own `dependsOn` does
   * not hold back its children, so the dependency is passed here and set on the release itself.
   */
  readonly crds: pulumi.Resource;
  /**
   * Protect and retain the namespace and release: deleting the namespace would delete the Prometheus
   * volumes in it. Set for production.
   * @default false
   */
  readonly protect?: boolean;
}

/** Where Thanos Query finds the sidecars, what it deduplicates on, and the objstore Secret they share. */
export interface ThanosSidecarEndpoint {
  /** The headless Service in front of the sidecars; also the `job` of their targets. */
  readonly service: string;
  readonly namespace: pulumi.Output<string>;
  /** The external label that tells the replicas apart. */
  readonly replicaLabel: string;
  readonly objstoreSecret: { readonly name: pulumi.Output<string>; readonly key: string };
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
  /** The Thanos sidecars, when blocks go to Thanos. */
  public readonly thanosSidecar?: ThanosSidecarEndpoint;

  constructor(name: string, args: KubePrometheusStackArgs, opts?: pulumi.ComponentResourceOptions) {
    super("kube-monitoring:monitoring:KubePrometheusStack", name, {}, opts);
    const keep = keepOptions(args.protect);
    this.storage = planPrometheusStorage({ ...args.prometheus, localCompaction: !args.thanos });
    this.warnIfSizeRetentionFirst(args);

    const ns = new k8s.core.v1.Namespace(
      `${name}-namespace`,
      { metadata: { name: args.namespace, labels: { ...STACK_LABELS } } },
      { parent: this, ...keep },
    );
    this.namespace = ns.metadata.name;

    const secrets = releaseSecrets(
      name,
      {
        namespace: this.namespace,
        grafanaAuth: grafanaAuthSecretData(args.grafana),
        objstoreConfig: args.thanos?.objstoreConfig,
        remoteWrite: args.remoteWrite ?? [],
        federation: args.federation ?? [],
      },
      this,
    );
    this.grafanaAdminSecretName = secrets.grafanaAdmin.metadata.name;
    if (secrets.objstore) {
      this.thanosSidecar = {
        service: THANOS_SIDECAR_SERVICE,
        namespace: this.namespace,
        replicaLabel: PROMETHEUS_REPLICA_LABEL,
        objstoreSecret: { name: secrets.objstore.metadata.name, key: OBJSTORE_SECRET.key },
      };
    }

    // Before the release: Grafana's sidecars start reading ConfigMaps at once.
    const grafanaAccess = args.grafana.enabled
      ? grafanaRbac(name, grafanaRbacSpec(args.namespace, args.teamDashboards ?? false), this.namespace, this)
      : [];

    this.release = new k8s.helm.v3.Release(
      `${name}-release`,
      {
        name: RELEASE_FULLNAME,
        chart: versions.kubePrometheusStack.chart,
        version: versions.kubePrometheusStack.version,
        repositoryOpts: { repo: prometheusCommunityRepo },
        namespace: this.namespace,
        values: buildKubePrometheusStackValues(args, this.storage),
        atomic: true,
        cleanupOnFail: true,
        maxHistory: 10,
        timeout: 900,
      },
      {
        parent: this,
        dependsOn: [
          args.crds,
          ...secrets.all,
          ...grafanaAccess,
          ...(args.thanos?.ready ?? []),
          ...(args.prerequisites ?? []),
        ],
        ...keep,
      },
    );

    if (args.cluster.provider === "eks") scrapeEksControlPlane(name, this.namespace, args.crds, this);

    this.registerOutputs({
      namespace: this.namespace,
      storage: this.storage,
      grafanaAdminSecretName: this.grafanaAdminSecretName,
    });
  }

  private warnIfSizeRetentionFirst(args: KubePrometheusStackArgs): void {
    const retentionDays = (durationSeconds(args.prometheus.retention) ?? 0) / 86400;
    if (this.storage.retentionSizeCoversDays >= retentionDays) return;
    void pulumi.log.warn(
      `prometheus.retentionSize ${this.storage.retentionSize} holds about ${this.storage.retentionSizeCoversDays} ` +
        `days at the expected load, less than prometheus.retention ${args.prometheus.retention}: ` +
        `size-based retention will delete blocks first`,
      this,
    );
  }
}

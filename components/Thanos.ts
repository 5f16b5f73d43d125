import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import type { Resources, SecurityConfig, ThanosConfig } from "./schema";
import type { ThanosSidecarEndpoint } from "./kubePrometheusStack/KubePrometheusStack";
import { PROMETHEUS_SERVICE_ACCOUNT } from "./kubePrometheusStack/names";
import { STACK_LABELS } from "./labels";
import { zoneSpread } from "./scheduling";
import { restrictedContainerSecurityContext, restrictedPodSecurityContext } from "./security";
import type { ThanosJobs } from "./platformRules";
import type { BucketAccess, BucketClients } from "./ThanosObjectStore";
import { thanosImage } from "./versions";
import {
  DATA_DIR,
  OBJSTORE_MOUNT,
  THANOS_PORTS,
  THANOS_SERVICE_ACCOUNTS,
  ThanosFlagsInput,
  ThanosRole,
  thanosArgs,
  thanosName,
  thanosQueryUrl,
} from "./thanosArgs";

export { THANOS_PORTS, THANOS_SERVICE_ACCOUNTS, OBJSTORE_MOUNT, thanosArgs, thanosName, thanosQueryUrl };
export type { ThanosFlagsInput, ThanosRole };

/** The bucket's clients in `namespace`: the Prometheus sidecar, the store gateway and the compactor. */
export function thanosBucketClients(namespace: string): BucketClients {
  return {
    namespace,
    serviceAccounts: {
      sidecar: PROMETHEUS_SERVICE_ACCOUNT,
      store: THANOS_SERVICE_ACCOUNTS.store,
      compactor: THANOS_SERVICE_ACCOUNTS.compactor,
    },
  };
}

export interface ThanosArgs {
  readonly config: ThanosConfig;
  /** The Prometheus pair's sidecars: where they are, their replica label, their objstore Secret. */
  readonly sidecar: ThanosSidecarEndpoint;
  /** The bucket: each client's role and the grants it waits for. */
  readonly objectStore: { access(client: "store" | "compactor"): BucketAccess };
  readonly security: SecurityConfig;
  /** PriorityClass of every Thanos pod. */
  readonly priorityClassName?: string;
  /** What the workloads wait for (StorageClass, PriorityClass): a component's dependsOn does not hold back its children. */
  readonly prerequisites?: pulumi.Resource[];
  /** The operator CRDs, for the ServiceMonitor. */
  readonly crds: pulumi.Resource;
}

/** The label every Thanos object carries; its ServiceMonitor selects the Services by it. */
const THANOS_INSTANCE = { "app.kubernetes.io/instance": "thanos" } as const;

export function thanosLabels(role: ThanosRole) {
  return {
    ...STACK_LABELS,
    ...THANOS_INSTANCE,
    "app.kubernetes.io/name": thanosName(role),
    "app.kubernetes.io/component": role,
  };
}

/** The store gateway and the compactor read the bucket; they alone get the objstore Secret and a volume. */
const readsBucket = (role: ThanosRole): role is "store" | "compactor" =>
  role === "store" || role === "compactor";
/** Query and the store gateway serve the gRPC Store API; the frontend and the compactor only HTTP. */
const servesGrpc = (role: ThanosRole) => role === "query" || role === "store";

const selectorLabels = (role: ThanosRole) => ({ "app.kubernetes.io/name": thanosName(role) });

function container(role: ThanosRole, cmdArgs: string[], resources: Resources, withObjstore: boolean) {
  const ports = !servesGrpc(role)
    ? [{ name: "http", containerPort: THANOS_PORTS.http }]
    : [
        { name: "grpc", containerPort: THANOS_PORTS.grpc },
        { name: "http", containerPort: THANOS_PORTS.http },
      ];
  const probe = (path: string) => ({
    httpGet: { path, port: "http" },
    periodSeconds: 10,
    failureThreshold: 6,
  });
  return {
    name: `thanos-${role}`,
    image: thanosImage,
    args: cmdArgs,
    ports,
    resources,
    livenessProbe: probe("/-/healthy"),
    readinessProbe: probe("/-/ready"),
    securityContext: restrictedContainerSecurityContext(),
    volumeMounts: [
      ...(withObjstore ? [{ name: "objstore", mountPath: OBJSTORE_MOUNT, readOnly: true }] : []),
      ...(readsBucket(role) ? [{ name: "data", mountPath: DATA_DIR }] : []),
    ],
  };
}

function podSpec(
  role: ThanosRole,
  args: ThanosArgs,
  namespace: string,
  resources: Resources,
  replicas: number,
) {
  const withObjstore = readsBucket(role);
  const flags = {
    config: args.config,
    replicaLabel: args.sidecar.replicaLabel,
    sidecarService: args.sidecar.service,
  };
  return {
    metadata: { labels: thanosLabels(role) },
    spec: {
      serviceAccountName: THANOS_SERVICE_ACCOUNTS[role],
      ...(args.priorityClassName ? { priorityClassName: args.priorityClassName } : {}),
      ...(replicas > 1 ? { topologySpreadConstraints: zoneSpread(replicas, selectorLabels(role)) } : {}),
      securityContext: restrictedPodSecurityContext(args.security),
      ...(replicas > 1
        ? {
            affinity: {
              podAntiAffinity: {
                requiredDuringSchedulingIgnoredDuringExecution: [
                  {
                    topologyKey: "kubernetes.io/hostname",
                    labelSelector: { matchLabels: selectorLabels(role) },
                  },
                ],
              },
            },
          }
        : {}),
      containers: [container(role, thanosArgs(role, flags, namespace), resources, withObjstore)],
      volumes: withObjstore
        ? [
            {
              name: "objstore",
              secret: {
                secretName: args.sidecar.objstoreSecret.name,
                items: [{ key: args.sidecar.objstoreSecret.key, path: "thanos.yaml" }],
              },
            },
          ]
        : [],
    },
  };
}

function dataClaim(size: string, storageClass: string | undefined) {
  return {
    metadata: { name: "data" },
    spec: {
      accessModes: ["ReadWriteOnce"],
      ...(storageClass ? { storageClassName: storageClass } : {}),
      resources: { requests: { storage: size } },
    },
  };
}

/**
 * Thanos query, store gateway and compactor. Without them the sidecar uploads blocks nobody reads back
 * and the bucket grows forever.
 */
export class Thanos extends pulumi.ComponentResource {
  public readonly queryService: pulumi.Output<string>;
  public readonly queryFrontendService: pulumi.Output<string>;
  /** Where Grafana reads Thanos: the frontend's Service, which forwards to Query's. */
  public readonly queryFrontendUrl: pulumi.Output<string>;
  /** The `job` label of each component's targets (its Service name), for the meta-monitoring rules. */
  public readonly jobs: ThanosJobs;
  private readonly args: ThanosArgs;
  private readonly resourceName: string;

  constructor(name: string, args: ThanosArgs, opts?: pulumi.ComponentResourceOptions) {
    super("kube-monitoring:thanos:Thanos", name, {}, opts);
    this.args = args;
    this.resourceName = name;
    this.jobs = {
      sidecar: args.sidecar.service,
      query: thanosName("query"),
      queryFrontend: thanosName("query-frontend"),
      store: thanosName("store"),
      compactor: thanosName("compactor"),
    };
    const cfg = args.config;

    this.workload("query", cfg.query.replicas, cfg.query.resources);
    this.queryService = this.service("query", false).metadata.name;
    if (cfg.query.replicas > 1) this.disruptionBudget("query");

    // Grafana's Thanos datasource: splits range queries by day and caches the results.
    this.workload("query-frontend", cfg.queryFrontend.replicas, cfg.queryFrontend.resources);
    this.queryFrontendService = this.service("query-frontend", false).metadata.name;
    this.queryFrontendUrl = args.sidecar.namespace.apply(
      (ns) => `http://${thanosName("query-frontend")}.${ns}.svc:${THANOS_PORTS.http}`,
    );
    if (cfg.queryFrontend.replicas > 1) this.disruptionBudget("query-frontend");

    this.workload("store", cfg.storeGateway.replicas, cfg.storeGateway.resources, cfg.storeGateway);
    this.service("store", true);
    if (cfg.storeGateway.replicas > 1) this.disruptionBudget("store");

    // Exactly one compactor per bucket: two would compact the same blocks and corrupt them.
    this.workload("compactor", 1, cfg.compactor.resources, cfg.compactor);
    this.service("compactor", false);

    new k8s.apiextensions.CustomResource(
      `${name}-servicemonitor`,
      {
        apiVersion: "monitoring.coreos.com/v1",
        kind: "ServiceMonitor",
        metadata: {
          name: "thanos",
          namespace: args.sidecar.namespace,
          labels: { ...STACK_LABELS, ...THANOS_INSTANCE },
        },
        spec: {
          selector: { matchLabels: { ...THANOS_INSTANCE } },
          endpoints: [{ port: "http", interval: "30s" }],
        },
      },
      { parent: this, dependsOn: [args.crds] },
    );
    this.registerOutputs({
      queryService: this.queryService,
      queryFrontendService: this.queryFrontendService,
    });
  }

  /** The role's service account, bound to its IAM role when the bucket uses IRSA. */
  private serviceAccount(role: ThanosRole, access: BucketAccess | undefined) {
    return new k8s.core.v1.ServiceAccount(
      `${this.resourceName}-${role}`,
      {
        metadata: {
          name: THANOS_SERVICE_ACCOUNTS[role],
          namespace: this.args.sidecar.namespace,
          labels: thanosLabels(role),
          annotations: access?.roleArn ? { "eks.amazonaws.com/role-arn": access.roleArn } : {},
        },
        // Thanos never calls the Kubernetes API; IRSA mounts its own projected token.
        automountServiceAccountToken: false,
      },
      { parent: this },
    );
  }

  /**
   * The query Deployment, or a StatefulSet with a data volume for the store gateway and compactor. Each
   * waits for its service account, its bucket grants and the stack's prerequisites.
   */
  private workload(
    role: ThanosRole,
    replicas: number,
    resources: Resources,
    volume?: { readonly storageSize: string; readonly storageClass?: string },
  ) {
    const args = this.args;
    const access = readsBucket(role) ? args.objectStore.access(role) : undefined;
    const account = this.serviceAccount(role, access);
    const namespace = args.sidecar.namespace;
    const spec = {
      replicas,
      selector: { matchLabels: selectorLabels(role) },
      template: namespace.apply((ns) => podSpec(role, args, ns, resources, replicas)),
    };
    const metadata = { name: thanosName(role), namespace, labels: thanosLabels(role) };
    const opts = {
      parent: this,
      dependsOn: [account, ...(access?.ready ?? []), ...(args.prerequisites ?? [])],
    };
    if (!volume) return new k8s.apps.v1.Deployment(`${this.resourceName}-${role}`, { metadata, spec }, opts);
    return new k8s.apps.v1.StatefulSet(
      `${this.resourceName}-${role}`,
      {
        metadata,
        spec: {
          ...spec,
          serviceName: thanosName(role),
          volumeClaimTemplates: [dataClaim(volume.storageSize, volume.storageClass)],
        },
      },
      opts,
    );
  }

  private service(role: ThanosRole, headless: boolean) {
    return new k8s.core.v1.Service(
      `${this.resourceName}-${role}`,
      {
        metadata: {
          name: thanosName(role),
          namespace: this.args.sidecar.namespace,
          labels: thanosLabels(role),
        },
        spec: {
          ...(headless ? { clusterIP: "None" } : {}),
          selector: selectorLabels(role),
          ports: [
            ...(servesGrpc(role) ? [{ name: "grpc", port: THANOS_PORTS.grpc, targetPort: "grpc" }] : []),
            { name: "http", port: THANOS_PORTS.http, targetPort: "http" },
          ],
        },
      },
      { parent: this },
    );
  }

  private disruptionBudget(role: ThanosRole) {
    return new k8s.policy.v1.PodDisruptionBudget(
      `${this.resourceName}-${role}`,
      {
        metadata: {
          name: thanosName(role),
          namespace: this.args.sidecar.namespace,
          labels: thanosLabels(role),
        },
        spec: { minAvailable: 1, selector: { matchLabels: selectorLabels(role) } },
      },
      { parent: this },
    );
  }
}

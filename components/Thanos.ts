import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import type { Resources, SecurityConfig, ThanosConfig } from "./config";
import { zoneSpread } from "./scheduling";
import { thanosImage } from "./versions";

export const THANOS_PORTS = { grpc: 10901, http: 10902 } as const;
/** Service accounts the Thanos workloads run as; the bucket's IAM trust names the ones that read it. */
export const THANOS_SERVICE_ACCOUNTS = {
  query: "thanos-query",
  store: "thanos-store",
  compactor: "thanos-compactor",
} as const;
export const OBJSTORE_MOUNT = "/etc/thanos/objstore";
const DATA_DIR = "/var/thanos/data";

export type ThanosRole = keyof typeof THANOS_SERVICE_ACCOUNTS;

export interface ThanosArgs {
  readonly namespace: pulumi.Input<string>;
  readonly config: ThanosConfig;
  /** Must equal the Prometheus `replicaExternalLabelName`: the querier deduplicates on it. */
  readonly replicaLabel: string;
  /** The headless Service in front of the Prometheus Thanos sidecars (the chart's thanos-discovery). */
  readonly sidecarService: string;
  /** Secret with the objstore config, under `key`. */
  readonly objstoreSecret: { readonly name: pulumi.Input<string>; readonly key: string };
  /** IAM roles for IRSA, one each for the store gateway's and the compactor's service account. */
  readonly roleArns?: { readonly store: pulumi.Input<string>; readonly compactor: pulumi.Input<string> };
  readonly security: SecurityConfig;
  /** PriorityClass of every Thanos pod. */
  readonly priorityClassName?: string;
  /** What the workloads wait for (StorageClass, PriorityClass): a component's dependsOn does not hold back its children. */
  readonly prerequisites?: pulumi.Resource[];
  /** The operator CRDs, for the ServiceMonitor. */
  readonly crds: pulumi.Resource;
}

export function thanosLabels(role: ThanosRole) {
  return {
    "app.kubernetes.io/name": thanosName(role),
    "app.kubernetes.io/component": role,
    "app.kubernetes.io/part-of": "thanos",
    "app.kubernetes.io/managed-by": "kube-monitoring",
  };
}

/** Each component's name: its Service, hence the `job` of its targets, and its pods' name label. */
export const thanosName = (role: ThanosRole) => `thanos-${role}`;

const selectorLabels = (role: ThanosRole) => ({ "app.kubernetes.io/name": thanosName(role) });

/** Arguments of each Thanos component. Pure, so tests can read the flags. */
export function thanosArgs(
  role: ThanosRole,
  args: Pick<ThanosArgs, "config" | "replicaLabel" | "sidecarService">,
  namespace: string,
): string[] {
  const common = [
    `--grpc-address=0.0.0.0:${THANOS_PORTS.grpc}`,
    `--http-address=0.0.0.0:${THANOS_PORTS.http}`,
    "--log.format=logfmt",
  ];
  const objstore = `--objstore.config-file=${OBJSTORE_MOUNT}/thanos.yaml`;
  switch (role) {
    case "query":
      return [
        "query",
        ...common,
        `--query.replica-label=${args.replicaLabel}`,
        `--endpoint=dnssrv+_grpc._tcp.${args.sidecarService}.${namespace}.svc.cluster.local`,
        `--endpoint=dnssrv+_grpc._tcp.thanos-store.${namespace}.svc.cluster.local`,
        ...args.config.query.extraEndpoints.map((e) => `--endpoint=${e}`),
        "--query.auto-downsampling",
      ];
    case "store":
      return ["store", ...common, `--data-dir=${DATA_DIR}`, objstore];
    case "compactor":
      return [
        "compact",
        `--http-address=0.0.0.0:${THANOS_PORTS.http}`,
        "--log.format=logfmt",
        `--data-dir=${DATA_DIR}`,
        objstore,
        "--wait",
        "--wait-interval=5m",
        `--retention.resolution-raw=${args.config.retention.raw}`,
        `--retention.resolution-5m=${args.config.retention["5m"]}`,
        `--retention.resolution-1h=${args.config.retention["1h"]}`,
        // Keep deleted blocks readable for the store gateway's sync interval before removing them.
        "--delete-delay=48h",
      ];
  }
}

function container(role: ThanosRole, cmdArgs: string[], resources: Resources, withObjstore: boolean) {
  const ports =
    role === "compactor"
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
    securityContext: {
      allowPrivilegeEscalation: false,
      readOnlyRootFilesystem: true,
      capabilities: { drop: ["ALL"] },
    },
    volumeMounts: [
      ...(withObjstore ? [{ name: "objstore", mountPath: OBJSTORE_MOUNT, readOnly: true }] : []),
      ...(role === "query" ? [] : [{ name: "data", mountPath: DATA_DIR }]),
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
  const withObjstore = role !== "query";
  return {
    metadata: { labels: thanosLabels(role) },
    spec: {
      serviceAccountName: THANOS_SERVICE_ACCOUNTS[role],
      ...(args.priorityClassName ? { priorityClassName: args.priorityClassName } : {}),
      ...(replicas > 1 ? { topologySpreadConstraints: zoneSpread(replicas, selectorLabels(role)) } : {}),
      securityContext: {
        runAsNonRoot: true,
        runAsUser: args.security.runAsUser,
        runAsGroup: args.security.runAsGroup,
        fsGroup: args.security.fsGroup,
        seccompProfile: { type: "RuntimeDefault" },
      },
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
      containers: [container(role, thanosArgs(role, args, namespace), resources, withObjstore)],
      volumes: withObjstore
        ? [
            {
              name: "objstore",
              secret: {
                secretName: args.objstoreSecret.name,
                items: [{ key: args.objstoreSecret.key, path: "thanos.yaml" }],
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
  /** The `job` label of each component's targets (its Service name), for the meta-monitoring rules. */
  public readonly jobs = {
    query: thanosName("query"),
    store: thanosName("store"),
    compactor: thanosName("compactor"),
  };

  constructor(name: string, args: ThanosArgs, opts?: pulumi.ComponentResourceOptions) {
    super("kube-monitoring:thanos:Thanos", name, {}, opts);
    const cfg = args.config;
    const child = { parent: this };

    const accounts = Object.fromEntries(
      (Object.keys(THANOS_SERVICE_ACCOUNTS) as ThanosRole[]).map((role) => {
        const sa = new k8s.core.v1.ServiceAccount(
          `${name}-${role}`,
          {
            metadata: {
              name: THANOS_SERVICE_ACCOUNTS[role],
              namespace: args.namespace,
              labels: thanosLabels(role),
              annotations:
                role !== "query" && args.roleArns
                  ? { "eks.amazonaws.com/role-arn": args.roleArns[role] }
                  : {},
            },
            // Thanos never calls the Kubernetes API; IRSA mounts its own projected token.
            automountServiceAccountToken: false,
          },
          child,
        );
        return [role, sa];
      }),
    ) as Record<ThanosRole, k8s.core.v1.ServiceAccount>;

    const service = (role: ThanosRole, headless: boolean) =>
      new k8s.core.v1.Service(
        `${name}-${role}`,
        {
          metadata: { name: thanosName(role), namespace: args.namespace, labels: thanosLabels(role) },
          spec: {
            ...(headless ? { clusterIP: "None" } : {}),
            selector: selectorLabels(role),
            ports: [
              ...(role === "compactor"
                ? []
                : [{ name: "grpc", port: THANOS_PORTS.grpc, targetPort: "grpc" }]),
              { name: "http", port: THANOS_PORTS.http, targetPort: "http" },
            ],
          },
        },
        child,
      );

    const pdb = (role: ThanosRole) =>
      new k8s.policy.v1.PodDisruptionBudget(
        `${name}-${role}`,
        {
          metadata: { name: thanosName(role), namespace: args.namespace, labels: thanosLabels(role) },
          spec: { minAvailable: 1, selector: { matchLabels: selectorLabels(role) } },
        },
        child,
      );

    const namespace = pulumi.output(args.namespace);

    new k8s.apps.v1.Deployment(
      `${name}-query`,
      {
        metadata: { name: "thanos-query", namespace: args.namespace, labels: thanosLabels("query") },
        spec: {
          replicas: cfg.query.replicas,
          selector: { matchLabels: selectorLabels("query") },
          template: namespace.apply((ns) =>
            podSpec("query", args, ns, cfg.query.resources, cfg.query.replicas),
          ),
        },
      },
      { ...child, dependsOn: [accounts.query, ...(args.prerequisites ?? [])] },
    );
    this.queryService = service("query", false).metadata.name;
    if (cfg.query.replicas > 1) pdb("query");

    new k8s.apps.v1.StatefulSet(
      `${name}-store`,
      {
        metadata: { name: "thanos-store", namespace: args.namespace, labels: thanosLabels("store") },
        spec: {
          replicas: cfg.storeGateway.replicas,
          serviceName: "thanos-store",
          selector: { matchLabels: selectorLabels("store") },
          template: namespace.apply((ns) =>
            podSpec("store", args, ns, cfg.storeGateway.resources, cfg.storeGateway.replicas),
          ),
          volumeClaimTemplates: [dataClaim(cfg.storeGateway.storageSize, cfg.storeGateway.storageClass)],
        },
      },
      { ...child, dependsOn: [accounts.store, ...(args.prerequisites ?? [])] },
    );
    service("store", true);
    if (cfg.storeGateway.replicas > 1) pdb("store");

    // Exactly one compactor per bucket: two would compact the same blocks and corrupt them.
    new k8s.apps.v1.StatefulSet(
      `${name}-compactor`,
      {
        metadata: { name: "thanos-compactor", namespace: args.namespace, labels: thanosLabels("compactor") },
        spec: {
          replicas: 1,
          serviceName: "thanos-compactor",
          selector: { matchLabels: selectorLabels("compactor") },
          template: namespace.apply((ns) => podSpec("compactor", args, ns, cfg.compactor.resources, 1)),
          volumeClaimTemplates: [dataClaim(cfg.compactor.storageSize, cfg.compactor.storageClass)],
        },
      },
      { ...child, dependsOn: [accounts.compactor, ...(args.prerequisites ?? [])] },
    );
    service("compactor", false);

    new k8s.apiextensions.CustomResource(
      `${name}-servicemonitor`,
      {
        apiVersion: "monitoring.coreos.com/v1",
        kind: "ServiceMonitor",
        metadata: {
          name: "thanos",
          namespace: args.namespace,
          labels: { "app.kubernetes.io/part-of": "thanos" },
        },
        spec: {
          selector: { matchLabels: { "app.kubernetes.io/part-of": "thanos" } },
          endpoints: [{ port: "http", interval: "30s" }],
        },
      },
      { ...child, dependsOn: [args.crds] },
    );
    this.registerOutputs({ queryService: this.queryService });
  }
}

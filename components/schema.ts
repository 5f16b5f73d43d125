/**
 * The stack config schema: every key under `kube-monitoring:`, its type, default and cross-field rules.
 * Pure data and zod; components/config.ts parses with it and turns problems into messages.
 *
 */
import type { Dashboard } from "./dashboards";
import { grafanaSchema } from "./grafanaSchema";
import { thanosSchema } from "./thanosSchema";
import * as pulumi from "@pulumi/pulumi";
import type { IRuleGroup } from "./crdTypes";
import { z } from "zod";
import {
  alertingSchema,
  appSchema,
  blackboxExporterSchema,
  pushgatewaySchema,
  receiverCredentials,
} from "./appSchema";
import type { ReceiverConfig } from "./appSchema";
import {
  MAX_RETENTION_SIZE_SHARE,
  PROMETHEUS_BYTE_SIZE,
  compactorVolumeFor,
  planStoreGateway,
  thanosByteSize,
  prometheusBytes,
  quantityBytes,
} from "./capacity";
import {
  arn,
  awsRegion,
  storageQuantity,
  credential,
  dnsLabel,
  duration,
  httpUrl,
  relabelConfigSchema,
  replicas,
  resources,
  uniqueNames,
} from "./schemaPrimitives";
import { clusterSizeSchema, enforcedLimitProblem, resolveClusterSize } from "./clusterSizeSchema";
import { coreScrapeLimits, largestCoreLimit } from "./scrapeLimits";
import type { ClusterSize } from "./scrapeLimits";
import {
  OwnedApp,
  Ownership,
  TeamClaim,
  appPlacementProblem,
  claimProblems,
  platformNamespaces,
} from "./ownership";

/** A team's name: a DNS label, since it prefixes its namespaces. */
const labelValueName = dnsLabel;
/** A namespace prefix: the start of a DNS label, ending in `-`. */
export const namespacePrefix = z.string().regex(/^[a-z0-9][-a-z0-9]{0,40}-$/, {
  error:
    "{input} is not a namespace prefix (lower-case letters, digits and '-', ending in '-', like payments-)",
});

export { Resources, resourcesSchema } from "./schemaPrimitives";

export const CONFIG_NAMESPACE = "kube-monitoring";

const prometheusSchema = z
  .strictObject({
    replicas: replicas.default(2),
    /** Default 15d; 6d with Thanos, which keeps the history (the operator then turns local compaction off). */
    retention: duration().optional(),
    retentionSize: z
      .string()
      .regex(PROMETHEUS_BYTE_SIZE, { error: "{input} is not a Prometheus byte size (like 45GiB or 500MiB)" })
      .optional(),
    storageSize: storageQuantity.optional(),
    storageClass: z.string().min(1).optional(),
    scrapeInterval: duration("like 30s or 1m").default("30s"),
    evaluationInterval: duration("like 30s or 1m").default("30s"),
    expectedActiveSeries: z
      .int({ error: "{input} is not a whole number of series" })
      .positive({ error: "{input} must be at least 1" })
      .default(100_000),
    walCompression: z.boolean().default(true),
    /**
     * Ceiling on every target's sampleLimit, whatever its monitor says; 0 turns it off. Default: the
     * biggest core target's derived limit (components/scrapeLimits.ts), never below it.
     */
    enforcedSampleLimit: z.int().min(0).optional(),
    resources: resources({ cpu: "1", memory: "4Gi" }, { cpu: "2", memory: "4Gi" }),
  })
  .superRefine((p, ctx) => {
    const retainedBytes = p.retentionSize === undefined ? undefined : prometheusBytes(p.retentionSize);
    if (
      retainedBytes !== undefined &&
      retainedBytes > 0 &&
      (retainedBytes < 1024 ** 2 || !Number.isInteger(retainedBytes))
    ) {
      ctx.addIssue({
        code: "custom",
        path: ["retentionSize"],
        message: `${p.retentionSize} is not a whole number of bytes of at least 1MiB`,
      });
    }
    if (p.retentionSize !== undefined && prometheusBytes(p.retentionSize) === 0) {
      ctx.addIssue({
        code: "custom",
        path: ["retentionSize"],
        message: `${p.retentionSize} turns size-based retention off; give a size above 0, or leave it out to derive it`,
      });
    }
    if (p.retentionSize === undefined || p.storageSize === undefined) return;
    const retained = prometheusBytes(p.retentionSize);
    const volume = quantityBytes(p.storageSize);
    if (retained !== undefined && volume !== undefined && retained > volume * MAX_RETENTION_SIZE_SHARE) {
      ctx.addIssue({
        code: "custom",
        path: ["retentionSize"],
        message:
          `${p.retentionSize} is more than ${MAX_RETENTION_SIZE_SHARE * 100}% of prometheus.storageSize ` +
          `${p.storageSize}; keep it below so Prometheus deletes old blocks before the disk fills`,
      });
    }
  });

const alertmanagerSchema = z.strictObject({
  replicas: replicas.default(2),
  retention: duration("like 120h").default("120h"),
  storageSize: storageQuantity.default("2Gi"),
  storageClass: z.string().min(1).optional(),
  resources: resources({ cpu: "50m", memory: "128Mi" }, { cpu: "200m", memory: "256Mi" }),
});

const securitySchema = z.strictObject({
  runAsUser: z.int().min(1, { error: "{input} would run as root; use a non-zero UID" }).default(1000),
  runAsGroup: z.int().min(1, { error: "{input} is the root group; use a non-zero GID" }).default(2000),
  fsGroup: z.int().min(1, { error: "{input} is the root group; use a non-zero GID" }).default(2000),
  /**
   * A `kubernetes.io/tls` Secret in the monitoring namespace (tls.crt, tls.key, ca.crt, as cert-manager
   * writes them). When set, Prometheus and Alertmanager serve HTTPS with it.
   */
  webTlsSecretName: dnsLabel.optional(),
});

const remoteWriteAuth = z.discriminatedUnion(
  "type",
  [
    z.strictObject({ type: z.literal("none") }),
    z.strictObject({ type: z.literal("basic"), username: z.string().min(1), password: credential }),
    z.strictObject({ type: z.literal("bearer"), token: credential }),
    z.strictObject({
      type: z.literal("sigv4"),
      region: awsRegion,
      roleArn: arn("iam", "arn:aws:iam::123456789012:role/…").optional(),
    }),
  ],
  { error: "{input} is not an auth; expected type none, basic, bearer or sigv4" },
);

const remoteWriteSchema = z
  .strictObject({
    name: dnsLabel,
    url: httpUrl,
    queueConfig: z
      .strictObject({
        capacity: z.int().positive().optional(),
        minShards: z.int().positive().optional(),
        maxShards: z.int().positive().optional(),
        maxSamplesPerSend: z.int().positive().optional(),
        batchSendDeadline: duration("like 5s").optional(),
        minBackoff: duration("like 30ms").optional(),
        maxBackoff: duration("like 5s").optional(),
      })
      .optional(),
    writeRelabelConfigs: z.array(relabelConfigSchema).default([]),
    auth: remoteWriteAuth.default({ type: "none" }),
  })
  .superRefine((rw, ctx) => {
    const sendsCredentials = rw.auth.type === "basic" || rw.auth.type === "bearer";
    // An unparsable URL has its own message already.
    if (sendsCredentials && URL.canParse(rw.url) && !rw.url.startsWith("https://")) {
      ctx.addIssue({
        code: "custom",
        path: ["url"],
        message: `must be https:// to send ${rw.auth.type} credentials`,
      });
    }
  });

const federationSchema = z.strictObject({
  name: dnsLabel,
  url: httpUrl,
  match: z.array(z.string().min(1)).min(1, { error: "needs at least one series selector" }),
  interval: duration("like 1m").default("1m"),
  scrapeTimeout: duration("like 30s").default("30s"),
});

const clusterSchema = z
  .strictObject({
    /**
     * `eks`: the control plane is managed (scheduler, controller manager and etcd are not pods to scrape;
     * EKS exposes the first two through the API server), volumes come from the EBS CSI driver.
     */
    provider: z
      .enum(["eks", "generic"], { error: "{input} is not a cluster provider; expected eks or generic" })
      .default("generic"),
    storageClass: z
      .strictObject({
        /** Create an encrypted gp3 StorageClass (EBS CSI driver) and use it for every volume. Default on EKS. */
        create: z.boolean().optional(),
        /** The class every volume uses: the one created, or an existing one. Unset: the cluster default. */
        name: dnsLabel.optional(),
        /** KMS key for the EBS volumes; default the account's aws/ebs key. */
        kmsKeyArn: arn("kms", "arn:aws:kms:eu-west-1:123456789012:key/…").optional(),
      })
      .prefault({}),
    priorityClass: z
      .strictObject({
        /** Create the PriorityClass below, or name one that exists. */
        create: z.boolean().default(true),
        name: dnsLabel.default("monitoring-critical"),
        value: z.int().min(1).max(1_000_000_000).default(100_000_000),
      })
      .prefault({}),
    /** Scrape kube-proxy: only when its metricsBindAddress listens beyond 127.0.0.1 (EKS binds loopback). */
    kubeProxyMetrics: z.boolean().optional(),
    /**
     * NetworkPolicies in the monitoring namespace; off for clusters without a NetworkPolicy engine. On
     * EKS the VPC CNI enforces them only with its network policy agent on (`enableNetworkPolicy`).
     */
    networkPolicies: z.boolean().default(true),
    /** What the chart's own targets grow with: their scrape limits are derived from it. */
    size: clusterSizeSchema,
  })
  .prefault({});

export const stackConfigSchema = z
  .strictObject({
    cluster: clusterSchema,
    environment: z.enum(["dev", "prod"], { error: "{input} is not an environment; expected dev or prod" }),
    clusterName: dnsLabel,
    namespace: dnsLabel.default("monitoring"),
    prometheus: prometheusSchema.prefault({}),
    alertmanager: alertmanagerSchema.prefault({}),
    grafana: grafanaSchema.prefault({}),
    operator: z
      .strictObject({
        resources: resources({ cpu: "100m", memory: "256Mi" }, { cpu: "500m", memory: "512Mi" }),
      })
      .prefault({}),
    kubeStateMetrics: z
      .strictObject({
        resources: resources({ cpu: "50m", memory: "128Mi" }, { cpu: "200m", memory: "512Mi" }),
      })
      .prefault({}),
    nodeExporter: z
      .strictObject({
        resources: resources({ cpu: "50m", memory: "64Mi" }, { cpu: "250m", memory: "128Mi" }),
      })
      .prefault({}),
    security: securitySchema.prefault({}),
    thanos: thanosSchema.prefault({}),
    remoteWrite: z.array(remoteWriteSchema).default([]).superRefine(uniqueNames("remote write")),
    federation: z.array(federationSchema).default([]).superRefine(uniqueNames("federation")),
    alerting: alertingSchema,
    /** Rule files or PrometheusRule manifests for the platform (monitoring namespace), from the project root. */
    ruleFiles: z.array(z.string().min(1)).default([]),
    apps: z.array(appSchema).default([]).superRefine(uniqueNames("app")),
    /**
     * Teams whose own stacks (teams/) route their apps' alerts: each owns the namespaces starting with
     * its prefix (default `<name>-`), and the platform's routing leaves their alerts to them.
     */
    teams: z
      .array(
        z
          .strictObject({ name: labelValueName, namespacePrefix: namespacePrefix.optional() })
          .transform((t) => ({ name: t.name, namespacePrefix: t.namespacePrefix ?? `${t.name}-` })),
      )
      .default([])
      .superRefine(uniqueNames("team")),
    pushgateway: pushgatewaySchema,
    blackboxExporter: blackboxExporterSchema,
  })
  .superRefine((cfg, ctx) => {
    // One owner per namespace: the platform's stay the platform's, a team's prefix is the team's.
    const own = ownershipOf(cfg);
    for (const problem of claimProblems(own.platformNamespaces, own.teams)) {
      ctx.addIssue({ code: "custom", path: ["teams"], message: problem });
    }
    cfg.apps.forEach((app, i) => {
      const problem = appPlacementProblem(own, app);
      if (problem) ctx.addIssue({ code: "custom", path: ["apps", i, "namespace"], message: problem });
    });
    // An app with a workload owns its namespace (and deletes it with itself): one per namespace.
    const owners = new Map<string, number>();
    cfg.apps.forEach((app, i) => {
      if (!app.workload) return;
      const owner = owners.get(app.namespace);
      if (owner !== undefined) {
        ctx.addIssue({
          code: "custom",
          path: ["apps", i, "namespace"],
          message: `${JSON.stringify(app.namespace)} already holds the workload of apps[${owner}]; give each deployed app its own namespace`,
        });
      }
      owners.set(app.namespace, i);
    });
    // SigV4 needs an AWS identity: its own role, or the Prometheus service account's IRSA role.
    cfg.remoteWrite.forEach((rw, i) => {
      if (rw.auth.type !== "sigv4" || rw.auth.roleArn) return;
      if (cfg.thanos.enabled && cfg.thanos.auth.mode === "irsa") return;
      ctx.addIssue({
        code: "custom",
        path: ["remoteWrite", i, "auth", "roleArn"],
        message:
          "is required for sigv4 here: Prometheus has no AWS identity without it (or thanos enabled with auth.mode irsa, whose sidecar role Prometheus uses)",
      });
    });
    // Budgets are per target; their sum is a floor of what the apps may bring, and must fit the sizing.
    const budgets = cfg.apps.reduce((sum, app) => sum + (app.seriesBudget ?? 0), 0);
    if (budgets > cfg.prometheus.expectedActiveSeries) {
      ctx.addIssue({
        code: "custom",
        path: ["prometheus", "expectedActiveSeries"],
        message: `${cfg.prometheus.expectedActiveSeries} is less than the apps' series budgets together (${budgets}); raise it so storage and memory are sized for them`,
      });
    }
    if (cfg.environment === "prod") {
      // Burstable pods are evicted first under memory pressure; Prometheus must not be.
      const r = cfg.prometheus.resources;
      if (quantityBytes(r.requests.memory) !== quantityBytes(r.limits.memory)) {
        ctx.addIssue({
          code: "custom",
          path: ["prometheus", "resources", "requests", "memory"],
          message: `${r.requests.memory} must equal limits.memory ${r.limits.memory} in prod (Guaranteed memory, never evicted first)`,
        });
      }
      // The sidecar shares the pod: one container with request < limit and the pod is evicted first.
      const sidecar = cfg.thanos.sidecar.resources;
      if (
        cfg.thanos.enabled &&
        quantityBytes(sidecar.requests.memory) !== quantityBytes(sidecar.limits.memory)
      ) {
        ctx.addIssue({
          code: "custom",
          path: ["thanos", "sidecar", "resources", "requests", "memory"],
          message: `${sidecar.requests.memory} must equal limits.memory ${sidecar.limits.memory} in prod: the sidecar is in the Prometheus pod, whose memory is guaranteed`,
        });
      }
    }
    const enforced = enforcedLimitProblem(
      cfg.prometheus.enforcedSampleLimit,
      resolveClusterSize(cfg.cluster.size, cfg.prometheus.expectedActiveSeries),
    );
    if (enforced) {
      ctx.addIssue({ code: "custom", path: ["prometheus", "enforcedSampleLimit"], message: enforced });
    }
    const sc = cfg.cluster.storageClass;
    if (sc.create && cfg.cluster.provider !== "eks") {
      ctx.addIssue({
        code: "custom",
        path: ["cluster", "storageClass", "create"],
        message: "creates an EBS CSI StorageClass, which needs cluster.provider eks",
      });
    }
    if (cfg.environment !== "dev" && cfg.thanos.enabled && !cfg.thanos.bucket.versioning) {
      ctx.addIssue({
        code: "custom",
        path: ["thanos", "bucket", "versioning"],
        message: `is only allowed off in dev: without old versions a bad compaction in ${cfg.environment} cannot be undone`,
      });
    }
    if (cfg.environment !== "dev" && cfg.thanos.bucket.forceDestroy) {
      ctx.addIssue({
        code: "custom",
        path: ["thanos", "bucket", "forceDestroy"],
        message: `is only allowed in dev: it lets a stack change delete ${cfg.environment}'s metric history`,
      });
    }
  });

/** Who owns which namespace, from a parsed stack config. */
export function ownershipOf(cfg: {
  namespace: string;
  alerting: { platformNamespaces: readonly string[] };
  teams: readonly TeamClaim[];
  apps: readonly OwnedApp[];
}): Ownership {
  return {
    platformNamespaces: platformNamespaces(cfg.namespace, cfg.alerting.platformNamespaces),
    teams: cfg.teams,
    apps: cfg.apps,
  };
}

/** The config with defaults that depend on other keys resolved. */
type Parsed = z.infer<typeof stackConfigSchema>;
/** Rule groups read from `ruleFiles`, by file. */
export type ImportedRules = { file: string; groups: IRuleGroup[] }[];
export type StackConfig = Omit<Parsed, "prometheus" | "cluster" | "thanos" | "apps"> & {
  /** Every dashboard to provision: the stack's own and the dashboards folder's (apps' are per app). */
  dashboards: Dashboard[];
  apps: (Parsed["apps"][number] & { importedRules: ImportedRules })[];
  importedRules: ImportedRules;
  prometheus: Parsed["prometheus"] & { retention: string };
  thanos: Omit<Parsed["thanos"], "compactor" | "storeGateway"> & {
    compactor: Parsed["thanos"]["compactor"] & { storageSize: string };
    storeGateway: Omit<Parsed["thanos"]["storeGateway"], "limits"> & {
      limits: Required<Parsed["thanos"]["storeGateway"]["limits"]>;
      indexCacheSize: string;
      chunkCacheSize: string;
    };
  };
  cluster: Omit<Parsed["cluster"], "size"> & {
    storageClass: { create: boolean; name?: string; kmsKeyArn?: string };
    kubeProxyMetrics: boolean;
    size: ClusterSize;
  };
};
export type ClusterConfig = StackConfig["cluster"];

/** Fills the defaults that depend on other keys: local retention, the StorageClass, kube-proxy. */
export function resolveDefaults(
  cfg: z.infer<typeof stackConfigSchema>,
  imported: { stack: ImportedRules; apps: ImportedRules[] } = { stack: [], apps: [] },
): StackConfig {
  const eks = cfg.cluster.provider === "eks";
  const createClass = cfg.cluster.storageClass.create ?? eks;
  const storageClass = cfg.cluster.storageClass.name ?? (createClass ? "monitoring-gp3" : undefined);
  // Every volume on the stack's class unless its own key names another.
  const size = resolveClusterSize(cfg.cluster.size, cfg.prometheus.expectedActiveSeries);
  const onClass = <T extends { storageClass?: string }>(c: T): T => ({
    ...c,
    storageClass: c.storageClass ?? storageClass,
  });
  const store = cfg.thanos.storeGateway;
  const sized = planStoreGateway(
    {
      expectedActiveSeries: cfg.prometheus.expectedActiveSeries,
      scrapeInterval: cfg.prometheus.scrapeInterval,
      retention: cfg.thanos.retention,
      prometheusReplicas: cfg.prometheus.replicas,
      deduplicated: cfg.thanos.compactor.deduplicateReplicas,
    },
    store.resources.limits.memory,
    cfg.thanos.query.maxConcurrent,
  );
  return {
    ...cfg,
    apps: cfg.apps.map((app, i) => ({ ...app, importedRules: imported.apps[i] ?? [] })),
    importedRules: imported.stack,
    dashboards: [],
    prometheus: onClass({
      ...cfg.prometheus,
      retention: cfg.prometheus.retention ?? (cfg.thanos.enabled ? "6d" : "15d"),
      enforcedSampleLimit:
        cfg.prometheus.enforcedSampleLimit ?? largestCoreLimit(coreScrapeLimits(size)).limit,
    }),
    alertmanager: onClass(cfg.alertmanager),
    grafana: { ...cfg.grafana, persistence: onClass(cfg.grafana.persistence) },
    thanos: {
      ...cfg.thanos,
      storeGateway: onClass({
        ...store,
        limits: {
          requestSeries: store.limits.requestSeries ?? sized.requestSeries,
          requestSamples: store.limits.requestSamples ?? sized.requestSamples,
          seriesMaxConcurrency: store.limits.seriesMaxConcurrency ?? sized.seriesMaxConcurrency,
        },
        indexCacheSize: store.indexCacheSize ?? thanosByteSize(sized.indexCacheBytes),
        chunkCacheSize: store.chunkCacheSize ?? thanosByteSize(sized.chunkCacheBytes),
      }),
      compactor: onClass({
        ...cfg.thanos.compactor,
        storageSize:
          cfg.thanos.compactor.storageSize ??
          compactorVolumeFor(cfg.prometheus.expectedActiveSeries, cfg.prometheus.scrapeInterval),
      }),
    },
    cluster: {
      ...cfg.cluster,
      storageClass: {
        ...cfg.cluster.storageClass,
        create: createClass,
        name: storageClass,
      },
      kubeProxyMetrics: cfg.cluster.kubeProxyMetrics ?? !eks,
      size,
    },
  };
}
export type PrometheusConfig = StackConfig["prometheus"];
export type AlertmanagerConfig = StackConfig["alertmanager"];
export type SecurityConfig = StackConfig["security"];
export type ThanosConfig = StackConfig["thanos"];
export type RemoteWriteConfig = StackConfig["remoteWrite"][number];
export type FederationConfig = StackConfig["federation"][number];
export type RelabelConfig = z.infer<typeof relabelConfigSchema>;
export type {
  AlertingConfig,
  AppConfig,
  CustomRuleConfig,
  EndpointConfig,
  ReceiverConfig,
  RoutingConfig,
  WorkloadConfig,
} from "./appSchema";

/** Paths of credentials in a parsed config: each must have come from a Pulumi secret. */
export function credentialPaths(cfg: z.infer<typeof stackConfigSchema>): (string | number)[][] {
  const paths: (string | number)[][] = cfg.remoteWrite.flatMap((rw, i) => {
    if (rw.auth.type === "basic") return [["remoteWrite", i, "auth", "password"]];
    if (rw.auth.type === "bearer") return [["remoteWrite", i, "auth", "token"]];
    return [];
  });
  const receivers = (at: (string | number)[], list: readonly ReceiverConfig[]) =>
    list.forEach((r, j) => {
      for (const { path, source } of receiverCredentials(r)) {
        if (pulumi.Output.isInstance(source)) paths.push([...at, j, ...path]);
      }
    });
  cfg.apps.forEach((app, i) => receivers(["apps", i, "routing", "receivers"], app.routing?.receivers ?? []));
  receivers(["alerting", "receivers"], cfg.alerting.receivers);
  if (pulumi.Output.isInstance(cfg.alerting.heartbeat?.url)) paths.push(["alerting", "heartbeat", "url"]);
  if (pulumi.Output.isInstance(cfg.grafana.sso?.clientSecret)) paths.push(["grafana", "sso", "clientSecret"]);
  if (pulumi.Output.isInstance(cfg.grafana.database?.url)) paths.push(["grafana", "database", "url"]);
  return paths;
}

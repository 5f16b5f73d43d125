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
import { compactorVolumeFor, planStoreGateway, thanosByteSize, quantityBytes } from "./capacity";
import { dnsLabel, relabelConfigSchema, resources, uniqueNames } from "./schemaPrimitives";
import { enforcedLimitProblem, resolveClusterSize } from "./clusterSizeSchema";
import { coreScrapeLimits, largestCoreLimit } from "./scrapeLimits";
import { ingressUrl, webAccessProblems, webAccessSchema } from "./webAccessSchema";
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

import {
  prometheusSchema,
  alertmanagerSchema,
  securitySchema,
  remoteWriteSchema,
  federationSchema,
  clusterSchema,
} from "./coreSchemas";

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
    /** How people reach Prometheus, Alertmanager and Thanos Query: ALBs with OIDC sign-in. */
    webAccess: webAccessSchema.optional(),
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
    for (const p of webAccessProblems(cfg))
      ctx.addIssue({ code: "custom", path: p.path, message: p.message });
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
      externalUrl: cfg.prometheus.externalUrl ?? ingressUrl(cfg.prometheus.ingress),
    }),
    alertmanager: onClass({
      ...cfg.alertmanager,
      externalUrl: cfg.alertmanager.externalUrl ?? ingressUrl(cfg.alertmanager.ingress),
    }),
    grafana: {
      ...cfg.grafana,
      rootUrl: cfg.grafana.rootUrl ?? ingressUrl(cfg.grafana.ingress),
      persistence: onClass(cfg.grafana.persistence),
    },
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

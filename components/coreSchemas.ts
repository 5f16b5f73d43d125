/** The stack's core component schemas: Prometheus, Alertmanager, security, remote write, federation, cluster. */
import { z } from "zod";
import { MAX_RETENTION_SIZE_SHARE, PROMETHEUS_BYTE_SIZE, prometheusBytes, quantityBytes } from "./capacity";
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
} from "./schemaPrimitives";
import { clusterSizeSchema } from "./clusterSizeSchema";
import { externalUrl } from "./schemaPrimitives";
import { uiIngressSchema } from "./webAccessSchema";

export const prometheusSchema = z
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
    /** The URL people open Prometheus at; alerts' links (generatorURL) point there. Default: the ingress's. */
    externalUrl: externalUrl.optional(),
    /** An ALB for people, behind webAccess's sign-in. */
    ingress: uiIngressSchema.optional(),
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

export const alertmanagerSchema = z.strictObject({
  replicas: replicas.default(2),
  retention: duration("like 120h").default("120h"),
  storageSize: storageQuantity.default("2Gi"),
  storageClass: z.string().min(1).optional(),
  resources: resources({ cpu: "50m", memory: "128Mi" }, { cpu: "200m", memory: "256Mi" }),
  /** The URL people open Alertmanager at; notifications link there. Default: the ingress's. */
  externalUrl: externalUrl.optional(),
  /** An ALB for people, behind webAccess's sign-in. */
  ingress: uiIngressSchema.optional(),
});

export const securitySchema = z.strictObject({
  runAsUser: z.int().min(1, { error: "{input} would run as root; use a non-zero UID" }).default(1000),
  runAsGroup: z.int().min(1, { error: "{input} is the root group; use a non-zero GID" }).default(2000),
  fsGroup: z.int().min(1, { error: "{input} is the root group; use a non-zero GID" }).default(2000),
  /**
   * A `kubernetes.io/tls` Secret in the monitoring namespace (tls.crt, tls.key, ca.crt, as cert-manager
   * writes them). When set, Prometheus and Alertmanager serve HTTPS with it.
   */
  webTlsSecretName: dnsLabel.optional(),
});

export const remoteWriteAuth = z.discriminatedUnion(
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

export const remoteWriteSchema = z
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

export const federationSchema = z.strictObject({
  name: dnsLabel,
  url: httpUrl,
  match: z.array(z.string().min(1)).min(1, { error: "needs at least one series selector" }),
  interval: duration("like 1m").default("1m"),
  scrapeTimeout: duration("like 30s").default("30s"),
});

export const clusterSchema = z
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

/**
 * The `thanos` key of the stack config: bucket (versioning, lifecycle, object lock), retention per
 * resolution, auth, and each component's size and limits. Pure zod; components/schema.ts composes it.
 */
import { z } from "zod";
import { uiIngressSchema } from "./webAccessSchema";
import { PROMETHEUS_BYTE_SIZE, durationSeconds } from "./capacity";
import { arn, awsRegion, duration, replicas, resources, storageQuantity } from "./schemaPrimitives";

/** A Thanos byte size (like 512MB or 1GiB): Thanos reads MB as MiB. */
const thanosBytes = z
  .string()
  .regex(PROMETHEUS_BYTE_SIZE, { error: "{input} is not a byte size (like 512MB or 1GiB)" });
const hostPort = z.string().regex(/^(dnssrv\+|dns\+)?[a-zA-Z0-9._-]+:\d+$/, {
  error: "{input} is not a cache address (host:port)",
});

/** The query-frontend's result cache: in the frontend's memory by default, else memcached or Redis. */
const responseCache = z.discriminatedUnion(
  "type",
  [
    z.strictObject({ type: z.literal("in-memory"), maxSize: thanosBytes.default("512MB") }),
    z.strictObject({ type: z.literal("memcached"), addresses: z.array(hostPort).min(1) }),
    z.strictObject({ type: z.literal("redis"), address: hostPort }),
  ],
  { error: "is not a result cache; expected type in-memory, memcached (addresses) or redis (address)" },
);

const positiveCount = (what: string) =>
  z
    .int({ error: `{input} is not a whole number of ${what}` })
    .min(1, { error: `must be at least 1 ${what}` });

const storageFor = (size: string) => ({
  storageSize: storageQuantity.default(size),
  storageClass: z.string().min(1).optional(),
});

export const thanosSchema = z
  .strictObject({
    enabled: z.boolean().default(false),
    /** The bucket's region; also where the objstore endpoint points. */
    region: awsRegion.optional(),
    bucket: z
      .strictObject({
        namePrefix: z
          .string()
          .regex(/^[a-z0-9][a-z0-9-]{1,35}$/, {
            error:
              "{input} is not an S3 bucket name prefix (lower-case letters, digits and '-', at most 36 characters)",
          })
          .default("thanos-metrics"),
        forceDestroy: z.boolean().default(false),
        kmsKeyArn: arn("kms", "arn:aws:kms:eu-west-1:123456789012:key/…").optional(),
        noncurrentVersionExpirationDays: z.int().min(1).default(30),
        abortIncompleteUploadDays: z.int().min(1).default(7),
        /** S3 versioning: what a restore after a bad compaction reads back. Off only in dev. */
        versioning: z.boolean().default(true),
        /** S3 Object Lock: no version can be deleted before `days`, not even by the compactor's role. */
        objectLock: z
          .strictObject({
            mode: z.enum(["governance", "compliance"], {
              error: "{input} is not an object lock mode; expected governance or compliance",
            }),
            days: positiveCount("days"),
          })
          .optional(),
      })
      .prefault({}),
    retention: z
      .strictObject({
        raw: duration().default("30d"),
        "5m": duration().default("180d"),
        "1h": duration().default("2y"),
      })
      .prefault({}),
    auth: z
      .strictObject({
        mode: z
          .enum(["irsa", "accessKey"], { error: "{input} is not an auth mode; expected irsa or accessKey" })
          .default("irsa"),
        oidcProviderArn: arn(
          "iam",
          "arn:aws:iam::123456789012:oidc-provider/oidc.eks.eu-west-1.amazonaws.com/id/…",
        ).optional(),
        oidcProviderUrl: z
          .string()
          .regex(/^(https:\/\/)?[a-z0-9.-]+(\/[A-Za-z0-9/_-]*)?$/, {
            error: "{input} is not an OIDC issuer URL",
          })
          .optional(),
      })
      .prefault({}),
    sidecar: z
      .strictObject({
        // Memory request = limit: it is a container of the Prometheus pod, whose memory is guaranteed.
        resources: resources({ cpu: "50m", memory: "512Mi" }, { cpu: "500m", memory: "512Mi" }),
      })
      .prefault({}),
    query: z
      .strictObject({
        replicas: replicas.default(2),
        resources: resources({ cpu: "200m", memory: "512Mi" }, { cpu: "1", memory: "2Gi" }),
        /** Other clusters' sidecars or queriers (host:port) for a global view. */
        extraEndpoints: z
          .array(
            z.string().regex(/^(dnssrv\+)?[a-zA-Z0-9._-]+(:\d+)?$/, {
              error: "{input} is not a gRPC endpoint (host:port)",
            }),
          )
          .default([]),
        /** `--query.timeout`: a query running longer is cancelled. */
        timeout: duration("like 2m").default("2m"),
        /** `--query.max-concurrent`: queries evaluated at once per replica; more wait in line. */
        maxConcurrent: positiveCount("queries").default(20),
        /** An ALB for people (through the query-frontend, as Grafana reads), behind webAccess's sign-in. */
        ingress: uiIngressSchema.optional(),
      })
      .prefault({}),
    queryFrontend: z
      .strictObject({
        replicas: replicas.default(2),
        resources: resources({ cpu: "100m", memory: "256Mi" }, { cpu: "1", memory: "1Gi" }),
        /** `--query-range.split-interval`: range queries are split (and cached) by this. */
        splitInterval: duration("like 24h").default("24h"),
        cache: responseCache.prefault({ type: "in-memory" }),
      })
      .prefault({}),
    storeGateway: z
      .strictObject({
        replicas: replicas.default(2),
        resources: resources({ cpu: "200m", memory: "1Gi" }, { cpu: "1", memory: "4Gi" }),
        ...storageFor("10Gi"),
        /** Per Series request; derived from the load and the memory limit when absent (components/capacity.ts). */
        limits: z
          .strictObject({
            requestSeries: positiveCount("series").optional(),
            requestSamples: positiveCount("samples").optional(),
            seriesMaxConcurrency: positiveCount("requests").optional(),
          })
          .prefault({}),
        /** In-memory index and chunk caches; derived from the bucket's hot data when absent. */
        indexCacheSize: thanosBytes.optional(),
        chunkCacheSize: thanosBytes.optional(),
      })
      .prefault({}),
    compactor: z
      .strictObject({
        resources: resources({ cpu: "500m", memory: "1Gi" }, { cpu: "2", memory: "4Gi" }),
        /** Scratch space for the largest compaction; default derived from the load, at least 100Gi. */
        storageSize: storageQuantity.optional(),
        storageClass: z.string().min(1).optional(),
        /**
         * Offline deduplication of the Prometheus replicas (`--deduplication.replica-label`, penalty):
         * halves the bucket, irreversibly. Needs bucket versioning; soak it in staging first.
         */
        deduplicateReplicas: z.boolean().default(false),
      })
      .prefault({}),
    grafanaDatasource: z.boolean().default(true),
  })
  .superRefine((t, ctx) => {
    if (!t.enabled) return;
    if (!t.region)
      ctx.addIssue({ code: "custom", path: ["region"], message: "is required when thanos.enabled is true" });
    if (t.auth.mode === "irsa") {
      for (const key of ["oidcProviderArn", "oidcProviderUrl"] as const) {
        if (!t.auth[key]) {
          ctx.addIssue({
            code: "custom",
            path: ["auth", key],
            message: "is required when thanos.auth.mode is irsa",
          });
        }
      }
    }
    if (t.compactor.deduplicateReplicas && !t.bucket.versioning) {
      ctx.addIssue({
        code: "custom",
        path: ["compactor", "deduplicateReplicas"],
        message:
          "needs thanos.bucket.versioning true: deduplication rewrites every block irreversibly, and only the bucket's old versions can undo it",
      });
    }
    if (t.bucket.objectLock && !t.bucket.versioning) {
      ctx.addIssue({
        code: "custom",
        path: ["bucket", "objectLock"],
        message: "needs thanos.bucket.versioning true: S3 Object Lock works on versioned buckets only",
      });
    }
    const seconds = (["raw", "5m", "1h"] as const).map((r) => durationSeconds(t.retention[r]) ?? 0);
    if (seconds[0] > seconds[1] || seconds[1] > seconds[2]) {
      ctx.addIssue({
        code: "custom",
        path: ["retention"],
        message: "must keep coarser resolutions at least as long: raw ≤ 5m ≤ 1h",
      });
    }
  });

/**
 * The command line of each Thanos component. Pure, so specs read the flags; flag names as in the Thanos
 * release of components/versions.ts (query-frontend, store and compact `--help`).
 */
import { stringify } from "yaml";
import type { ThanosConfig } from "./schema";

export { THANOS_PORTS } from "./thanosPorts";
import { THANOS_PORTS } from "./thanosPorts";
/** Service accounts the Thanos workloads run as; the bucket's IAM trust names the ones that read it. */
export const THANOS_SERVICE_ACCOUNTS = {
  query: "thanos-query",
  "query-frontend": "thanos-query-frontend",
  store: "thanos-store",
  compactor: "thanos-compactor",
} as const;
export const OBJSTORE_MOUNT = "/etc/thanos/objstore";
export const DATA_DIR = "/var/thanos/data";

export type ThanosRole = keyof typeof THANOS_SERVICE_ACCOUNTS;

/** Each component's name: its Service, hence the `job` of its targets, and its pods' name label. */
export const thanosName = (role: ThanosRole) => `thanos-${role}`;

/** Query's HTTP API in `namespace`: the frontend's downstream. */
export const thanosQueryUrl = (namespace: string) =>
  `http://${thanosName("query")}.${namespace}.svc:${THANOS_PORTS.http}`;

/** What the flags are made of. */
export interface ThanosFlagsInput {
  readonly config: ThanosConfig;
  /** Must equal the Prometheus `replicaExternalLabelName`: the querier deduplicates on it. */
  readonly replicaLabel: string;
  /** The headless Service in front of the Prometheus Thanos sidecars (the chart's thanos-discovery). */
  readonly sidecarService: string;
}

/** `--query-range.response-cache-config`: in the frontend's memory, or memcached, or Redis. */
export function responseCacheConfig(cache: ThanosConfig["queryFrontend"]["cache"]): string {
  switch (cache.type) {
    case "in-memory":
      return stringify({ type: "IN-MEMORY", config: { max_size: cache.maxSize } });
    case "memcached":
      return stringify({ type: "MEMCACHED", config: { addresses: cache.addresses } });
    case "redis":
      return stringify({ type: "REDIS", config: { addr: cache.address } });
  }
}

/** Arguments of each Thanos component. */
export function thanosArgs(role: ThanosRole, args: ThanosFlagsInput, namespace: string): string[] {
  const cfg = args.config;
  const http = [`--http-address=0.0.0.0:${THANOS_PORTS.http}`, "--log.format=logfmt"];
  const common = [`--grpc-address=0.0.0.0:${THANOS_PORTS.grpc}`, ...http];
  const objstore = `--objstore.config-file=${OBJSTORE_MOUNT}/thanos.yaml`;
  switch (role) {
    case "query":
      return [
        "query",
        ...common,
        `--query.replica-label=${args.replicaLabel}`,
        `--endpoint=dnssrv+_grpc._tcp.${args.sidecarService}.${namespace}.svc.cluster.local`,
        `--endpoint=dnssrv+_grpc._tcp.thanos-store.${namespace}.svc.cluster.local`,
        ...cfg.query.extraEndpoints.map((e) => `--endpoint=${e}`),
        "--query.auto-downsampling",
        `--query.timeout=${cfg.query.timeout}`,
        `--query.max-concurrent=${cfg.query.maxConcurrent}`,
      ];
    case "query-frontend":
      return [
        "query-frontend",
        ...http,
        `--query-frontend.downstream-url=${thanosQueryUrl(namespace)}`,
        `--query-range.split-interval=${cfg.queryFrontend.splitInterval}`,
        `--query-range.response-cache-config=${responseCacheConfig(cfg.queryFrontend.cache)}`,
        "--query-frontend.compress-responses",
      ];
    case "store": {
      const store = cfg.storeGateway;
      return [
        "store",
        ...common,
        `--store.limits.request-series=${store.limits.requestSeries}`,
        `--store.limits.request-samples=${store.limits.requestSamples}`,
        `--store.grpc.series-max-concurrency=${store.limits.seriesMaxConcurrency}`,
        `--index-cache.config=${stringify({ type: "IN-MEMORY", config: { max_size: store.indexCacheSize } })}`,
        `--store.caching-bucket.config=${stringify({ type: "IN-MEMORY", config: { max_size: store.chunkCacheSize } })}`,
        `--data-dir=${DATA_DIR}`,
        objstore,
      ];
    }
    case "compactor":
      return [
        "compact",
        ...http,
        `--data-dir=${DATA_DIR}`,
        objstore,
        "--wait",
        "--wait-interval=5m",
        `--retention.resolution-raw=${cfg.retention.raw}`,
        `--retention.resolution-5m=${cfg.retention["5m"]}`,
        `--retention.resolution-1h=${cfg.retention["1h"]}`,
        // Keep deleted blocks readable for the store gateway's sync interval before removing them.
        "--delete-delay=48h",
        // Opt-in and irreversible (docs/thanos.md): vertical compaction merges the replicas' blocks.
        ...(cfg.compactor.deduplicateReplicas
          ? [`--deduplication.replica-label=${args.replicaLabel}`, "--deduplication.func=penalty"]
          : []),
      ];
  }
}

/**
 * Capacity planning for Prometheus storage: plain arithmetic, no Pulumi.
 *
 * Prometheus needs about `retention seconds ÷ scrape interval × active series × bytes per sample`
 * of disk for its blocks (https://prometheus.io/docs/prometheus/latest/storage/#operational-aspects),
 * plus each block's index, plus the write-ahead log, plus headroom for compaction. Our source guide multiplies retention by the
 * interval instead of dividing, and its worked example (15d, 30s, 100k series, 2 B/sample ≈ 100 GB)
 * is off by an order of magnitude: the right figure is about 8.6 GB.
 */

const GiB = 1024 ** 3;
const MiB = 1024 ** 2;

/** Upper end of the 1–2 bytes per sample that Prometheus' compressed blocks take. */
export const BYTES_PER_SAMPLE = 2;
/** The WAL holds the head block: at least 2h of samples, up to ~3h before a checkpoint truncates it. */
export const WAL_WINDOW_SECONDS = 3 * 3600;
/** A WAL sample record is a series ref, a timestamp and an 8-byte value; Snappy roughly halves it. */
export const WAL_BYTES_PER_SAMPLE = { compressed: 8, uncompressed: 16 } as const;
/**
 * Share of the volume given to `retentionSize`. The rest is room for compaction, which writes the new
 * block before deleting the old ones, and for estimation error. Policies allow at most 90%.
 */
export const RETENTION_SIZE_SHARE = 0.8;
export { MAX_RETENTION_SIZE_SHARE } from "../policies/units";

// The unit parsers live with the policy pack, which must stand alone when published; the program uses the same ones.
export {
  KUBERNETES_BYTE_QUANTITY,
  PROMETHEUS_BYTE_SIZE,
  PROMETHEUS_DURATION,
  durationSeconds,
  isRuleDuration,
  prometheusBytes,
  quantityBytes,
} from "../policies/units";
import { durationSeconds, prometheusBytes, quantityBytes } from "../policies/units";

/** `retentionSize` text for Prometheus: whole GiB where possible, else MiB. */
export function formatRetentionSize(bytes: number): string {
  return bytes % GiB === 0 ? `${bytes / GiB}GiB` : `${Math.floor(bytes / MiB)}MiB`;
}

/**
 * A block's index holds every series active in it: its labels (as symbol references), its postings
 * entries, and one chunk reference per chunk. About 200 bytes a series, plus 16 a chunk of 120 samples.
 */
export const INDEX_BYTES_PER_SERIES = 200;
export const INDEX_BYTES_PER_CHUNK = 16;
export const SAMPLES_PER_CHUNK = 120;
const BLOCK_SECONDS = 2 * 3600;
const MAX_BLOCK_SECONDS = 31 * 86400;

/**
 * How many blocks hold `retentionSeconds` of data. Without local compaction (the operator turns it off
 * when a Thanos sidecar uploads blocks) every block is 2h long; with it, Prometheus merges blocks into
 * ranges of 2h × 3ⁿ up to a tenth of the retention (at most 31d), leaving a few smaller ones.
 */
export function blockCount(retentionSeconds: number, localCompaction: boolean): number {
  if (!localCompaction) return Math.ceil(retentionSeconds / BLOCK_SECONDS);
  const limit = Math.min(Math.max(retentionSeconds / 10, BLOCK_SECONDS), MAX_BLOCK_SECONDS);
  let range = BLOCK_SECONDS;
  while (range * 3 <= limit) range *= 3;
  return Math.ceil(retentionSeconds / range) + 2;
}

export interface StorageInputs {
  retention: string;
  scrapeInterval: string;
  expectedActiveSeries: number;
  walCompression: boolean;
  /**
   * Whether Prometheus compacts its own blocks: false with a Thanos sidecar, which leaves every block
   * 2h long, so the index is repeated in each.
   * @default true
   */
  localCompaction?: boolean;
  /** Set by the stack; derived when absent. */
  retentionSize?: string;
  /** Set by the stack; derived when absent. */
  storageSize?: string;
}

export interface StoragePlan {
  samplesPerSecond: number;
  /** Chunks for the whole retention at BYTES_PER_SAMPLE. */
  estimatedBlockBytes: number;
  /** The blocks' indexes: every active series once per block, and a reference per chunk. */
  estimatedIndexBytes: number;
  estimatedWalBytes: number;
  /** The `retentionSize` Prometheus gets. */
  retentionSize: string;
  /** The volume size each Prometheus replica's PVC requests. */
  storageSize: string;
  retentionSizeDerived: boolean;
  storageSizeDerived: boolean;
  /**
   * Days of data `retentionSize` holds at the expected ingestion rate. Below the configured retention,
   * size-based retention deletes blocks first.
   */
  retentionSizeCoversDays: number;
}

/**
 * Sizes Prometheus' volume and `retentionSize` from the expected load, or fills in whichever of the two
 * the stack left out. Durations and sizes must already be valid (the config schema checks them).
 */
export function planPrometheusStorage(input: StorageInputs): StoragePlan {
  const retentionSeconds = mustParse(durationSeconds, input.retention, "retention");
  const intervalSeconds = mustParse(durationSeconds, input.scrapeInterval, "scrapeInterval");
  const samplesPerSecond = input.expectedActiveSeries / intervalSeconds;
  const estimatedBlockBytes = retentionSeconds * samplesPerSecond * BYTES_PER_SAMPLE;
  const walBytesPerSample = input.walCompression
    ? WAL_BYTES_PER_SAMPLE.compressed
    : WAL_BYTES_PER_SAMPLE.uncompressed;
  const estimatedWalBytes = WAL_WINDOW_SECONDS * samplesPerSecond * walBytesPerSample;
  const blocks = blockCount(retentionSeconds, input.localCompaction ?? true);
  const chunksPerSeries = Math.max(blocks, retentionSeconds / intervalSeconds / SAMPLES_PER_CHUNK);
  const estimatedIndexBytes =
    input.expectedActiveSeries * (blocks * INDEX_BYTES_PER_SERIES + chunksPerSeries * INDEX_BYTES_PER_CHUNK);

  let retentionSizeBytes: number;
  let storageBytes: number;
  if (input.retentionSize !== undefined) {
    retentionSizeBytes = mustParse(prometheusBytes, input.retentionSize, "retentionSize");
  } else if (input.storageSize !== undefined) {
    retentionSizeBytes = Math.floor((quantityBytes(input.storageSize)! * RETENTION_SIZE_SHARE) / MiB) * MiB;
  } else {
    // Prometheus counts the index and the WAL against retentionSize, so the estimate includes them.
    const bytes = estimatedBlockBytes + estimatedIndexBytes + estimatedWalBytes;
    retentionSizeBytes = Math.max(1, Math.ceil(bytes / GiB)) * GiB;
  }
  if (input.storageSize !== undefined) {
    storageBytes = mustParse(quantityBytes, input.storageSize, "storageSize");
  } else {
    storageBytes = Math.ceil(retentionSizeBytes / RETENTION_SIZE_SHARE / GiB) * GiB;
  }

  const bytesPerDay = ((estimatedBlockBytes + estimatedIndexBytes) / retentionSeconds) * 86400;
  return {
    samplesPerSecond,
    estimatedBlockBytes,
    estimatedIndexBytes,
    estimatedWalBytes,
    retentionSize: input.retentionSize ?? formatRetentionSize(retentionSizeBytes),
    storageSize: input.storageSize ?? `${storageBytes / GiB}Gi`,
    retentionSizeDerived: input.retentionSize === undefined,
    storageSizeDerived: input.storageSize === undefined,
    retentionSizeCoversDays: Math.floor(Math.max(0, retentionSizeBytes - estimatedWalBytes) / bytesPerDay),
  };
}

function mustParse(parse: (s: string) => number | undefined, value: string, what: string): number {
  const parsed = parse(value);
  if (parsed === undefined)
    throw new Error(`planPrometheusStorage: ${what} ${JSON.stringify(value)} is invalid`);
  return parsed;
}

/** Thanos compacts raw blocks up to 14 days long; 2 B a sample is the upper end for TSDB blocks. */
const LARGEST_COMPACTION_SECONDS = 14 * 86400;
/** Thanos' own advice for the compactor's scratch space. */
export const MIN_COMPACTOR_BYTES = 100 * GiB;

/**
 * The compactor's volume: it downloads every source block of the largest compaction (14 days of raw
 * samples) and writes the result beside them; the index adds about a tenth. Never below Thanos'
 * recommended 100Gi.
 */
export function compactorVolumeFor(expectedActiveSeries: number, scrapeInterval: string): string {
  const interval = durationSeconds(scrapeInterval) ?? 30;
  const blocks = (LARGEST_COMPACTION_SECONDS / interval) * expectedActiveSeries * BYTES_PER_SAMPLE;
  const needed = blocks * 2 * 1.1;
  return `${Math.ceil(Math.max(needed, MIN_COMPACTOR_BYTES) / GiB)}Gi`;
}

/**
 * The bucket and the store gateway (docs/thanos.md, "Read path sizing"). Thanos keeps every resolution
 * for its own retention; a downsampled point is 5 aggregates (count, sum, min, max, counter), each a
 * sample, so 5 × BYTES_PER_SAMPLE. Each Prometheus replica is its own stream of blocks unless the
 * compactor deduplicates them into one. Indexes: one compacted 14-day block per stream and resolution,
 * each INDEX_BYTES_PER_SERIES a series plus INDEX_BYTES_PER_CHUNK a chunk.
 */
export const DOWNSAMPLED_BYTES_PER_POINT = 5 * BYTES_PER_SAMPLE;
const RESOLUTION_SECONDS = { "5m": 300, "1h": 3600 } as const;
/** The window dashboards read most: two weeks, also the largest raw block the compactor makes. */
export const HOT_WINDOW_SECONDS = LARGEST_COMPACTION_SECONDS;
/** Thanos' own default in-memory index cache: never derive less. */
export const MIN_INDEX_CACHE_BYTES = 250 * MiB;
export const MIN_CHUNK_CACHE_BYTES = 64 * MiB;
/** Each cache gets at most this share of the store gateway's memory limit; queries get the rest. */
export const STORE_CACHE_SHARE = 0.25;

export interface BucketInputs {
  expectedActiveSeries: number;
  scrapeInterval: string;
  retention: { raw: string; "5m": string; "1h": string };
  /** Prometheus replicas: one stream of blocks each. */
  prometheusReplicas: number;
  /** The compactor deduplicates the replicas into one stream. */
  deduplicated: boolean;
}

export interface BucketPlan {
  streams: number;
  rawBytes: number;
  fiveMinuteBytes: number;
  oneHourBytes: number;
  indexBytes: number;
  totalBytes: number;
}

/** The bucket's size once every resolution has reached its retention. */
export function expectedBucket(input: BucketInputs): BucketPlan {
  const interval = durationSeconds(input.scrapeInterval) ?? 30;
  const streams = input.deduplicated ? 1 : input.prometheusReplicas;
  const series = input.expectedActiveSeries * streams;
  const seconds = (r: keyof BucketInputs["retention"]) => durationSeconds(input.retention[r]) ?? 0;
  const points = { raw: seconds("raw") / interval, "5m": 0, "1h": 0 };
  for (const r of ["5m", "1h"] as const) points[r] = seconds(r) / RESOLUTION_SECONDS[r];
  let indexBytes = 0;
  for (const r of ["raw", "5m", "1h"] as const) {
    const blocks = Math.ceil(seconds(r) / LARGEST_COMPACTION_SECONDS);
    indexBytes +=
      series * (blocks * INDEX_BYTES_PER_SERIES + (points[r] / SAMPLES_PER_CHUNK) * INDEX_BYTES_PER_CHUNK);
  }
  const rawBytes = series * points.raw * BYTES_PER_SAMPLE;
  const fiveMinuteBytes = series * points["5m"] * DOWNSAMPLED_BYTES_PER_POINT;
  const oneHourBytes = series * points["1h"] * DOWNSAMPLED_BYTES_PER_POINT;
  return {
    streams,
    rawBytes,
    fiveMinuteBytes,
    oneHourBytes,
    indexBytes,
    totalBytes: rawBytes + fiveMinuteBytes + oneHourBytes + indexBytes,
  };
}

export interface StoreGatewayPlan {
  /** `--store.limits.request-series`: every active series of every stream; more is a runaway selector. */
  requestSeries: number;
  /** `--store.limits.request-samples`: what the memory left after the caches holds per concurrent request. */
  requestSamples: number;
  /** `--store.grpc.series-max-concurrency`: as many as one Query replica runs queries at once. */
  seriesMaxConcurrency: number;
  /** The newest 14-day raw block's index, per stream, within its share of memory. */
  indexCacheBytes: number;
  /** A day of raw chunks (what a day-split frontend query re-reads), within its share of memory. */
  chunkCacheBytes: number;
  /** The hot working set before the memory caps: above the caches, an external cache pays. */
  hotIndexBytes: number;
  hotChunkBytes: number;
}

export function planStoreGateway(
  bucket: BucketInputs,
  memoryLimit: string,
  queryMaxConcurrent: number,
): StoreGatewayPlan {
  const interval = durationSeconds(bucket.scrapeInterval) ?? 30;
  const series = bucket.expectedActiveSeries * (bucket.deduplicated ? 1 : bucket.prometheusReplicas);
  const memory = quantityBytes(memoryLimit) ?? GiB;
  const hotIndexBytes =
    series *
    (INDEX_BYTES_PER_SERIES + (HOT_WINDOW_SECONDS / interval / SAMPLES_PER_CHUNK) * INDEX_BYTES_PER_CHUNK);
  const hotChunkBytes = series * (86400 / interval) * BYTES_PER_SAMPLE;
  const cap = memory * STORE_CACHE_SHARE;
  const cache = (hot: number, floor: number) => Math.floor(Math.max(floor, Math.min(hot, cap)) / MiB) * MiB;
  const forQueries = memory * (1 - 2 * STORE_CACHE_SHARE);
  return {
    requestSeries: Math.ceil(series),
    requestSamples: Math.floor(forQueries / queryMaxConcurrent / BYTES_PER_SAMPLE),
    seriesMaxConcurrency: queryMaxConcurrent,
    indexCacheBytes: cache(hotIndexBytes, MIN_INDEX_CACHE_BYTES),
    chunkCacheBytes: cache(hotChunkBytes, MIN_CHUNK_CACHE_BYTES),
    hotIndexBytes,
    hotChunkBytes,
  };
}

/** A Thanos byte size: whole MiB, written MB (Thanos reads MB as 2^20 bytes). */
export const thanosByteSize = (bytes: number) => `${Math.floor(bytes / MiB)}MB`;

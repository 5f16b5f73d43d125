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

import { strict as assert } from "node:assert";
import {
  durationSeconds,
  formatRetentionSize,
  blockCount,
  compactorVolumeFor,
  planPrometheusStorage,
  prometheusBytes,
  quantityBytes,
} from "../components/capacity";

const GiB = 1024 ** 3;

describe("capacity planning", () => {
  it("reads Prometheus durations, largest unit first", () => {
    assert.equal(durationSeconds("15d"), 15 * 86400);
    assert.equal(durationSeconds("1h30m"), 5400);
    assert.equal(durationSeconds("1y2w"), 365 * 86400 + 14 * 86400);
    assert.equal(durationSeconds("500ms"), 0.5);
    assert.equal(durationSeconds(""), undefined);
    assert.equal(durationSeconds("30m1h"), undefined);
    assert.equal(durationSeconds("15 days"), undefined);
  });

  it("reads Prometheus byte sizes as base 2, as Prometheus does", () => {
    assert.equal(prometheusBytes("45GiB"), 45 * GiB);
    assert.equal(prometheusBytes("45GB"), 45 * GiB);
    assert.equal(prometheusBytes("512MB"), 512 * 1024 ** 2);
    assert.equal(prometheusBytes("45G"), undefined);
  });

  it("reads Kubernetes quantities, binary and decimal", () => {
    assert.equal(quantityBytes("50Gi"), 50 * GiB);
    assert.equal(quantityBytes("50G"), 50e9);
    assert.equal(quantityBytes("512Mi"), 512 * 1024 ** 2);
    assert.equal(quantityBytes("1.5Ti"), 1.5 * 1024 ** 4);
    assert.equal(quantityBytes("50GiB"), undefined);
  });

  it("sizes the guide's example at about 8.6 GB of blocks, not 100 GB", () => {
    const plan = planPrometheusStorage({
      retention: "15d",
      scrapeInterval: "30s",
      expectedActiveSeries: 100_000,
      walCompression: true,
    });
    // 1,296,000 s ÷ 30 s × 100,000 series × 2 B = 8.64 GB
    assert.equal(plan.estimatedBlockBytes, 8.64e9);
    assert.equal(Math.round(plan.samplesPerSecond), 3333);
    // 3 h of samples at 8 B in the compressed WAL
    assert.equal(Math.round(plan.estimatedWalBytes), Math.round(10800 * (100_000 / 30) * 8));
    // Compacted into 18h blocks (the largest 2h × 3ⁿ within a tenth of 15d): 20 of them and 2 smaller.
    // Index: 100,000 × (22 blocks × 200 B + 360 chunks × 16 B) = 1.016 GB
    assert.equal(plan.estimatedIndexBytes, 1.016e9);
    // 8.64e9 + 1.016e9 + 0.288e9 B = 9.26 GiB → 10GiB; the volume keeps 20% free: 10 ÷ 0.8 = 12.5 → 13Gi
    assert.equal(plan.retentionSize, "10GiB");
    assert.equal(plan.storageSize, "13Gi");
    assert.ok(plan.retentionSizeDerived && plan.storageSizeDerived);
    // Rounding up to whole GiB buys a day: (10 GiB − WAL) ÷ 0.644 GB a day = 16.2
    assert.equal(plan.retentionSizeCoversDays, 16);
  });

  it("counts an uncompressed WAL at twice the size", () => {
    const base = { retention: "1d", scrapeInterval: "15s", expectedActiveSeries: 1_000_000 };
    const compressed = planPrometheusStorage({ ...base, walCompression: true });
    const raw = planPrometheusStorage({ ...base, walCompression: false });
    assert.equal(raw.estimatedWalBytes, 2 * compressed.estimatedWalBytes);
  });

  it("derives retentionSize as 80% of a given volume", () => {
    const plan = planPrometheusStorage({
      retention: "2d",
      scrapeInterval: "30s",
      expectedActiveSeries: 50_000,
      walCompression: true,
      storageSize: "10Gi",
    });
    assert.equal(plan.retentionSize, "8GiB");
    assert.equal(plan.storageSize, "10Gi");
    assert.deepEqual([plan.retentionSizeDerived, plan.storageSizeDerived], [true, false]);
  });

  it("derives the volume from a given retentionSize", () => {
    const plan = planPrometheusStorage({
      retention: "30d",
      scrapeInterval: "30s",
      expectedActiveSeries: 100_000,
      walCompression: true,
      retentionSize: "45GiB",
    });
    assert.equal(plan.retentionSize, "45GiB");
    assert.equal(plan.storageSize, "57Gi");
  });

  it("writes MiB when a derived size is not whole GiB", () => {
    assert.equal(formatRetentionSize(2 * GiB), "2GiB");
    assert.equal(formatRetentionSize(1.6 * GiB), "1638MiB");
    const small = planPrometheusStorage({
      retention: "1d",
      scrapeInterval: "30s",
      expectedActiveSeries: 1000,
      walCompression: true,
      storageSize: "2Gi",
    });
    assert.equal(small.retentionSize, "1638MiB");
  });

  it("reports how many days a too-small retentionSize really keeps", () => {
    const plan = planPrometheusStorage({
      retention: "30d",
      scrapeInterval: "15s",
      expectedActiveSeries: 1_000_000,
      walCompression: true,
      storageSize: "100Gi",
    });
    // 80Gi minus the WAL, at 86400 ÷ 15 × 1e6 × 2 B ≈ 11.5 GB a day
    assert.equal(plan.retentionSizeCoversDays, 6);
  });

  it("counts the index once per block: 2h blocks with a Thanos sidecar, compacted ones without", () => {
    assert.equal(blockCount(6 * 86400, false), 72);
    // 6d: ranges up to a tenth (14.4h), so 6h blocks: 24 of them and 2 smaller
    assert.equal(blockCount(6 * 86400, true), 26);
    assert.equal(blockCount(2 * 3600, true), 3);
    const base = {
      retention: "6d",
      scrapeInterval: "30s",
      expectedActiveSeries: 400_000,
      walCompression: true,
    };
    const sidecar = planPrometheusStorage({ ...base, localCompaction: false });
    const local = planPrometheusStorage(base);
    // 400,000 × (72 × 200 B + 144 chunks × 16 B) = 6.68 GB, against 400,000 × (26 × 200 + 144 × 16) = 3.0 GB
    assert.equal(sidecar.estimatedIndexBytes, 6.6816e9);
    assert.equal(local.estimatedIndexBytes, 3.0016e9);
    // 13.82 GB of chunks and 1.15 GB of WAL besides: 21.66 GB → 21GiB → 27Gi; 17.98 GB → 17GiB → 22Gi
    assert.deepEqual([sidecar.retentionSize, sidecar.storageSize], ["21GiB", "27Gi"]);
    assert.deepEqual([local.retentionSize, local.storageSize], ["17GiB", "22Gi"]);
  });

  it("sizes the compactor for 14 days of raw samples at 2 B, twice, plus a tenth, never below 100Gi", () => {
    // 1M series every 30s: 40,320 samples a series in 14 days × 2 B = 80.6 GB of source blocks;
    // twice that plus a tenth is 177.4 GB = 165.2 GiB → 166Gi. Every 15s: twice the samples.
    assert.deepEqual(
      [
        compactorVolumeFor(1_000_000, "30s"),
        compactorVolumeFor(1_000_000, "15s"),
        compactorVolumeFor(1_000_000, "not a duration"),
        compactorVolumeFor(1_000_000, "1m"),
        compactorVolumeFor(605_000, "30s"),
        compactorVolumeFor(606_000, "30s"),
      ],
      ["166Gi", "331Gi", "166Gi", "100Gi", "100Gi", "101Gi"],
    );
  });
});

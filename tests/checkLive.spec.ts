import { strict as assert } from "node:assert";
import { familyType } from "../plan/checkLive";

describe("check --prometheus-url: metric types by family", () => {
  const metadata = new Map([
    ["kubelet_evictions", "counter"],
    ["http_requests", "counter"],
    ["node_memory_Active_bytes", "gauge"],
    ["http_request_duration_seconds", "histogram"],
    ["rpc_duration_seconds", "summary"],
  ] as const);
  const typeOf = (metric: string) => familyType(new Map(metadata), metric);

  it("looks metrics up by family: x covers x_total, a histogram its _bucket, _sum and _count", () => {
    assert.deepEqual(
      [
        "kubelet_evictions",
        "http_requests_total",
        "node_memory_Active_bytes",
        "http_request_duration_seconds_bucket",
        "http_request_duration_seconds_sum",
        "http_request_duration_seconds_count",
        "rpc_duration_seconds_count",
        "rpc_duration_seconds_bucket",
        "node_memory_Active_bytes_total",
        "unknown_metric_total",
      ].map(typeOf),
      [
        "counter",
        "counter",
        "gauge",
        "counter",
        "counter",
        "counter",
        "counter",
        undefined,
        undefined,
        undefined,
      ],
    );
  });
});

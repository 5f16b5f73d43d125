/**
 * core-scrape-limits target by target: each core monitor's limit missing, the enforced limit at and
 * below each. No plan; mutation testing runs it for policies/scrapeLimits.ts.
 */
import { strict as assert } from "node:assert";
import { CORE_LIMIT_PATHS, coreScrapeLimits } from "../../policies/scrapeLimits";
import type { Json } from "../../policies/util";
import { resourceOf, violationsOf } from "../helpers/policies";

const RELEASE = "kubernetes:helm.sh/v3:Release";
/** Values with every core limit set, `limits[target]` where given and 5000 elsewhere. */
function values(enforced: unknown, limits: Record<string, unknown> = {}): Json {
  const v: Json = { prometheus: { prometheusSpec: { enforcedSampleLimit: enforced } } };
  for (const [target, path] of Object.entries(CORE_LIMIT_PATHS)) {
    const keys = path.split(".");
    let at = v;
    for (const k of keys.slice(0, -1)) at = (at[k] ??= {}) as Json;
    at[keys.at(-1)!] = target in limits ? limits[target] : 5000;
  }
  return v;
}
const found = (v: Json, config = {}, chart = "kube-prometheus-stack", type = RELEASE) =>
  violationsOf(coreScrapeLimits, [resourceOf(type, "kps", { chart, values: v })], config);
const messages = (v: Json) => found(v).map((x) => x.message);

/** The core targets and where the chart takes each one's limit (components/scrapeLimits.ts sets them). */
const TARGETS: [string, string][] = [
  ["kubeStateMetrics", "kube-state-metrics.prometheus.monitor.sampleLimit"],
  ["kubelet", "kubelet.serviceMonitor.sampleLimit"],
  ["apiServer", "kubeApiServer.serviceMonitor.sampleLimit"],
  ["nodeExporter", "prometheus-node-exporter.prometheus.monitor.sampleLimit"],
  ["coreDns", "coreDns.serviceMonitor.sampleLimit"],
  ["operator", "prometheusOperator.serviceMonitor.sampleLimit"],
  ["prometheus", "prometheus.serviceMonitor.sampleLimit"],
  ["alertmanager", "alertmanager.serviceMonitor.sampleLimit"],
];

describe("policy core-scrape-limits (unit)", () => {
  it("passes every core limit under an enforced limit at least as high, or 0, or none", () => {
    assert.deepEqual(messages(values(5000)), []);
    assert.deepEqual(messages(values(0, { apiServer: 70_000 })), []);
    assert.deepEqual(messages(values(undefined, { apiServer: 70_000 })), []);
    assert.deepEqual(messages(values("70000", { apiServer: 70_000 })), []);
  });

  for (const [target, path] of TARGETS) {
    it(`names ${target}'s limit at values.${path} when it is missing or 0`, () => {
      const expected = [
        `Helm release kps: values.${path} is not set; ${target} would scrape without a limit of its own (components/scrapeLimits.ts derives it from cluster.size).`,
      ];
      assert.deepEqual(messages(values(5000, { [target]: undefined })), expected);
      assert.deepEqual(messages(values(5000, { [target]: 0 })), expected);
    });
    it(`refuses an enforced limit one below ${target}'s`, () =>
      assert.deepEqual(messages(values(5000, { [target]: 5001 })), [
        `Helm release kps: enforcedSampleLimit 5000 is below ${target}'s sampleLimit 5001 (values.${path}); the lower applies, so its scrapes above 5000 series are dropped whole. Set prometheus.enforcedSampleLimit to at least 5001, or 0.`,
      ]));
  }

  it("reads kube-prometheus-stack releases only, and is mandatory unless configured under its name", () => {
    assert.deepEqual(found(values(1), {}, "loki"), []);
    assert.deepEqual(found(values(1), {}, "kube-prometheus-stack", "kubernetes:core/v1:ConfigMap"), []);
    assert.deepEqual(
      found(values(1)).map((v) => v.enforcementLevel),
      Array(8).fill("mandatory"),
    );
    assert.deepEqual(
      found(values(1), { "core-scrape-limits": "advisory" }).map((v) => v.enforcementLevel),
      Array(8).fill("advisory"),
    );
  });
});

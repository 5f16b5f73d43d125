/**
 * workload-resource-limits and monitoring-resource-limits component by component: every resource path
 * each chart runs and when it runs, each workload kind, each default ceiling and the order ceilings are
 * looked up in. No plan; mutation testing runs it with tests/policies/resources.spec.ts.
 */
import { strict as assert } from "node:assert";
import { monitoringResourceLimits, workloadResourceLimits } from "../../policies/resources";
import type { Json } from "../../policies/util";
import { resourceOf, violationsOf } from "../helpers/policies";

const RELEASE = "kubernetes:helm.sh/v3:Release";
const RES = { requests: { cpu: "100m", memory: "128Mi" }, limits: { cpu: "1", memory: "256Mi" } };
const RAISE = "raise it in the stack's policy config (ceilings) if the capacity plan says so.";

/** The kube-prometheus-stack paths the policy reads, each with the values key that turns it off. */
const KPS_PATHS: [string, ((values: Json) => void) | undefined][] = [
  ["prometheusOperator.resources", undefined],
  ["prometheusOperator.prometheusConfigReloader.resources", undefined],
  ["prometheusOperator.admissionWebhooks.patch.resources", undefined],
  ["prometheus.prometheusSpec.resources", undefined],
  [
    "prometheus.prometheusSpec.thanos.resources",
    (v) => delete ((v.prometheus as Json).prometheusSpec as Json).thanos,
  ],
  ["alertmanager.alertmanagerSpec.resources", (v) => set(v, "alertmanager.enabled", false)],
  ["grafana.resources", (v) => set(v, "grafana.enabled", false)],
  ["grafana.sidecar.resources", (v) => set(v, "grafana.enabled", false)],
  ["kube-state-metrics.resources", (v) => set(v, "kubeStateMetrics.enabled", false)],
  ["prometheus-node-exporter.resources", (v) => set(v, "nodeExporter.enabled", false)],
];
const set = (values: Json, path: string, value: unknown) => {
  const keys = path.split(".");
  let at = values;
  for (const k of keys.slice(0, -1)) at = (at[k] ??= {}) as Json;
  at[keys.at(-1)!] = value;
  return values;
};
const fullKps = (): Json => KPS_PATHS.reduce((v, [path]) => set(v, path, structuredClone(RES)), {} as Json);
const release = (values: Json, chart = "kube-prometheus-stack") =>
  resourceOf(RELEASE, "kps", { chart, values });
const helm = (values: Json, chart?: string, config = {}) =>
  violationsOf(monitoringResourceLimits, [release(values, chart)], config).map((v) => v.message);

describe("policy monitoring-resource-limits (unit)", () => {
  it("passes a release whose every component has requests and limits", () =>
    assert.deepEqual(helm(fullKps()), []));

  for (const [path, off] of KPS_PATHS) {
    it(`names ${path} when it has none${off ? ", unless the component is off" : ""}`, () => {
      const values = set(fullKps(), path, undefined);
      assert.deepEqual(helm(values), [
        `Helm release kps (kube-prometheus-stack): ${path} has no requests.cpu, requests.memory, limits.memory, limits.cpu.`,
      ]);
      if (off) {
        const turnedOff = structuredClone(values);
        off(turnedOff);
        assert.deepEqual(helm(turnedOff), [], "off");
      }
    });
  }

  it("keeps a component that says enabled: true, or anything but false", () => {
    const values = set(set(fullKps(), "grafana.enabled", "false"), "grafana.resources", undefined);
    assert.deepEqual(helm(values), [
      "Helm release kps (kube-prometheus-stack): grafana.resources has no requests.cpu, requests.memory, limits.memory, limits.cpu.",
    ]);
  });

  it("reads each exporter chart's top-level resources, nothing of the CRD chart, and refuses a chart it does not know", () => {
    for (const chart of ["prometheus-blackbox-exporter", "prometheus-pushgateway"]) {
      assert.deepEqual(helm({ resources: RES }, chart), []);
      assert.deepEqual(helm({ resources: { requests: { cpu: "1" } } }, chart), [
        `Helm release kps (${chart}): resources has no requests.memory, limits.memory, limits.cpu.`,
      ]);
    }
    assert.deepEqual(helm({}, "prometheus-operator-crds"), []);
    assert.deepEqual(helm({}, ""), [
      'Helm release kps: chart "" is not known to this policy; list the resource paths of its components in CHART_COMPONENTS (policies/resources.ts).',
    ]);
    assert.deepEqual(violationsOf(monitoringResourceLimits, [resourceOf(RELEASE, "kps", {})]).length, 1);
    assert.deepEqual(
      violationsOf(monitoringResourceLimits, [
        resourceOf("kubernetes:core/v1:ConfigMap", "c", { chart: "loki" }),
      ]),
      [],
    );
  });

  it("asks no CPU limit when told, and holds each component to its own default ceiling", () => {
    const noCpuLimit = set(fullKps(), "prometheus.prometheusSpec.resources", {
      requests: RES.requests,
      limits: { memory: "1Gi" },
    });
    assert.deepEqual(
      helm(noCpuLimit, undefined, { "monitoring-resource-limits": { requireCpuLimit: false } }),
      [],
    );
    const at = (path: string, cpu: string, memory: string) =>
      helm(set(fullKps(), path, { requests: { cpu, memory }, limits: { cpu, memory } }));
    // Exactly at the ceiling passes; above it is named, requests and limits each.
    assert.deepEqual(at("prometheus.prometheusSpec.resources", "32", "256Gi"), []);
    assert.deepEqual(at("prometheus.prometheusSpec.resources", "32001m", "257Gi"), [
      `Helm release kps (kube-prometheus-stack): prometheus.prometheusSpec.resources: requests.cpu 32001m is above the prometheus ceiling of 32; ${RAISE}`,
      `Helm release kps (kube-prometheus-stack): prometheus.prometheusSpec.resources: requests.memory 257Gi is above the prometheus ceiling of 256Gi; ${RAISE}`,
      `Helm release kps (kube-prometheus-stack): prometheus.prometheusSpec.resources: limits.cpu 32001m is above the prometheus ceiling of 32; ${RAISE}`,
      `Helm release kps (kube-prometheus-stack): prometheus.prometheusSpec.resources: limits.memory 257Gi is above the prometheus ceiling of 256Gi; ${RAISE}`,
    ]);
    assert.deepEqual(at("grafana.resources", "8", "32Gi"), []);
    assert.deepEqual(at("grafana.resources", "9", "32Gi").length, 2);
  });
});

describe("policy workload-resource-limits (unit)", () => {
  const KINDS: [string, string[]][] = [
    ["kubernetes:core/v1:Pod", ["spec"]],
    ["kubernetes:apps/v1:Deployment", ["spec", "template", "spec"]],
    ["kubernetes:apps/v1:StatefulSet", ["spec", "template", "spec"]],
    ["kubernetes:apps/v1:DaemonSet", ["spec", "template", "spec"]],
    ["kubernetes:apps/v1:ReplicaSet", ["spec", "template", "spec"]],
    ["kubernetes:batch/v1:Job", ["spec", "template", "spec"]],
    ["kubernetes:batch/v1:CronJob", ["spec", "jobTemplate", "spec", "template", "spec"]],
  ];
  const workload = (type: string, path: string[], pod: Json, name?: string) =>
    resourceOf(type, "w", {
      ...(name ? { metadata: { name } } : {}),
      ...set({}, path.join("."), pod),
    });
  const found = (resources: ReturnType<typeof workload>[], config = {}) =>
    violationsOf(workloadResourceLimits, resources, config).map((v) => v.message);

  for (const [type, path] of KINDS) {
    const kind = type.split(":").pop();
    it(`reads a ${kind}'s containers and init containers`, () => {
      assert.deepEqual(found([workload(type, path, { containers: [{ name: "a", resources: RES }] })]), []);
      assert.deepEqual(
        found([
          workload(type, path, {
            containers: [{ name: "a" }],
            initContainers: [{ resources: { requests: RES.requests } }],
          }),
        ]),
        [
          `${kind} w: container "a" has no requests.cpu, requests.memory, limits.memory, limits.cpu; set resources.requests.cpu so the scheduler can place it and the kernel can bound it.`,
          `${kind} w: init container "?" has no limits.memory, limits.cpu; set resources.limits.memory so the scheduler can place it and the kernel can bound it.`,
        ],
      );
    });
  }

  it("leaves other kinds alone, and asks no CPU limit when told", () => {
    assert.deepEqual(
      found([workload("kubernetes:core/v1:Service", ["spec"], { containers: [{ name: "a" }] })]),
      [],
    );
    const noCpu = { requests: RES.requests, limits: { memory: "1Gi" } };
    const pod = workload("kubernetes:core/v1:Pod", ["spec"], {
      containers: [{ name: "a", resources: noCpu }],
    });
    assert.deepEqual(found([pod], { "workload-resource-limits": { requireCpuLimit: false } }), []);
  });

  it("looks a workload's ceiling up by its name: configured, then the default ceilings', then the configured default", () => {
    const big = { requests: { cpu: "12", memory: "100Gi" }, limits: { cpu: "12", memory: "100Gi" } };
    const pod = (name?: string) =>
      workload(
        "kubernetes:apps/v1:Deployment",
        ["spec", "template", "spec"],
        { containers: [{ name: "c", resources: big }] },
        name,
      );
    const ceilings = (c: Json) => ({ "workload-resource-limits": { ceilings: c } });
    assert.deepEqual(found([pod("thanos-store")]), []);
    assert.deepEqual(found([pod("thanos-compactor")]), [
      `Deployment w: container "c": requests.cpu 12 is above the thanos-compactor ceiling of 8; ${RAISE}`,
      `Deployment w: container "c": requests.memory 100Gi is above the thanos-compactor ceiling of 64Gi; ${RAISE}`,
      `Deployment w: container "c": limits.cpu 12 is above the thanos-compactor ceiling of 8; ${RAISE}`,
      `Deployment w: container "c": limits.memory 100Gi is above the thanos-compactor ceiling of 64Gi; ${RAISE}`,
    ]);
    assert.deepEqual(found([pod("thanos-query")]).length, 2);
    assert.deepEqual(
      found([pod("thanos-query")], ceilings({ "thanos-query": { cpu: "12", memory: "100Gi" } })),
      [],
    );
    assert.deepEqual(found([pod("web")], ceilings({ default: { cpu: "12", memory: "100Gi" } })), []);
    // A configured default does not lower a component's own default ceiling.
    assert.deepEqual(found([pod("thanos-store")], ceilings({ default: { cpu: "1", memory: "1Gi" } })), []);
    // Without metadata.name, the resource's name.
    assert.deepEqual(
      found([pod()])[0],
      `Deployment w: container "c": requests.cpu 12 is above the w ceiling of 8; ${RAISE}`,
    );
  });
});

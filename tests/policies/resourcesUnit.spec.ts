/**
 * workload-resource-limits and monitoring-resource-limits component by component: every resource path
 * each chart runs and when it runs, each workload kind, each default ceiling and the order ceilings are
 * looked up in. No plan; mutation testing runs it with tests/policies/resources.spec.ts.
 */
import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { PolicyConfigError, loadPolicyConfig } from "../../policies/harness";
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

describe("resource ceilings, component by component (unit)", () => {
  /** Each path of each chart with the component its ceiling is looked up by. */
  const COMPONENTS: [string, string, string][] = [
    ["kube-prometheus-stack", "prometheusOperator.resources", "operator"],
    ["kube-prometheus-stack", "prometheusOperator.prometheusConfigReloader.resources", "config-reloader"],
    [
      "kube-prometheus-stack",
      "prometheusOperator.admissionWebhooks.patch.resources",
      "admission-webhook-patch",
    ],
    ["kube-prometheus-stack", "prometheus.prometheusSpec.resources", "prometheus"],
    ["kube-prometheus-stack", "prometheus.prometheusSpec.thanos.resources", "thanos-sidecar"],
    ["kube-prometheus-stack", "alertmanager.alertmanagerSpec.resources", "alertmanager"],
    ["kube-prometheus-stack", "grafana.resources", "grafana"],
    ["kube-prometheus-stack", "grafana.sidecar.resources", "grafana-sidecar"],
    ["kube-prometheus-stack", "kube-state-metrics.resources", "kube-state-metrics"],
    ["kube-prometheus-stack", "prometheus-node-exporter.resources", "node-exporter"],
    ["prometheus-blackbox-exporter", "resources", "blackbox-exporter"],
    ["prometheus-pushgateway", "resources", "pushgateway"],
  ];
  for (const [chart, path, component] of COMPONENTS) {
    it(`holds ${chart}'s ${path} to the ${component} ceiling`, () => {
      const values = chart === "kube-prometheus-stack" ? fullKps() : { resources: structuredClone(RES) };
      set(values, path, { requests: { cpu: "2", memory: "1Gi" }, limits: { cpu: "1", memory: "1Gi" } });
      const config = {
        "monitoring-resource-limits": { ceilings: { [component]: { cpu: "1", memory: "2Gi" } } },
      };
      const found = violationsOf(monitoringResourceLimits, [release(values, chart)], config);
      assert.deepEqual(
        found.map((v) => [v.enforcementLevel, v.message]),
        [
          [
            "mandatory",
            `Helm release kps (${chart}): ${path}: requests.cpu 2 is above the ${component} ceiling of 1; ${RAISE}`,
          ],
        ],
      );
    });
  }

  /** The default ceilings: exactly at each passes, a step above each is named. */
  const DEFAULTS: [string, string, string, string, string][] = [
    // workload name, cpu ceiling, memory ceiling, a step above each
    ["anything", "8", "32Gi", "8001m", "33Gi"],
    ["prometheus", "32", "256Gi", "32001m", "257Gi"],
    ["thanos-store", "16", "128Gi", "16001m", "129Gi"],
    ["thanos-query", "16", "64Gi", "16001m", "65Gi"],
    ["thanos-compactor", "8", "64Gi", "8001m", "65Gi"],
  ];
  for (const [name, cpu, memory, moreCpu, moreMemory] of DEFAULTS) {
    it(`holds a workload named ${name} to ${cpu} cores and ${memory} by default`, () => {
      const pod = (c: string, m: string) =>
        resourceOf("kubernetes:core/v1:Pod", "p", {
          metadata: { name },
          spec: { containers: [{ resources: { requests: { cpu: c, memory: m }, limits: { memory: m } } }] },
        });
      const messages = (c: string, m: string) =>
        violationsOf(workloadResourceLimits, [pod(c, m)], {
          "workload-resource-limits": { requireCpuLimit: false },
        }).map((v) => [v.enforcementLevel, v.message]);
      assert.deepEqual(messages(cpu, memory), []);
      const above = (what: string) => ["mandatory", `Pod p: container "?": ${what}; ${RAISE}`];
      assert.deepEqual(messages(moreCpu, moreMemory), [
        above(`requests.cpu ${moreCpu} is above the ${name} ceiling of ${cpu}`),
        above(`requests.memory ${moreMemory} is above the ${name} ceiling of ${memory}`),
        above(`limits.memory ${moreMemory} is above the ${name} ceiling of ${memory}`),
      ]);
    });
  }

  it('names a release without a chart as chart ""', () =>
    assert.deepEqual(
      violationsOf(monitoringResourceLimits, [resourceOf(RELEASE, "kps", {})]).map((v) => v.message),
      [
        'Helm release kps: chart "" is not known to this policy; list the resource paths of its components in CHART_COMPONENTS (policies/resources.ts).',
      ],
    ));

  /** The problems loadPolicyConfig finds in a `ceilings` setting of each policy. */
  const ceilingProblems = (ceilings: unknown, extra: object = {}) => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "kube-monitoring-ceilings-"));
    try {
      const settings = { ceilings, ...extra };
      fs.writeFileSync(
        path.join(dir, "config.probe.json"),
        JSON.stringify({
          profile: "dev",
          "workload-resource-limits": settings,
          "monitoring-resource-limits": settings,
        }),
      );
      loadPolicyConfig("probe", dir, [workloadResourceLimits, monitoringResourceLimits], "dev");
      return [];
    } catch (err) {
      if (!(err instanceof PolicyConfigError)) throw err;
      return err.problems.map((p) =>
        p.replace(/^.*config\.probe\.json: /, "").replace(/^\S+-resource-limits\./, ""),
      );
    } finally {
      fs.rmSync(dir, { recursive: true });
    }
  };

  it("takes requireCpuLimit as a boolean only", () =>
    assert.deepEqual(ceilingProblems({}, { requireCpuLimit: "no" }), [
      'requireCpuLimit: "no" must be boolean',
      'requireCpuLimit: "no" must be boolean',
    ]));

  it("takes ceilings of cores (or millicores) and byte quantities, both named, nothing else", () => {
    assert.deepEqual(
      ceilingProblems({ prometheus: { cpu: "1.5", memory: "1.5Gi" }, web: { cpu: "500m", memory: "512M" } }),
      [],
    );
    const bad: [unknown, string][] = [
      [{ web: { cpu: "2 cores", memory: "1Gi" } }, "must match pattern"],
      [{ web: { cpu: "2", memory: "1GB" } }, "must match pattern"],
      [{ web: { cpu: 2, memory: "1Gi" } }, "must be string"],
      [{ web: { cpu: "2", memory: 1 } }, "must be string"],
      [{ web: { cpu: "2" } }, "must have required property 'memory'"],
      [{ web: { memory: "1Gi" } }, "must have required property 'cpu'"],
      [{ web: { cpu: "2", memory: "1Gi", disk: "1Gi" } }, "must NOT have additional properties"],
      [{ web: "2" }, "must be object"],
      [[], "must be object"],
    ];
    for (const [ceilings, why] of bad) {
      const problems = ceilingProblems(ceilings);
      assert.equal(problems.length, 2, JSON.stringify(problems));
      for (const p of problems)
        assert.ok(p.startsWith(`ceilings: ${JSON.stringify(ceilings)} `) && p.includes(why), p);
    }
  });

  it('names an unnamed container above its ceiling as "?"', () =>
    assert.deepEqual(
      violationsOf(workloadResourceLimits, [
        resourceOf("kubernetes:core/v1:Pod", "p", {
          spec: {
            containers: [
              { resources: { requests: { cpu: "9", memory: "1Gi" }, limits: { cpu: "1", memory: "1Gi" } } },
            ],
          },
        }),
      ]).map((v) => v.message),
      [`Pod p: container "?": requests.cpu 9 is above the p ceiling of 8; ${RAISE}`],
    ));
});

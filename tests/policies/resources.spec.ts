import { strict as assert } from "node:assert";
import { monitoringResourceLimits, workloadResourceLimits } from "../../policies/resources";
import { assertNoViolations, assertViolations, changed, resourceOf, violationsOf } from "../helpers/policies";
import type { Loose } from "../helpers/plan";

const res = { requests: { cpu: "100m", memory: "128Mi" }, limits: { cpu: "500m", memory: "256Mi" } };
const deployment: Loose = {
  apiVersion: "apps/v1",
  kind: "Deployment",
  spec: {
    template: {
      spec: {
        containers: [{ name: "app", resources: structuredClone(res) }],
        initContainers: [{ name: "migrate", resources: structuredClone(res) }],
      },
    },
  },
};
const DEPLOYMENT = "kubernetes:apps/v1:Deployment";

describe("policy workload-resource-limits", () => {
  it("passes containers with requests and a memory limit", () => {
    assertNoViolations(workloadResourceLimits, [resourceOf(DEPLOYMENT, "web", deployment)]);
  });

  it("names the container and what it lacks", () => {
    const noLimits = changed(deployment, (d) => delete d.spec.template.spec.containers[0].resources.limits);
    assertViolations(
      workloadResourceLimits,
      [resourceOf(DEPLOYMENT, "web", noLimits)],
      [
        'Deployment web: container "app" has no limits.memory, limits.cpu; set resources.limits.memory so the scheduler can place it and the kernel can bound it.',
      ],
    );
  });

  it("checks init containers and CronJob templates too", () => {
    const init = changed(deployment, (d) => (d.spec.template.spec.initContainers[0].resources = {}));
    assertViolations(
      workloadResourceLimits,
      [resourceOf(DEPLOYMENT, "web", init)],
      [
        /^Deployment web: init container "migrate" has no requests\.cpu, requests\.memory, limits\.memory, limits\.cpu;/,
      ],
    );
    const cron = {
      spec: { jobTemplate: { spec: { template: { spec: { containers: [{ name: "job" }] } } } } },
    };
    assertViolations(
      workloadResourceLimits,
      [resourceOf("kubernetes:batch/v1:CronJob", "nightly", cron)],
      [/^CronJob nightly: container "job" has no/],
    );
  });

  it("requires CPU limits only when configured", () => {
    const noCpuLimit = changed(
      deployment,
      (d) => delete d.spec.template.spec.containers[0].resources.limits.cpu,
    );
    // The pack's default is the strict production setting; dev turns CPU limits off.
    assertViolations(
      workloadResourceLimits,
      [resourceOf(DEPLOYMENT, "web", noCpuLimit)],
      [/container "app" has no limits\.cpu/],
    );
    assertNoViolations(workloadResourceLimits, [resourceOf(DEPLOYMENT, "web", noCpuLimit)], {
      "workload-resource-limits": { requireCpuLimit: false },
    });
  });

  it("copes with a missing spec and reports unknown values as advisory, not as a pass", () => {
    assertNoViolations(workloadResourceLimits, [resourceOf(DEPLOYMENT, "empty", {})]);
    const unknown = changed(deployment, (d) => (d.spec.template.spec.containers[0].resources = "[unknown]"));
    const [v] = violationsOf(workloadResourceLimits, [resourceOf(DEPLOYMENT, "web", unknown)]);
    assert.equal(v.enforcementLevel, "advisory");
    assert.match(v.message, /can't run policy 'workload-resource-limits' during preview: .*resources/);
  });
});

describe("policy monitoring-resource-limits", () => {
  const values: Loose = {
    prometheusOperator: {
      resources: res,
      prometheusConfigReloader: { resources: res },
      admissionWebhooks: { patch: { resources: res } },
    },
    prometheus: { prometheusSpec: { resources: res } },
    alertmanager: { alertmanagerSpec: { resources: res } },
    grafana: { resources: res, sidecar: { resources: res } },
    "kube-state-metrics": { resources: res },
    "prometheus-node-exporter": { resources: res },
  };
  const release = (v: Loose, chart = "kube-prometheus-stack") =>
    resourceOf("kubernetes:helm.sh/v3:Release", "kps", { chart, version: "88.5.3", values: v });

  it("passes a release whose every component has requests and limits", () => {
    assertNoViolations(monitoringResourceLimits, [release(values)]);
  });

  it("names the component path that lacks them", () => {
    const noGrafana = changed(values, (v) => delete v.grafana.sidecar);
    assertViolations(
      monitoringResourceLimits,
      [release(noGrafana)],
      [
        "Helm release kps (kube-prometheus-stack): grafana.sidecar.resources has no requests.cpu, requests.memory, limits.memory, limits.cpu.",
      ],
    );
  });

  it("skips disabled components and checks the Thanos sidecar once enabled", () => {
    const noGrafana = changed(values, (v) => (v.grafana = { enabled: false }));
    assertNoViolations(monitoringResourceLimits, [release(noGrafana)]);
    const thanos = changed(values, (v) => (v.prometheus.prometheusSpec.thanos = { image: "x" }));
    assertViolations(
      monitoringResourceLimits,
      [release(thanos)],
      [/prometheus\.prometheusSpec\.thanos\.resources has no/],
    );
  });

  it("refuses a chart it does not know", () => {
    assertViolations(
      monitoringResourceLimits,
      [release({}, "loki")],
      [/chart "loki" is not known to this policy/],
    );
  });

  it("refuses a request or limit above the component's ceiling, and takes ceilings from the stack's config", () => {
    const huge = changed(values, (v) => {
      v.prometheus.prometheusSpec.resources = { ...res, limits: { cpu: "4", memory: "300Gi" } };
      v.grafana.resources = { ...res, requests: { cpu: "12", memory: "1Gi" } };
    });
    const raise = "raise it in the stack's policy config (ceilings) if the capacity plan says so.";
    assertViolations(
      monitoringResourceLimits,
      [release(huge)],
      [
        `Helm release kps (kube-prometheus-stack): prometheus.prometheusSpec.resources: limits.memory 300Gi is above the prometheus ceiling of 256Gi; ${raise}`,
        `Helm release kps (kube-prometheus-stack): grafana.resources: requests.cpu 12 is above the grafana ceiling of 8; ${raise}`,
      ],
    );
    // A configured ceiling replaces the default for its component; the others keep theirs.
    assertViolations(
      monitoringResourceLimits,
      [release(huge)],
      [/grafana\.resources: requests\.cpu 12 is above the grafana ceiling of 8;/],
      { "monitoring-resource-limits": { ceilings: { prometheus: { cpu: "64", memory: "512Gi" } } } },
    );
    assertNoViolations(monitoringResourceLimits, [release(huge)], {
      "monitoring-resource-limits": {
        ceilings: { prometheus: { cpu: "64", memory: "512Gi" }, default: { cpu: "16", memory: "64Gi" } },
      },
    });
  });
});

describe("resource ceilings on our own workloads", () => {
  it("holds each workload to its own ceiling, by name", () => {
    const store = changed(deployment, (d) => {
      d.metadata = { name: "thanos-store" };
      d.spec.template.spec.containers[0].resources = { ...res, limits: { cpu: "1", memory: "100Gi" } };
    });
    assertNoViolations(workloadResourceLimits, [resourceOf(DEPLOYMENT, "thanos-store", store)]);
    const web = changed(store, (d) => (d.metadata.name = "web"));
    assertViolations(
      workloadResourceLimits,
      [resourceOf(DEPLOYMENT, "app-web", web)],
      [
        `Deployment app-web: container "app": limits.memory 100Gi is above the web ceiling of 32Gi; raise it in the stack's policy config (ceilings) if the capacity plan says so.`,
      ],
    );
  });
});

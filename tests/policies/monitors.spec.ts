import { monitorTargetsResolve } from "../../policies/monitors";
import { helmChartPinned } from "../../policies/helm";
import { assertNoViolations, assertViolations, resourceOf } from "../helpers/policies";

const service = resourceOf("kubernetes:core/v1:Service", "shop", {
  apiVersion: "v1",
  kind: "Service",
  metadata: { name: "shop", namespace: "shop", labels: { app: "shop" } },
  spec: {
    selector: { app: "shop" },
    ports: [
      { name: "http", port: 80 },
      { name: "metrics", port: 9090 },
    ],
  },
});
const statefulSet = resourceOf("kubernetes:apps/v1:StatefulSet", "kafka", {
  metadata: { namespace: "data" },
  spec: {
    template: {
      metadata: { labels: { app: "kafka" } },
      spec: { containers: [{ name: "kafka", ports: [{ name: "jmx", containerPort: 5556 }] }] },
    },
  },
});
const kps = (spec: Record<string, unknown>) =>
  resourceOf("kubernetes:helm.sh/v3:Release", "kps-release", {
    chart: "kube-prometheus-stack",
    name: "kps",
    version: "88.5.3",
    values: { prometheus: { prometheusSpec: spec } },
  });
const anyLabels = kps({
  serviceMonitorSelectorNilUsesHelmValues: false,
  podMonitorSelectorNilUsesHelmValues: false,
});
const serviceMonitor = (spec: Record<string, unknown>, labels: Record<string, string> = {}) =>
  resourceOf("kubernetes:monitoring.coreos.com/v1:ServiceMonitor", "sm", {
    apiVersion: "monitoring.coreos.com/v1",
    kind: "ServiceMonitor",
    metadata: { name: "shop", namespace: "shop", labels },
    spec: {
      selector: { matchLabels: { app: "shop" } },
      endpoints: [{ port: "metrics", interval: "30s" }],
      ...spec,
    },
  });

describe("policy monitor-targets-resolve", () => {
  it("passes a ServiceMonitor that selects a Service of the stack by a named port", () => {
    assertNoViolations(monitorTargetsResolve, [service, anyLabels, serviceMonitor({})]);
  });

  it("refuses a selector that matches nothing, the guide's 'not picked up'", () => {
    assertViolations(
      monitorTargetsResolve,
      [service, anyLabels, serviceMonitor({ selector: { matchLabels: { app: "shopp" } } })],
      [
        'ServiceMonitor shop/shop: its selector {"app":"shopp"} matches no Service this stack creates in shop; Prometheus would find no targets.',
      ],
    );
  });

  it("refuses a port that the Service does not name, and bad intervals", () => {
    assertViolations(
      monitorTargetsResolve,
      [
        service,
        anyLabels,
        serviceMonitor({ endpoints: [{ port: "metric", interval: "5s", scrapeTimeout: "10s" }] }),
      ],
      [
        'ServiceMonitor shop/shop: port "metric" is not a named port of the Service it selects.',
        "ServiceMonitor shop/shop: interval 5s is below the 15s floor.",
        "ServiceMonitor shop/shop: scrapeTimeout 10s is longer than interval 5s.",
      ],
    );
  });

  it("requires the release label when the chart's default monitor selector is in force", () => {
    assertViolations(
      monitorTargetsResolve,
      [service, kps({}), serviceMonitor({})],
      [
        'ServiceMonitor shop/shop: lacks the labels {"release":"kps"} Prometheus selects monitors by; it would be ignored.',
      ],
    );
    assertNoViolations(monitorTargetsResolve, [service, kps({}), serviceMonitor({}, { release: "kps" })]);
  });

  it("resolves PodMonitors against pod templates and their container ports", () => {
    const pm = (port: string) =>
      resourceOf("kubernetes:monitoring.coreos.com/v1:PodMonitor", "pm", {
        kind: "PodMonitor",
        metadata: { name: "kafka", namespace: "data" },
        spec: {
          selector: { matchLabels: { app: "kafka" } },
          podMetricsEndpoints: [{ port, interval: "60s" }],
        },
      });
    assertNoViolations(monitorTargetsResolve, [statefulSet, anyLabels, pm("jmx")]);
    assertViolations(
      monitorTargetsResolve,
      [statefulSet, anyLabels, pm("metrics")],
      ['PodMonitor data/kafka: port "metrics" is not a named port of the pod template it selects.'],
    );
  });
});

describe("policy helm-chart-pinned", () => {
  const release = (version: unknown) =>
    resourceOf("kubernetes:helm.sh/v3:Release", "r", { chart: "c", version });
  it("passes exact versions and refuses ranges, latest and none", () => {
    assertNoViolations(helmChartPinned, [release("88.5.3"), release("1.2.3-rc.1")]);
    assertViolations(
      helmChartPinned,
      [release("^88.0.0"), release("latest"), release(undefined)],
      [
        'Helm release r: chart c version "^88.0.0" is not an exact version; pin one like 88.5.3 so every deploy installs the same chart.',
        'Helm release r: chart c version "latest" is not an exact version; pin one like 88.5.3 so every deploy installs the same chart.',
        "Helm release r: chart c version null is not an exact version; pin one like 88.5.3 so every deploy installs the same chart.",
      ],
    );
  });
});

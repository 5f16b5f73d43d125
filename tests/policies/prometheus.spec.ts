import { prometheusHighAvailability, prometheusRetention } from "../../policies/prometheus";
import { assertNoViolations, assertViolations, changed, resourceOf } from "../helpers/policies";
import type { Loose } from "../helpers/plan";

const values: Loose = {
  prometheus: {
    prometheusSpec: {
      replicas: 2,
      retention: "15d",
      retentionSize: "34GiB",
      podAntiAffinity: "hard",
      replicaExternalLabelName: "prometheus_replica",
      externalLabels: { cluster: "prod-1" },
      storageSpec: { volumeClaimTemplate: { spec: { resources: { requests: { storage: "43Gi" } } } } },
    },
  },
  alertmanager: { alertmanagerSpec: { replicas: 2, podAntiAffinity: "hard" } },
};
const kps = (v: Loose) =>
  resourceOf("kubernetes:helm.sh/v3:Release", "kps", {
    chart: "kube-prometheus-stack",
    version: "88.5.3",
    values: v,
  });

describe("policy prometheus-retention", () => {
  it("passes a bounded retention on a persistent volume with room to spare", () => {
    assertNoViolations(prometheusRetention, [kps(values)]);
  });

  it("refuses a missing or too long retention", () => {
    assertViolations(
      prometheusRetention,
      [kps(changed(values, (v) => delete v.prometheus.prometheusSpec.retention))],
      [
        "Helm release kps: prometheus.prometheusSpec.retention is not set; set a duration like 15d so disk use is bounded in time.",
      ],
    );
    assertViolations(
      prometheusRetention,
      [kps(values)],
      [
        "Helm release kps: prometheus.prometheusSpec.retention 15d is longer than the allowed 7d; keep long-term data in Thanos.",
      ],
      { "prometheus-retention": { maxRetention: "7d" } },
    );
  });

  it("refuses a retentionSize over 90% of the volume, or none", () => {
    assertViolations(
      prometheusRetention,
      [kps(changed(values, (v) => (v.prometheus.prometheusSpec.retentionSize = "40GiB")))],
      [
        "Helm release kps: prometheus.prometheusSpec.retentionSize 40GiB is more than 90% of the 43Gi volume; lower it so old blocks go before the disk is full.",
      ],
    );
    assertViolations(
      prometheusRetention,
      [kps(changed(values, (v) => delete v.prometheus.prometheusSpec.retentionSize))],
      [/retentionSize is not set/],
    );
  });

  it("refuses emptyDir storage", () => {
    assertViolations(
      prometheusRetention,
      [kps(changed(values, (v) => (v.prometheus.prometheusSpec.storageSpec = { emptyDir: {} })))],
      [
        "Helm release kps: prometheus.prometheusSpec.storageSpec has no volumeClaimTemplate: data lives in emptyDir and is lost with the pod.",
      ],
    );
  });

  it("ignores other releases", () => {
    assertNoViolations(prometheusRetention, [
      resourceOf("kubernetes:helm.sh/v3:Release", "x", { chart: "prometheus-pushgateway", values: {} }),
    ]);
  });
});

describe("policy prometheus-high-availability", () => {
  it("passes two replicas apart with replica and cluster labels", () => {
    assertNoViolations(prometheusHighAvailability, [kps(values)]);
  });

  it("names each HA gap", () => {
    const single = changed(values, (v) => {
      v.prometheus.prometheusSpec.replicas = 1;
      v.prometheus.prometheusSpec.podAntiAffinity = "soft";
      delete v.prometheus.prometheusSpec.replicaExternalLabelName;
      v.prometheus.prometheusSpec.externalLabels = { replica: "$(POD_NAME)" };
    });
    assertViolations(
      prometheusHighAvailability,
      [kps(single)],
      [
        "Helm release kps: prometheus.prometheusSpec.replicas is 1; run at least 2 so one can fail.",
        'Helm release kps: prometheus.prometheusSpec.podAntiAffinity is not "hard"; replicas may share a node and fail together.',
        "Helm release kps: prometheus.prometheusSpec.replicaExternalLabelName is not set; Thanos cannot deduplicate the replicas.",
        "Helm release kps: prometheus.prometheusSpec.externalLabels.cluster is not set; series from clusters mix.",
        "Helm release kps: externalLabels.replica is set by hand; use replicaExternalLabelName and let the operator set it per pod.",
      ],
    );
  });

  it("is advisory where the stack config says so, and counts replicas as configured", () => {
    const single = changed(values, (v) => (v.alertmanager.alertmanagerSpec.replicas = 2));
    const [v] = assertViolations(
      prometheusHighAvailability,
      [kps(single)],
      ["Helm release kps: alertmanager.alertmanagerSpec.replicas is 2; run at least 3 so one can fail."],
      { "prometheus-high-availability": { enforcementLevel: "advisory", minAlertmanagerReplicas: 3 } },
    );
    if (v.enforcementLevel !== "advisory") throw new Error("expected advisory");
  });
});

/**
 * prometheus-retention and prometheus-high-availability at their edges: unreadable values, the exact
 * share of the volume, defaults, both components, the settings under each policy's name. No plan;
 * mutation testing runs it with tests/policies/prometheus.spec.ts for policies/prometheus.ts.
 */
import { strict as assert } from "node:assert";
import { prometheusHighAvailability, prometheusRetention } from "../../policies/prometheus";
import type { Json } from "../../policies/util";
import { changed, resourceOf, violationsOf } from "../helpers/policies";

const spec: Json = {
  replicas: 2,
  retention: "15d",
  retentionSize: "9GiB",
  podAntiAffinity: "hard",
  replicaExternalLabelName: "prometheus_replica",
  externalLabels: { cluster: "prod-1" },
  storageSpec: { volumeClaimTemplate: { spec: { resources: { requests: { storage: "10Gi" } } } } },
};
const values = (change: (s: Json, v: Json) => void = () => undefined) =>
  changed(
    {
      prometheus: { prometheusSpec: spec },
      alertmanager: { alertmanagerSpec: { replicas: 2, podAntiAffinity: "hard" } },
    } as Json,
    (v) => change((v.prometheus as Json).prometheusSpec as Json, v),
  );
const kps = (v: Json, chart = "kube-prometheus-stack", type = "kubernetes:helm.sh/v3:Release") =>
  resourceOf(type, "kps", { chart, values: v });
const messages = (policy: typeof prometheusRetention, v: Json, config = {}) =>
  violationsOf(policy, [kps(v)], config).map((x) => x.message);
const AT = "Helm release kps: prometheus.prometheusSpec";
const UNSET = `${AT}.retention is not set; set a duration like 15d so disk use is bounded in time.`;
const EMPTY_DIR = `${AT}.storageSpec has no volumeClaimTemplate: data lives in emptyDir and is lost with the pod.`;

describe("policy prometheus-retention (unit)", () => {
  it("passes retentionSize at exactly its share of the volume, and refuses a byte more", () => {
    assert.deepEqual(messages(prometheusRetention, values()), []);
    assert.deepEqual(
      messages(
        prometheusRetention,
        values((s) => (s.retentionSize = "9217MiB")),
      ),
      [
        `${AT}.retentionSize 9217MiB is more than 90% of the 10Gi volume; lower it so old blocks go before the disk is full.`,
      ],
    );
    assert.deepEqual(
      messages(prometheusRetention, values(), { "prometheus-retention": { maxRetentionSizeShare: 0.5 } }),
      [
        `${AT}.retentionSize 9GiB is more than 50% of the 10Gi volume; lower it so old blocks go before the disk is full.`,
      ],
    );
  });

  it("holds retention to 30 days by default, the edge included, and reads only durations", () => {
    assert.deepEqual(
      messages(
        prometheusRetention,
        values((s) => (s.retention = "30d")),
      ),
      [],
    );
    assert.deepEqual(
      messages(
        prometheusRetention,
        values((s) => (s.retention = "721h")),
      ),
      [`${AT}.retention 721h is longer than the allowed 30d; keep long-term data in Thanos.`],
    );
    for (const retention of ["", "0s", "15 days"])
      assert.deepEqual(
        messages(
          prometheusRetention,
          values((s) => (s.retention = retention)),
        ),
        [UNSET],
        retention,
      );
  });

  it("needs a volume claim, not emptyDir, and says which size it cannot read", () => {
    assert.deepEqual(
      messages(
        prometheusRetention,
        values((s) => delete s.storageSpec),
      ),
      [EMPTY_DIR],
    );
    assert.deepEqual(
      messages(
        prometheusRetention,
        values((s) => ((s.storageSpec as Json).emptyDir = { medium: "Memory" })),
      ),
      [EMPTY_DIR],
    );
    const unreadable = (size: string) =>
      `${AT}: retentionSize ${size} or the volume size cannot be read; use forms like 45GiB and 50Gi.`;
    assert.deepEqual(
      messages(
        prometheusRetention,
        values((s) => (s.retentionSize = "9G")),
      ),
      [unreadable("9G")],
    );
    assert.deepEqual(
      messages(
        prometheusRetention,
        values(
          (s) =>
            (s.storageSpec = {
              volumeClaimTemplate: { spec: { resources: { requests: { storage: "10GiB" } } } },
            }),
        ),
      ),
      [unreadable("9GiB")],
    );
    assert.deepEqual(
      messages(
        prometheusRetention,
        values((s) => (s.storageSpec = { volumeClaimTemplate: { spec: {} } })),
      ),
      [unreadable("9GiB")],
    );
  });

  it("reports every gap of a spec without storage or retention, and reads no other chart or kind", () => {
    assert.deepEqual(messages(prometheusRetention, {}), [UNSET, EMPTY_DIR]);
    assert.deepEqual(violationsOf(prometheusRetention, [kps({}, "loki")]), []);
    assert.deepEqual(
      violationsOf(prometheusRetention, [kps({}, "kube-prometheus-stack", "kubernetes:core/v1:ConfigMap")]),
      [],
    );
  });

  it("takes its level under its name", () => {
    const found = violationsOf(prometheusRetention, [kps({})], { "prometheus-retention": "advisory" });
    assert.deepEqual([...new Set(found.map((v) => v.enforcementLevel))], ["advisory"]);
    assert.deepEqual(
      [...new Set(violationsOf(prometheusRetention, [kps({})]).map((v) => v.enforcementLevel))],
      ["mandatory"],
    );
  });
});

describe("policy prometheus-high-availability (unit)", () => {
  it("counts a missing replicas as one, and reads replicas given as text", () => {
    assert.deepEqual(messages(prometheusHighAvailability, values()), []);
    assert.deepEqual(
      messages(
        prometheusHighAvailability,
        values((s) => (s.replicas = "2")),
      ),
      [],
    );
    assert.deepEqual(
      messages(
        prometheusHighAvailability,
        values((s, v) => {
          delete s.replicas;
          delete (v.alertmanager as Json).alertmanagerSpec;
        }),
      ),
      [
        "Helm release kps: prometheus.prometheusSpec.replicas is 1; run at least 2 so one can fail.",
        "Helm release kps: alertmanager.alertmanagerSpec.replicas is 1; run at least 2 so one can fail.",
        'Helm release kps: alertmanager.alertmanagerSpec.podAntiAffinity is not "hard"; replicas may share a node and fail together.',
      ],
    );
  });

  it("takes each minimum from its own setting, the edge included", () => {
    const config = {
      "prometheus-high-availability": { minPrometheusReplicas: 3, minAlertmanagerReplicas: 1 },
    };
    assert.deepEqual(
      messages(
        prometheusHighAvailability,
        values(
          (_s, v) => ((v.alertmanager as Json).alertmanagerSpec = { replicas: 1, podAntiAffinity: "hard" }),
        ),
        config,
      ),
      ["Helm release kps: prometheus.prometheusSpec.replicas is 2; run at least 3 so one can fail."],
    );
    assert.deepEqual(
      messages(
        prometheusHighAvailability,
        values((s) => (s.replicas = 3)),
        config,
      ),
      [],
    );
  });

  it("reports every gap of empty values, and reads no other chart", () => {
    assert.deepEqual(messages(prometheusHighAvailability, {}), [
      "Helm release kps: prometheus.prometheusSpec.replicas is 1; run at least 2 so one can fail.",
      'Helm release kps: prometheus.prometheusSpec.podAntiAffinity is not "hard"; replicas may share a node and fail together.',
      "Helm release kps: alertmanager.alertmanagerSpec.replicas is 1; run at least 2 so one can fail.",
      'Helm release kps: alertmanager.alertmanagerSpec.podAntiAffinity is not "hard"; replicas may share a node and fail together.',
      "Helm release kps: prometheus.prometheusSpec.replicaExternalLabelName is not set; Thanos cannot deduplicate the replicas.",
      "Helm release kps: prometheus.prometheusSpec.externalLabels.cluster is not set; series from clusters mix.",
    ]);
    assert.deepEqual(violationsOf(prometheusHighAvailability, [kps({}, "loki")]), []);
    assert.deepEqual(
      violationsOf(prometheusHighAvailability, [
        kps({}, "kube-prometheus-stack", "kubernetes:core/v1:ConfigMap"),
      ]),
      [],
    );
    assert.deepEqual(
      [...new Set(violationsOf(prometheusHighAvailability, [kps({})]).map((v) => v.enforcementLevel))],
      ["mandatory"],
    );
    const found = violationsOf(prometheusHighAvailability, [kps({})], {
      "prometheus-high-availability": "advisory",
    });
    assert.deepEqual([...new Set(found.map((v) => v.enforcementLevel))], ["advisory"]);
  });
});

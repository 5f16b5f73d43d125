import { strict as assert } from "node:assert";
import {
  iamLeastPrivilege,
  prometheusMemoryGuaranteed,
  volumesNameStorageClass,
} from "../../policies/cluster";
import { runPolicies } from "../../policies/harness";
import { allPolicies } from "../../policies/all";
import { planOf } from "../helpers/plan";
import { assertNoViolations, assertViolations, changed, resourceOf } from "../helpers/policies";
import type { Loose } from "../helpers/plan";

const RELEASE = "kubernetes:helm.sh/v3:Release";
const claim = (storageClassName?: string) => ({
  volumeClaimTemplate: {
    spec: { ...(storageClassName ? { storageClassName } : {}), resources: { requests: { storage: "10Gi" } } },
  },
});
const kps = (values: Loose) => resourceOf(RELEASE, "kps-release", { chart: "kube-prometheus-stack", values });
const named: Loose = {
  prometheus: {
    prometheusSpec: {
      storageSpec: claim("monitoring-gp3"),
      resources: { requests: { cpu: "1", memory: "4Gi" }, limits: { cpu: "2", memory: "4Gi" } },
      thanos: { resources: { requests: { cpu: "50m", memory: "512Mi" }, limits: { memory: "512Mi" } } },
    },
  },
  prometheusOperator: {
    prometheusConfigReloader: {
      resources: { requests: { cpu: "10m", memory: "64Mi" }, limits: { cpu: "100m", memory: "64Mi" } },
    },
  },
  alertmanager: { alertmanagerSpec: { storage: claim("monitoring-gp3") } },
};

describe("policy volumes-name-storage-class", () => {
  it("passes claims that name their class, and names each claim that does not", () => {
    assertNoViolations(volumesNameStorageClass, [kps(named)]);
    const unnamed = changed(named, (v) => (v.alertmanager.alertmanagerSpec.storage = claim()));
    assertViolations(
      volumesNameStorageClass,
      [kps(unnamed)],
      [
        "Helm release kps-release: values.alertmanager.alertmanagerSpec.storage.volumeClaimTemplate.spec names no storageClassName; set the stack's cluster.storageClass (created by the stack) or the component's storageClass.",
      ],
    );
    const grafana = changed(named, (v) => (v.grafana = { persistence: { enabled: true, size: "10Gi" } }));
    assertViolations(
      volumesNameStorageClass,
      [kps(grafana)],
      [
        "Helm release kps-release: values.grafana.persistence names no storageClassName; set the stack's cluster.storageClass (created by the stack) or grafana.persistence.storageClass.",
      ],
    );
    const store = resourceOf("kubernetes:apps/v1:StatefulSet", "thanos-store", {
      spec: {
        volumeClaimTemplates: [{ metadata: { name: "data" }, spec: { accessModes: ["ReadWriteOnce"] } }],
      },
    });
    assertViolations(
      volumesNameStorageClass,
      [store],
      [/^StatefulSet thanos-store: volume claim "data" names no storageClassName/],
    );
  });
});

describe("policy prometheus-memory-guaranteed", () => {
  it("passes equal request and limit, in any units, and refuses a Burstable Prometheus", () => {
    assertNoViolations(prometheusMemoryGuaranteed, [kps(named)]);
    const mixedUnits = changed(
      named,
      (v) => (v.prometheus.prometheusSpec.resources.requests.memory = "4096Mi"),
    );
    assertNoViolations(prometheusMemoryGuaranteed, [kps(mixedUnits)]);
    const burstable = changed(named, (v) => (v.prometheus.prometheusSpec.resources.limits.memory = "8Gi"));
    assertViolations(
      prometheusMemoryGuaranteed,
      [kps(burstable)],
      [
        "Helm release kps-release: the Prometheus pod's prometheus requests 4Gi of memory but may use 8Gi; set prometheus.resources.requests.memory equal to the limit (8Gi) so the pods are never evicted first.",
      ],
    );
  });

  it("checks the whole pod: the sidecar, the config reloaders and any added container", () => {
    const sidecar = changed(
      named,
      (v) => (v.prometheus.prometheusSpec.thanos.resources.requests.memory = "128Mi"),
    );
    assertViolations(
      prometheusMemoryGuaranteed,
      [kps(sidecar)],
      [
        "Helm release kps-release: the Prometheus pod's thanos-sidecar requests 128Mi of memory but may use 512Mi; set thanos.sidecar.resources.requests.memory equal to the limit (512Mi) so the pods are never evicted first.",
      ],
    );
    const reloader = changed(
      named,
      (v) => (v.prometheusOperator.prometheusConfigReloader.resources.requests.memory = "32Mi"),
    );
    assertViolations(
      prometheusMemoryGuaranteed,
      [kps(reloader)],
      [
        /the Prometheus pod's config-reloader and init-config-reloader requests 32Mi of memory but may use 64Mi/,
      ],
    );
    const unset = changed(named, (v) => delete v.prometheusOperator);
    assertViolations(
      prometheusMemoryGuaranteed,
      [kps(unset)],
      [
        /config-reloader and init-config-reloader has no memory request; set the stack's config reloader resources/,
      ],
    );
    const added = changed(named, (v) => {
      v.prometheus.prometheusSpec.initContainers = [{ name: "init-config-reloader" }];
      v.prometheus.prometheusSpec.containers = [
        { name: "oauth-proxy", resources: { requests: { memory: "32Mi" }, limits: { memory: "128Mi" } } },
      ];
    });
    assertViolations(
      prometheusMemoryGuaranteed,
      [kps(added)],
      [
        "Helm release kps-release: the Prometheus pod's oauth-proxy requests 32Mi of memory but may use 128Mi; set prometheus.prometheusSpec.containers[oauth-proxy].resources.requests.memory equal to the limit (128Mi) so the pods are never evicted first.",
      ],
    );
  });

  it("finds every container of the prod plan's Prometheus pod guaranteed, and no sidecar without Thanos", async () => {
    const release = (await planOf("prod")).plan!.resources.find((r) => r.name === "kps-release")!;
    const values = release.inputs.values as Loose;
    const memory = (r: Loose) => [r.requests.memory, r.limits.memory];
    assert.deepEqual(memory(values.prometheus.prometheusSpec.resources), ["8Gi", "8Gi"]);
    assert.deepEqual(memory(values.prometheus.prometheusSpec.thanos.resources), ["512Mi", "512Mi"]);
    assert.deepEqual(memory(values.prometheusOperator.prometheusConfigReloader.resources), ["64Mi", "64Mi"]);
    assertNoViolations(prometheusMemoryGuaranteed, [kps(values)]);
    const noThanos = changed(named, (v) => delete v.prometheus.prometheusSpec.thanos);
    assertNoViolations(prometheusMemoryGuaranteed, [kps(noThanos)]);
  });
});

describe("policy iam-least-privilege", () => {
  const role = (component: string) =>
    resourceOf("aws:iam/role:Role", `role-${component}`, {
      tags: { "kube-monitoring:component": component },
    });
  const grant = (r: ReturnType<typeof role>, actions: string[], resource = "arn:aws:s3:::bucket/*") =>
    resourceOf(
      "aws:iam/rolePolicy:RolePolicy",
      `${r.name}-bucket`,
      {
        policy: JSON.stringify({
          Version: "2012-10-17",
          Statement: [{ Effect: "Allow", Action: actions, Resource: [resource] }],
        }),
      },
      { dependsOn: [r.urn] },
    );

  it("holds each Thanos role to its component's actions", () => {
    const store = role("thanos-store");
    assertNoViolations(iamLeastPrivilege, [
      store,
      grant(store, ["s3:ListBucket", "s3:GetObject", "kms:Decrypt"]),
    ]);
    assertViolations(
      iamLeastPrivilege,
      [store, grant(store, ["s3:GetObject", "s3:PutObject", "s3:DeleteObject"])],
      [
        "IAM role policy role-thanos-store-bucket (role of thanos-store): allows s3:PutObject, s3:DeleteObject, which thanos-store does not need; it may have s3:ListBucket, s3:GetObject, kms:Decrypt.",
      ],
    );
    const compactor = role("thanos-compactor");
    assertNoViolations(iamLeastPrivilege, [compactor, grant(compactor, ["s3:PutObject", "s3:DeleteObject"])]);
    assertViolations(
      iamLeastPrivilege,
      [compactor, grant(compactor, ["aps:RemoteWrite"])],
      [/allows aps:RemoteWrite, which thanos-compactor does not need/],
    );
  });

  it("refuses wildcard actions and resources on any IAM policy", () => {
    const sidecar = role("thanos-sidecar");
    assertViolations(
      iamLeastPrivilege,
      [sidecar, grant(sidecar, ["s3:*"], "*")],
      [
        "IAM role policy role-thanos-sidecar-bucket: allows s3:*; name the actions the component needs.",
        'IAM role policy role-thanos-sidecar-bucket: allows actions on every resource ("*"); name the bucket, key or workspace.',
      ],
    );
  });

  it("finds nothing in the prod plan, and catches a grant widened there", async () => {
    const resources = (await planOf("prod")).plan!.resources;
    const cluster = allPolicies.filter((p) =>
      ["volumes-name-storage-class", "prometheus-memory-guaranteed", "iam-least-privilege"].includes(p.name),
    );
    assert.deepEqual(runPolicies(resources, cluster, {}), []);
    const widened = resources.map((r) =>
      r.name === "thanos-objstore-store-bucket"
        ? changed(r, (x) => {
            const doc = JSON.parse(String(x.inputs.policy));
            doc.Statement[1].Action.push("s3:DeleteObject");
            x.inputs.policy = JSON.stringify(doc);
          })
        : r,
    );
    assert.deepEqual(
      runPolicies(widened, cluster, {}).map((v) => v.message),
      [
        "IAM role policy thanos-objstore-store-bucket (role of thanos-store): allows s3:DeleteObject, which thanos-store does not need; it may have s3:ListBucket, s3:GetObject, kms:Decrypt.",
      ],
    );
  });
});

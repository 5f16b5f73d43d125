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
        "Helm release kps-release: Prometheus requests 4Gi of memory but may use 8Gi; set prometheus.resources.requests.memory equal to the limit (8Gi) so the pods are never evicted first.",
      ],
    );
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

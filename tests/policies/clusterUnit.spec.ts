/**
 * The cluster policies case by case (volumes-name-storage-class, prometheus-memory-guaranteed,
 * iam-least-privilege with each Thanos client's actions). No plan; mutation testing runs it with
 * tests/policies/cluster.spec.ts for policies/cluster.ts and policies/iam.ts.
 */
import { strict as assert } from "node:assert";
import {
  iamLeastPrivilege,
  prometheusMemoryGuaranteed,
  volumesNameStorageClass,
} from "../../policies/cluster";
import type { Json } from "../../policies/util";
import { changed, resourceOf, violationsOf } from "../helpers/policies";
import type { PolicyInput } from "../../policies/harness";

const RELEASE = "kubernetes:helm.sh/v3:Release";
const messages = (policy: typeof iamLeastPrivilege, resources: PolicyInput[]) =>
  violationsOf(policy, resources).map((v) => v.message);
const release = (values: Json, chart = "kube-prometheus-stack") =>
  resourceOf(RELEASE, "kps-release", { chart, values });
const claim = (storageClassName?: string) => ({
  volumeClaimTemplate: { spec: storageClassName ? { storageClassName } : { resources: {} } },
});
const NAME_IT =
  "set the stack's cluster.storageClass (created by the stack) or the component's storageClass.";

describe("cluster policies (unit)", () => {
  for (const [policy, name] of [
    [volumesNameStorageClass, "volumes-name-storage-class"],
    [prometheusMemoryGuaranteed, "prometheus-memory-guaranteed"],
    [iamLeastPrivilege, "iam-least-privilege"],
  ] as const)
    it(`${name}: mandatory unless the stack's policy config says otherwise under its name`, () => {
      const broken = [
        release({ prometheus: { prometheusSpec: { storageSpec: claim(), resources: {} } } }),
        resourceOf("aws:iam/policy:Policy", "p", {
          policy: JSON.stringify({ Statement: { Effect: "Allow", Action: "*" } }),
        }),
      ];
      const levels = (config = {}) => [
        ...new Set(violationsOf(policy, broken, config).map((v) => v.enforcementLevel)),
      ];
      assert.deepEqual(levels(), ["mandatory"]);
      assert.deepEqual(levels({ [name]: "advisory" }), ["advisory"]);
    });

  it("read Helm releases only, not another kind that names the chart", () => {
    const values = {
      prometheus: { prometheusSpec: { storageSpec: claim(), resources: {} } },
    };
    const notRelease = resourceOf("kubernetes:core/v1:ConfigMap", "cm", {
      chart: "kube-prometheus-stack",
      values,
    });
    assert.deepEqual(violationsOf(volumesNameStorageClass, [notRelease]), []);
    assert.deepEqual(violationsOf(prometheusMemoryGuaranteed, [notRelease]), []);
  });
});

describe("policy volumes-name-storage-class (unit)", () => {
  it("names the Prometheus and Alertmanager claims without a class, each by its values path", () => {
    const values = {
      prometheus: { prometheusSpec: { storageSpec: claim() } },
      alertmanager: { alertmanagerSpec: { storage: claim() } },
    };
    assert.deepEqual(messages(volumesNameStorageClass, [release(values)]), [
      `Helm release kps-release: values.prometheus.prometheusSpec.storageSpec.volumeClaimTemplate.spec names no storageClassName; ${NAME_IT}`,
      `Helm release kps-release: values.alertmanager.alertmanagerSpec.storage.volumeClaimTemplate.spec names no storageClassName; ${NAME_IT}`,
    ]);
    // Another chart's values are not the stack's claims; no storage at all claims nothing.
    assert.deepEqual(messages(volumesNameStorageClass, [release(values, "loki")]), []);
    assert.deepEqual(messages(volumesNameStorageClass, [release({})]), []);
  });

  it("names Grafana's volume only when persistence is on without a class", () => {
    const grafana = (persistence: Json) => release({ grafana: { persistence } });
    assert.deepEqual(
      messages(volumesNameStorageClass, [grafana({ enabled: true, storageClassName: "gp3" })]),
      [],
    );
    assert.deepEqual(messages(volumesNameStorageClass, [grafana({ enabled: false })]), []);
    assert.deepEqual(messages(volumesNameStorageClass, [grafana({ enabled: true, storageClassName: "" })]), [
      "Helm release kps-release: values.grafana.persistence names no storageClassName; set the stack's cluster.storageClass (created by the stack) or grafana.persistence.storageClass.",
    ]);
  });

  it("names each StatefulSet claim without a class, and passes those with one", () => {
    const statefulSet = (templates: Json[]) =>
      resourceOf("kubernetes:apps/v1:StatefulSet", "store", { spec: { volumeClaimTemplates: templates } });
    assert.deepEqual(
      messages(volumesNameStorageClass, [
        statefulSet([
          { metadata: { name: "data" }, spec: { storageClassName: "gp3" } },
          { metadata: { name: "cache" }, spec: {} },
          { spec: { accessModes: ["ReadWriteOnce"] } },
          { metadata: { name: "no-spec" } },
        ]),
        statefulSet([]),
        resourceOf("kubernetes:apps/v1:StatefulSet", "bare", {}),
        resourceOf("kubernetes:apps/v1:Deployment", "d", {
          spec: { volumeClaimTemplates: [{ metadata: { name: "x" }, spec: {} }] },
        }),
      ]),
      [
        "StatefulSet store: volume claim \"cache\" names no storageClassName; set the stack's cluster.storageClass or the component's storageClass.",
        "StatefulSet store: volume claim \"?\" names no storageClassName; set the stack's cluster.storageClass or the component's storageClass.",
      ],
    );
  });
});

describe("policy prometheus-memory-guaranteed (unit)", () => {
  const guaranteed = (memory: string) => ({ requests: { memory }, limits: { memory } });
  const pod: Json = {
    prometheus: {
      prometheusSpec: {
        resources: guaranteed("4Gi"),
        thanos: { resources: guaranteed("512Mi") },
      },
    },
    prometheusOperator: { prometheusConfigReloader: { resources: guaranteed("64Mi") } },
  };
  const spec = (change: (s: Json) => void) =>
    release(changed(pod, (p) => change((p.prometheus as Json).prometheusSpec as Json)));

  it("passes a guaranteed pod, and no sidecar without Thanos", () => {
    assert.deepEqual(messages(prometheusMemoryGuaranteed, [release(pod)]), []);
    assert.deepEqual(messages(prometheusMemoryGuaranteed, [spec((s) => delete s.thanos)]), []);
    assert.deepEqual(messages(prometheusMemoryGuaranteed, [release({}, "loki")]), []);
  });

  it("says which of request and limit is missing, and the key that sets it", () => {
    assert.deepEqual(
      messages(prometheusMemoryGuaranteed, [
        spec((s) => {
          s.resources = { limits: { memory: "4Gi" } };
          s.thanos = { resources: { requests: { memory: "512Mi" } } };
        }),
      ]),
      [
        "Helm release kps-release: the Prometheus pod's prometheus has no memory request; set prometheus.resources with requests.memory equal to limits.memory.",
        "Helm release kps-release: the Prometheus pod's thanos-sidecar has no memory limit; set thanos.sidecar.resources with requests.memory equal to limits.memory.",
      ],
    );
    assert.deepEqual(messages(prometheusMemoryGuaranteed, [spec((s) => (s.thanos = {}))]), [
      "Helm release kps-release: the Prometheus pod's thanos-sidecar has no memory request; set thanos.sidecar.resources with requests.memory equal to limits.memory.",
    ]);
  });

  it("judges added containers and init containers, and patches of the operator's own only when they set resources", () => {
    assert.deepEqual(
      messages(prometheusMemoryGuaranteed, [
        spec((s) => {
          s.containers = [
            { name: "prometheus" },
            { name: "thanos-sidecar" },
            { name: "config-reloader" },
            { name: "oauth-proxy" },
            { name: "prometheus", resources: { requests: { memory: "1Gi" }, limits: { memory: "2Gi" } } },
          ];
          s.initContainers = [
            { name: "init-config-reloader" },
            { name: "init-chown", resources: guaranteed("1Gi") },
            { name: "seed" },
          ];
        }),
      ]),
      [
        "Helm release kps-release: the Prometheus pod's oauth-proxy has no memory request; set prometheus.prometheusSpec.containers[oauth-proxy].resources with requests.memory equal to limits.memory.",
        "Helm release kps-release: the Prometheus pod's prometheus requests 1Gi of memory but may use 2Gi; set prometheus.prometheusSpec.containers[prometheus].resources.requests.memory equal to the limit (2Gi) so the pods are never evicted first.",
        "Helm release kps-release: the Prometheus pod's seed has no memory request; set prometheus.prometheusSpec.initContainers[seed].resources with requests.memory equal to limits.memory.",
      ],
    );
  });
});

describe("policy iam-least-privilege (unit)", () => {
  const role = (component?: string) =>
    resourceOf("aws:iam/role:Role", `role-${component ?? "untagged"}`, {
      tags: component ? { "kube-monitoring:component": component } : {},
    });
  const document = (statement: unknown) => JSON.stringify({ Version: "2012-10-17", Statement: statement });
  const rolePolicy = (r: PolicyInput | undefined, policy: unknown, type = "aws:iam/rolePolicy:RolePolicy") =>
    resourceOf(type, "grant", { policy }, { dependsOn: r ? [r.urn] : [] });
  const allow = (actions: string[], resource: string | string[] = "arn:aws:s3:::bucket/*") => ({
    Effect: "Allow",
    Action: actions,
    Resource: resource,
  });
  const found = (resources: PolicyInput[]) => violationsOf(iamLeastPrivilege, resources);

  /** What each client's work needs: the sidecar uploads (and writes to AMP as Prometheus), the store gateway reads, the compactor rewrites. Exactly this passes; any other action is refused. */
  const NEEDS: Record<string, string[]> = {
    sidecar: [
      "s3:ListBucket",
      "s3:GetObject",
      "s3:PutObject",
      "kms:Encrypt",
      "kms:GenerateDataKey",
      "aps:RemoteWrite",
    ],
    store: ["s3:ListBucket", "s3:GetObject", "kms:Decrypt"],
    compactor: [
      "s3:ListBucket",
      "s3:GetObject",
      "s3:PutObject",
      "s3:DeleteObject",
      "kms:Encrypt",
      "kms:Decrypt",
      "kms:GenerateDataKey",
    ],
  };
  const EVERY = [...new Set(Object.values(NEEDS).flat()), "s3:DeleteBucket", "iam:PassRole"];
  for (const [client, needs] of Object.entries(NEEDS))
    it(`lets thanos-${client} have ${needs.join(", ")} and nothing else`, () => {
      const r = role(`thanos-${client}`);
      assert.deepEqual(found([r, rolePolicy(r, document([allow(needs)]))]), []);
      const extra = EVERY.filter((a) => !needs.includes(a));
      const grant = rolePolicy(r, document([allow(needs), allow(extra)]));
      assert.deepEqual(
        found([r, grant]).map((v) => [v.message, v.urn]),
        [
          [
            `IAM role policy grant (role of thanos-${client}): allows ${extra.join(", ")}, which thanos-${client} does not need; it may have ${needs.join(", ")}.`,
            grant.urn,
          ],
        ],
      );
    });

  it("reads a single statement, a single action and resource, and only Allow statements", () => {
    const r = role("thanos-store");
    assert.deepEqual(
      found([r, rolePolicy(r, document({ Effect: "Allow", Action: "s3:PutObject", Resource: "*" }))]).map(
        (v) => v.message,
      ),
      [
        'IAM role policy grant: allows actions on every resource ("*"); name the bucket, key or workspace.',
        "IAM role policy grant (role of thanos-store): allows s3:PutObject, which thanos-store does not need; it may have s3:ListBucket, s3:GetObject, kms:Decrypt.",
      ],
    );
    assert.deepEqual(
      found([
        r,
        rolePolicy(r, document([{ Effect: "Deny", Action: ["s3:*", "s3:PutObject"], Resource: "*" }])),
      ]),
      [],
    );
    // An action granted twice is named once.
    assert.deepEqual(
      found([
        r,
        rolePolicy(r, document([allow(["s3:DeleteObject"]), allow(["s3:DeleteObject", "s3:GetObject"])])),
      ]).map((v) => v.message),
      [
        "IAM role policy grant (role of thanos-store): allows s3:DeleteObject, which thanos-store does not need; it may have s3:ListBucket, s3:GetObject, kms:Decrypt.",
      ],
    );
    // A document without statements grants nothing.
    assert.deepEqual(found([r, rolePolicy(r, JSON.stringify({ Version: "2012-10-17" }))]), []);
  });

  it("refuses wildcards on any IAM policy, and judges a role's actions by its component tag only", () => {
    const untagged = role();
    const query = role("thanos-query");
    const store = role("thanos-store");
    assert.deepEqual(
      found([
        untagged,
        query,
        store,
        rolePolicy(
          untagged,
          document([allow(["s3:Get*", "kms:*", "s3:PutObject"], ["arn:aws:s3:::b", "*"])]),
        ),
        rolePolicy(query, document([allow(["s3:DeleteBucket"])])),
        rolePolicy(undefined, document([allow(["iam:PassRole"])])),
        // A managed policy depending on a Thanos role: wildcards judged, the client's actions not.
        rolePolicy(store, document([allow(["s3:*", "s3:DeleteBucket"])]), "aws:iam/policy:Policy"),
      ]).map((v) => v.message),
      [
        "IAM role policy grant: allows s3:Get*, kms:*; name the actions the component needs.",
        'IAM role policy grant: allows actions on every resource ("*"); name the bucket, key or workspace.',
        "IAM policy grant: allows s3:*; name the actions the component needs.",
      ],
    );
  });

  it("judges a wildcard and the other actions of a Thanos role each once", () => {
    const r = role("thanos-store");
    assert.deepEqual(
      found([r, rolePolicy(r, document([allow(["s3:*", "s3:GetObject", "s3:PutObject"])]))]).map(
        (v) => v.message,
      ),
      [
        "IAM role policy grant: allows s3:*; name the actions the component needs.",
        "IAM role policy grant (role of thanos-store): allows s3:PutObject, which thanos-store does not need; it may have s3:ListBucket, s3:GetObject, kms:Decrypt.",
      ],
    );
  });

  it("refuses NotAction and NotResource in an Allow, which grant everything not listed", () => {
    const r = role("thanos-store");
    assert.deepEqual(
      found([
        r,
        rolePolicy(
          r,
          document([
            { Effect: "Allow", NotAction: ["iam:*"], Resource: "arn:aws:s3:::b/*" },
            { Effect: "Allow", Action: ["s3:GetObject"], NotResource: ["arn:aws:s3:::other"] },
            { Effect: "Allow", NotAction: "s3:DeleteObject", Resource: "arn:aws:s3:::b/*" },
            { Effect: "Deny", NotAction: ["s3:GetObject"], Resource: "*" },
          ]),
        ),
      ]).map((v) => v.message),
      [
        "IAM role policy grant: allows with NotAction and NotResource, which grant everything not listed; name the actions and resources instead.",
      ],
    );
    assert.deepEqual(
      found([
        r,
        rolePolicy(r, document([{ Effect: "Deny", NotResource: "arn:aws:s3:::b/*", Action: "s3:*" }])),
      ]),
      [],
    );
  });

  it("finds a statement on every resource among others, and the role among other dependencies", () => {
    const r = role("thanos-store");
    const bucket = resourceOf("aws:s3/bucket:Bucket", "b", {});
    const grant = resourceOf(
      "aws:iam/rolePolicy:RolePolicy",
      "grant",
      { policy: document([allow(["s3:GetObject"]), allow(["s3:PutObject"], "*")]) },
      { dependsOn: [bucket.urn, r.urn] },
    );
    assert.deepEqual(
      found([bucket, r, grant]).map((v) => v.message),
      [
        'IAM role policy grant: allows actions on every resource ("*"); name the bucket, key or workspace.',
        "IAM role policy grant (role of thanos-store): allows s3:PutObject, which thanos-store does not need; it may have s3:ListBucket, s3:GetObject, kms:Decrypt.",
      ],
    );
    // A role without tags serves no Thanos client; a bucket policy is no IAM policy.
    const bare = resourceOf("aws:iam/role:Role", "bare", {});
    assert.deepEqual(
      found([
        bare,
        rolePolicy(bare, document([allow(["s3:DeleteBucket"])])),
        resourceOf("aws:s3/bucketPolicy:BucketPolicy", "bp", { policy: document([allow(["s3:*"], "*")]) }),
      ]),
      [],
    );
  });

  it("leaves a document unknown until the bucket exists, or unreadable, to the plan", () => {
    const r = role("thanos-store");
    assert.deepEqual(found([r, rolePolicy(r, { Statement: [allow(["s3:*"], "*")] })]), []);
    assert.deepEqual(found([r, rolePolicy(r, "{not json")]), []);
    assert.deepEqual(found([r, rolePolicy(r, undefined)]), []);
  });
});

import { strict as assert } from "node:assert";
import type { Plan } from "../plan/plan";
import type { RecordedResource } from "../plan/runtime";
import { HELM_RELEASE, planOf, resource } from "./helpers/plan";

const CRDS_RELEASE = "crds-release";
const nameOf = (urn: string) => urn.split("::").pop()!;
const typeOf = (urn: string) => urn.split("::")[2].split("$").pop()!;

/** The resources `r` waits for, as `type::name`. */
const waitsFor = (r: RecordedResource) => new Set(r.dependsOn.map((urn) => `${typeOf(urn)}::${nameOf(urn)}`));

function assertWaits(plan: Plan, type: string, name: string, ...before: [type: string, name: string][]) {
  const edges = waitsFor(resource(plan, type, name));
  for (const [t, n] of before) assert.ok(edges.has(`${t}::${n}`), `${name} does not wait for ${t} ${n}`);
}

const SECRET = "kubernetes:core/v1:Secret";
const ROLE_POLICY = "aws:iam/rolePolicy:RolePolicy";
const STATEFUL_SET = "kubernetes:apps/v1:StatefulSet";

for (const stack of ["dev", "prod"]) {
  describe(`dependency edges in the ${stack} plan`, () => {
    let plan: Plan;
    before(async () => {
      plan = (await planOf(stack)).plan!;
    });

    it("creates every operator custom resource after the CRDs", () => {
      const custom = plan.resources.filter((r) => r.type.startsWith("kubernetes:monitoring.coreos.com/"));
      assert.ok(custom.length >= 3, `only ${custom.length} custom resources`);
      for (const r of custom) {
        assert.ok(
          waitsFor(r).has(`${HELM_RELEASE}::${CRDS_RELEASE}`),
          `${r.type} ${r.name} does not wait for the CRDs`,
        );
      }
    });

    it("installs every other chart after the CRDs: each ships monitors of its own", () => {
      const releases = plan.resources.filter((r) => r.type === HELM_RELEASE && r.name !== CRDS_RELEASE);
      assert.ok(releases.some((r) => r.name === "kps-release"));
      for (const r of releases) assertWaits(plan, HELM_RELEASE, r.name, [HELM_RELEASE, CRDS_RELEASE]);
    });

    it("creates every Secret the stack's values name before the release reads it", () => {
      const secrets = plan.resources.filter(
        (r) => r.type === SECRET && r.parent?.endsWith("KubePrometheusStack::kps"),
      );
      assert.ok(secrets.some((s) => s.name === "kps-grafana-admin"));
      for (const s of secrets) assertWaits(plan, HELM_RELEASE, "kps-release", [SECRET, s.name]);
    });
  });
}

describe("bucket grants before their clients in the prod plan", () => {
  let plan: Plan;
  before(async () => {
    plan = (await planOf("prod")).plan!;
  });

  it("starts the sidecar's release after its bucket and remote-write grants", () => {
    assertWaits(
      plan,
      HELM_RELEASE,
      "kps-release",
      [ROLE_POLICY, "thanos-objstore-sidecar-bucket"],
      [ROLE_POLICY, "thanos-objstore-remote-write"],
      [SECRET, "kps-thanos-objstore"],
    );
  });

  it("starts the store gateway and compactor after their own grants and the objstore Secret", () => {
    for (const role of ["store", "compactor"]) {
      assertWaits(
        plan,
        STATEFUL_SET,
        `thanos-${role}`,
        [ROLE_POLICY, `thanos-objstore-${role}-bucket`],
        [SECRET, "kps-thanos-objstore"],
      );
    }
  });

  it("writes the TLS-only bucket policy after the public access block, and lifecycle after versioning", () => {
    assertWaits(plan, "aws:s3/bucketPolicy:BucketPolicy", "thanos-objstore-tls-only", [
      "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock",
      "thanos-objstore-public-access",
    ]);
    assertWaits(
      plan,
      "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration",
      "thanos-objstore-lifecycle",
      ["aws:s3/bucketVersioning:BucketVersioning", "thanos-objstore-versioning"],
    );
  });
});

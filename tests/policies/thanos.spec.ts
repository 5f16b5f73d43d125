import { strict as assert } from "node:assert";
import { thanosBucketSecurity } from "../../policies/thanos";
import { tlsOnlyBucketPolicy, thanosLifecycleRules } from "../../components";
import type { PolicyInput } from "../../policies/harness";
import { assertNoViolations, assertViolations, resourceOf, violationsOf } from "../helpers/policies";

const S3 = "aws:s3/";
function bucketSet(change: (set: Record<string, PolicyInput>) => void = () => undefined): PolicyInput[] {
  const bucket = resourceOf(
    `${S3}bucket:Bucket`,
    "metrics",
    { bucketPrefix: "m-", forceDestroy: false },
    { protect: true },
  );
  const dep = { dependsOn: [bucket.urn] };
  const set: Record<string, PolicyInput> = {
    bucket,
    encryption: resourceOf(
      `${S3}bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration`,
      "enc",
      {
        rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" } }],
      },
      dep,
    ),
    publicAccess: resourceOf(
      `${S3}bucketPublicAccessBlock:BucketPublicAccessBlock`,
      "pab",
      {
        blockPublicAcls: true,
        blockPublicPolicy: true,
        ignorePublicAcls: true,
        restrictPublicBuckets: true,
      },
      dep,
    ),
    ownership: resourceOf(
      `${S3}bucketOwnershipControls:BucketOwnershipControls`,
      "own",
      { rule: { objectOwnership: "BucketOwnerEnforced" } },
      dep,
    ),
    versioning: resourceOf(
      `${S3}bucketVersioning:BucketVersioning`,
      "ver",
      { versioningConfiguration: { status: "Enabled" } },
      dep,
    ),
    policy: resourceOf(
      `${S3}bucketPolicy:BucketPolicy`,
      "tls",
      { policy: JSON.stringify(tlsOnlyBucketPolicy("arn:aws:s3:::m")) },
      dep,
    ),
    lifecycle: resourceOf(
      `${S3}bucketLifecycleConfiguration:BucketLifecycleConfiguration`,
      "lc",
      { rules: thanosLifecycleRules(30, 7) },
      dep,
    ),
    compactor: resourceOf("kubernetes:apps/v1:StatefulSet", "compactor", {
      spec: {
        template: {
          spec: {
            containers: [
              { args: ["compact", "--retention.resolution-raw=30d", "--retention.resolution-1h=365d"] },
            ],
          },
        },
      },
    }),
  };
  change(set);
  return Object.values(set);
}
const prod = { "thanos-bucket-security": { requireProtect: true } };

describe("policy thanos-bucket-security", () => {
  it("passes the hardened bucket the program builds", () => {
    assertNoViolations(thanosBucketSecurity, bucketSet(), prod);
  });

  it("names each missing safeguard", () => {
    const bare = bucketSet((s) => {
      for (const k of ["encryption", "publicAccess", "ownership", "versioning", "policy", "lifecycle"])
        delete s[k];
    });
    assertViolations(thanosBucketSecurity, bare, [
      "S3 bucket metrics has no default encryption; add a BucketServerSideEncryptionConfiguration with AES256 or aws:kms.",
      "S3 bucket metrics has no full public access block (blockPublicAcls, blockPublicPolicy, ignorePublicAcls, restrictPublicBuckets not true); set all four flags of a BucketPublicAccessBlock.",
      "S3 bucket metrics has no BucketOwnerEnforced object ownership; add BucketOwnershipControls so ACLs cannot grant access.",
      "S3 bucket metrics has no versioning; enable it so a deleted or overwritten block can be recovered.",
      "S3 bucket metrics has no TLS-only bucket policy; deny requests where aws:SecureTransport is false.",
      "S3 bucket metrics has no lifecycle rule aborting incomplete uploads; add one.",
      "S3 bucket metrics has no lifecycle rule expiring noncurrent versions; add one.",
    ]);
  });

  it("refuses a lifecycle that expires blocks before the compactor's retention", () => {
    const early = bucketSet((s) => {
      s.lifecycle.inputs.rules = [
        ...thanosLifecycleRules(30, 7),
        { id: "expire-all", status: "Enabled", expiration: { days: 90 } },
      ];
    });
    assertViolations(thanosBucketSecurity, early, [
      "S3 bucket metrics: lifecycle rule expire-all expires objects after 90d, before the compactor's 365d retention; let the compactor delete blocks instead.",
    ]);
  });

  it("requires protection and no forceDestroy in prod only", () => {
    const loose = bucketSet((s) => {
      s.bucket.protect = false;
      s.bucket.inputs.forceDestroy = true;
    });
    assertNoViolations(thanosBucketSecurity, loose, { "thanos-bucket-security": { requireProtect: false } });
    assertViolations(
      thanosBucketSecurity,
      loose,
      [
        "S3 bucket metrics is not protected; a stack change could delete metric history.",
        "S3 bucket metrics has forceDestroy; destroy would empty it.",
      ],
      prod,
    );
  });

  it("reports a bucket policy unknown during preview as advisory", () => {
    const unknown = bucketSet((s) => (s.policy.inputs.policy = "[unknown]"));
    const found = violationsOf(thanosBucketSecurity, unknown);
    assert.deepEqual(
      found.map((v) => v.enforcementLevel),
      ["advisory"],
    );
    assert.match(found[0].message, /can't run policy 'thanos-bucket-security' during preview/);
  });
});

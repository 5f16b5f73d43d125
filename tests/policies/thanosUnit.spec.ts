/**
 * thanos-bucket-security one safeguard at a time: each algorithm, each public access flag, ownership,
 * versioning, the TLS-only statement, lifecycle rules against the compactor's retention flags, and only
 * the bucket's own companions. No plan; mutation testing runs it with tests/policies/thanos.spec.ts.
 */
import { strict as assert } from "node:assert";
import { compactorRetentionSeconds, thanosBucketSecurity } from "../../policies/thanos";
import type { PolicyInput } from "../../policies/harness";
import type { Json } from "../../policies/util";
import { resourceOf, violationsOf } from "../helpers/policies";
import { runPolicies } from "../../policies/harness";

const S3 = "aws:s3/";
const TYPES = {
  encryption: `${S3}bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration`,
  publicAccess: `${S3}bucketPublicAccessBlock:BucketPublicAccessBlock`,
  ownership: `${S3}bucketOwnershipControls:BucketOwnershipControls`,
  versioning: `${S3}bucketVersioning:BucketVersioning`,
  policy: `${S3}bucketPolicy:BucketPolicy`,
  lifecycle: `${S3}bucketLifecycleConfiguration:BucketLifecycleConfiguration`,
};
const TLS_ONLY = {
  Effect: "Deny",
  Principal: "*",
  Action: "s3:*",
  Condition: { Bool: { "aws:SecureTransport": "false" } },
};
const GOOD: Record<keyof typeof TYPES, Json> = {
  encryption: { rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" } }] },
  publicAccess: {
    blockPublicAcls: true,
    blockPublicPolicy: true,
    ignorePublicAcls: true,
    restrictPublicBuckets: true,
  },
  ownership: { rule: { objectOwnership: "BucketOwnerEnforced" } },
  versioning: { versioningConfiguration: { status: "Enabled" } },
  policy: { policy: JSON.stringify({ Statement: [{ Effect: "Allow", Action: "s3:GetObject" }, TLS_ONLY] }) },
  lifecycle: {
    rules: [
      { id: "abort", abortIncompleteMultipartUpload: { daysAfterInitiation: 1 } },
      { id: "noncurrent", noncurrentVersionExpiration: { noncurrentDays: 7 } },
    ],
  },
};

/** A bucket and its companions, each companion's inputs replaced where `inputs` says. */
function bucketWith(inputs: Partial<Record<keyof typeof TYPES, Json>> = {}, name = "metrics"): PolicyInput[] {
  const bucket = resourceOf(`${S3}bucket:Bucket`, name, { forceDestroy: false }, { protect: true });
  return [
    bucket,
    ...(Object.keys(TYPES) as (keyof typeof TYPES)[]).map((k) =>
      resourceOf(TYPES[k], `${name}-${k}`, inputs[k] ?? GOOD[k], { dependsOn: [bucket.urn] }),
    ),
  ];
}
const compactor = (args: string[], type = "kubernetes:apps/v1:StatefulSet") =>
  resourceOf(type, "compactor", {
    spec: { template: { spec: { containers: [{ args: ["compact", ...args] }] } } },
  });
const messages = (resources: PolicyInput[], requireProtect = true) =>
  violationsOf(thanosBucketSecurity, resources, { "thanos-bucket-security": { requireProtect } }).map(
    (v) => v.message,
  );
const missing = (what: string, fix: string) => `S3 bucket metrics has no ${what}; ${fix}.`;
const NO_SSE = missing(
  "default encryption",
  "add a BucketServerSideEncryptionConfiguration with AES256 or aws:kms",
);
const NO_TLS = missing("TLS-only bucket policy", "deny requests where aws:SecureTransport is false");

describe("policy thanos-bucket-security (unit)", () => {
  it("passes a hardened bucket", () => assert.deepEqual(messages(bucketWith()), []));

  for (const algorithm of ["AES256", "aws:kms", "aws:kms:dsse"])
    it(`takes ${algorithm} as default encryption`, () =>
      assert.deepEqual(
        messages(
          bucketWith({
            encryption: { rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: algorithm } }] },
          }),
        ),
        [],
      ));
  it("refuses another algorithm, or an encryption configuration without rules", () => {
    const sse = (rules: unknown) => messages(bucketWith({ encryption: { rules } }));
    assert.deepEqual(sse([{ applyServerSideEncryptionByDefault: { sseAlgorithm: "AES128" } }]), [NO_SSE]);
    assert.deepEqual(sse([]), [NO_SSE]);
    assert.deepEqual(sse(undefined), [NO_SSE]);
  });

  for (const flag of ["blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets"])
    it(`names ${flag} when it is not true`, () =>
      assert.deepEqual(messages(bucketWith({ publicAccess: { ...GOOD.publicAccess, [flag]: "true" } })), [
        missing(
          `full public access block (${flag} not true)`,
          "set all four flags of a BucketPublicAccessBlock",
        ),
      ]));

  it("needs BucketOwnerEnforced ownership and versioning Enabled, not another value", () => {
    assert.deepEqual(messages(bucketWith({ ownership: { rule: { objectOwnership: "ObjectWriter" } } })), [
      missing(
        "BucketOwnerEnforced object ownership",
        "add BucketOwnershipControls so ACLs cannot grant access",
      ),
    ]);
    assert.deepEqual(
      messages(bucketWith({ versioning: { versioningConfiguration: { status: "Suspended" } } })),
      [missing("versioning", "enable it so a deleted or overwritten block can be recovered")],
    );
  });

  it("needs a Deny on aws:SecureTransport false, not an Allow, another condition or no policy text", () => {
    const policy = (statement: unknown) =>
      messages(bucketWith({ policy: { policy: JSON.stringify({ Statement: statement }) } }));
    assert.deepEqual(policy([{ ...TLS_ONLY, Effect: "Allow" }]), [NO_TLS]);
    assert.deepEqual(policy([{ ...TLS_ONLY, Condition: { Bool: { "aws:SecureTransport": "true" } } }]), [
      NO_TLS,
    ]);
    assert.deepEqual(policy([{ ...TLS_ONLY, Condition: { Bool: { "aws:SecureTransport": false } } }]), [
      NO_TLS,
    ]);
    assert.deepEqual(
      policy([{ ...TLS_ONLY, Condition: { StringEquals: { "aws:SecureTransport": "false" } } }]),
      [NO_TLS],
    );
    assert.deepEqual(policy([{ ...TLS_ONLY, Condition: undefined }]), [NO_TLS]);
    assert.deepEqual(messages(bucketWith({ policy: {} })), [NO_TLS]);
  });

  it("needs both lifecycle rules, each by its own kind", () => {
    const lifecycle = (rules: Json[]) => messages(bucketWith({ lifecycle: { rules } }));
    const [abort, noncurrent] = GOOD.lifecycle.rules as Json[];
    assert.deepEqual(lifecycle([abort]), [missing("lifecycle rule expiring noncurrent versions", "add one")]);
    assert.deepEqual(lifecycle([noncurrent]), [
      missing("lifecycle rule aborting incomplete uploads", "add one"),
    ]);
    assert.deepEqual(lifecycle([{ ...abort, ...noncurrent }]), []);
  });

  it("reads the compactor's longest retention flag, from StatefulSets only", () => {
    const seconds = (resources: PolicyInput[]) =>
      compactorRetentionSeconds(resources.map((r) => ({ type: r.type, props: r.inputs })) as never);
    assert.equal(
      seconds([compactor(["--retention.resolution-raw=30d", "--retention.resolution-5m=90d"])]),
      90 * 86400,
    );
    assert.equal(
      seconds([compactor(["--retention.resolution-1h=1y", "--retention.resolution-raw=30d"])]),
      365 * 86400,
    );
    assert.equal(seconds([compactor(["--retention.resolution-raw=forever"])]), 0);
    assert.equal(seconds([compactor(["--retention.resolution-1d=400d", "--retention.resolution-raw"])]), 0);
    assert.equal(seconds([compactor(["x--retention.resolution-raw=30d"])]), 0);
    assert.equal(
      seconds([compactor(["--retention.resolution-raw=30d"], "kubernetes:apps/v1:Deployment")]),
      0,
    );
    assert.equal(seconds([resourceOf("kubernetes:apps/v1:StatefulSet", "bare", {})]), 0);
  });

  it("refuses a rule that expires objects before the compactor's retention, at whole days", () => {
    const expiring = (days: unknown, flags: string[]) => [
      ...bucketWith({
        lifecycle: { rules: [...(GOOD.lifecycle.rules as Json[]), { id: "expire", expiration: { days } }] },
      }),
      compactor(flags),
    ];
    assert.deepEqual(messages(expiring(89, ["--retention.resolution-5m=90d"])), [
      "S3 bucket metrics: lifecycle rule expire expires objects after 89d, before the compactor's 90d retention; let the compactor delete blocks instead.",
    ]);
    assert.deepEqual(messages(expiring(90, ["--retention.resolution-5m=90d"])), []);
    assert.deepEqual(messages(expiring(0, ["--retention.resolution-5m=90d"])), []);
    assert.deepEqual(messages(expiring("30", ["--retention.resolution-raw=36h"])), []);
    assert.deepEqual(messages(expiring(1, ["--retention.resolution-raw=36h"])), [
      "S3 bucket metrics: lifecycle rule expire expires objects after 1d, before the compactor's 2d retention; let the compactor delete blocks instead.",
    ]);
  });

  it("refuses companions without the setting they exist for", () => {
    assert.deepEqual(messages(bucketWith({ encryption: { rules: [{}] } })), [NO_SSE]);
    assert.deepEqual(messages(bucketWith({ ownership: {}, versioning: {} })), [
      missing(
        "BucketOwnerEnforced object ownership",
        "add BucketOwnershipControls so ACLs cannot grant access",
      ),
      missing("versioning", "enable it so a deleted or overwritten block can be recovered"),
    ]);
  });

  it("finds a companion that depends on the bucket among other resources", () => {
    const [bucket, ...companions] = bucketWith();
    const key = resourceOf("aws:kms/key:Key", "key", {});
    const alsoOnKey = companions.map((c) => ({ ...c, dependsOn: [key.urn, ...c.dependsOn] }));
    assert.deepEqual(messages([bucket, key, ...alsoOnKey]), []);
  });

  it("counts only the bucket's own companions, and judges each bucket", () => {
    const [bucket, ...companions] = bucketWith();
    const other = resourceOf(`${S3}bucket:Bucket`, "other", {}, { protect: true });
    const found = runPolicies([bucket, other, ...companions], [thanosBucketSecurity], {
      "thanos-bucket-security": { requireProtect: false },
    });
    assert.deepEqual(
      found.map((v) => [v.urn, v.message.replace(/ has no (.*?)(;| \().*/, " has no $1")]),
      [
        [other.urn, "S3 bucket other has no default encryption"],
        [other.urn, "S3 bucket other has no full public access block"],
        [other.urn, "S3 bucket other has no BucketOwnerEnforced object ownership"],
        [other.urn, "S3 bucket other has no versioning"],
        [other.urn, "S3 bucket other has no TLS-only bucket policy"],
        [other.urn, "S3 bucket other has no lifecycle rule aborting incomplete uploads"],
        [other.urn, "S3 bucket other has no lifecycle rule expiring noncurrent versions"],
      ],
    );
  });

  it("holds protection and forceDestroy only where required, and is mandatory under its name", () => {
    const [bucket, ...rest] = bucketWith();
    const loose = { ...bucket, protect: false, inputs: { forceDestroy: "true" } };
    assert.deepEqual(messages([loose, ...rest]), [
      "S3 bucket metrics is not protected; a stack change could delete metric history.",
    ]);
    assert.deepEqual(messages([loose, ...rest], false), []);
    const levels = (config = {}) =>
      violationsOf(thanosBucketSecurity, [loose, ...rest], config).map((v) => v.enforcementLevel);
    assert.deepEqual(levels(), ["mandatory"]);
    assert.deepEqual(levels({ "thanos-bucket-security": "advisory" }), ["advisory"]);
  });
});

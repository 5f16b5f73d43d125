/**
 * Issue 27, point 10: the bucket survives mistakes. Incomplete multipart uploads are aborted, S3 Object
 * Lock is optional and off by default, and docs/restore.md is a drill with commands.
 */
import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as path from "node:path";
import { parse } from "yaml";
import {
  ConfigError,
  objectLockRule,
  parseStackConfig,
  thanosLifecycleRules,
  thanosObjstoreConfig,
} from "../components";
import { Loose, devPolicyConfig, planOf, planWithConfig, projectDir, resource } from "./helpers/plan";

const LOCK = "aws:s3/bucketObjectLockConfiguration:BucketObjectLockConfiguration";
const oidc = {
  oidcProviderArn: "arn:aws:iam::123456789012:oidc-provider/oidc.eks.eu-west-1.amazonaws.com/id/ABC",
  oidcProviderUrl: "https://oidc.eks.eu-west-1.amazonaws.com/id/ABC",
};

describe("thanos bucket safety", () => {
  it("aborts incomplete multipart uploads after abortIncompleteUploadDays, 7 on prod", async () => {
    const { plan } = await planOf("prod");
    const rules = (
      resource(
        plan,
        "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration",
        "thanos-objstore-lifecycle",
      ).inputs as Loose
    ).rules;
    assert.deepEqual(rules[0], {
      id: "abort-incomplete-multipart-uploads",
      status: "Enabled",
      filter: {},
      abortIncompleteMultipartUpload: { daysAfterInitiation: 7 },
    });
    assert.deepEqual(thanosLifecycleRules(30, 3)[0].abortIncompleteMultipartUpload, {
      daysAfterInitiation: 3,
    });
  });

  it("keeps Object Lock off by default: no lock configuration, no objectLockEnabled, no MD5 setting", async () => {
    for (const fixture of ["prod", "everything", "generic"]) {
      const { plan } = await planOf(fixture);
      assert.equal(plan!.resources.filter((r) => r.type === LOCK).length, 0, fixture);
      const bucket = resource(plan, "aws:s3/bucket:Bucket", "thanos-objstore-bucket").inputs as Loose;
      assert.equal(bucket.objectLockEnabled, undefined, fixture);
    }
    assert.equal(parse(thanosObjstoreConfig("b", "eu-west-1")).config.send_content_md5, undefined);
  });

  it("locks every new version for the configured days and mode, after versioning", async () => {
    const result = await planWithConfig(
      "locked",
      {
        "kube-monitoring:environment": "dev",
        "kube-monitoring:clusterName": "dev-1",
        "kube-monitoring:prometheus": { retention: "2d" },
        "kube-monitoring:thanos": {
          enabled: true,
          region: "eu-west-1",
          auth: { mode: "accessKey" },
          bucket: { objectLock: { mode: "compliance", days: 45 } },
        },
      },
      undefined,
      devPolicyConfig(),
    );
    assert.equal(result.exitCode, 0, result.report);
    const plan = result.plan!;
    const lock = resource(plan, LOCK, "thanos-objstore-object-lock");
    const { bucket, ...inputs } = lock.inputs as Loose;
    assert.match(String(bucket), /^thanos-objstore-bucket-[0-9a-f]{8}$/);
    assert.deepEqual(inputs, {
      region: "eu-west-1",
      objectLockEnabled: "Enabled",
      rule: { defaultRetention: { mode: "COMPLIANCE", days: 45 } },
    });
    assert.ok(
      lock.dependsOn?.some((d) => d.endsWith("thanos-objstore-versioning")),
      "waits for versioning",
    );
    assert.equal(
      (resource(plan, "aws:s3/bucket:Bucket", "thanos-objstore-bucket").inputs as Loose).objectLockEnabled,
      true,
    );
    assert.deepEqual(objectLockRule({ mode: "governance", days: 1 }), {
      defaultRetention: { mode: "GOVERNANCE", days: 1 },
    });
    assert.equal(
      parse(thanosObjstoreConfig("b", "eu-west-1", undefined, undefined, true)).config.send_content_md5,
      true,
    );
  });

  it("refuses Object Lock without versioning, and a mode or days it does not know", () => {
    const problems = (bucket: Record<string, unknown>) => {
      try {
        parseStackConfig("dev", {
          environment: "dev",
          clusterName: "d-1",
          thanos: { enabled: true, region: "eu-west-1", auth: oidc, bucket },
        });
      } catch (err) {
        assert.ok(err instanceof ConfigError);
        return err.problems;
      }
      return [];
    };
    assert.deepEqual(problems({ versioning: false, objectLock: { mode: "governance", days: 7 } }), [
      "dev: thanos.bucket.objectLock: needs thanos.bucket.versioning true: S3 Object Lock works on versioned buckets only",
    ]);
    assert.deepEqual(problems({ objectLock: { mode: "legal-hold", days: 0 } }), [
      'dev: thanos.bucket.objectLock.mode: "legal-hold" is not an object lock mode; expected governance or compliance',
      "dev: thanos.bucket.objectLock.days: must be at least 1 days",
    ]);
  });

  it("documents a restore drill: which versions, with aws CLI commands, and the compactor's re-run", () => {
    const doc = fs.readFileSync(path.join(projectDir, "docs", "restore.md"), "utf8");
    for (const step of [
      "kubectl -n monitoring scale statefulset thanos-compactor --replicas=0",
      "aws s3api list-object-versions",
      "DeleteMarkers[?IsLatest]",
      'aws s3api delete-object --bucket "$BUCKET" --key "$key" --version-id "$version"',
      "aws s3api copy-object",
      "tools bucket mark",
      "kubectl -n monitoring delete pvc data-thanos-compactor-0",
    ])
      assert.ok(doc.includes(step), step);
    // The compactor's claim the drill deletes is the one the plan creates.
    return planOf("prod").then(({ plan }) => {
      const sts = resource(plan, "kubernetes:apps/v1:StatefulSet", "thanos-compactor").inputs as Loose;
      assert.equal(
        `${sts.spec.volumeClaimTemplates[0].metadata.name}-${sts.metadata.name}-0`,
        "data-thanos-compactor-0",
      );
    });
  });
});

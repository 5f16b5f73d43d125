/** The Thanos bucket: encrypted, private, versioned, TLS-only, with lifecycle rules the compactor can live with. */
import type { PolicyResource, ReportViolation, StackValidationArgs } from "@pulumi/policy";
import { durationSeconds } from "./units";
import { Json, Policy } from "./util";

const BUCKET = "aws:s3/bucket:Bucket";
const companion = {
  encryption: "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
  publicAccess: "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock",
  ownership: "aws:s3/bucketOwnershipControls:BucketOwnershipControls",
  versioning: "aws:s3/bucketVersioning:BucketVersioning",
  policy: "aws:s3/bucketPolicy:BucketPolicy",
  lifecycle: "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration",
} as const;

interface BucketConfig {
  requireProtect: boolean;
}

/** The longest retention the compactor keeps, from its `--retention.resolution-*` flags. */
export function compactorRetentionSeconds(resources: PolicyResource[]): number {
  let longest = 0;
  for (const r of resources) {
    if (r.type !== "kubernetes:apps/v1:StatefulSet") continue;
    const containers = (r.props.spec?.template?.spec?.containers ?? []) as { args?: string[] }[];
    for (const arg of containers.flatMap((c) => c.args ?? [])) {
      const match = /^--retention\.resolution-(?:raw|5m|1h)=(.+)$/.exec(arg);
      if (match) longest = Math.max(longest, durationSeconds(match[1]) ?? 0);
    }
  }
  return longest;
}

function checkBucket(
  bucket: PolicyResource,
  resources: PolicyResource[],
  cfg: BucketConfig,
  report: ReportViolation,
) {
  const mine = resources.filter((r) => r.dependencies.some((d) => d.urn === bucket.urn));
  const find = (type: string) => mine.find((r) => r.type === type);
  const where = `S3 bucket ${bucket.name}`;
  const missing = (what: string, fix: string) => report(`${where} has no ${what}; ${fix}.`, bucket.urn);

  const sse = find(companion.encryption);
  const algorithm = sse?.props.rules?.[0]?.applyServerSideEncryptionByDefault?.sseAlgorithm;
  if (!sse || !["AES256", "aws:kms", "aws:kms:dsse"].includes(algorithm)) {
    missing("default encryption", "add a BucketServerSideEncryptionConfiguration with AES256 or aws:kms");
  }
  const block = find(companion.publicAccess);
  const flags = ["blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets"];
  const open = flags.filter((f) => block?.props[f] !== true);
  if (open.length)
    missing(
      `full public access block (${open.join(", ")} not true)`,
      "set all four flags of a BucketPublicAccessBlock",
    );
  if (find(companion.ownership)?.props.rule?.objectOwnership !== "BucketOwnerEnforced") {
    missing(
      "BucketOwnerEnforced object ownership",
      "add BucketOwnershipControls so ACLs cannot grant access",
    );
  }
  if (find(companion.versioning)?.props.versioningConfiguration?.status !== "Enabled") {
    missing("versioning", "enable it so a deleted or overwritten block can be recovered");
  }
  const policyText = find(companion.policy)?.props.policy;
  const statements = (
    typeof policyText === "string" ? (JSON.parse(policyText) as Json).Statement : []
  ) as Json[];
  const tlsOnly = statements.some(
    (s) =>
      s.Effect === "Deny" &&
      (s.Condition as Json | undefined)?.Bool &&
      ((s.Condition as Json).Bool as Json)["aws:SecureTransport"] === "false",
  );
  if (!tlsOnly) missing("TLS-only bucket policy", "deny requests where aws:SecureTransport is false");

  const rules = (find(companion.lifecycle)?.props.rules ?? []) as Json[];
  if (!rules.some((r) => r.abortIncompleteMultipartUpload))
    missing("lifecycle rule aborting incomplete uploads", "add one");
  if (!rules.some((r) => r.noncurrentVersionExpiration))
    missing("lifecycle rule expiring noncurrent versions", "add one");
  const keep = compactorRetentionSeconds(resources);
  for (const rule of rules) {
    const days = Number((rule.expiration as Json | undefined)?.days ?? 0);
    if (days > 0 && days * 86400 < keep) {
      report(
        `${where}: lifecycle rule ${String(rule.id)} expires objects after ${days}d, before the compactor's ` +
          `${Math.round(keep / 86400)}d retention; let the compactor delete blocks instead.`,
        bucket.urn,
      );
    }
  }
  if (cfg.requireProtect) {
    if (!bucket.opts.protect)
      report(`${where} is not protected; a stack change could delete metric history.`, bucket.urn);
    if (bucket.props.forceDestroy === true)
      report(`${where} has forceDestroy; destroy would empty it.`, bucket.urn);
  }
}

export const thanosBucketSecurity: Policy = {
  name: "thanos-bucket-security",
  description:
    "The Thanos bucket is encrypted, blocks public access, enforces bucket ownership, is versioned and TLS-only, and its lifecycle never outruns the compactor.",
  enforcementLevel: "mandatory",
  configSchema: {
    properties: {
      requireProtect: {
        type: "boolean",
        default: true,
        description: "Require protect (and no forceDestroy) on the bucket: set in prod.",
      },
    },
  },
  validateStack: (args: StackValidationArgs, report: ReportViolation) => {
    const cfg = args.getConfig<BucketConfig>();
    for (const bucket of args.resources.filter((r) => r.type === BUCKET))
      checkBucket(bucket, args.resources, cfg, report);
  },
};

/**
 * What keeps the Thanos bucket through mistakes: TLS only, lifecycle rules that clean up without ever
 * expiring a current object, and optional S3 Object Lock. Pure; docs/restore.md is the drill.
 */

/** Denies every request that does not use TLS. */
export function tlsOnlyBucketPolicy(bucketArn: string) {
  return {
    Version: "2012-10-17",
    Statement: [
      {
        Sid: "DenyInsecureTransport",
        Effect: "Deny",
        Principal: "*",
        Action: "s3:*",
        Resource: [bucketArn, `${bucketArn}/*`],
        Condition: { Bool: { "aws:SecureTransport": "false" } },
      },
    ],
  };
}

/**
 * Lifecycle rules that clean up after failed uploads and old versions, and never expire a current
 * object: deleting blocks is the compactor's job, by its retention per resolution.
 */
export function thanosLifecycleRules(noncurrentDays: number, abortDays: number) {
  return [
    {
      id: "abort-incomplete-multipart-uploads",
      status: "Enabled",
      filter: {},
      abortIncompleteMultipartUpload: { daysAfterInitiation: abortDays },
    },
    {
      id: "expire-noncurrent-versions",
      status: "Enabled",
      filter: {},
      noncurrentVersionExpiration: { noncurrentDays },
    },
    {
      id: "remove-expired-delete-markers",
      status: "Enabled",
      filter: {},
      expiration: { expiredObjectDeleteMarker: true },
    },
  ];
}

/**
 * S3 Object Lock's default retention: every new object version is kept `days` after its upload. In
 * governance mode a principal with s3:BypassGovernanceRetention can still delete it (none of the
 * stack's roles has it); in compliance mode nobody can, not even the account root, until it expires.
 * The compactor's deletes still work: without a version id they only add delete markers.
 */
export function objectLockRule(lock: { mode: "governance" | "compliance"; days: number }) {
  return { defaultRetention: { mode: lock.mode.toUpperCase(), days: lock.days } };
}

import * as pulumi from "@pulumi/pulumi";
import * as iam from "@pulumi/aws/iam";
import * as s3 from "@pulumi/aws/s3";
import { stringify } from "yaml";
import type { RemoteWriteConfig, ThanosConfig } from "./schema";
import { BUCKET_CLIENT_ACTIONS, BucketClient, COMPONENT_TAG } from "../policies/iam";
import { keepOptions } from "./security";

import { objectLockRule, thanosLifecycleRules, tlsOnlyBucketPolicy } from "./bucketSafety";
export { objectLockRule, thanosLifecycleRules, tlsOnlyBucketPolicy } from "./bucketSafety";

// The actions live with the policy pack (which checks them and must stand alone when published).
export { BUCKET_CLIENT_ACTIONS, type BucketClient } from "../policies/iam";

/** The Kubernetes service accounts of the bucket's clients (IRSA trusts exactly one per role). */
export interface BucketClients {
  readonly namespace: string;
  readonly serviceAccounts: Readonly<Record<BucketClient, string>>;
}

/** What one client needs from the store: its role (IRSA), the objstore config, and what must exist first. */
export interface BucketAccess {
  /** The client's IAM role, annotated on its service account (IRSA mode only). */
  readonly roleArn?: pulumi.Output<string>;
  /** `thanos.yaml`, always secret. */
  readonly objstoreConfig: pulumi.Output<string>;
  /** The IAM policies granting the client its actions: a client started before them fails its first calls. */
  readonly ready: pulumi.Resource[];
}

export interface ThanosObjectStoreArgs {
  /** The `thanos` stack config: region, bucket settings and auth mode. */
  readonly config: Pick<ThanosConfig, "region" | "bucket" | "auth">;
  readonly clients: BucketClients;
  /** Tags on every AWS resource. */
  readonly tags: Record<string, string>;
  /**
   * Amazon Managed Prometheus workspaces Prometheus writes to with SigV4 and no role of its own: its
   * IRSA role (this store's) may `aps:RemoteWrite` to them.
   * @default []
   */
  readonly remoteWriteWorkspaceArns?: readonly string[];
  /**
   * Protect and retain the bucket: nothing a stack change does may delete metric history.
   * @default false
   */
  readonly protect?: boolean;
}

/** Fails early, naming the fields, when the config cannot make a working object store. */
export function validateThanosObjectStoreArgs(args: ThanosObjectStoreArgs): void {
  const { region, auth, bucket } = args.config;
  if (!region) throw new Error("ThanosObjectStore: thanos.region is required");
  if (auth.mode === "irsa" && (!auth.oidcProviderArn || !auth.oidcProviderUrl)) {
    throw new Error(
      "ThanosObjectStore: thanos.auth.oidcProviderArn and oidcProviderUrl are required for irsa",
    );
  }
  if (args.protect && bucket.forceDestroy) {
    throw new Error("ThanosObjectStore: thanos.bucket.forceDestroy and protect are mutually exclusive");
  }
}

type PolicyStatement = Record<string, unknown>;

/**
 * Least privilege for one bucket client: list the bucket, its object actions (every client without
 * `client`: the access-key mode's one user), and the KMS actions those need.
 */
export function thanosBucketPolicyDocument(
  bucketArn: string,
  kmsKeyArn?: string,
  client: BucketClient = "compactor",
) {
  const actions = BUCKET_CLIENT_ACTIONS[client];
  const statements: PolicyStatement[] = [
    { Sid: "ListBucket", Effect: "Allow", Action: ["s3:ListBucket"], Resource: [bucketArn] },
    { Sid: "Objects", Effect: "Allow", Action: actions.s3, Resource: [`${bucketArn}/*`] },
  ];
  if (kmsKeyArn) {
    statements.push({ Sid: "UseBucketKey", Effect: "Allow", Action: actions.kms, Resource: [kmsKeyArn] });
  }
  return { Version: "2012-10-17", Statement: statements };
}

/**
 * The workspace ARN of an Amazon Managed Prometheus remote-write URL
 * (`https://aps-workspaces.<region>.amazonaws.com/workspaces/<id>/api/v1/remote_write`).
 */
export function ampWorkspaceArn(url: string): string | undefined {
  const match = /^https:\/\/aps-workspaces\.([a-z0-9-]+)\.amazonaws\.com\/workspaces\/([A-Za-z0-9-]+)\//.exec(
    url,
  );
  return match ? `arn:aws:aps:${match[1]}:*:workspace/${match[2]}` : undefined;
}

/** AMP workspaces that sigv4 remote-write targets without a role of their own write to. */
export function ampWorkspacesWithoutRole(remoteWrite: readonly RemoteWriteConfig[]): string[] {
  return remoteWrite.flatMap((rw) => {
    const arn = rw.auth.type === "sigv4" && !rw.auth.roleArn ? ampWorkspaceArn(rw.url) : undefined;
    return arn ? [arn] : [];
  });
}

/** IRSA trust: only the named service accounts in `namespace`, through the cluster's OIDC provider. */
export function irsaTrustPolicy(
  oidcProviderArn: string,
  oidcProviderUrl: string,
  clients: { namespace: string; serviceAccounts: readonly string[] },
) {
  const issuer = oidcProviderUrl.replace(/^https:\/\//, "");
  return {
    Version: "2012-10-17",
    Statement: [
      {
        Effect: "Allow",
        Principal: { Federated: oidcProviderArn },
        Action: "sts:AssumeRoleWithWebIdentity",
        Condition: {
          StringEquals: {
            [`${issuer}:aud`]: "sts.amazonaws.com",
            [`${issuer}:sub`]: clients.serviceAccounts.map(
              (sa) => `system:serviceaccount:${clients.namespace}:${sa}`,
            ),
          },
        },
      },
    ],
  };
}

export interface ObjstoreCredentials {
  accessKey: string;
  secretKey: string;
}

/** The Thanos S3 objstore config (`thanos.yaml`). */
export function thanosObjstoreConfig(
  bucket: string,
  region: string,
  kmsKeyArn?: string,
  credentials?: ObjstoreCredentials,
  objectLock = false,
): string {
  return stringify({
    type: "S3",
    config: {
      bucket,
      endpoint: `s3.${region}.amazonaws.com`,
      region,
      // Without static keys, the AWS SDK chain picks up the IRSA web identity token.
      ...(credentials
        ? { access_key: credentials.accessKey, secret_key: credentials.secretKey }
        : { aws_sdk_auth: true }),
      sse_config: kmsKeyArn ? { type: "SSE-KMS", kms_key_id: kmsKeyArn } : { type: "SSE-S3" },
      // S3 refuses an upload without a checksum into a bucket with default retention.
      ...(objectLock ? { send_content_md5: true } : {}),
    },
  });
}

/**
 * The S3 bucket Thanos keeps long-term metrics in, hardened, with the IAM identity its clients use and
 * the objstore config they read (a secret Output; KubePrometheusStack puts it in a Kubernetes Secret).
 */
export class ThanosObjectStore extends pulumi.ComponentResource {
  public readonly bucketName: pulumi.Output<string>;
  public readonly bucketArn: pulumi.Output<string>;
  /** Each client's role (IRSA mode): the sidecar's also may write to AMP. */
  public readonly roleArns?: Record<BucketClient, pulumi.Output<string>>;
  /** `thanos.yaml`, always secret. */
  public readonly objstoreConfig: pulumi.Output<string>;
  private readonly grants = {} as Record<BucketClient, pulumi.Resource[]>;

  constructor(name: string, args: ThanosObjectStoreArgs, opts?: pulumi.ComponentResourceOptions) {
    super("kube-monitoring:thanos:ThanosObjectStore", name, {}, opts);
    validateThanosObjectStoreArgs(args);
    const { bucket: bucketConfig } = args.config;
    const region = args.config.region!;
    const bucket = new s3.Bucket(
      `${name}-bucket`,
      {
        bucketPrefix: `${bucketConfig.namePrefix}-`,
        forceDestroy: bucketConfig.forceDestroy,
        // Only at creation: on an existing bucket this replaces it, which prod's protect refuses (docs/restore.md).
        ...(bucketConfig.objectLock ? { objectLockEnabled: true } : {}),
        region,
        tags: args.tags,
      },
      { parent: this, ...keepOptions(args.protect) },
    );
    this.bucketName = bucket.bucket;
    this.bucketArn = bucket.arn;
    this.harden(name, bucket, args);

    let credentials: pulumi.Output<ObjstoreCredentials | undefined> = pulumi.output(undefined);
    if (args.config.auth.mode === "irsa") this.roleArns = this.grantRoles(name, bucket, args);
    else credentials = this.grantAccessKey(name, bucket, args);
    this.objstoreConfig = pulumi.secret(
      pulumi
        .all([bucket.bucket, credentials])
        .apply(([b, c]) =>
          thanosObjstoreConfig(b, region, bucketConfig.kmsKeyArn, c, !!bucketConfig.objectLock),
        ),
    );
    this.registerOutputs({ bucketName: this.bucketName, bucketArn: this.bucketArn, roleArns: this.roleArns });
  }

  /** Encryption, no public access, owner-enforced objects, versioning, lifecycle and TLS only. */
  private harden(name: string, bucket: s3.Bucket, args: ThanosObjectStoreArgs): void {
    const { bucket: bucketConfig } = args.config;
    const region = args.config.region!;
    const child = { parent: this };
    const ownership = new s3.BucketOwnershipControls(
      `${name}-ownership`,
      { bucket: bucket.id, region, rule: { objectOwnership: "BucketOwnerEnforced" } },
      child,
    );
    const publicAccess = new s3.BucketPublicAccessBlock(
      `${name}-public-access`,
      {
        bucket: bucket.id,
        region,
        blockPublicAcls: true,
        blockPublicPolicy: true,
        ignorePublicAcls: true,
        restrictPublicBuckets: true,
      },
      child,
    );
    new s3.BucketServerSideEncryptionConfiguration(
      `${name}-encryption`,
      {
        bucket: bucket.id,
        region,
        rules: [
          {
            applyServerSideEncryptionByDefault: bucketConfig.kmsKeyArn
              ? { sseAlgorithm: "aws:kms", kmsMasterKeyId: bucketConfig.kmsKeyArn }
              : { sseAlgorithm: "AES256" },
            bucketKeyEnabled: bucketConfig.kmsKeyArn ? true : undefined,
          },
        ],
      },
      child,
    );
    const versioning = new s3.BucketVersioning(
      `${name}-versioning`,
      {
        bucket: bucket.id,
        region,
        versioningConfiguration: { status: bucketConfig.versioning ? "Enabled" : "Suspended" },
      },
      child,
    );
    if (bucketConfig.objectLock) {
      new s3.BucketObjectLockConfiguration(
        `${name}-object-lock`,
        {
          bucket: bucket.id,
          region,
          objectLockEnabled: "Enabled",
          rule: objectLockRule(bucketConfig.objectLock),
        },
        { ...child, dependsOn: [versioning] },
      );
    }
    new s3.BucketLifecycleConfiguration(
      `${name}-lifecycle`,
      {
        bucket: bucket.id,
        region,
        rules: thanosLifecycleRules(
          bucketConfig.noncurrentVersionExpirationDays,
          bucketConfig.abortIncompleteUploadDays,
        ),
      },
      // S3 rejects noncurrent-version rules on a bucket whose versioning is not yet set.
      { ...child, dependsOn: [versioning] },
    );
    new s3.BucketPolicy(
      `${name}-tls-only`,
      { bucket: bucket.id, region, policy: bucket.arn.apply((a) => JSON.stringify(tlsOnlyBucketPolicy(a))) },
      // A bucket policy written before the public access block could be judged public and refused.
      { ...child, dependsOn: [publicAccess, ownership] },
    );
  }

  private bucketPolicy(bucket: s3.Bucket, args: ThanosObjectStoreArgs, client: BucketClient) {
    const kmsKeyArn = args.config.bucket.kmsKeyArn;
    return bucket.arn.apply((a) => JSON.stringify(thanosBucketPolicyDocument(a, kmsKeyArn, client)));
  }

  /** IRSA: one role per client, trusted by that client's service account alone, with its actions only. */
  private grantRoles(
    name: string,
    bucket: s3.Bucket,
    args: ThanosObjectStoreArgs,
  ): Record<BucketClient, pulumi.Output<string>> {
    const auth = args.config.auth;
    const child = { parent: this };
    const roles = {} as Record<BucketClient, pulumi.Output<string>>;
    const workspaces = args.remoteWriteWorkspaceArns ?? [];
    for (const client of Object.keys(BUCKET_CLIENT_ACTIONS) as BucketClient[]) {
      const role = new iam.Role(
        `${name}-${client}`,
        {
          description: `Thanos ${client}: ${BUCKET_CLIENT_ACTIONS[client].s3.join(", ")} on the metrics bucket (IRSA)`,
          assumeRolePolicy: JSON.stringify(
            irsaTrustPolicy(auth.oidcProviderArn!, auth.oidcProviderUrl!, {
              namespace: args.clients.namespace,
              serviceAccounts: [args.clients.serviceAccounts[client]],
            }),
          ),
          tags: { ...args.tags, [COMPONENT_TAG]: `thanos-${client}` },
        },
        child,
      );
      this.grants[client] = [
        new iam.RolePolicy(
          `${name}-${client}-bucket`,
          { role: role.name, policy: this.bucketPolicy(bucket, args, client) },
          child,
        ),
      ];
      roles[client] = role.arn;
      // Prometheus writes to AMP with the sidecar's identity (its service account); nobody else may.
      if (client === "sidecar" && workspaces.length) {
        this.grants.sidecar.push(
          new iam.RolePolicy(
            `${name}-remote-write`,
            {
              role: role.name,
              policy: JSON.stringify({
                Version: "2012-10-17",
                Statement: [
                  { Sid: "RemoteWrite", Effect: "Allow", Action: ["aps:RemoteWrite"], Resource: workspaces },
                ],
              }),
            },
            child,
          ),
        );
      }
    }
    return roles;
  }

  /** Without IRSA: one user for every client; they share the objstore Secret, so they share its keys. */
  private grantAccessKey(
    name: string,
    bucket: s3.Bucket,
    args: ThanosObjectStoreArgs,
  ): pulumi.Output<ObjstoreCredentials | undefined> {
    const child = { parent: this };
    const accessPolicy = new iam.Policy(
      `${name}-access`,
      {
        description: "Thanos: read and write the metrics bucket",
        policy: this.bucketPolicy(bucket, args, "compactor"),
        tags: args.tags,
      },
      child,
    );
    const user = new iam.User(`${name}-user`, { tags: args.tags }, child);
    const attachment = new iam.UserPolicyAttachment(
      `${name}-user-access`,
      { user: user.name, policyArn: accessPolicy.arn },
      child,
    );
    for (const client of Object.keys(BUCKET_CLIENT_ACTIONS) as BucketClient[])
      this.grants[client] = [attachment];
    const key = new iam.AccessKey(`${name}-access-key`, { user: user.name }, child);
    return pulumi.all([key.id, key.secret]).apply(([accessKey, secretKey]) => ({ accessKey, secretKey }));
  }

  /** What `client` needs to use the bucket. */
  public access(client: BucketClient): BucketAccess {
    return {
      roleArn: this.roleArns?.[client],
      objstoreConfig: this.objstoreConfig,
      ready: this.grants[client],
    };
  }
}

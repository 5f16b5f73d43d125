/** What each client of the Thanos bucket may do; the program grants exactly this, the pack checks it. */

/** The bucket's clients, each with its own IAM role and only the actions its work needs. */
export type BucketClient = "sidecar" | "store" | "compactor";

/** What each client does with the bucket: the sidecar uploads, the store gateway reads, the compactor rewrites. */
export const BUCKET_CLIENT_ACTIONS: Record<BucketClient, { s3: string[]; kms: string[] }> = {
  sidecar: { s3: ["s3:GetObject", "s3:PutObject"], kms: ["kms:Encrypt", "kms:GenerateDataKey"] },
  store: { s3: ["s3:GetObject"], kms: ["kms:Decrypt"] },
  compactor: {
    s3: ["s3:GetObject", "s3:PutObject", "s3:DeleteObject"],
    kms: ["kms:Encrypt", "kms:Decrypt", "kms:GenerateDataKey"],
  },
};

/** The tag naming the component an IAM role belongs to (`thanos-<client>`). */
export const COMPONENT_TAG = "kube-monitoring:component";

/** Every action the role of `client` may have: listing the bucket, its object and key actions, and for the sidecar (Prometheus' identity) writing to AMP. */
export function allowedActions(client: BucketClient): string[] {
  const a = BUCKET_CLIENT_ACTIONS[client];
  return ["s3:ListBucket", ...a.s3, ...a.kms, ...(client === "sidecar" ? ["aps:RemoteWrite"] : [])];
}

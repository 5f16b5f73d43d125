/**
 * What the monitoring pods need from the cluster before they can schedule: an encrypted gp3 StorageClass
 * on EKS (nothing creates one there, and a claim on a missing class stays Pending until the deploy times
 * out) and a PriorityClass, so Prometheus and Alertmanager are the last pods evicted, never the first.
 */
import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import type { ClusterConfig } from "./schema";
import { STACK_LABELS } from "./labels";

export const EBS_CSI_PROVISIONER = "ebs.csi.aws.com";

/** The StorageClass spec: gp3, encrypted, bound where the pod lands (EBS volumes are zonal), expandable. */
export function storageClassSpec(kmsKeyArn?: string) {
  return {
    provisioner: EBS_CSI_PROVISIONER,
    parameters: {
      type: "gp3",
      encrypted: "true",
      fsType: "ext4",
      ...(kmsKeyArn ? { kmsKeyId: kmsKeyArn } : {}),
    },
    volumeBindingMode: "WaitForFirstConsumer",
    allowVolumeExpansion: true,
    // Metric history outlives a deleted claim; an operator decides when to free it.
    reclaimPolicy: "Retain",
  };
}

export interface ClusterBaseArgs {
  readonly cluster: ClusterConfig;
}

export class ClusterBase extends pulumi.ComponentResource {
  /** The class every volume uses, or undefined for the cluster default. */
  public readonly storageClassName?: string;
  public readonly priorityClassName: string;
  /** What the monitoring workloads must wait for. */
  public readonly ready: pulumi.Resource[] = [];

  constructor(name: string, args: ClusterBaseArgs, opts?: pulumi.ComponentResourceOptions) {
    super("kube-monitoring:cluster:ClusterBase", name, {}, opts);
    const { cluster } = args;
    const labels = STACK_LABELS;
    this.storageClassName = cluster.storageClass.name;
    this.priorityClassName = cluster.priorityClass.name;
    if (cluster.storageClass.create) {
      this.ready.push(
        new k8s.storage.v1.StorageClass(
          `${name}-storage`,
          {
            metadata: { name: cluster.storageClass.name, labels },
            ...storageClassSpec(cluster.storageClass.kmsKeyArn),
          },
          { parent: this },
        ),
      );
    }
    if (cluster.priorityClass.create) {
      this.ready.push(
        new k8s.scheduling.v1.PriorityClass(
          `${name}-priority`,
          {
            metadata: { name: cluster.priorityClass.name, labels },
            value: cluster.priorityClass.value,
            globalDefault: false,
            preemptionPolicy: "PreemptLowerPriority",
            description:
              "Monitoring: Prometheus, Alertmanager and Thanos are evicted after application pods.",
          },
          { parent: this },
        ),
      );
    }
    this.registerOutputs({});
  }
}

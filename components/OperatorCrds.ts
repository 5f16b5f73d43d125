import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import { keepOptions } from "./security";
import { prometheusCommunityRepo, versions } from "./versions";

export interface OperatorCrdsArgs {
  /**
   * Namespace that holds the Helm release record of the CRD chart (the CRDs themselves are cluster-scoped).
   * @default "kube-system"
   */
  readonly releaseNamespace?: string;
  /**
   * Also `protect` the release, so that `pulumi destroy` stops instead of uninstalling the CRDs.
   * @default false
   */
  readonly protect?: boolean;
}

/** Helm release values for the prometheus-operator-crds chart. */
export function buildOperatorCrdsValues(): Record<string, unknown> {
  // Helm's keep policy means that even `helm uninstall` of this release leaves the CRDs in place.
  return { crds: { annotations: { "helm.sh/resource-policy": "keep" } } };
}

/**
 * The prometheus-operator CRDs, at the operator version of the pinned kube-prometheus-stack chart.
 *
 * Helm never upgrades CRDs it installed from a chart's `crds/` folder, and the Prometheus CRD is too
 * large for client-side apply. The prometheus-operator-crds chart keeps the CRDs in `templates/`, so a
 * chart upgrade applies them. Deleting a CRD deletes every object of that kind cluster-wide, so the
 * release is retained when it leaves the stack, and everything that creates monitoring custom
 * resources depends on this component.
 */
export class OperatorCrds extends pulumi.ComponentResource {
  public readonly release: k8s.helm.v3.Release;
  public readonly version: string;

  constructor(name: string, args: OperatorCrdsArgs = {}, opts?: pulumi.ComponentResourceOptions) {
    super("kube-monitoring:crds:OperatorCrds", name, {}, opts);
    this.version = versions.operatorCrds.operator;
    this.release = new k8s.helm.v3.Release(
      `${name}-release`,
      {
        name: "prometheus-operator-crds",
        chart: versions.operatorCrds.chart,
        version: versions.operatorCrds.version,
        repositoryOpts: { repo: prometheusCommunityRepo },
        namespace: args.releaseNamespace ?? "kube-system",
        values: buildOperatorCrdsValues(),
        atomic: true,
        cleanupOnFail: true,
        maxHistory: 5,
      },
      { parent: this, retainOnDelete: true, ...keepOptions(args.protect) },
    );
    this.registerOutputs({ version: this.version });
  }
}

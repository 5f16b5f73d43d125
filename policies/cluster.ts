/**
 * What a production cluster needs of the stack beyond each component: volumes on a storage class someone
 * chose, Prometheus' memory guaranteed, and IAM roles that grant each component only its own work.
 */
import type {
  PolicyResource,
  ReportViolation,
  ResourceValidationArgs,
  StackValidationArgs,
} from "@pulumi/policy";
import { BucketClient, COMPONENT_TAG, allowedActions } from "./iam";
import { HELM_RELEASE, Json, KPS_CHART, Policy, get } from "./util";
import { quantityBytes } from "./units";

const STATEFUL_SET = "kubernetes:apps/v1:StatefulSet";

/** Where the kube-prometheus-stack values claim volumes. */
const KPS_CLAIMS = [
  "prometheus.prometheusSpec.storageSpec.volumeClaimTemplate.spec",
  "alertmanager.alertmanagerSpec.storage.volumeClaimTemplate.spec",
];

export const volumesNameStorageClass: Policy = {
  name: "volumes-name-storage-class",
  description:
    "Every volume the stack claims names its StorageClass: the cluster's default may not exist (EKS has " +
    "none by default since 1.30) or may be unencrypted, and a claim left Pending stops the deployment.",
  enforcementLevel: "mandatory",
  configSchema: { properties: {} },
  validateResource: (args: ResourceValidationArgs, report: ReportViolation) => {
    const unnamed = (spec: unknown) => spec !== undefined && !get(spec, "storageClassName");
    if (args.type === HELM_RELEASE && args.props.chart === KPS_CHART) {
      const grafanaVolume = get(args.props.values, "grafana.persistence") as Json | undefined;
      if (grafanaVolume?.enabled === true && !grafanaVolume.storageClassName) {
        report(
          `Helm release ${args.name}: values.grafana.persistence names no storageClassName; set the stack's ` +
            "cluster.storageClass (created by the stack) or grafana.persistence.storageClass.",
        );
      }
      for (const path of KPS_CLAIMS) {
        if (unnamed(get(args.props.values, path))) {
          report(
            `Helm release ${args.name}: values.${path} names no storageClassName; set the stack's ` +
              "cluster.storageClass (created by the stack) or the component's storageClass.",
          );
        }
      }
    }
    if (args.type === STATEFUL_SET) {
      for (const claim of (get(args.props, "spec.volumeClaimTemplates") ?? []) as Json[]) {
        if (unnamed(claim.spec)) {
          report(
            `StatefulSet ${args.name}: volume claim "${String(get(claim, "metadata.name") ?? "?")}" names no ` +
              "storageClassName; set the stack's cluster.storageClass or the component's storageClass.",
          );
        }
      }
    }
  },
};

export const prometheusMemoryGuaranteed: Policy = {
  name: "prometheus-memory-guaranteed",
  description:
    "Prometheus' memory request equals its limit: a Burstable Prometheus is among the first pods the " +
    "kubelet evicts under memory pressure, exactly when its alerts are needed.",
  enforcementLevel: "mandatory",
  configSchema: { properties: {} },
  validateResource: (args: ResourceValidationArgs, report: ReportViolation) => {
    if (args.type !== HELM_RELEASE || args.props.chart !== KPS_CHART) return;
    const resources = get(args.props.values, "prometheus.prometheusSpec.resources");
    const request = String(get(resources, "requests.memory") ?? "");
    const limit = String(get(resources, "limits.memory") ?? "");
    if (!request || !limit) return; // monitoring-resource-limits reports what is missing
    if (quantityBytes(request) !== quantityBytes(limit)) {
      report(
        `Helm release ${args.name}: Prometheus requests ${request} of memory but may use ${limit}; set ` +
          `prometheus.resources.requests.memory equal to the limit (${limit}) so the pods are never evicted first.`,
      );
    }
  },
};

type Statement = { Effect?: string; Action?: string | string[]; Resource?: string | string[] };

function statementsOf(document: unknown): Statement[] | undefined {
  if (typeof document !== "string") return undefined; // unknown until the bucket exists: nothing to judge
  try {
    const parsed = JSON.parse(document) as { Statement?: Statement | Statement[] };
    return [parsed.Statement ?? []].flat();
  } catch {
    return undefined;
  }
}

const asList = (v: string | string[] | undefined) => [v ?? []].flat();

/** The bucket client a role serves, from its component tag (`thanos-sidecar` → `sidecar`). */
function clientOf(role: PolicyResource | undefined): BucketClient | undefined {
  const component = String(role?.props.tags?.[COMPONENT_TAG] ?? "");
  const client = component.replace(/^thanos-/, "");
  return ["sidecar", "store", "compactor"].includes(client) ? (client as BucketClient) : undefined;
}

export const iamLeastPrivilege: Policy = {
  name: "iam-least-privilege",
  description:
    "IAM policies grant no wildcard actions or resources, and each Thanos component's role only the " +
    "actions its work needs (the sidecar uploads, the store gateway reads, the compactor rewrites).",
  enforcementLevel: "mandatory",
  configSchema: { properties: {} },
  validateStack: (args: StackValidationArgs, report: ReportViolation) => {
    const types = ["aws:iam/rolePolicy:RolePolicy", "aws:iam/policy:Policy"];
    for (const r of args.resources.filter((x) => types.includes(x.type))) {
      const statements = statementsOf(r.props.policy);
      if (!statements) continue;
      const allows = statements.filter((s) => s.Effect === "Allow");
      const actions = [...new Set(allows.flatMap((s) => asList(s.Action)))];
      const kind = r.type === types[0] ? "IAM role policy" : "IAM policy";
      const wildcards = actions.filter((a) => a.includes("*"));
      if (wildcards.length) {
        report(
          `${kind} ${r.name}: allows ${wildcards.join(", ")}; name the actions the component needs.`,
          r.urn,
        );
      }
      if (allows.some((s) => asList(s.Resource).includes("*"))) {
        report(
          `${kind} ${r.name}: allows actions on every resource ("*"); name the bucket, key or workspace.`,
          r.urn,
        );
      }
      const role = r.dependencies.find((d) => d.type === "aws:iam/role:Role");
      const client = r.type === types[0] ? clientOf(role) : undefined;
      if (!client) continue;
      const allowed = allowedActions(client);
      const extra = actions.filter((a) => !a.includes("*") && !allowed.includes(a));
      if (extra.length) {
        report(
          `${kind} ${r.name} (role of thanos-${client}): allows ${extra.join(", ")}, which thanos-${client} ` +
            `does not need; it may have ${allowed.join(", ")}.`,
          r.urn,
        );
      }
    }
  },
};

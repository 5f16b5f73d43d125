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

/**
 * Every container of the Prometheus pod, where the kube-prometheus-stack values set its resources, and the
 * config key that sets them. The config reloader's resources are operator-wide flags
 * (`--config-reloader-*`): the operator gives them to the `config-reloader` and `init-config-reloader`
 * containers of every Prometheus and Alertmanager pod.
 */
const PROMETHEUS_POD_CONTAINERS = [
  { container: "prometheus", path: "prometheus.prometheusSpec.resources", key: "prometheus.resources" },
  {
    container: "thanos-sidecar",
    path: "prometheus.prometheusSpec.thanos.resources",
    key: "thanos.sidecar.resources",
    when: "prometheus.prometheusSpec.thanos",
  },
  {
    container: "config-reloader and init-config-reloader",
    path: "prometheusOperator.prometheusConfigReloader.resources",
    key: "the stack's config reloader resources (components/kubePrometheusStack/shared.ts)",
  },
] as const;

export const prometheusMemoryGuaranteed: Policy = {
  name: "prometheus-memory-guaranteed",
  description:
    "Every container of the Prometheus pod (prometheus, thanos-sidecar, config-reloader, " +
    "init-config-reloader, and any added) has a memory request equal to its limit: the kubelet evicts by " +
    "usage above requests, so one Burstable container makes Prometheus among the first pods evicted.",
  enforcementLevel: "mandatory",
  configSchema: { properties: {} },
  validateResource: (args: ResourceValidationArgs, report: ReportViolation) => {
    if (args.type !== HELM_RELEASE || args.props.chart !== KPS_CHART) return;
    const values = args.props.values;
    const judge = (container: string, resources: unknown, key: string) => {
      const request = String(get(resources, "requests.memory") ?? "");
      const limit = String(get(resources, "limits.memory") ?? "");
      if (!request || !limit) {
        report(
          `Helm release ${args.name}: the Prometheus pod's ${container} has no memory ` +
            `${request ? "limit" : "request"}; set ${key} with requests.memory equal to limits.memory.`,
        );
      } else if (quantityBytes(request) !== quantityBytes(limit)) {
        report(
          `Helm release ${args.name}: the Prometheus pod's ${container} requests ${request} of memory but ` +
            `may use ${limit}; set ${key}.requests.memory equal to the limit (${limit}) so the pods are ` +
            "never evicted first.",
        );
      }
    };
    for (const c of PROMETHEUS_POD_CONTAINERS) {
      if ("when" in c && !get(values, c.when)) continue;
      judge(c.container, get(values, c.path), c.key);
    }
    for (const list of ["containers", "initContainers"]) {
      for (const c of (get(values, `prometheus.prometheusSpec.${list}`) ?? []) as Json[]) {
        // Patches of the operator's own containers keep the resources judged above unless they set theirs.
        if (
          c.resources === undefined &&
          PROMETHEUS_POD_CONTAINERS.some((k) => k.container.includes(String(c.name)))
        )
          continue;
        judge(String(c.name), c.resources, `prometheus.prometheusSpec.${list}[${String(c.name)}].resources`);
      }
    }
  },
};

type Statement = {
  Effect?: string;
  Action?: string | string[];
  Resource?: string | string[];
  NotAction?: unknown;
  NotResource?: unknown;
};

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
    "IAM policies grant no wildcard actions or resources (nor everything but a list, NotAction or NotResource), and each Thanos component's role only the " +
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
      // Allow with NotAction or NotResource grants everything the list leaves out.
      const inverted = [
        ...new Set(allows.flatMap((s) => ["NotAction", "NotResource"].filter((k) => k in s))),
      ];
      if (inverted.length) {
        report(
          `${kind} ${r.name}: allows with ${inverted.join(" and ")}, which grant everything not listed; ` +
            "name the actions and resources instead.",
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

/** Team stacks (the teams/ project) only touch their own apps' namespaces. */
import type { ReportViolation, StackValidationArgs } from "@pulumi/policy";
import { CLUSTER_NAMESPACES, HELM_RELEASE, Json, Policy } from "./util";

/** The project of team stacks; the platform project is `kube-monitoring`. */
export const TEAM_PROJECT = "kube-monitoring-teams";

/** Kubernetes kinds a team stack may create: an app's namespace, workload, monitoring and routing. */
const TEAM_KINDS = new Set([
  "Namespace",
  "Deployment",
  "Service",
  "Ingress",
  "ConfigMap",
  "Secret",
  "ServiceMonitor",
  "PodMonitor",
  "Probe",
  "PrometheusRule",
  "AlertmanagerConfig",
]);

const projectOf = (urn: string) => urn.split("::")[1];

export const teamStackScope: Policy = {
  name: "team-stack-scope",
  description:
    "A team stack creates only its apps' objects, each app's in its own namespace: no cluster-wide " +
    "objects, no Helm releases, nothing in the platform's or another app's namespace.",
  enforcementLevel: "mandatory",
  configSchema: {
    properties: {
      platformNamespaces: {
        type: "array",
        items: { type: "string" },
        default: ["monitoring", ...CLUSTER_NAMESPACES],
        description: "Namespaces the platform owns: a team stack creates nothing there.",
      },
    },
  },
  validateStack: (args: StackValidationArgs, report: ReportViolation) => {
    const platform = new Set(
      (args.getConfig<{ platformNamespaces?: string[] }>().platformNamespaces ?? []) as string[],
    );
    const ours = args.resources.filter((r) => projectOf(r.urn) === TEAM_PROJECT);
    const namespaceOfApp = new Map<string, { namespace: string; first: string }>();
    for (const r of ours) {
      if (r.type === HELM_RELEASE) {
        report(`Helm release ${r.name}: a team stack installs no charts; the platform stack does.`, r.urn);
        continue;
      }
      if (!r.type.startsWith("kubernetes:")) continue;
      const kind = String(r.props.kind ?? r.type.split(":").pop());
      if (!TEAM_KINDS.has(kind)) {
        report(
          `${kind} ${r.name}: a team stack creates only its apps' objects (${[...TEAM_KINDS].join(", ")}).`,
          r.urn,
        );
        continue;
      }
      const metadata = (r.props.metadata ?? {}) as { namespace?: string; name?: string; labels?: Json };
      const app = metadata.labels?.["app.kubernetes.io/part-of"];
      const namespace = kind === "Namespace" ? metadata.name : metadata.namespace;
      if (typeof app !== "string" || typeof namespace !== "string") {
        report(
          `${kind} ${r.name}: belongs to no app (no app.kubernetes.io/part-of label or no namespace).`,
          r.urn,
        );
        continue;
      }
      if (platform.has(namespace)) {
        report(
          `${kind} ${r.name}: namespace ${namespace} is owned by the platform; a team stack uses its own namespaces.`,
          r.urn,
        );
      }
      for (const problem of ownershipProblems(kind, namespace, r.props))
        report(`${kind} ${r.name}: ${problem}`, r.urn);
      const seen = namespaceOfApp.get(app);
      if (!seen) namespaceOfApp.set(app, { namespace, first: `${kind} ${r.name}` });
      else if (seen.namespace !== namespace) {
        report(
          `${kind} ${r.name}: app ${app} lives in ${seen.namespace} (${seen.first}) but this is in ${namespace}; ` +
            "a team stack keeps each app's objects in the app's namespace.",
          r.urn,
        );
      }
    }
  },
};

/**
 * What a team's monitor or rule may not do: keep scraped labels over the target's (`honorLabels` lets a
 * target speak for another namespace or job), or label alerts into another namespace.
 */
function ownershipProblems(kind: string, namespace: string, props: Json): string[] {
  const spec = (props.spec ?? {}) as Json;
  if (kind === "ServiceMonitor" || kind === "PodMonitor") {
    const endpoints = ((kind === "ServiceMonitor" ? spec.endpoints : spec.podMetricsEndpoints) ??
      []) as Json[];
    return endpoints.some((e) => e.honorLabels === true)
      ? [
          "honorLabels lets the target's series speak for another namespace or job; a team's monitors keep the target's labels.",
        ]
      : [];
  }
  if (kind !== "PrometheusRule") return [];
  const problems: string[] = [];
  for (const group of (spec.groups ?? []) as { rules?: Json[] }[]) {
    for (const rule of group.rules ?? []) {
      const labelled = ((rule.labels ?? {}) as Json).namespace;
      if (typeof rule.alert === "string" && labelled !== undefined && labelled !== namespace) {
        problems.push(
          `alert ${rule.alert} is labelled namespace=${String(labelled)}, outside its own namespace ${namespace}.`,
        );
      }
    }
  }
  return problems;
}

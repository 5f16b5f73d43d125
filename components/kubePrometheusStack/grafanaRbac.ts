/**
 * What Grafana's sidecars may read: ConfigMaps, nothing else. The grafana chart's own Role and
 * ClusterRole always grant Secrets too (get, list, watch; whatever `sidecar.*.resource` says), on a
 * Grafana every SSO user reaches; so the chart's RBAC is off (`rbac.create: false`) and the stack grants
 * exactly this: a namespaced Role when every dashboard lives in the monitoring namespace, a ClusterRole
 * only when team stacks keep their apps' dashboards in their own namespaces (searchNamespace ALL).
 */
import * as k8s from "@pulumi/kubernetes";
import type * as pulumi from "@pulumi/pulumi";
import { STACK_LABELS } from "../labels";
import { GRAFANA_SERVICE_ACCOUNT } from "./names";

export const GRAFANA_SIDECAR_ROLE = "grafana-sidecar-configmaps";

/** The sidecars' only permission: reading and watching ConfigMaps. */
export const CONFIGMAP_READ_RULES = [
  { apiGroups: [""], resources: ["configmaps"], verbs: ["get", "list", "watch"] },
];

export interface GrafanaRbacSpec {
  /** Role (the monitoring namespace) or ClusterRole (every namespace, for team dashboards). */
  readonly kind: "Role" | "ClusterRole";
  readonly name: string;
  readonly rules: typeof CONFIGMAP_READ_RULES;
  readonly subject: { kind: "ServiceAccount"; name: string; namespace: string };
}

/** The grant the sidecars need. Pure. */
export function grafanaRbacSpec(namespace: string, clusterWide: boolean): GrafanaRbacSpec {
  return {
    kind: clusterWide ? "ClusterRole" : "Role",
    // A ClusterRole's name is cluster-wide: the namespace keeps two stacks' apart.
    name: clusterWide ? `${namespace}-${GRAFANA_SIDECAR_ROLE}` : GRAFANA_SIDECAR_ROLE,
    rules: CONFIGMAP_READ_RULES,
    subject: { kind: "ServiceAccount", name: GRAFANA_SERVICE_ACCOUNT, namespace },
  };
}

/** The Role or ClusterRole and its binding, children of `parent`. */
export function grafanaRbac(
  name: string,
  spec: GrafanaRbacSpec,
  namespace: pulumi.Input<string>,
  parent: pulumi.Resource,
): pulumi.Resource[] {
  const roleRef = { apiGroup: "rbac.authorization.k8s.io", kind: spec.kind, name: spec.name };
  if (spec.kind === "ClusterRole") {
    const role = new k8s.rbac.v1.ClusterRole(
      `${name}-grafana-sidecar`,
      { metadata: { name: spec.name, labels: STACK_LABELS }, rules: spec.rules },
      { parent },
    );
    const binding = new k8s.rbac.v1.ClusterRoleBinding(
      `${name}-grafana-sidecar`,
      { metadata: { name: spec.name, labels: STACK_LABELS }, roleRef, subjects: [spec.subject] },
      { parent, dependsOn: [role] },
    );
    return [role, binding];
  }
  const metadata = { name: spec.name, namespace, labels: STACK_LABELS };
  const role = new k8s.rbac.v1.Role(`${name}-grafana-sidecar`, { metadata, rules: spec.rules }, { parent });
  const binding = new k8s.rbac.v1.RoleBinding(
    `${name}-grafana-sidecar`,
    { metadata, roleRef, subjects: [spec.subject] },
    { parent, dependsOn: [role] },
  );
  return [role, binding];
}

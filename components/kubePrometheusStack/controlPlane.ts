import { REPLACED_CHART_ALERTS } from "../platformRules";
import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import type { ClusterConfig } from "../schema";
import { STACK_LABELS } from "../labels";
import { PROMETHEUS_SERVICE_ACCOUNT } from "./names";

export type ControlPlane = Pick<ClusterConfig, "provider" | "kubeProxyMetrics">;

/** Where EKS serves the scheduler's and controller manager's metrics, through the API server. */
export const EKS_CONTROL_PLANE_METRICS = {
  "kube-scheduler": "/apis/metrics.eks.amazonaws.com/v1/ksh/container/metrics",
  "kube-controller-manager": "/apis/metrics.eks.amazonaws.com/v1/kcm/container/metrics",
} as const;

/** A ServiceMonitor on the `kubernetes` Service scraping the EKS control-plane endpoints as their jobs. */
export function eksControlPlaneMonitorSpec() {
  const sa = "/var/run/secrets/kubernetes.io/serviceaccount";
  return {
    namespaceSelector: { matchNames: ["default"] },
    selector: { matchLabels: { component: "apiserver", provider: "kubernetes" } },
    endpoints: Object.entries(EKS_CONTROL_PLANE_METRICS).map(([job, path]) => ({
      port: "https",
      scheme: "https",
      path,
      interval: "30s",
      bearerTokenFile: `${sa}/token`,
      tlsConfig: { caFile: `${sa}/ca.crt`, serverName: "kubernetes" },
      relabelings: [{ targetLabel: "job", replacement: job, action: "replace" }],
    })),
  };
}

/** Scrape targets the chart would look for as pods, which a managed control plane does not have. */
export function controlPlaneValues(cluster: ControlPlane) {
  const managed = cluster.provider === "eks";
  return {
    kubeScheduler: { enabled: !managed },
    kubeControllerManager: { enabled: !managed },
    kubeEtcd: { enabled: !managed },
    kubeProxy: { enabled: cluster.kubeProxyMetrics },
    // Without these, absent(up{job="kube-scheduler"}) alerts would fire forever on EKS.
    defaultRules: {
      rules: {
        kubeSchedulerAlerting: !managed,
        kubeSchedulerRecording: !managed,
        kubeControllerManager: !managed,
        etcd: !managed,
        kubeProxy: cluster.kubeProxyMetrics,
      },
      // The stack's own meta-monitoring replaces these (platformRules.ts): one failure, one notification.
      disabled: Object.fromEntries(REPLACED_CHART_ALERTS.map((a) => [a, true])),
    },
  };
}

/**
 * On EKS: lets Prometheus read the two control-plane metric endpoints EKS serves (nothing more) and
 * scrapes them. Children of `parent`, named `<name>-eks-control-plane`.
 */
export function scrapeEksControlPlane(
  name: string,
  namespace: pulumi.Input<string>,
  crds: pulumi.Resource,
  parent: pulumi.Resource,
): void {
  const resourceName = `${name}-eks-control-plane`;
  const role = new k8s.rbac.v1.ClusterRole(
    resourceName,
    {
      metadata: { labels: { ...STACK_LABELS } },
      rules: [
        {
          apiGroups: ["metrics.eks.amazonaws.com"],
          resources: ["kcm/metrics", "ksh/metrics"],
          verbs: ["get"],
        },
      ],
    },
    { parent },
  );
  new k8s.rbac.v1.ClusterRoleBinding(
    resourceName,
    {
      metadata: { labels: { ...STACK_LABELS } },
      roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: role.metadata.name },
      subjects: [{ kind: "ServiceAccount", name: PROMETHEUS_SERVICE_ACCOUNT, namespace }],
    },
    { parent },
  );
  new k8s.apiextensions.CustomResource(
    resourceName,
    {
      apiVersion: "monitoring.coreos.com/v1",
      kind: "ServiceMonitor",
      metadata: {
        name: "eks-control-plane",
        namespace,
        // Its target is the API server's `kubernetes` Service, which no stack creates.
        annotations: { "kube-monitoring.io/targets-outside-stack": "true" },
      },
      spec: eksControlPlaneMonitorSpec(),
    },
    { parent, dependsOn: [crds] },
  );
}

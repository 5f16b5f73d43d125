/** Resource requests and limits: on our workloads, and in the values of every Helm release we install. */
import type { ResourceValidationArgs, ReportViolation } from "@pulumi/policy";
import {
  HELM_RELEASE,
  Json,
  Policy,
  WORKLOAD_TYPES,
  containersOf,
  get,
  missingResources,
  podSpecOf,
} from "./util";

interface LimitsConfig {
  requireCpuLimit: boolean;
}

const limitsSchema = {
  properties: {
    requireCpuLimit: {
      type: "boolean",
      default: true,
      description: "Also require limits.cpu (CPU limits throttle; many teams prefer requests only).",
    },
  },
} as const;

export const workloadResourceLimits: Policy = {
  name: "workload-resource-limits",
  description:
    "Every container and init container of the workloads we create has CPU and memory requests and a memory limit.",
  enforcementLevel: "mandatory",
  configSchema: limitsSchema,
  validateResource: (args: ResourceValidationArgs, report: ReportViolation) => {
    if (!WORKLOAD_TYPES.includes(args.type)) return;
    const { requireCpuLimit } = args.getConfig<LimitsConfig>();
    const kind = args.type.split(":").pop();
    for (const { kind: which, c } of containersOf(podSpecOf(args.type, args.props))) {
      const missing = missingResources(c.resources, requireCpuLimit);
      if (missing.length) {
        report(
          `${kind} ${args.name}: ${which} "${c.name ?? "?"}" has no ${missing.join(", ")}; ` +
            `set resources.${missing[0]} so the scheduler can place it and the kernel can bound it.`,
        );
      }
    }
  },
};

/**
 * Key paths of the resource requirements of every component each chart runs, and when that component
 * runs at all.
 */
export const CHART_COMPONENTS: Record<string, { path: string; when?: (values: Json) => boolean }[]> = {
  "kube-prometheus-stack": [
    { path: "prometheusOperator.resources" },
    { path: "prometheusOperator.prometheusConfigReloader.resources" },
    { path: "prometheusOperator.admissionWebhooks.patch.resources" },
    { path: "prometheus.prometheusSpec.resources" },
    {
      path: "prometheus.prometheusSpec.thanos.resources",
      when: (v) => get(v, "prometheus.prometheusSpec.thanos") !== undefined,
    },
    {
      path: "alertmanager.alertmanagerSpec.resources",
      when: (v) => get(v, "alertmanager.enabled") !== false,
    },
    { path: "grafana.resources", when: (v) => get(v, "grafana.enabled") !== false },
    { path: "grafana.sidecar.resources", when: (v) => get(v, "grafana.enabled") !== false },
    { path: "kube-state-metrics.resources", when: (v) => get(v, "kubeStateMetrics.enabled") !== false },
    { path: "prometheus-node-exporter.resources", when: (v) => get(v, "nodeExporter.enabled") !== false },
  ],
  "prometheus-blackbox-exporter": [{ path: "resources" }],
  "prometheus-pushgateway": [{ path: "resources" }],
  // CRDs only: nothing runs.
  "prometheus-operator-crds": [],
};

export const monitoringResourceLimits: Policy = {
  name: "monitoring-resource-limits",
  description: "The Helm releases we install give requests and limits to every component they run.",
  enforcementLevel: "mandatory",
  configSchema: limitsSchema,
  validateResource: (args: ResourceValidationArgs, report: ReportViolation) => {
    if (args.type !== HELM_RELEASE) return;
    const { requireCpuLimit } = args.getConfig<LimitsConfig>();
    const chart = String(args.props.chart ?? "");
    const values = (args.props.values ?? {}) as Json;
    const components = CHART_COMPONENTS[chart];
    if (!components) {
      report(
        `Helm release ${args.name}: chart "${chart}" is not known to this policy; ` +
          `list the resource paths of its components in CHART_COMPONENTS (policies/resources.ts).`,
      );
      return;
    }
    for (const component of components) {
      if (component.when && !component.when(values)) continue;
      const missing = missingResources(get(values, component.path), requireCpuLimit);
      if (missing.length) {
        report(`Helm release ${args.name} (${chart}): ${component.path} has no ${missing.join(", ")}.`);
      }
    }
  },
};

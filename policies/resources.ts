/** Resource requests and limits: on our workloads, and in the values of every Helm release we install. */
import type { PolicyConfigSchema, ResourceValidationArgs, ReportViolation } from "@pulumi/policy";
import type { PolicyConfigJSONSchema } from "@pulumi/policy/schema";
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
import { quantityBytes, quantityCores } from "./units";

interface Ceiling {
  cpu: string;
  memory: string;
}

interface LimitsConfig {
  requireCpuLimit: boolean;
  /** The most one container may ask for: `default`, and per component (see `componentOf`). */
  ceilings: Record<string, Ceiling>;
}

/**
 * What no single monitoring container should need: larger numbers are a typo ("64" cores for "64Mi")
 * or a capacity plan that belongs in a review. Prometheus and the Thanos store gateway hold the most.
 */
export const DEFAULT_CEILINGS: Record<string, Ceiling> = {
  default: { cpu: "8", memory: "32Gi" },
  prometheus: { cpu: "32", memory: "256Gi" },
  "thanos-store": { cpu: "16", memory: "128Gi" },
  "thanos-query": { cpu: "16", memory: "64Gi" },
  "thanos-compactor": { cpu: "8", memory: "64Gi" },
};

const ceilingSchema: PolicyConfigJSONSchema = {
  type: "object",
  properties: {
    cpu: { type: "string", pattern: "^\\d+(\\.\\d+)?m?$" },
    memory: { type: "string", pattern: "^\\d+(\\.\\d+)?(Ki|Mi|Gi|Ti|Pi|Ei|k|M|G|T|P|E)?$" },
  },
  required: ["cpu", "memory"],
  additionalProperties: false,
};

const limitsSchema: PolicyConfigSchema = {
  properties: {
    requireCpuLimit: {
      type: "boolean",
      default: true,
      description: "Also require limits.cpu (CPU limits throttle; many teams prefer requests only).",
    },
    ceilings: {
      type: "object",
      default: DEFAULT_CEILINGS,
      description:
        "Largest request or limit one container may have, per component (`default` for the rest): " +
        "{ <component>: { cpu, memory } }. Components: prometheus, alertmanager, grafana, operator, " +
        "kube-state-metrics, node-exporter, blackbox-exporter, pushgateway, thanos-sidecar, thanos-query, " +
        "thanos-store, thanos-compactor, or a workload's name.",
      additionalProperties: ceilingSchema,
    },
  },
};

/** The ceiling for `component`: configured, else the default ceilings', else `default`. */
function ceilingFor(ceilings: Record<string, Ceiling>, component: string): Ceiling {
  return ceilings[component] ?? DEFAULT_CEILINGS[component] ?? ceilings.default ?? DEFAULT_CEILINGS.default;
}

/** Requests and limits above the component's ceiling, as messages. */
/** How each resource's quantities are read. */
const QUANTITY: Record<keyof Ceiling, (q: string) => number | undefined> = {
  cpu: quantityCores,
  memory: quantityBytes,
};

function aboveCeiling(resources: unknown, component: string, ceilings: Record<string, Ceiling>): string[] {
  const ceiling = ceilingFor(ceilings, component);
  const r = (resources ?? {}) as { requests?: Json; limits?: Json };
  const found: string[] = [];
  for (const kind of ["requests", "limits"] as const) {
    for (const resource of ["cpu", "memory"] as const) {
      const value = r[kind]?.[resource];
      const parse = QUANTITY[resource];
      if (value !== undefined && (parse(String(value)) ?? 0) > (parse(ceiling[resource]) ?? Infinity)) {
        found.push(
          `${kind}.${resource} ${String(value)} is above the ${component} ceiling of ${ceiling[resource]}`,
        );
      }
    }
  }
  return found;
}

const RAISE_CEILING = "raise it in the stack's policy config (ceilings) if the capacity plan says so.";

export const workloadResourceLimits: Policy = {
  name: "workload-resource-limits",
  description:
    "Every container and init container of the workloads we create has CPU and memory requests and a memory limit.",
  enforcementLevel: "mandatory",
  configSchema: limitsSchema,
  validateResource: (args: ResourceValidationArgs, report: ReportViolation) => {
    if (!WORKLOAD_TYPES.includes(args.type)) return;
    const { requireCpuLimit, ceilings } = args.getConfig<LimitsConfig>();
    const kind = args.type.split(":").pop();
    const workload = String(get(args.props, "metadata.name") ?? args.name);
    for (const { kind: which, c } of containersOf(podSpecOf(args.type, args.props))) {
      const missing = missingResources(c.resources, requireCpuLimit);
      if (missing.length) {
        report(
          `${kind} ${args.name}: ${which} "${c.name ?? "?"}" has no ${missing.join(", ")}; ` +
            `set resources.${missing[0]} so the scheduler can place it and the kernel can bound it.`,
        );
      }
      for (const problem of aboveCeiling(c.resources, workload, ceilings)) {
        report(`${kind} ${args.name}: ${which} "${c.name ?? "?"}": ${problem}; ${RAISE_CEILING}`);
      }
    }
  },
};

/**
 * Key paths of the resource requirements of every component each chart runs, and when that component
 * runs at all.
 */
export const CHART_COMPONENTS: Record<
  string,
  { path: string; component: string; when?: (values: Json) => boolean }[]
> = {
  "kube-prometheus-stack": [
    { path: "prometheusOperator.resources", component: "operator" },
    { path: "prometheusOperator.prometheusConfigReloader.resources", component: "config-reloader" },
    { path: "prometheusOperator.admissionWebhooks.patch.resources", component: "admission-webhook-patch" },
    { path: "prometheus.prometheusSpec.resources", component: "prometheus" },
    {
      path: "prometheus.prometheusSpec.thanos.resources",
      component: "thanos-sidecar",
      when: (v) => get(v, "prometheus.prometheusSpec.thanos") !== undefined,
    },
    {
      path: "alertmanager.alertmanagerSpec.resources",
      component: "alertmanager",
      when: (v) => get(v, "alertmanager.enabled") !== false,
    },
    { path: "grafana.resources", component: "grafana", when: (v) => get(v, "grafana.enabled") !== false },
    {
      path: "grafana.sidecar.resources",
      component: "grafana-sidecar",
      when: (v) => get(v, "grafana.enabled") !== false,
    },
    {
      path: "kube-state-metrics.resources",
      component: "kube-state-metrics",
      when: (v) => get(v, "kubeStateMetrics.enabled") !== false,
    },
    {
      path: "prometheus-node-exporter.resources",
      component: "node-exporter",
      when: (v) => get(v, "nodeExporter.enabled") !== false,
    },
  ],
  "prometheus-blackbox-exporter": [{ path: "resources", component: "blackbox-exporter" }],
  "prometheus-pushgateway": [{ path: "resources", component: "pushgateway" }],
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
    const { requireCpuLimit, ceilings } = args.getConfig<LimitsConfig>();
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
      const resources = get(values, component.path);
      const missing = missingResources(resources, requireCpuLimit);
      if (missing.length) {
        report(`Helm release ${args.name} (${chart}): ${component.path} has no ${missing.join(", ")}.`);
      }
      for (const problem of aboveCeiling(resources, component.component, ceilings)) {
        report(`Helm release ${args.name} (${chart}): ${component.path}: ${problem}; ${RAISE_CEILING}`);
      }
    }
  },
};

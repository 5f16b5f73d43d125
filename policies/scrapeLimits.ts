/**
 * The chart's own monitors keep their sample limits: the operator applies the lower of
 * `enforcedSampleLimit` and a monitor's `sampleLimit`, so an enforced limit below a core target's limit
 * drops that target's scrapes whole (kube-state-metrics or the API server going quiet silences the
 * cluster's alerts).
 */
import type { ReportViolation, ResourceValidationArgs } from "@pulumi/policy";
import { HELM_RELEASE, KPS_CHART, Policy, get } from "./util";

/** Where in the kube-prometheus-stack values each core target's limit is, by target. */
export const CORE_LIMIT_PATHS = {
  kubeStateMetrics: "kube-state-metrics.prometheus.monitor.sampleLimit",
  kubelet: "kubelet.serviceMonitor.sampleLimit",
  apiServer: "kubeApiServer.serviceMonitor.sampleLimit",
  nodeExporter: "prometheus-node-exporter.prometheus.monitor.sampleLimit",
  coreDns: "coreDns.serviceMonitor.sampleLimit",
  operator: "prometheusOperator.serviceMonitor.sampleLimit",
  prometheus: "prometheus.serviceMonitor.sampleLimit",
  alertmanager: "alertmanager.serviceMonitor.sampleLimit",
} as const;

export const coreScrapeLimits: Policy = {
  name: "core-scrape-limits",
  description:
    "enforcedSampleLimit is 0 or at least every core target's sampleLimit (derived from the cluster's " +
    "size), and every core monitor has one: the lower of the two applies, and a scrape over it is lost whole.",
  enforcementLevel: "mandatory",
  configSchema: { properties: {} },
  validateResource: (args: ResourceValidationArgs, report: ReportViolation) => {
    if (args.type !== HELM_RELEASE || args.props.chart !== KPS_CHART) return;
    const values = args.props.values;
    const enforced = Number(get(values, "prometheus.prometheusSpec.enforcedSampleLimit") ?? 0);
    for (const [target, path] of Object.entries(CORE_LIMIT_PATHS)) {
      const limit = Number(get(values, path) ?? 0);
      if (!limit) {
        report(
          `Helm release ${args.name}: values.${path} is not set; ${target} would scrape without a limit of ` +
            "its own (components/scrapeLimits.ts derives it from cluster.size).",
        );
      } else if (enforced > 0 && enforced < limit) {
        report(
          `Helm release ${args.name}: enforcedSampleLimit ${enforced} is below ${target}'s sampleLimit ` +
            `${limit} (values.${path}); the lower applies, so its scrapes above ${enforced} series are ` +
            `dropped whole. Set prometheus.enforcedSampleLimit to at least ${limit}, or 0.`,
        );
      }
    }
  },
};

/** Prometheus retention, storage and high availability, read from the kube-prometheus-stack values. */
import type { ResourceValidationArgs, ReportViolation } from "@pulumi/policy";
import {
  MAX_RETENTION_SIZE_SHARE,
  PROMETHEUS_DURATION,
  durationSeconds,
  prometheusBytes,
  quantityBytes,
} from "./units";
import { HELM_RELEASE, Json, KPS_CHART, Policy, get } from "./util";

const isKps = (args: ResourceValidationArgs) => args.type === HELM_RELEASE && args.props.chart === KPS_CHART;

interface RetentionConfig {
  maxRetention: string;
  maxRetentionSizeShare: number;
}

export const prometheusRetention: Policy = {
  name: "prometheus-retention",
  description:
    "Prometheus has a bounded retention, a retentionSize below its volume, and a persistent volume rather than emptyDir.",
  enforcementLevel: "mandatory",
  configSchema: {
    properties: {
      maxRetention: {
        type: "string",
        pattern: PROMETHEUS_DURATION.source,
        default: "30d",
        description: "Longest local retention; keep longer history in Thanos.",
      },
      maxRetentionSizeShare: {
        type: "number",
        exclusiveMinimum: 0,
        maximum: MAX_RETENTION_SIZE_SHARE,
        default: MAX_RETENTION_SIZE_SHARE,
        description: "Largest share of the volume retentionSize may take.",
      },
    },
  },
  validateResource: (args: ResourceValidationArgs, report: ReportViolation) => {
    if (!isKps(args)) return;
    const cfg = args.getConfig<RetentionConfig>();
    const spec = (get(args.props.values, "prometheus.prometheusSpec") ?? {}) as Json;
    const where = `Helm release ${args.name}: prometheus.prometheusSpec`;
    const retention = spec.retention as string | undefined;
    const seconds = retention === undefined ? undefined : durationSeconds(retention);
    if (!retention || !seconds) {
      report(`${where}.retention is not set; set a duration like 15d so disk use is bounded in time.`);
    } else if (seconds > (durationSeconds(cfg.maxRetention) ?? Infinity)) {
      report(
        `${where}.retention ${retention} is longer than the allowed ${cfg.maxRetention}; keep long-term data in Thanos.`,
      );
    }
    const claim = get(spec, "storageSpec.volumeClaimTemplate.spec") as Json | undefined;
    if (!claim || get(spec, "storageSpec.emptyDir") !== undefined) {
      report(
        `${where}.storageSpec has no volumeClaimTemplate: data lives in emptyDir and is lost with the pod.`,
      );
      return;
    }
    const size = spec.retentionSize as string | undefined;
    if (!size) {
      report(
        `${where}.retentionSize is not set; without it the volume fills up and Prometheus stops ingesting.`,
      );
      return;
    }
    const volume = quantityBytes(String(get(claim, "resources.requests.storage") ?? ""));
    const bytes = prometheusBytes(size);
    if (volume === undefined || bytes === undefined) {
      report(
        `${where}: retentionSize ${size} or the volume size cannot be read; use forms like 45GiB and 50Gi.`,
      );
    } else if (bytes > volume * cfg.maxRetentionSizeShare) {
      report(
        `${where}.retentionSize ${size} is more than ${Math.round(cfg.maxRetentionSizeShare * 100)}% of the ` +
          `${String(get(claim, "resources.requests.storage"))} volume; lower it so old blocks go before the disk is full.`,
      );
    }
  },
};

interface HaConfig {
  minPrometheusReplicas: number;
  minAlertmanagerReplicas: number;
}

export const prometheusHighAvailability: Policy = {
  name: "prometheus-high-availability",
  description:
    "Prometheus and Alertmanager run at least two replicas on different nodes, with a replica label for deduplication and a cluster label.",
  enforcementLevel: "mandatory",
  configSchema: {
    properties: {
      minPrometheusReplicas: { type: "integer", minimum: 1, default: 2 },
      minAlertmanagerReplicas: { type: "integer", minimum: 1, default: 2 },
    },
  },
  validateResource: (args: ResourceValidationArgs, report: ReportViolation) => {
    if (!isKps(args)) return;
    const cfg = args.getConfig<HaConfig>();
    const values = (args.props.values ?? {}) as Json;
    const where = `Helm release ${args.name}`;
    const checks: [string, number][] = [
      ["prometheus.prometheusSpec", cfg.minPrometheusReplicas],
      ["alertmanager.alertmanagerSpec", cfg.minAlertmanagerReplicas],
    ];
    for (const [path, min] of checks) {
      const replicas = Number(get(values, `${path}.replicas`) ?? 1);
      if (replicas < min)
        report(`${where}: ${path}.replicas is ${replicas}; run at least ${min} so one can fail.`);
      if (get(values, `${path}.podAntiAffinity`) !== "hard") {
        report(
          `${where}: ${path}.podAntiAffinity is not "hard"; replicas may share a node and fail together.`,
        );
      }
    }
    const spec = (get(values, "prometheus.prometheusSpec") ?? {}) as Json;
    if (!spec.replicaExternalLabelName) {
      report(
        `${where}: prometheus.prometheusSpec.replicaExternalLabelName is not set; Thanos cannot deduplicate the replicas.`,
      );
    }
    const labels = (spec.externalLabels ?? {}) as Json;
    if (!labels.cluster)
      report(
        `${where}: prometheus.prometheusSpec.externalLabels.cluster is not set; series from clusters mix.`,
      );
    if ("replica" in labels) {
      report(
        `${where}: externalLabels.replica is set by hand; use replicaExternalLabelName and let the operator set it per pod.`,
      );
    }
  },
};

/**
 * Meta-monitoring: the alerts that watch the monitoring itself. Written from what each component's
 * metrics mean (Thanos, the operator, Prometheus and Alertmanager reloads and notifications); probes
 * are alerted on per probe, with their app (appRules.ts). Every aggregation keeps `namespace` so routing and inhibition can use it.
 */
import type { IRule, IRuleGroup } from "./crdTypes";

/** The `job` label of each Thanos component's targets (their Service names). */
export interface ThanosJobs {
  readonly sidecar: string;
  readonly query: string;
  readonly store: string;
  readonly compactor: string;
}

export interface PlatformRuleOptions {
  /** Thanos components to watch; absent without Thanos. */
  readonly thanos?: ThanosJobs;
  /** Base of runbook links; alerts carry no runbook_url without it. */
  readonly runbookBaseUrl?: string;
}

interface AlertSpec {
  alert: string;
  expr: string;
  for: string;
  severity: "critical" | "warning";
  summary: string;
  description: string;
}

/** `errors ÷ total > threshold`, both aggregated alike, never dividing by a zero total. */
export function failureRatio(errors: string, total: string, by: string, threshold: number): string {
  return `(\n  sum by (${by}) (${errors})\n/\n  (sum by (${by}) (${total}) > 0)\n) > ${threshold}`;
}

function toRule(spec: AlertSpec, runbookBaseUrl: string | undefined): IRule {
  return {
    alert: spec.alert,
    expr: spec.expr,
    for: spec.for,
    labels: { severity: spec.severity },
    annotations: {
      summary: spec.summary,
      description: spec.description,
      ...(runbookBaseUrl ? { runbook_url: `${runbookBaseUrl.replace(/\/$/, "")}/${spec.alert}` } : {}),
    },
  };
}

function thanosAlerts(jobs: ThanosJobs): AlertSpec[] {
  const job = (j: string) => `job="${j}"`;
  return [
    {
      alert: "ThanosCompactHalted",
      expr: `max by (namespace, job) (thanos_compact_halted{${job(jobs.compactor)}}) == 1`,
      for: "5m",
      severity: "critical",
      summary: "The Thanos compactor has halted",
      description:
        "{{ $labels.job }} in {{ $labels.namespace }} stopped compacting and downsampling after an error; its health check still passes. Old blocks pile up until someone fixes the bucket.",
    },
    {
      alert: "ThanosCompactNotRun",
      expr:
        `(time() - max by (namespace, job) (max_over_time(thanos_objstore_bucket_last_successful_upload_time{${job(jobs.compactor)}}[1d])))` +
        ` / 3600 > 24`,
      for: "30m",
      severity: "warning",
      summary: "The Thanos compactor has not uploaded a block for a day",
      description:
        "{{ $labels.job }} in {{ $labels.namespace }} last uploaded {{ $value | humanize }} hours ago; compaction and downsampling are not happening.",
    },
    {
      alert: "ThanosCompactHighFailures",
      expr: failureRatio(
        `rate(thanos_compact_group_compactions_failures_total{${job(jobs.compactor)}}[5m])`,
        `rate(thanos_compact_group_compactions_total{${job(jobs.compactor)}}[5m])`,
        "namespace, job",
        0.05,
      ),
      for: "15m",
      severity: "warning",
      summary: "Thanos compactions fail",
      description: "{{ $value | humanizePercentage }} of compactions of {{ $labels.job }} fail.",
    },
    {
      alert: "ThanosSidecarUploadFailures",
      expr: `sum by (namespace, pod) (rate(thanos_shipper_upload_failures_total{${job(jobs.sidecar)}}[5m])) > 0`,
      for: "15m",
      severity: "warning",
      summary: "A Thanos sidecar fails to upload blocks",
      description:
        "The sidecar of {{ $labels.pod }} fails to upload blocks to the bucket; they stay only on the Prometheus volume.",
    },
    {
      alert: "ThanosSidecarNoUpload",
      expr: `(time() - max by (namespace, pod) (thanos_objstore_bucket_last_successful_upload_time{${job(jobs.sidecar)}})) > 3 * 3600`,
      for: "15m",
      severity: "critical",
      summary: "A Thanos sidecar has not uploaded a block for 3 hours",
      description:
        "{{ $labels.pod }} last uploaded {{ $value | humanizeDuration }} ago; Prometheus cuts a block every 2 hours, so history is not reaching the bucket.",
    },
    {
      alert: "ThanosSidecarNoConnectionToPrometheus",
      expr: `min by (namespace, pod) (thanos_sidecar_prometheus_up{${job(jobs.sidecar)}}) == 0`,
      for: "5m",
      severity: "critical",
      summary: "A Thanos sidecar cannot reach its Prometheus",
      description:
        "The sidecar of {{ $labels.pod }} cannot reach Prometheus: no uploads and no recent data for queries.",
    },
    {
      alert: "ThanosStoreGrpcErrorRate",
      expr: failureRatio(
        `rate(grpc_server_handled_total{${job(jobs.store)}, grpc_code=~"Unknown|ResourceExhausted|Internal|Unavailable|DataLoss|DeadlineExceeded"}[5m])`,
        `rate(grpc_server_started_total{${job(jobs.store)}}[5m])`,
        "namespace, job",
        0.05,
      ),
      for: "5m",
      severity: "warning",
      summary: "The Thanos store gateway answers with errors",
      description: "{{ $value | humanizePercentage }} of gRPC requests to {{ $labels.job }} fail.",
    },
    {
      alert: "ThanosQueryHttpErrorRate",
      expr: failureRatio(
        `rate(http_requests_total{${job(jobs.query)}, handler=~"query|query_range", code=~"5.."}[5m])`,
        `rate(http_requests_total{${job(jobs.query)}, handler=~"query|query_range"}[5m])`,
        "namespace, job",
        0.05,
      ),
      for: "5m",
      severity: "warning",
      summary: "Thanos Query answers with errors",
      description:
        "{{ $value | humanizePercentage }} of queries to {{ $labels.job }} fail; dashboards break.",
    },
    {
      alert: "ThanosQueryHighLatency",
      expr: `histogram_quantile(0.99, sum by (namespace, job, le) (rate(http_request_duration_seconds_bucket{${job(jobs.query)}, handler="query_range"}[5m]))) > 40`,
      for: "10m",
      severity: "warning",
      summary: "Thanos Query is slow",
      description:
        "The 99th percentile of range queries to {{ $labels.job }} takes {{ $value | humanizeDuration }}.",
    },
    {
      alert: "ThanosBucketOperationsFailing",
      expr: failureRatio(
        `rate(thanos_objstore_bucket_operation_failures_total{job=~"${jobs.sidecar}|${jobs.store}|${jobs.compactor}"}[5m])`,
        `rate(thanos_objstore_bucket_operations_total{job=~"${jobs.sidecar}|${jobs.store}|${jobs.compactor}"}[5m])`,
        "namespace, job",
        0.05,
      ),
      for: "15m",
      severity: "warning",
      summary: "Object storage operations fail",
      description:
        "{{ $value | humanizePercentage }} of bucket operations of {{ $labels.job }} fail: check the bucket policy, IAM role and KMS key.",
    },
  ];
}

const OPERATOR_ALERTS: AlertSpec[] = [
  {
    alert: "PrometheusOperatorRejectedResources",
    expr: `max by (namespace, controller, resource) (prometheus_operator_managed_resources{state="rejected"}) > 0`,
    for: "5m",
    severity: "warning",
    summary: "The operator rejected monitoring resources",
    description:
      "{{ $value }} {{ $labels.resource }} of the {{ $labels.controller }} controller were rejected and are not in effect; the operator's log says why.",
  },
  {
    alert: "PrometheusOperatorReconcileErrors",
    expr: failureRatio(
      "rate(prometheus_operator_reconcile_errors_total[5m])",
      "rate(prometheus_operator_reconcile_operations_total[5m])",
      "namespace, controller",
      0.1,
    ),
    for: "10m",
    severity: "warning",
    summary: "The operator fails to reconcile",
    description:
      "{{ $value | humanizePercentage }} of the {{ $labels.controller }} controller's reconciles fail.",
  },
  {
    alert: "PrometheusConfigReloadFailing",
    expr: "max_over_time(prometheus_config_last_reload_successful[5m]) == 0",
    for: "10m",
    severity: "critical",
    summary: "Prometheus runs an old configuration",
    description:
      "{{ $labels.pod }} in {{ $labels.namespace }} failed to load its configuration: new monitors and rules are not in effect.",
  },
  {
    alert: "AlertmanagerConfigReloadFailing",
    expr: "max_over_time(alertmanager_config_last_reload_successful[5m]) == 0",
    for: "10m",
    severity: "critical",
    summary: "Alertmanager runs an old configuration",
    description:
      "{{ $labels.pod }} in {{ $labels.namespace }} failed to load its configuration and still routes with the old one.",
  },
  {
    alert: "AlertmanagerNotificationsFailing",
    expr: failureRatio(
      "rate(alertmanager_notifications_failed_total[5m])",
      "rate(alertmanager_notifications_total[5m])",
      "namespace, integration",
      0.01,
    ),
    for: "5m",
    severity: "critical",
    summary: "Alertmanager cannot deliver notifications",
    description:
      "{{ $value | humanizePercentage }} of {{ $labels.integration }} notifications fail: alerts are not reaching people.",
  },
];

/** The stack's own rule groups. */
export function platformRuleGroups(opts: PlatformRuleOptions): IRuleGroup[] {
  const group = (name: string, specs: AlertSpec[]): IRuleGroup => ({
    name: `kube-monitoring.${name}`,
    interval: "1m",
    rules: specs.map((s) => toRule(s, opts.runbookBaseUrl)),
  });
  return [
    ...(opts.thanos ? [group("thanos", thanosAlerts(opts.thanos))] : []),
    group("monitoring-pipeline", OPERATOR_ALERTS),
  ];
}

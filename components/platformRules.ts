/**
 * Meta-monitoring: the alerts that watch the monitoring itself. Written from what each component's
 * metrics mean (Thanos, the operator, Prometheus and Alertmanager reloads and notifications); probes
 * are alerted on per probe, with their app (appRules.ts). Every aggregation keeps `namespace` so routing and inhibition can use it.
 */
import { NOTIFICATIONS_FAILING_ALERT } from "./appRouting";
import type { IRule, IRuleGroup } from "./crdTypes";
import { scrapeLimitAlerts } from "./scrapeLimitRules";

/** The `job` label of each Thanos component's targets (their Service names). */
export interface ThanosJobs {
  readonly sidecar: string;
  readonly query: string;
  /** Absent: no frontend rules. */
  readonly queryFrontend?: string;
  readonly store: string;
  readonly compactor: string;
}

export interface PlatformRuleOptions {
  /** Thanos components to watch; absent without Thanos. */
  readonly thanos?: ThanosJobs;
  /** Base of runbook links; alerts carry no runbook_url without it. */
  readonly runbookBaseUrl?: string;
  /** The platform's namespaces: a target there is a core target, and its scrape-limit alert pages. */
  readonly platformNamespaces?: readonly string[];
}

export type { AlertSpec } from "./alertSpec";
import type { AlertSpec } from "./alertSpec";

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

/**
 * Hours without an upload before the sidecar pages: a fresh Prometheus cuts its first block when the
 * head spans 1.5 × 2 h, so the first upload comes about 3 h after a start.
 */
export const SIDECAR_UPLOAD_HOURS = 4;
/** Hours without an upload before the compactor warns (it uploads once per compaction cycle). */
export const COMPACTOR_UPLOAD_HOURS = 24;

/**
 * Seconds since the later of a component's last successful upload and its process start, per `by`.
 * The upload gauge is 0 until the first upload: counting from the start keeps a restart (or a fresh
 * deploy) from reading as 57 years without an upload.
 */
export function sinceLastUpload(selector: string, by: string): string {
  const upload = `max by (${by}) (thanos_objstore_bucket_last_successful_upload_time{${selector}})`;
  const start = `max by (${by}) (process_start_time_seconds{${selector}})`;
  // The later of the two; the upload alone if a component does not report its start.
  return `(time() - (${upload} > ${start} or ${start} or ${upload}))`;
}

/** Below this share of result-cache lookups hitting, the frontend's cache does not hold the dashboards' days. */
export const FRONTEND_CACHE_HIT_RATIO = 0.2;
/** Lookups per second below which the hit rate says nothing (an idle Grafana). */
const FRONTEND_MIN_LOOKUPS = 0.05;

/** The query-frontend: errors to Grafana, and a result cache that no longer serves. */
function queryFrontendAlerts(frontend: string): AlertSpec[] {
  const sel = `job="${frontend}"`;
  return [
    {
      alert: "ThanosQueryFrontendErrorRate",
      expr: failureRatio(
        `rate(http_requests_total{${sel}, handler="query-frontend", code=~"5.."}[5m])`,
        `rate(http_requests_total{${sel}, handler="query-frontend"}[5m])`,
        "namespace, job",
        0.05,
      ),
      for: "5m",
      severity: "warning",
      summary: "The Thanos query-frontend answers with errors",
      description:
        "{{ $value | humanizePercentage }} of queries through {{ $labels.job }} fail: Grafana's Thanos panels break (Query's timeout, its max-concurrent queue or the store gateway's limits).",
    },
    {
      alert: "ThanosQueryFrontendCacheHitRateLow",
      expr: `(\n  sum by (namespace, job) (rate(cortex_cache_hits_total{${sel}}[30m]))\n/\n  (sum by (namespace, job) (rate(cortex_cache_fetched_keys_total{${sel}}[30m])) > ${FRONTEND_MIN_LOOKUPS})\n) < ${FRONTEND_CACHE_HIT_RATIO}`,
      for: "1h",
      severity: "warning",
      summary: "The Thanos query-frontend's result cache rarely hits",
      description:
        "Only {{ $value | humanizePercentage }} of result-cache lookups of {{ $labels.job }} hit: every dashboard refresh goes to the store gateway. Grow thanos.queryFrontend.cache (or use memcached or Redis).",
    },
  ];
}

function thanosAlerts(jobs: ThanosJobs): AlertSpec[] {
  const job = (j: string) => `job="${j}"`;
  return [
    ...(jobs.queryFrontend ? queryFrontendAlerts(jobs.queryFrontend) : []),
    {
      alert: "ThanosCompactHalted",
      expr: `max by (namespace, job) (thanos_compact_halted{${job(jobs.compactor)}}) == 1`,
      for: "5m",
      // Data stays queryable and the blocks wait: for working hours, not a page.
      severity: "warning",
      summary: "The Thanos compactor has halted",
      description:
        "{{ $labels.job }} in {{ $labels.namespace }} stopped compacting and downsampling after an error; its health check still passes. Old blocks pile up until someone fixes the bucket.",
    },
    {
      alert: "ThanosCompactNotRun",
      expr: `${sinceLastUpload(job(jobs.compactor), "namespace, job")} / 3600 > ${COMPACTOR_UPLOAD_HOURS}`,
      for: "30m",
      severity: "warning",
      summary: `The Thanos compactor has not uploaded a block for ${COMPACTOR_UPLOAD_HOURS} hours`,
      description:
        "{{ $labels.job }} in {{ $labels.namespace }} has not uploaded for {{ $value | humanize }} hours (counted from its start when it never has); compaction and downsampling are not happening.",
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
      expr: `${sinceLastUpload(job(jobs.sidecar), "namespace, pod")} > ${SIDECAR_UPLOAD_HOURS} * 3600`,
      for: "15m",
      // Prometheus keeps its local retention (days) meanwhile: for working hours, not a page.
      severity: "warning",
      summary: `A Thanos sidecar has not uploaded a block for ${SIDECAR_UPLOAD_HOURS} hours`,
      description:
        "{{ $labels.pod }} has not uploaded for {{ $value | humanizeDuration }} (counted from its start when it never has); Prometheus cuts a block every 2 hours, so history is not reaching the bucket.",
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

/**
 * The kube-prometheus-stack chart's own rules that these replace (`defaultRules.disabled`): one
 * failure, one notification. Its reload and reconcile alerts stay; they say what ours would.
 */
export const REPLACED_CHART_ALERTS = [
  "PrometheusOperatorRejectedResources",
  "AlertmanagerFailedToSendAlerts",
  "AlertmanagerClusterFailedToSendAlerts",
] as const;

const OPERATOR_ALERTS: AlertSpec[] = [
  {
    alert: "AlertmanagerConfigRejected",
    expr: `max by (namespace, controller) (prometheus_operator_managed_resources{resource="alertmanagerconfigs", state="rejected"}) > 0`,
    for: "5m",
    severity: "critical",
    summary: "The operator rejected an AlertmanagerConfig: its owner's alerts reach nobody",
    description:
      "{{ $value }} AlertmanagerConfigs are rejected (a missing Secret key is enough). The platform leaves a team's alerts to its routing, so that team hears of nothing until it is fixed: see the operator's log and kubectl get alertmanagerconfigs -A.",
  },
  {
    alert: "PrometheusOperatorRejectedResources",
    expr: `max by (namespace, controller, resource) (prometheus_operator_managed_resources{resource!="alertmanagerconfigs", state="rejected"}) > 0`,
    for: "5m",
    severity: "warning",
    summary: "The operator rejected monitoring resources",
    description:
      "{{ $value }} {{ $labels.resource }} of the {{ $labels.controller }} controller were rejected and are not in effect; the operator's log says why.",
  },
  {
    // Per receiver (Alertmanager's receiver-name-in-metrics feature), with the receiver's owner as
    // `namespace` (`<namespace>/<config>/<receiver>`): the owner and the platform both hear of it,
    // each through another integration where they have one.
    alert: NOTIFICATIONS_FAILING_ALERT,
    expr: `label_replace(\n  ${failureRatio(
      "rate(alertmanager_notifications_failed_total[5m])",
      "rate(alertmanager_notifications_total[5m])",
      "namespace, integration, receiver_name",
      0.01,
    ).replaceAll("\n", "\n  ")},\n  "namespace", "$1", "receiver_name", "([^/]+)/.+"\n)`,
    for: "5m",
    severity: "critical",
    summary: "Alertmanager cannot deliver notifications",
    description:
      "{{ $value | humanizePercentage }} of {{ $labels.integration }} notifications{{ with $labels.receiver_name }} of {{ . }}{{ end }} fail: alerts are not reaching people.",
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
    ...(opts.platformNamespaces ? [group("scrape-limits", scrapeLimitAlerts(opts.platformNamespaces))] : []),
  ];
}

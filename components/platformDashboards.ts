/**
 * The stack's own dashboards, in the Grafana folder "kube-monitoring": Thanos at a glance, each app's
 * SLO and error budget, and the stack's capacity against what it was sized for.
 */
import { planPrometheusStorage } from "./capacity";
import type { AppConfig, StackConfig } from "./schema";
import { RELEASE_FULLNAME, THANOS_SIDECAR_SERVICE } from "./kubePrometheusStack/names";
import { thanosName } from "./Thanos";
import { Dashboard, dashboardModel, dashboardUid, panel } from "./dashboards";
import { errorBudget } from "./appRules";
import type { ThanosJobs } from "./platformRules";

export const PLATFORM_DASHBOARD_FOLDER = "kube-monitoring";
/** The `job` of Prometheus' own targets: the chart's Prometheus Service. */
const PROMETHEUS_JOB = `${RELEASE_FULLNAME}-prometheus`;

const dashboard = (uid: string, title: string, panels: unknown[]): Dashboard => ({
  folder: PLATFORM_DASHBOARD_FOLDER,
  source: `the stack's ${title} dashboard`,
  uid,
  title,
  model: dashboardModel(uid, title, ["kube-monitoring"], panels),
});

/** Sidecar uploads, compactor progress, store gateway and query health. */
export function thanosDashboard(jobs: ThanosJobs): Dashboard {
  const ds = "prometheus";
  const bucketJobs = `job=~"${jobs.sidecar}|${jobs.store}|${jobs.compactor}"`;
  return dashboard("kube-monitoring-thanos", "Thanos overview", [
    panel(
      1,
      "Time since each sidecar's last upload",
      "s",
      [
        {
          expr: `time() - max by (pod) (thanos_objstore_bucket_last_successful_upload_time{job="${jobs.sidecar}"})`,
          legendFormat: "{{pod}}",
        },
      ],
      ds,
    ),
    panel(
      2,
      "Sidecar uploads and failures",
      "ops",
      [
        {
          expr: `sum by (pod) (rate(thanos_shipper_uploads_total{job="${jobs.sidecar}"}[5m]))`,
          legendFormat: "{{pod}} uploads",
        },
        {
          expr: `sum by (pod) (rate(thanos_shipper_upload_failures_total{job="${jobs.sidecar}"}[5m]))`,
          legendFormat: "{{pod}} failures",
        },
      ],
      ds,
    ),
    panel(
      3,
      "Compactions and failures",
      "ops",
      [
        {
          expr: `sum (rate(thanos_compact_group_compactions_total{job="${jobs.compactor}"}[5m]))`,
          legendFormat: "compactions",
        },
        {
          expr: `sum (rate(thanos_compact_group_compactions_failures_total{job="${jobs.compactor}"}[5m]))`,
          legendFormat: "failures",
        },
      ],
      ds,
    ),
    panel(
      4,
      "Compactor halted",
      "none",
      [{ expr: `max (thanos_compact_halted{job="${jobs.compactor}"})`, legendFormat: "halted" }],
      ds,
      "stat",
    ),
    panel(
      5,
      "Bucket operations failing",
      "percentunit",
      [
        {
          expr:
            `sum by (job) (rate(thanos_objstore_bucket_operation_failures_total{${bucketJobs}}[5m]))` +
            ` / (sum by (job) (rate(thanos_objstore_bucket_operations_total{${bucketJobs}}[5m])) > 0)`,
          legendFormat: "{{job}}",
        },
      ],
      ds,
    ),
    panel(
      6,
      "Query latency (p99)",
      "s",
      [
        {
          expr: `histogram_quantile(0.99, sum by (handler, le) (rate(http_request_duration_seconds_bucket{job="${jobs.query}"}[5m])))`,
          legendFormat: "{{handler}}",
        },
      ],
      ds,
    ),
  ]);
}

/**
 * One app's SLO: the error budget left over the SLO window, and the burn rates the alerts use. From
 * Thanos when the stack has it (the window is longer than local retention).
 */
export function sloDashboard(app: AppConfig, datasource: string): Dashboard | undefined {
  if (!app.slo) return undefined;
  const slo = `${app.name}-availability`;
  const budget = errorBudget(app.slo.objective);
  const ratio = (w: string) => `slo:sli_error:ratio_rate${w}{slo="${slo}"}`;
  const uid = dashboardUid(`slo-${app.namespace}-${app.name}`);
  return dashboard(uid, `SLO: ${app.name} (${app.namespace})`, [
    panel(
      1,
      `Error budget left over ${app.slo.window}`,
      "percentunit",
      [
        {
          expr: `1 - avg_over_time(${ratio("1h")}[${app.slo.window}]) / ${budget}`,
          legendFormat: "budget left",
        },
      ],
      datasource,
      "stat",
    ),
    panel(
      2,
      `Burn rate (1 = the budget lasts exactly ${app.slo.window})`,
      "none",
      ["5m", "1h", "6h", "3d"].map((w) => ({ expr: `${ratio(w)} / ${budget}`, legendFormat: w })),
      datasource,
    ),
    panel(
      3,
      `Error ratio against the ${app.slo.objective}% objective`,
      "percentunit",
      [
        { expr: ratio("5m"), legendFormat: "errors (5m)" },
        { expr: `vector(${budget})`, legendFormat: "budget" },
      ],
      datasource,
    ),
  ]);
}

/** Active series and storage against what the stack was sized for. */
export function capacityDashboard(
  prometheusJob: string,
  expectedActiveSeries: number,
  estimatedSamplesPerSecond: number,
): Dashboard {
  const ds = "prometheus";
  const job = `job="${prometheusJob}"`;
  return dashboard("kube-monitoring-capacity", "Capacity", [
    panel(
      1,
      "Active series against prometheus.expectedActiveSeries",
      "short",
      [
        { expr: `max by (pod) (prometheus_tsdb_head_series{${job}})`, legendFormat: "{{pod}}" },
        { expr: `vector(${expectedActiveSeries})`, legendFormat: "expected" },
      ],
      ds,
    ),
    panel(
      2,
      "Storage used against retentionSize",
      "bytes",
      [
        {
          expr: `max by (pod) (prometheus_tsdb_storage_blocks_bytes{${job}} + prometheus_tsdb_wal_storage_size_bytes{${job}})`,
          legendFormat: "{{pod}} used",
        },
        { expr: `max (prometheus_tsdb_retention_limit_bytes{${job}})`, legendFormat: "retentionSize" },
      ],
      ds,
    ),
    panel(
      3,
      "Samples appended per second against the plan",
      "short",
      [
        {
          expr: `max by (pod) (rate(prometheus_tsdb_head_samples_appended_total{${job}}[5m]))`,
          legendFormat: "{{pod}}",
        },
        { expr: `vector(${Math.round(estimatedSamplesPerSecond)})`, legendFormat: "planned" },
      ],
      ds,
    ),
    panel(
      4,
      "Scrapes over their sample limit",
      "short",
      [
        {
          expr: `sum (increase(prometheus_target_scrapes_exceeded_sample_limit_total{${job}}[1h]))`,
          legendFormat: "last hour",
        },
      ],
      ds,
    ),
  ]);
}

/** Every dashboard the stack itself provisions, for a parsed config. */
export function stackDashboards(cfg: Pick<StackConfig, "apps" | "thanos" | "prometheus">): Dashboard[] {
  const thanos = cfg.thanos.enabled;
  const sloSource = thanos && cfg.thanos.grafanaDatasource ? "thanos" : "prometheus";
  return [
    capacityDashboard(
      PROMETHEUS_JOB,
      cfg.prometheus.expectedActiveSeries,
      planPrometheusStorage(cfg.prometheus).samplesPerSecond,
    ),
    ...(thanos
      ? [
          thanosDashboard({
            sidecar: THANOS_SIDECAR_SERVICE,
            query: thanosName("query"),
            store: thanosName("store"),
            compactor: thanosName("compactor"),
          }),
        ]
      : []),
    ...cfg.apps.flatMap((app) => sloDashboard(app, sloSource) ?? []),
  ];
}

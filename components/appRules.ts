/**
 * PrometheusRule groups for one app: golden-signal alerts, recording rules and SLO burn-rate alerts.
 * Plain functions, config in and rule groups out.
 *
 * Written to be right rather than copied from the guide: ratios aggregate both sides `by (namespace,
 * job)` so their labels match and divide only by a non-zero total; memory uses the working set against
 * the limit and skips containers without one; `up` uses the job a ServiceMonitor really produces (the
 * Service name); every aggregation keeps `namespace`, because the operator routes an app's alerts by
 * it. Only functions Debian's promtool 2.42 knows are used.
 */
import type { AppConfig, CustomRuleConfig } from "./schema";
import type { IRule, IRuleGroup } from "./crdTypes";

/** The labels that identify an app's series, and where its alerts link to. */
export interface RuleContext {
  readonly namespace: string;
  /** The `job` label of the app's targets. */
  readonly job: string;
  readonly podNameRegex: string;
  /** Base of generated alerts' runbook links; without it they carry none (never an invented one). */
  readonly runbookBaseUrl?: string;
}

/** The `job` a monitor gives its targets: the Service name for a ServiceMonitor, `<ns>/<name>` for a PodMonitor. */
export function jobOf(app: AppConfig): string {
  if (app.serviceMonitor || !app.podMonitor) return app.serviceName ?? app.name;
  return `${app.namespace}/${app.name}`;
}

export function ruleContext(app: AppConfig, runbookBaseUrl?: string): RuleContext {
  return {
    namespace: app.namespace,
    job: jobOf(app),
    podNameRegex: app.podNameRegex ?? `${app.name}-.*`,
    runbookBaseUrl: runbookBaseUrl?.replace(/\/$/, ""),
  };
}

const BY = "namespace, job";

/** A selector of the app's series, with extra matchers. */
function series(ctx: RuleContext, ...extra: string[]): string {
  return `{${[`namespace="${ctx.namespace}"`, `job="${ctx.job}"`, ...extra.filter(Boolean)].join(", ")}}`;
}

/** A PromQL double-quoted string literal of `text`: quotes and backslashes escaped, nothing breaks out. */
export const promqlString = (text: string) => JSON.stringify(text);

function containers(ctx: RuleContext, ...extra: string[]): string {
  return `{${[`namespace="${ctx.namespace}"`, `pod=~${promqlString(ctx.podNameRegex)}`, ...extra].join(", ")}}`;
}

function alertRule(
  ctx: RuleContext,
  app: AppConfig,
  name: string,
  expr: string,
  opts: { for: string; severity: string; summary: string; description: string },
): IRule {
  return {
    alert: name,
    expr,
    for: opts.for,
    labels: { severity: opts.severity, app: app.name, ...(app.team ? { team: app.team } : {}) },
    annotations: {
      summary: opts.summary,
      description: opts.description,
      ...(ctx.runbookBaseUrl ? { runbook_url: `${ctx.runbookBaseUrl}/${name}` } : {}),
    },
  };
}

/** `errors ÷ total`, both aggregated alike; a zero total is filtered out instead of dividing by it. */
export function errorRatioExpr(app: AppConfig, ctx: RuleContext, window: string): string {
  const m = app.metrics;
  return (
    `sum by (${BY}) (rate(${m.requestsTotal}${series(ctx, m.errorSelector)}[${window}]))\n` +
    `/\n` +
    `(sum by (${BY}) (rate(${m.requestsTotal}${series(ctx)}[${window}])) > 0)`
  );
}

export function latencyQuantileExpr(
  app: AppConfig,
  ctx: RuleContext,
  quantile: number,
  window: string,
): string {
  return (
    `histogram_quantile(${quantile}, sum by (${BY}, le) ` +
    `(rate(${app.metrics.durationHistogram}_bucket${series(ctx)}[${window}])))`
  );
}

const PER_CONTAINER = "namespace, pod, container";
/** cAdvisor's per-container series, without the pod-level sums (container="") and pause containers. */
const REAL_CONTAINERS = ['container!=""', 'container!="POD"'];

/** `used ÷ limit > threshold`, only for containers that have a limit, so a missing one never divides by 0. */
function shareOfLimit(ctx: RuleContext, used: string, resource: "memory" | "cpu", threshold: number): string {
  const limit = `max by (${PER_CONTAINER}) (kube_pod_container_resource_limits${containers(ctx, `resource="${resource}"`)})`;
  return `${used}\n/\n(${limit} > 0)\n> ${threshold}`;
}

type GoldenAlerts = AppConfig["alerts"];
type GoldenSignal = "errorRate" | "latency" | "targetDown" | "memory" | "cpu";

/** One golden-signal alert: its name, its expression, and what it tells the person it pages. */
interface GoldenSignalAlert<K extends GoldenSignal> {
  readonly alert: string;
  readonly expr: (app: AppConfig, ctx: RuleContext, cfg: NonNullable<GoldenAlerts[K]>) => string;
  readonly summary: (app: AppConfig, cfg: NonNullable<GoldenAlerts[K]>) => string;
  readonly description: (cfg: NonNullable<GoldenAlerts[K]>) => string;
}

const pQuantile = (quantile: number) => `p${Math.round(quantile * 100)}`;

/** The golden signals an app can alert on, each switched on by its key under `alerts`. */
const GOLDEN_SIGNAL_ALERTS: { readonly [K in GoldenSignal]: GoldenSignalAlert<K> } = {
  errorRate: {
    alert: "HighErrorRate",
    expr: (app, ctx, c) => `(\n${errorRatioExpr(app, ctx, c.window)}\n) > ${c.threshold}`,
    summary: (app, c) => `${app.name}: more than ${pct(c.threshold)} of requests fail`,
    description: () =>
      "{{ $labels.job }} in {{ $labels.namespace }} answers {{ $value | humanizePercentage }} of requests with errors.",
  },
  latency: {
    alert: "HighLatency",
    expr: (app, ctx, c) => `${latencyQuantileExpr(app, ctx, c.quantile, c.window)} > ${c.thresholdSeconds}`,
    summary: (app, c) => `${app.name}: ${pQuantile(c.quantile)} latency above ${c.thresholdSeconds}s`,
    description: (c) =>
      `{{ $labels.job }} in {{ $labels.namespace }} has ${pQuantile(c.quantile)} latency of {{ $value | humanizeDuration }}.`,
  },
  targetDown: {
    alert: "TargetDown",
    expr: (_app, ctx) => `up${series(ctx)} == 0`,
    summary: (app) => `${app.name}: a scrape target is down`,
    description: () =>
      "{{ $labels.instance }} of {{ $labels.job }} in {{ $labels.namespace }} has not answered scrapes.",
  },
  memory: {
    alert: "HighMemoryUsage",
    // Working set, not usage (which counts reclaimable page cache).
    expr: (_app, ctx, c) =>
      shareOfLimit(
        ctx,
        `max by (${PER_CONTAINER}) (container_memory_working_set_bytes${containers(ctx, ...REAL_CONTAINERS)})`,
        "memory",
        c.threshold,
      ),
    summary: (app) => `${app.name}: a container is near its memory limit`,
    description: () =>
      "{{ $labels.pod }}/{{ $labels.container }} uses {{ $value | humanizePercentage }} of its memory limit.",
  },
  cpu: {
    alert: "HighCPUUsage",
    expr: (_app, ctx, c) =>
      shareOfLimit(
        ctx,
        `sum by (${PER_CONTAINER}) (rate(container_cpu_usage_seconds_total${containers(ctx, ...REAL_CONTAINERS)}[${c.window}]))`,
        "cpu",
        c.threshold,
      ),
    summary: (app) => `${app.name}: a container is near its CPU limit`,
    description: () =>
      "{{ $labels.pod }}/{{ $labels.container }} uses {{ $value | humanizePercentage }} of its CPU limit and will be throttled.",
  },
};

function goldenSignalAlert<K extends GoldenSignal>(app: AppConfig, ctx: RuleContext, signal: K): IRule[] {
  const cfg = app.alerts[signal];
  if (!cfg) return [];
  const def = GOLDEN_SIGNAL_ALERTS[signal];
  const c = cfg as NonNullable<GoldenAlerts[K]>;
  return [
    alertRule(ctx, app, def.alert, def.expr(app, ctx, c), {
      for: c.for,
      severity: c.severity,
      summary: def.summary(app, c),
      description: def.description(c),
    }),
  ];
}

export function goldenSignalAlerts(app: AppConfig, ctx: RuleContext): IRule[] {
  return (Object.keys(GOLDEN_SIGNAL_ALERTS) as GoldenSignal[]).flatMap((signal) =>
    goldenSignalAlert(app, ctx, signal),
  );
}

const LEVEL = "namespace_job";

/** The guide's precomputed series, named `level:metric:operations`. */
export function recordingRules(app: AppConfig, ctx: RuleContext): IRule[] {
  const m = app.metrics;
  return [
    {
      record: `${LEVEL}:${m.requestsTotal}:rate5m`,
      expr: `sum by (${BY}) (rate(${m.requestsTotal}${series(ctx)}[5m]))`,
    },
    {
      record: `${LEVEL}:${m.requestsTotal}_errors:rate5m`,
      expr: `sum by (${BY}) (rate(${m.requestsTotal}${series(ctx, m.errorSelector)}[5m]))`,
    },
    {
      record: `${LEVEL}:${m.durationHistogram}:p95_rate5m`,
      expr: latencyQuantileExpr(app, ctx, 0.95, "5m"),
    },
  ];
}

/** Multi-window, multi-burn-rate alerting (Google SRE workbook; as Sloth and Pyrra generate). */
export const BURN_RATE_WINDOWS = [
  { kind: "page", short: "5m", long: "1h", factor: 14.4 },
  { kind: "page", short: "30m", long: "6h", factor: 6 },
  { kind: "ticket", short: "2h", long: "1d", factor: 3 },
  { kind: "ticket", short: "6h", long: "3d", factor: 1 },
] as const;

const SLI_WINDOWS = ["5m", "30m", "1h", "2h", "6h", "1d", "3d"] as const;

/** A percentage as a ratio without floating-point noise (99.9 → 0.999, not 0.9990000000000001). */
const ratioOf = (percent: number) => Number((percent / 100).toPrecision(10));
/** 1 − objective (99.9 → 0.001). */
export const errorBudget = (objectivePercent: number) => ratioOf(100 - objectivePercent);

export function sloRules(app: AppConfig, ctx: RuleContext): IRule[] {
  const slo = app.slo;
  if (!slo) return [];
  const sloLabels = { slo: `${app.name}-availability`, namespace: ctx.namespace };
  const m = app.metrics;
  const errorQuery =
    slo.errorQuery ?? `sum by (${BY}) (rate(${m.requestsTotal}${series(ctx, m.errorSelector)}[{{window}}]))`;
  const totalQuery = slo.totalQuery ?? `sum by (${BY}) (rate(${m.requestsTotal}${series(ctx)}[{{window}}]))`;
  const budget = errorBudget(slo.objective);
  const ratio = (w: string) => `slo:sli_error:ratio_rate${w}{slo="${sloLabels.slo}"}`;
  const rules: IRule[] = SLI_WINDOWS.map((w) => ({
    record: `slo:sli_error:ratio_rate${w}`,
    expr: `(${errorQuery.replaceAll("{{window}}", w)})\n/\n(${totalQuery.replaceAll("{{window}}", w)} > 0)`,
    labels: sloLabels,
  }));
  rules.push({ record: "slo:objective:ratio", expr: `vector(${ratioOf(slo.objective)})`, labels: sloLabels });
  rules.push({ record: "slo:error_budget:ratio", expr: `vector(${budget})`, labels: sloLabels });

  for (const kind of ["page", "ticket"] as const) {
    const windows = BURN_RATE_WINDOWS.filter((w) => w.kind === kind);
    const expr = windows
      .map(
        (w) =>
          `(${ratio(w.short)} > (${w.factor} * ${budget}) and ${ratio(w.long)} > (${w.factor} * ${budget}))`,
      )
      .join("\nor\n");
    const severity = kind === "page" ? slo.pageSeverity : slo.ticketSeverity;
    rules.push(
      alertRule(ctx, app, kind === "page" ? "ErrorBudgetBurnFast" : "ErrorBudgetBurnSlow", expr, {
        for: kind === "page" ? "2m" : "15m",
        severity,
        summary: `${app.name}: burning the ${slo.objective}% availability error budget ${kind === "page" ? "fast" : "steadily"}`,
        description:
          `At this rate the ${slo.window} error budget of ${app.name} runs out ` +
          (kind === "page" ? "within days: act now." : "before the window ends: plan a fix."),
      }),
    );
  }
  return rules.map((r) => (r.alert ? { ...r, labels: { ...r.labels, slo: sloLabels.slo } } : r));
}

export function customRules(app: AppConfig, custom: CustomRuleConfig[]): IRule[] {
  return custom.map((r) =>
    r.alert
      ? {
          alert: r.alert,
          expr: r.expr,
          ...(r.for ? { for: r.for } : {}),
          ...(r.keep_firing_for ? { keep_firing_for: r.keep_firing_for } : {}),
          labels: { app: app.name, ...(app.team ? { team: app.team } : {}), ...r.labels },
          // The author's annotations as they are: a runbook_url is theirs to give, never made up here.
          annotations: r.annotations,
        }
      : { record: r.record!, expr: r.expr, ...(Object.keys(r.labels).length ? { labels: r.labels } : {}) },
  );
}

/** Warns before a target reaches the app's series budget, where its scrapes start to fail. */
export function seriesBudgetAlerts(app: AppConfig, ctx: RuleContext): IRule[] {
  if (!app.seriesBudget || (!app.serviceMonitor && !app.podMonitor)) return [];
  const threshold = Math.floor(app.seriesBudget * 0.8);
  return [
    alertRule(
      ctx,
      app,
      "SeriesBudgetNearlyExhausted",
      `max by (namespace, job, instance) (scrape_samples_post_metric_relabeling${series(ctx)}) > ${threshold}`,
      {
        for: "15m",
        severity: "warning",
        summary: `${app.name}: a target is near its series budget of ${app.seriesBudget}`,
        description: `{{ $labels.instance }} exposes {{ $value }} series; above ${app.seriesBudget} its scrapes fail.`,
      },
    ),
  ];
}

/** The job a Probe's targets get (set explicitly in the Probe spec). */
export const probeJobName = (app: string, probe: string) => `probe-${app}-${probe}`;

/**
 * Per probe: failing for its `for`, and a TLS certificate expiring within 14 days. The rule sets
 * `namespace` itself, so the app's routing sees the alert whatever labels the probe's series carry.
 */
export function probeAlerts(app: AppConfig, ctx: RuleContext): IRule[] {
  return app.probes.flatMap((probe) => {
    const sel = `{job="${probeJobName(app.name, probe.name)}"}`;
    const severity = app.alerts.targetDown?.severity ?? "critical";
    const withNamespace = (r: IRule): IRule => ({
      ...r,
      labels: { ...r.labels, namespace: ctx.namespace, probe: probe.name },
    });
    const rules = [
      alertRule(ctx, app, "ProbeFailing", `min by (instance) (probe_success${sel}) == 0`, {
        for: "5m",
        severity,
        summary: `${app.name}: probe ${probe.name} fails`,
        description: `{{ $labels.instance }} has failed the ${probe.module} probe for 5 minutes.`,
      }),
    ];
    if (probe.module === "http_2xx") {
      rules.push(
        alertRule(
          ctx,
          app,
          "ProbeCertificateExpiring",
          `(min by (instance) (probe_ssl_earliest_cert_expiry${sel}) - time()) / 86400 < 14`,
          {
            for: "1h",
            severity: "warning",
            summary: `${app.name}: the certificate probed by ${probe.name} expires within 14 days`,
            description: "The certificate of {{ $labels.instance }} expires in {{ $value | humanize }} days.",
          },
        ),
      );
    }
    return rules.map(withNamespace);
  });
}

/** Every rule group of an app, grouped by purpose, each with its own evaluation interval. */
export function appRuleGroups(
  app: AppConfig,
  runbookBaseUrl?: string,
  imported: readonly { file: string; groups: IRuleGroup[] }[] = [],
): IRuleGroup[] {
  const ctx = ruleContext(app, runbookBaseUrl);
  const groups: IRuleGroup[] = [];
  if (app.recordingRules)
    groups.push({ name: `${app.name}.recording`, interval: "30s", rules: recordingRules(app, ctx) });
  const golden = goldenSignalAlerts(app, ctx);
  if (golden.length) groups.push({ name: `${app.name}.golden-signals`, interval: "30s", rules: golden });
  const slo = sloRules(app, ctx);
  if (slo.length) groups.push({ name: `${app.name}.slo`, interval: "1m", rules: slo });
  const budget = seriesBudgetAlerts(app, ctx);
  if (budget.length) groups.push({ name: `${app.name}.cardinality`, interval: "1m", rules: budget });
  const probes = probeAlerts(app, ctx);
  if (probes.length) groups.push({ name: `${app.name}.probes`, interval: "1m", rules: probes });
  const custom = customRules(app, app.alerts.custom);
  if (custom.length) groups.push({ name: `${app.name}.custom`, rules: custom });
  for (const g of app.ruleGroups) {
    groups.push({
      name: `${app.name}.${g.name}`,
      ...(g.interval ? { interval: g.interval } : {}),
      ...(g.limit !== undefined ? { limit: g.limit } : {}),
      ...(g.queryOffset ? { query_offset: g.queryOffset } : {}),
      rules: customRules(app, g.rules),
    });
  }
  // Imported rules as written, but for the owner labels below.
  for (const { groups: fileGroups } of imported) {
    for (const g of fileGroups) groups.push({ ...g, name: `${app.name}.${g.name}`, rules: g.rules ?? [] });
  }
  return groups.map((g) => ({
    ...g,
    rules: (g.rules ?? []).map((r) => (r.alert ? withOwnerLabels(app, r) : r)),
  }));
}

/**
 * Every alert of an app carries the app's `namespace`, `app` (and `team`) whatever its expression
 * keeps, so routing finds its owner even when an aggregation drops them. The schema refuses rules that
 * set them to another owner's.
 */
export function withOwnerLabels(app: AppConfig, r: IRule): IRule {
  return {
    ...r,
    labels: { ...r.labels, namespace: app.namespace, app: app.name, ...(app.team ? { team: app.team } : {}) },
  };
}

function pct(ratio: number): string {
  return `${Number((ratio * 100).toPrecision(6))}%`;
}

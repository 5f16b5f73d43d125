/**
 * The Kubernetes objects one app gets, as plain values: its monitors, probes, dashboard and (when the
 * stack deploys it) the workload itself.
 */
import type { AppConfig, EndpointConfig, WorkloadConfig } from "./schema";
import type { IEndpoint, IPodMonitor, IProbe, IServiceMonitor } from "./crdTypes";
import { dashboardModel, dashboardUid, panel } from "./dashboards";
import { restrictedContainerSecurityContext, restrictedPodSecurityContext } from "./security";
import { errorRatioExpr, latencyQuantileExpr, probeJobName, ruleContext } from "./appRules";

export const METRICS_PORT = "metrics";

export function appLabels(app: AppConfig): Record<string, string> {
  return app.selector ?? { app: app.name };
}

/** One scrape endpoint; PodMonitor's podMetricsEndpoints take the same fields. */
function endpoint(e: EndpointConfig, extraRelabelings: EndpointConfig["relabelings"] = []): IEndpoint {
  const relabelings = [...e.relabelings, ...extraRelabelings];
  return {
    port: e.port,
    path: e.path,
    interval: e.interval,
    ...(e.scrapeTimeout ? { scrapeTimeout: e.scrapeTimeout } : {}),
    scheme: e.scheme,
    ...(e.honorLabels ? { honorLabels: true } : {}),
    ...(relabelings.length ? { relabelings } : {}),
  };
}

/**
 * What any team target may send: targets per monitor endpoint, labels per series, characters per label
 * name and value. Beyond, the scrape (or, for targets, the whole pool) fails; the operator's
 * `enforced*` settings do not apply to these, so each team monitor carries them.
 */
export const TEAM_MONITOR_LIMITS = {
  targetLimit: 200,
  labelLimit: 64,
  labelNameLengthLimit: 128,
  labelValueLengthLimit: 2048,
} as const;
/** Bytes of the text format one sample takes, at most, with its labels: the body-size limit's unit. */
export const BYTES_PER_EXPOSED_SAMPLE = 256;

/** A body size for `series` samples, in whole MiB (Prometheus' units), at least 1MiB. */
export function bodySizeLimitFor(series: number): string {
  return `${Math.max(1, Math.ceil((series * BYTES_PER_EXPOSED_SAMPLE) / 1024 ** 2))}MiB`;
}

/** The app's guards on each of its targets: the fixed ones, and with a series budget its sample and body-size limits. */
export function seriesBudgetLimits(app: AppConfig) {
  return {
    ...(app.seriesBudget
      ? { sampleLimit: app.seriesBudget, bodySizeLimit: bodySizeLimitFor(app.seriesBudget) }
      : {}),
    ...TEAM_MONITOR_LIMITS,
  };
}

export function serviceMonitorSpec(app: AppConfig): IServiceMonitor["spec"] {
  return {
    selector: { matchLabels: appLabels(app) },
    namespaceSelector: { matchNames: [app.namespace] },
    endpoints: app.serviceMonitor!.endpoints.map((e) => endpoint(e)),
    ...seriesBudgetLimits(app),
  };
}

/** The guide's StatefulSet ordinal: `web-2` → `pod_ordinal="2"`. */
export const podOrdinalRelabeling = {
  sourceLabels: ["__meta_kubernetes_pod_name"],
  regex: "(.*)-([0-9]+)",
  targetLabel: "pod_ordinal",
  replacement: "$2",
  action: "replace" as const,
};

export function podMonitorSpec(app: AppConfig): IPodMonitor["spec"] {
  const pm = app.podMonitor!;
  return {
    selector: { matchLabels: appLabels(app) },
    namespaceSelector: { matchNames: [app.namespace] },
    podMetricsEndpoints: pm.endpoints.map((e) =>
      endpoint(e, pm.statefulSetOrdinal ? [podOrdinalRelabeling] : []),
    ),
    ...seriesBudgetLimits(app),
  };
}

export function probeSpec(
  app: AppConfig,
  probe: AppConfig["probes"][number],
  proberUrl: string,
): IProbe["spec"] {
  return {
    jobName: probeJobName(app.name, probe.name),
    interval: probe.interval,
    module: probe.module,
    prober: { url: proberUrl },
    targets: { staticConfig: { static: probe.targets, labels: { app: app.name } } },
  };
}

/** The app's Deployment, Service (with a named metrics port) and optional Ingress, as plain specs. */
export function workloadSpecs(app: AppConfig, w: WorkloadConfig) {
  const labels = appLabels(app);
  const probe = (initialDelaySeconds: number) => ({
    httpGet: { path: w.healthPath, port: "http" },
    initialDelaySeconds,
    periodSeconds: 10,
    failureThreshold: 3,
  });
  const deployment = {
    replicas: w.replicas,
    selector: { matchLabels: labels },
    template: {
      metadata: { labels },
      spec: {
        securityContext: restrictedPodSecurityContext(),
        containers: [
          {
            name: app.name,
            image: w.image,
            ports: [{ name: "http", containerPort: w.containerPort }],
            livenessProbe: probe(10),
            readinessProbe: probe(5),
            resources: w.resources,
            securityContext: restrictedContainerSecurityContext(),
          },
        ],
      },
    },
  };
  const service = {
    selector: labels,
    ports: [
      { name: "http", port: w.servicePort, targetPort: "http" },
      // The guide's separate metrics port: 9090 → the app's own port, where /metrics is served.
      { name: METRICS_PORT, port: 9090, targetPort: "http" },
    ],
  };
  const ingress = w.ingress && {
    ...(w.ingress.className ? { ingressClassName: w.ingress.className } : {}),
    rules: [
      {
        host: w.ingress.host,
        http: {
          paths: [
            {
              path: "/",
              pathType: "Prefix",
              backend: { service: { name: app.serviceName ?? app.name, port: { name: "http" } } },
            },
          ],
        },
      },
    ],
    ...(w.ingress.tlsSecretName
      ? { tls: [{ hosts: [w.ingress.host], secretName: w.ingress.tlsSecretName }] }
      : {}),
  };
  return { deployment, service, ingress };
}

/** The uid of an app's generated dashboard (Grafana allows 40 characters; longer ones end in a hash). */
export const appDashboardUid = (app: Pick<AppConfig, "name" | "namespace">) =>
  dashboardUid(`kube-monitoring-${app.namespace}-${app.name}`);

/** A Grafana dashboard: request rate, error ratio, latency quantiles and SLO burn. */
export function appDashboard(app: AppConfig): Record<string, unknown> {
  const ctx = ruleContext(app, "");
  const m = app.metrics;
  const selector = `{namespace="${ctx.namespace}", job="${ctx.job}"}`;
  const ds = "${datasource}";
  const panels = [
    panel(
      1,
      "Request rate",
      "reqps",
      [{ expr: `sum by (job) (rate(${m.requestsTotal}${selector}[5m]))`, legendFormat: "{{job}}" }],
      ds,
    ),
    panel(
      2,
      "Error ratio",
      "percentunit",
      [{ expr: errorRatioExpr(app, ctx, "5m"), legendFormat: "errors" }],
      ds,
    ),
    panel(
      3,
      "Latency",
      "s",
      [0.5, 0.95, 0.99].map((q) => ({
        expr: latencyQuantileExpr(app, ctx, q, "5m"),
        legendFormat: `p${q * 100}`,
      })),
      ds,
    ),
  ];
  if (app.slo) {
    panels.push(
      panel(
        4,
        "SLO burn rate (1h)",
        "none",
        [
          {
            expr: `slo:sli_error:ratio_rate1h{slo="${app.name}-availability"} / on (slo) group_left slo:error_budget:ratio{slo="${app.name}-availability"}`,
            legendFormat: "burn rate",
          },
        ],
        ds,
      ),
    );
  }
  return dashboardModel(
    appDashboardUid(app),
    `${app.name} (${app.namespace})`,
    ["kube-monitoring", app.name],
    panels,
    {
      templating: {
        list: [
          {
            name: "datasource",
            type: "datasource",
            query: "prometheus",
            current: { text: "Prometheus", value: "prometheus" },
          },
        ],
      },
    },
  );
}

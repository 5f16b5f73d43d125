/**
 * Config of one monitored application (`kube-monitoring:apps[]`): monitors, alerts, rules, SLO,
 * probes and workload. Receivers and routing are in routingSchema.ts, the platform's alerting in
 * alertingSchema.ts; this module re-exports both.
 */
import { z } from "zod";
import { durationSeconds, isRuleDuration } from "./capacity";
import {
  dnsLabel,
  duration,
  relabelConfigSchema,
  replicas,
  resources,
  uniqueNames,
} from "./schemaPrimitives";
import {
  SEVERITIES,
  severity,
  labelName,
  metricName,
  labelKey,
  LABEL_MATCHERS,
  regexError,
  labelValue,
  portName,
  ratio,
} from "./labelSchemas";
import { routingSchema } from "./routingSchema";

export * from "./labelSchemas";
export * from "./routingSchema";
export * from "./alertingSchema";

const endpointSchema = z
  .strictObject({
    port: portName,
    path: z.string().startsWith("/", { error: "{input} must start with /" }).default("/metrics"),
    interval: duration("like 30s").default("30s"),
    scrapeTimeout: duration("like 10s").optional(),
    scheme: z.enum(["http", "https"]).default("http"),
    honorLabels: z.boolean().default(false),
    relabelings: z.array(relabelConfigSchema).default([]),
  })
  .superRefine((e, ctx) => {
    if (e.scrapeTimeout && (durationSeconds(e.scrapeTimeout) ?? 0) > (durationSeconds(e.interval) ?? 0)) {
      ctx.addIssue({
        code: "custom",
        path: ["scrapeTimeout"],
        message: `${e.scrapeTimeout} is longer than interval ${e.interval}`,
      });
    }
  });
export type EndpointConfig = z.infer<typeof endpointSchema>;

const alert = <T extends z.core.$ZodLooseShape>(
  shape: T,
  defaults: { for: string; severity: (typeof SEVERITIES)[number] },
) =>
  z.strictObject({
    ...shape,
    for: duration("like 5m").default(defaults.for),
    severity: severity.default(defaults.severity),
  });

/** A duration as Prometheus rules take it, zero included (`0`, `0s`, `0m` are valid `for` values). */
const ruleDuration = (example: string) =>
  z.string().refine(isRuleDuration, {
    error: `{input} is not a Prometheus duration (${example})`,
  });

/**
 * A rule as Prometheus takes it. Severities and required annotations are the policy's to judge
 * (alert-rule-quality, configured per stack), so that one setting decides them.
 */
const customRuleSchema = z
  .strictObject({
    // Prometheus takes any UTF-8 alert name; control characters only break YAML and dashboards.
    alert: z
      .string()
      .min(1)
      .regex(/^[^\p{Cc}]+$/u, { error: "{input} is not an alert name" })
      .optional(),
    record: metricName.optional(),
    expr: z.string().min(1),
    for: ruleDuration("like 5m or 0s").optional(),
    keep_firing_for: ruleDuration("like 10m").optional(),
    labels: z.record(labelName, z.string()).default({}),
    annotations: z.record(labelName, z.string()).default({}),
  })
  .superRefine((r, ctx) => {
    if ((r.alert === undefined) === (r.record === undefined)) {
      ctx.addIssue({ code: "custom", message: "needs exactly one of alert or record" });
    }
    if (r.alert === undefined) {
      for (const key of ["for", "keep_firing_for"] as const) {
        if (r[key] !== undefined)
          ctx.addIssue({
            code: "custom",
            path: [key],
            message: "applies to alerts only, not recording rules",
          });
      }
    }
  });
export type CustomRuleConfig = z.infer<typeof customRuleSchema>;

const workloadSchema = z.strictObject({
  image: z.string().refine(isPinnedImage, {
    error:
      "{input} is not a pinned image: give a tag other than latest (registry:5000/team/api:1.2.3) or a digest (name@sha256:…)",
  }),
  replicas: replicas.default(3),
  containerPort: z.int().min(1).max(65535).default(8080),
  servicePort: z.int().min(1).max(65535).default(80),
  healthPath: z.string().startsWith("/").default("/health"),
  resources: resources({ cpu: "100m", memory: "128Mi" }, { cpu: "500m", memory: "256Mi" }),
  ingress: z
    .strictObject({
      host: z.string().min(1),
      className: z.string().optional(),
      tlsSecretName: dnsLabel.optional(),
    })
    .optional(),
});
export type WorkloadConfig = z.infer<typeof workloadSchema>;

/**
 * An image reference pinned to a version: a digest, or a tag other than `latest`. The tag is what
 * follows the last `:` after the last `/`, so a registry port (`registry:5000/…`) is not a tag.
 */
export function isPinnedImage(ref: string): boolean {
  if (/\s/.test(ref)) return false;
  const digest = /^[^@]+@sha256:[0-9a-f]{64}$/.test(ref);
  if (digest) return true;
  const lastPart = ref.slice(ref.lastIndexOf("/") + 1);
  const colon = lastPart.lastIndexOf(":");
  if (colon <= 0) return false;
  const tag = lastPart.slice(colon + 1);
  return /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/.test(tag) && tag !== "latest";
}

/**
 * An SLO objective in percent, as `99.9` or `"99.9%"`. A value at or below 1 reads as a fraction
 * (0.999 meant as 99.9%), and anything below 50% is no availability objective: both are refused, the
 * message giving both readings.
 */
export const sloObjective = z
  .union([
    z.number(),
    z.string().regex(/^\d+(\.\d+)?%$/, { error: '{input} is not a percentage like "99.9%"' }),
  ])
  .transform((v, ctx) => {
    const pctValue = typeof v === "number" ? v : Number(v.slice(0, -1));
    if (pctValue > 0 && pctValue <= 1) {
      ctx.addIssue({
        code: "custom",
        message: `${v} is a percentage here: it reads as ${pctValue}% (an error budget of ${Number((100 - pctValue).toPrecision(6))}%), not ${Number((pctValue * 100).toPrecision(6))}%; write ${Number((pctValue * 100).toPrecision(6))} or "${Number((pctValue * 100).toPrecision(6))}%"`,
      });
      return z.NEVER;
    }
    if (!(pctValue >= 50 && pctValue < 100)) {
      ctx.addIssue({
        code: "custom",
        message: `${v} is not an objective in percent between 50 and 100 (like 99.9; 100 leaves no error budget)`,
      });
      return z.NEVER;
    }
    return pctValue;
  });

/**
 * Why a rule's labels would speak for another owner, or undefined: `namespace` and `app` are set by
 * the stack to the app's own (`team` too, when the app has one).
 */
export function ownerLabelProblem(
  app: { name: string; namespace: string; team?: string },
  labels: Record<string, string> | undefined,
): string | undefined {
  const own: Record<string, string | undefined> = { namespace: app.namespace, app: app.name, team: app.team };
  for (const [key, value] of Object.entries(own)) {
    const given = labels?.[key];
    if (given !== undefined && value !== undefined && given !== value) {
      return `sets ${key}=${JSON.stringify(given)}, but this app's alerts carry ${key}=${JSON.stringify(value)}: the stack sets it, so the alert reaches the app's owner and no other`;
    }
  }
  return undefined;
}

export const appSchema = z
  .strictObject({
    name: dnsLabel,
    namespace: dnsLabel,
    team: labelValue.optional(),
    /** Labels on the app's pods and Service; monitors select on them. Default `{ app: <name> }`. */
    selector: z.record(labelKey, labelValue).optional(),
    /** The Service the ServiceMonitor scrapes; its name becomes the `job` label. Default the app name. */
    serviceName: dnsLabel.optional(),
    /** Regex for the app's pod names, for container metrics. Default `<name>-.*`. */
    podNameRegex: z
      .string()
      .min(1)
      .superRefine((pattern, ctx) => {
        const error = regexError(pattern);
        if (error)
          ctx.addIssue({
            code: "custom",
            message: `${JSON.stringify(pattern)} is not a regex Prometheus accepts (RE2): ${error}`,
          });
      })
      .optional(),
    metrics: z
      .strictObject({
        requestsTotal: metricName.default("http_requests_total"),
        errorSelector: z
          .string()
          .regex(LABEL_MATCHERS, {
            error:
              '{input} is not a list of label matchers (like status=~"5..", or code="500", method!="GET")',
          })
          .default('status=~"5.."'),
        durationHistogram: metricName.default("http_request_duration_seconds"),
      })
      .prefault({}),
    serviceMonitor: z
      .strictObject({ endpoints: z.array(endpointSchema).min(1, { error: "needs at least one endpoint" }) })
      .optional(),
    podMonitor: z
      .strictObject({
        endpoints: z.array(endpointSchema).min(1, { error: "needs at least one endpoint" }),
        statefulSetOrdinal: z.boolean().default(false),
      })
      .optional(),
    alerts: z
      .strictObject({
        errorRate: alert(
          { threshold: ratio.default(0.05), window: duration("like 5m").default("5m") },
          { for: "5m", severity: "critical" },
        ).optional(),
        latency: alert(
          {
            quantile: ratio.default(0.95),
            thresholdSeconds: z.number().positive().default(1),
            window: duration("like 5m").default("5m"),
          },
          { for: "10m", severity: "warning" },
        ).optional(),
        targetDown: alert({}, { for: "5m", severity: "critical" }).optional(),
        memory: alert({ threshold: ratio.default(0.9) }, { for: "5m", severity: "warning" }).optional(),
        cpu: alert(
          { threshold: ratio.default(0.9), window: duration("like 5m").default("5m") },
          { for: "15m", severity: "warning" },
        ).optional(),
        custom: z.array(customRuleSchema).default([]),
      })
      .prefault({}),
    /**
     * Rule groups of the app's own, as Prometheus rule files have them: each its own evaluation
     * `interval`, a `limit` on the alerts or series it may produce, and a `queryOffset`.
     */
    ruleGroups: z
      .array(
        z.strictObject({
          name: z.string().regex(/^[a-z0-9]([-a-z0-9._]*[a-z0-9])?$/, {
            error: "{input} is not a group name (lower-case letters, digits, '-', '_' and '.')",
          }),
          interval: duration("like 3m").optional(),
          limit: z.int().min(0).optional(),
          queryOffset: duration("like 1m").optional(),
          rules: z.array(customRuleSchema).min(1, { error: "needs at least one rule" }),
        }),
      )
      .default([])
      .superRefine(uniqueNames("rule group")),
    /**
     * Most series one target of the app may expose (its monitors' sampleLimit, with label limits); a
     * scrape above it fails, so a cardinality explosion cannot take Prometheus down. An alert fires at 80%.
     */
    seriesBudget: z.int().positive().optional(),
    /** Rule files or PrometheusRule manifests in the project, brought as they are (paths from the project root). */
    ruleFiles: z.array(z.string().min(1)).default([]),
    recordingRules: z.boolean().default(false),
    slo: z
      .strictObject({
        /** A percentage: `99.9` or `"99.9%"` (never the fraction 0.999). */
        objective: sloObjective,
        window: duration("like 30d").default("30d"),
        /** PromQL with `{{window}}` where the range goes; default from `metrics`. */
        errorQuery: z.string().includes("{{window}}", { error: "must contain {{window}}" }).optional(),
        totalQuery: z.string().includes("{{window}}", { error: "must contain {{window}}" }).optional(),
        pageSeverity: severity.default("critical"),
        ticketSeverity: severity.default("warning"),
      })
      .optional(),
    routing: routingSchema.optional(),
    probes: z
      .array(
        z.strictObject({
          name: dnsLabel,
          module: z.enum(["http_2xx", "tcp_connect"]).default("http_2xx"),
          targets: z.array(z.string().min(1)).min(1, { error: "needs at least one target" }),
          interval: duration("like 30s").default("30s"),
        }),
      )
      .default([]),
    workload: workloadSchema.optional(),
    /**
     * For an app deployed elsewhere: the labels and named ports of the Service (ServiceMonitor) or pods
     * (PodMonitor) it runs, so the monitor can be checked against them before deploying.
     */
    target: z
      .strictObject({
        labels: z.record(labelKey, labelValue),
        ports: z.array(portName).min(1, { error: "needs at least one port name" }),
      })
      .optional(),
  })
  .superRefine((app, ctx) => {
    const hasRequestRules = app.alerts.errorRate || app.alerts.latency || app.recordingRules || app.slo;
    if (hasRequestRules && !app.serviceMonitor && !app.podMonitor) {
      ctx.addIssue({
        code: "custom",
        message: "alerts, recording rules and SLOs need a serviceMonitor or podMonitor to scrape from",
      });
    }
    // The stack sets an app's alerts' owner labels; a rule may not speak for another owner.
    const rules: [(string | number)[], CustomRuleConfig][] = [
      ...app.alerts.custom.map((r, j): [(string | number)[], CustomRuleConfig] => [
        ["alerts", "custom", j],
        r,
      ]),
      ...app.ruleGroups.flatMap((g, k) =>
        g.rules.map((r, j): [(string | number)[], CustomRuleConfig] => [["ruleGroups", k, "rules", j], r]),
      ),
    ];
    for (const [at, r] of rules) {
      const problem = ownerLabelProblem(app, r.labels);
      if (problem) ctx.addIssue({ code: "custom", path: [...at, "labels"], message: problem });
    }
    if (app.alerts.targetDown && !app.serviceMonitor && !app.podMonitor) {
      ctx.addIssue({
        code: "custom",
        path: ["alerts", "targetDown"],
        message: "needs a serviceMonitor or podMonitor",
      });
    }
  });
export type AppConfig = z.infer<typeof appSchema>;

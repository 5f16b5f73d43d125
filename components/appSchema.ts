/**
 * Config of one monitored application (`kube-monitoring:apps[]`) and of the stack-level alerting and
 * exporters that serve them.
 */
import { z } from "zod";
import { durationSeconds, isRuleDuration } from "./capacity";
import {
  credential,
  dnsLabel,
  duration,
  httpUrl,
  relabelConfigSchema,
  replicas,
  resources,
  uniqueNames,
} from "./schemaPrimitives";

export const SEVERITIES = ["critical", "warning", "info"] as const;
const severity = z.enum(SEVERITIES, {
  error: "{input} is not a severity; expected critical, warning or info",
});

const labelName = z
  .string()
  .regex(/^[a-zA-Z_][a-zA-Z0-9_]*$/, { error: "{input} is not a Prometheus label name" });
const metricName = z
  .string()
  .regex(/^[a-zA-Z_:][a-zA-Z0-9_:]*$/, { error: "{input} is not a Prometheus metric name" });
/** A Kubernetes label key: an optional DNS-subdomain prefix and a name of at most 63 characters. */
const labelKey = z
  .string()
  .regex(
    /^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/)?[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/,
    {
      error: "{input} is not a Kubernetes label key (like app or app.kubernetes.io/name)",
    },
  )
  .max(317);
/** PromQL label matchers, comma-separated, each value one double-quoted string: nothing else fits. */
const LABEL_MATCHERS =
  /^\s*[a-zA-Z_][a-zA-Z0-9_]*\s*(=|!=|=~|!~)\s*"(?:[^"\\\n]|\\.)*"(\s*,\s*[a-zA-Z_][a-zA-Z0-9_]*\s*(=|!=|=~|!~)\s*"(?:[^"\\\n]|\\.)*")*\s*$/;

function isValidRegex(pattern: string): boolean {
  try {
    new RegExp(pattern);
    return true;
  } catch {
    return false;
  }
}

const labelValue = z
  .string()
  .max(63)
  .regex(/^([A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?)?$/, {
    error: "{input} is not a Kubernetes label value",
  });
/** A Service or container port *name* (an IANA service name): monitors name ports, never number them. */
const portName = z
  .string({ error: "{input} is not a port name; monitors refer to ports by name (like metrics), not number" })
  .regex(/^[a-z]([-a-z0-9]{0,13}[a-z0-9])?$/, {
    error: "{input} is not a port name; monitors refer to ports by name (like metrics), not number",
  });
const ratio = z
  .number()
  .gt(0, { error: "{input} must be above 0" })
  .lt(1, { error: "{input} must be below 1" });

/** A credential given as a Pulumi secret, or a reference to a Secret that already exists. */
export const secretSourceSchema = z.union(
  [
    credential,
    z.strictObject({
      secretName: dnsLabel,
      key: z.string().regex(/^[-._a-zA-Z0-9]{1,253}$/, {
        error: "{input} is not a Secret key (letters, digits, '-', '_' and '.')",
      }),
    }),
  ],
  {
    error: "must be a Pulumi secret or { secretName, key } of an existing Secret",
  },
);

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

export const receiverSchema = z
  .strictObject({
    name: dnsLabel.refine((n) => n !== "null", {
      error: '"null" is reserved for the receiver that drops alerts; pick another name',
    }),
    pagerduty: z
      .strictObject({ routingKey: secretSourceSchema, sendResolved: z.boolean().default(true) })
      .optional(),
    slack: z
      .strictObject({
        apiUrl: secretSourceSchema,
        channel: z.string().min(1),
        sendResolved: z.boolean().default(true),
      })
      .optional(),
    email: z
      .strictObject({
        to: z.email({ error: "{input} is not an email address" }),
        from: z.email({ error: "{input} is not an email address" }),
        smarthost: z.string().regex(/^[A-Za-z0-9.-]+:\d+$/, { error: "{input} is not host:port" }),
        authUsername: z.string().optional(),
        authPassword: secretSourceSchema.optional(),
        requireTLS: z.boolean().default(true),
        sendResolved: z.boolean().default(false),
      })
      .optional(),
    webhook: z
      .strictObject({
        url: httpUrl.optional(),
        urlSecret: secretSourceSchema.optional(),
        sendResolved: z.boolean().default(true),
      })
      .superRefine((w, ctx) => {
        if ((w.url === undefined) === (w.urlSecret === undefined)) {
          ctx.addIssue({ code: "custom", message: "needs exactly one of url or urlSecret" });
        }
      })
      .optional(),
    opsgenie: z
      .strictObject({
        apiKey: secretSourceSchema,
        /** Opsgenie priority template or fixed value (P1…P5). */
        priority: z.string().min(1).optional(),
        sendResolved: z.boolean().default(true),
      })
      .optional(),
  })
  .superRefine((r, ctx) => {
    if (!r.pagerduty && !r.slack && !r.email && !r.webhook && !r.opsgenie) {
      ctx.addIssue({
        code: "custom",
        message: "needs at least one of pagerduty, slack, email, webhook or opsgenie",
      });
    }
  });
export type ReceiverConfig = z.infer<typeof receiverSchema>;

/** Every credential a receiver holds, by the field path under the receiver and its Secret key suffix. */
export function receiverCredentials(r: ReceiverConfig) {
  const fields: { path: string[]; key: string; source: unknown }[] = [
    { path: ["pagerduty", "routingKey"], key: "routing-key", source: r.pagerduty?.routingKey },
    { path: ["slack", "apiUrl"], key: "slack-api-url", source: r.slack?.apiUrl },
    { path: ["email", "authPassword"], key: "smtp-password", source: r.email?.authPassword },
    { path: ["webhook", "urlSecret"], key: "webhook-url", source: r.webhook?.urlSecret },
    { path: ["opsgenie", "apiKey"], key: "opsgenie-api-key", source: r.opsgenie?.apiKey },
  ];
  return fields.filter((f) => f.source !== undefined);
}

const hhmm = z
  .string()
  .regex(/^([01]\d|2[0-3]):[0-5]\d$|^24:00$/, { error: "{input} is not a time like 22:00" });

const routingSchema = z
  .strictObject({
    receivers: z.array(receiverSchema).min(1, { error: "needs at least one receiver" }),
    defaultReceiver: dnsLabel,
    /**
     * Removed: alerts about the app's namespace (crash-looping pods, full volumes, …) now reach the
     * namespace owner's routing by default. Refused with a message saying so.
     */
    platformAlerts: z
      .unknown()
      .refine(() => false, {
        error:
          "was removed: alerts about the app's namespace now reach its routing by default (alert ownership); set routing.copyToPlatform: true to also page the platform",
      })
      .optional(),
    /**
     * Also send every alert of the app's namespace to the platform's receivers, as copies. Off: the
     * platform never hears of an alert this app's routing owns.
     */
    copyToPlatform: z.boolean().default(false),
    groupBy: z.array(labelName).default(["alertname", "severity"]),
    groupWait: duration("like 30s").default("30s"),
    groupInterval: duration("like 5m").default("5m"),
    repeatInterval: duration("like 12h").default("12h"),
    routes: z
      .array(
        z.strictObject({
          receiver: dnsLabel,
          severity: severity.optional(),
          team: z.string().min(1).optional(),
          continue: z.boolean().default(false),
          muteTimeIntervals: z.array(dnsLabel).default([]),
        }),
      )
      .default([]),
    muteTimeIntervals: z
      .array(
        z.strictObject({
          name: dnsLabel,
          weekdays: z
            .array(z.string().regex(/^[a-z]+(:[a-z]+)?$/, { error: "{input} is not a weekday or range" }))
            .default([]),
          times: z.array(z.strictObject({ start: hhmm, end: hhmm })).default([]),
        }),
      )
      .default([]),
  })
  .superRefine((r, ctx) => {
    const receivers = new Set(r.receivers.map((x) => x.name));
    const intervals = new Set(r.muteTimeIntervals.map((x) => x.name));
    // The valid choices, so the message fixes itself.
    const choices = (names: Set<string>, what: string) =>
      names.size ? `; expected one of: ${[...names].join(", ")}` : `; this routing defines no ${what}`;
    if (!receivers.has(r.defaultReceiver)) {
      ctx.addIssue({
        code: "custom",
        path: ["defaultReceiver"],
        message: `${JSON.stringify(r.defaultReceiver)} is not a receiver here${choices(receivers, "receivers")}`,
      });
    }
    r.routes.forEach((route, i) => {
      if (!receivers.has(route.receiver)) {
        ctx.addIssue({
          code: "custom",
          path: ["routes", i, "receiver"],
          message: `${JSON.stringify(route.receiver)} is not a receiver here${choices(receivers, "receivers")}`,
        });
      }
      route.muteTimeIntervals.forEach((m, j) => {
        if (!intervals.has(m)) {
          ctx.addIssue({
            code: "custom",
            path: ["routes", i, "muteTimeIntervals", j],
            message: `${JSON.stringify(m)} is not a mute time interval here${choices(intervals, "muteTimeIntervals")}`,
          });
        }
      });
    });
  });
export type RoutingConfig = z.infer<typeof routingSchema>;

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
      .refine(isValidRegex, { error: "{input} is not a regular expression" })
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

/** The platform receiver Watchdog goes to when `alerting.heartbeat` is set; reserved. */
export const HEARTBEAT_RECEIVER = "watchdog-heartbeat";

const platformRouteSchema = z.strictObject({
  receiver: dnsLabel,
  severity: severity.optional(),
  /** Exact label matches besides severity, like `{ namespace: kube-system }`. */
  matchers: z.record(labelName, z.string().min(1)).default({}),
  continue: z.boolean().default(false),
});

const heartbeatSchema = z
  .strictObject({
    /**
     * The dead man's switch URL (healthchecks.io, Dead Man's Snitch, an Opsgenie heartbeat ping or a
     * cron monitor): a Pulumi secret or a Secret reference, since the URL itself authenticates.
     */
    url: secretSourceSchema,
    /** How often Watchdog is re-sent while it fires; the switch must expect at least this often. */
    repeatInterval: duration("like 1m").default("1m"),
  })
  .superRefine((h, ctx) => {
    if ((durationSeconds(h.repeatInterval) ?? 0) > 300) {
      ctx.addIssue({
        code: "custom",
        path: ["repeatInterval"],
        message: `${h.repeatInterval} is longer than 5m: a dead man's switch needs a frequent heartbeat`,
      });
    }
  });

export const alertingSchema = z
  .strictObject({
    /** Base of every generated alert's runbook_url: `<base>/<alertname>`. */
    runbookBaseUrl: httpUrl.optional(),
    /**
     * Namespaces the platform owns besides the monitoring namespace and kube-system, kube-public,
     * kube-node-lease and default (ingress controllers, cert-manager, …): their alerts go to the platform.
     */
    platformNamespaces: z.array(dnsLabel).default([]),
    /** Receivers of the platform's own alerts (nodes, kube-system, monitoring, alerts without a namespace). */
    receivers: z.array(receiverSchema).default([]),
    /** Where a platform alert goes when no route matches. Required when there are receivers. */
    defaultReceiver: dnsLabel.optional(),
    groupBy: z.array(labelName).default(["alertname", "namespace", "cluster"]),
    groupWait: duration("like 30s").default("30s"),
    groupInterval: duration("like 5m").default("5m"),
    repeatInterval: duration("like 4h").default("4h"),
    routes: z.array(platformRouteSchema).default([]),
    /** Sends Watchdog to a dead man's switch, so a dead Prometheus or Alertmanager pages someone. */
    heartbeat: heartbeatSchema.optional(),
  })
  .superRefine((a, ctx) => {
    a.receivers.forEach((r, i) => {
      if (r.name === HEARTBEAT_RECEIVER)
        ctx.addIssue({
          code: "custom",
          path: ["receivers", i, "name"],
          message: `${JSON.stringify(HEARTBEAT_RECEIVER)} is reserved for alerting.heartbeat`,
        });
    });
    uniqueNames("receiver", ["receivers"])(a.receivers, ctx);
    const names = new Set(a.receivers.map((r) => r.name));
    if (a.receivers.length && !a.defaultReceiver) {
      ctx.addIssue({
        code: "custom",
        path: ["defaultReceiver"],
        message: "is required when there are receivers: platform alerts no route matches go there",
      });
    }
    if (a.defaultReceiver && !names.has(a.defaultReceiver)) {
      ctx.addIssue({
        code: "custom",
        path: ["defaultReceiver"],
        message: `${JSON.stringify(a.defaultReceiver)} is not one of alerting.receivers`,
      });
    }
    a.routes.forEach((route, i) => {
      if (!names.has(route.receiver)) {
        ctx.addIssue({
          code: "custom",
          path: ["routes", i, "receiver"],
          message: `${JSON.stringify(route.receiver)} is not one of alerting.receivers`,
        });
      }
    });
  })
  .prefault({});
export type AlertingConfig = z.infer<typeof alertingSchema>;

export const pushgatewaySchema = z
  .strictObject({
    enabled: z.boolean().default(false),
    resources: resources({ cpu: "50m", memory: "64Mi" }, { cpu: "200m", memory: "128Mi" }),
    persistence: z.boolean().default(true),
  })
  .prefault({});

export const blackboxExporterSchema = z
  .strictObject({ resources: resources({ cpu: "50m", memory: "64Mi" }, { cpu: "200m", memory: "128Mi" }) })
  .prefault({});

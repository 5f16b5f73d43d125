/** The platform's own alerting (`alerting`), and the exporters that serve the apps. */
import { z } from "zod";
import { durationSeconds } from "./capacity";
import { dnsLabel, duration, httpUrl, resources, uniqueNames } from "./schemaPrimitives";
import { severity, labelName, secretSourceSchema } from "./labelSchemas";
import { receiverSchema } from "./routingSchema";

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

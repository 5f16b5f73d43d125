/** Receivers and an owner's routing (`apps[].routing`): integrations, credentials, routes, mute times. */
import { z } from "zod";
import { dnsLabel, duration, httpUrl } from "./schemaPrimitives";
import { severity, labelName, secretSourceSchema } from "./labelSchemas";

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

export const routingSchema = z
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

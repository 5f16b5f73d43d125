/**
 * The Alertmanager configuration the operator would build, following prometheus-operator's config
 * builder. The base is the global AlertmanagerConfig the Alertmanager names in `alertmanagerConfiguration`
 * (its routes, receivers and inhibit rules taken as they are, names prefixed `<namespace>/<name>/`), or
 * else the release values' `alertmanager.config`. Then every other AlertmanagerConfig
 * route becomes a first-level route with `continue: true` and a `namespace="<ns>"` matcher (the
 * OnNamespace strategy), placed before the stack's own routes; its receivers and time intervals are
 * renamed `<namespace>/<name>/<receiver>`. Secret references become placeholders: the offline plan never
 * reads a Secret.
 */
import type { RecordedResource } from "./runtime";

type Json = Record<string, unknown>;

export const namespaced = (ns: string, name: string, item: string) => `${ns}/${name}/${item}`;

function matcherString(m: Json): string {
  return `${String(m.name)}${String(m.matchType ?? "=")}${JSON.stringify(String(m.value ?? ""))}`;
}

function secretPlaceholder(ref: unknown, asUrl: boolean): string {
  const r = (ref ?? {}) as Json;
  const where = `${String(r.name)}/${String(r.key)}`;
  return asUrl ? `https://secret.invalid/${where}` : `<secret ${where}>`;
}

function convertMatchers(list: unknown): string[] {
  return ((list ?? []) as Json[]).map(matcherString);
}

function convertInhibitRule(rule: Json): Json {
  return {
    source_matchers: convertMatchers(rule.sourceMatch),
    target_matchers: convertMatchers(rule.targetMatch),
    ...(Array.isArray(rule.equal) ? { equal: rule.equal } : {}),
  };
}

function convertRoute(route: Json, ns: string, name: string): Json {
  const out: Json = {};
  if (route.receiver) out.receiver = namespaced(ns, name, String(route.receiver));
  if (route.groupBy) out.group_by = route.groupBy;
  if (route.groupWait) out.group_wait = route.groupWait;
  if (route.groupInterval) out.group_interval = route.groupInterval;
  if (route.repeatInterval) out.repeat_interval = route.repeatInterval;
  const matchers = ((route.matchers ?? []) as Json[]).map(matcherString);
  if (matchers.length) out.matchers = matchers;
  if (route.continue) out.continue = true;
  if (Array.isArray(route.muteTimeIntervals) && route.muteTimeIntervals.length) {
    out.mute_time_intervals = (route.muteTimeIntervals as string[]).map((m) => namespaced(ns, name, m));
  }
  const children = (route.routes ?? []) as Json[];
  if (children.length) out.routes = children.map((c) => convertRoute(c, ns, name));
  return out;
}

function convertReceiver(r: Json, ns: string, name: string): Json {
  const out: Json = { name: namespaced(ns, name, String(r.name)) };
  const list = (key: string) => (r[key] ?? []) as Json[];
  if (list("pagerdutyConfigs").length) {
    out.pagerduty_configs = list("pagerdutyConfigs").map((c) => ({
      routing_key: secretPlaceholder(c.routingKey, false),
      send_resolved: c.sendResolved ?? true,
      ...(c.severity ? { severity: c.severity } : {}),
      ...(c.clientURL ? { client_url: c.clientURL } : {}),
      // The operator writes pagerDutyLinkConfigs' alt as Alertmanager's link text.
      ...(Array.isArray(c.pagerDutyLinkConfigs)
        ? { links: (c.pagerDutyLinkConfigs as Json[]).map((l) => ({ href: l.href, text: l.alt })) }
        : {}),
    }));
  }
  if (list("slackConfigs").length) {
    out.slack_configs = list("slackConfigs").map((c) => ({
      api_url: secretPlaceholder(c.apiURL, true),
      channel: c.channel,
      send_resolved: c.sendResolved ?? false,
      ...(c.title ? { title: c.title } : {}),
      ...(c.titleLink ? { title_link: c.titleLink } : {}),
      ...(c.text ? { text: c.text } : {}),
    }));
  }
  if (list("emailConfigs").length) {
    out.email_configs = list("emailConfigs").map((c) => ({
      to: c.to,
      from: c.from,
      smarthost: c.smarthost,
      require_tls: c.requireTLS ?? true,
      send_resolved: c.sendResolved ?? false,
      ...(c.authUsername ? { auth_username: c.authUsername } : {}),
      ...(c.authPassword ? { auth_password: secretPlaceholder(c.authPassword, false) } : {}),
    }));
  }
  if (list("opsgenieConfigs").length) {
    out.opsgenie_configs = list("opsgenieConfigs").map((c) => ({
      api_key: secretPlaceholder(c.apiKey, false),
      send_resolved: c.sendResolved ?? true,
      ...(c.priority ? { priority: c.priority } : {}),
    }));
  }
  if (list("webhookConfigs").length) {
    out.webhook_configs = list("webhookConfigs").map((c) => ({
      url: c.url ?? secretPlaceholder(c.urlSecret, true),
      send_resolved: c.sendResolved ?? true,
    }));
  }
  return out;
}

function convertTimeInterval(t: Json): Json {
  return {
    ...(t.weekdays ? { weekdays: t.weekdays } : {}),
    ...(t.times
      ? { times: (t.times as Json[]).map((x) => ({ start_time: x.startTime, end_time: x.endTime })) }
      : {}),
  };
}

function convertMuteTimeInterval(m: Json, ns: string, name: string): Json {
  return {
    name: namespaced(ns, name, String(m.name)),
    time_intervals: ((m.timeIntervals ?? []) as Json[]).map(convertTimeInterval),
  };
}

/** The kube-prometheus-stack release: its values say how the operator builds the configuration. */
export const isKpsRelease = (r: RecordedResource) =>
  r.type === "kubernetes:helm.sh/v3:Release" && r.inputs.chart === "kube-prometheus-stack";

/** What the effective Alertmanager configuration is built from: the release and every AlertmanagerConfig. */
export const feedsAlertmanager = (r: RecordedResource) =>
  isKpsRelease(r) || r.inputs.kind === "AlertmanagerConfig";

/** The effective alertmanager.yaml for the stack's Alertmanager. */
/** An AlertmanagerConfig's `namespace/name`: the configs are merged in this order. */
const metaKey = (meta: Json) => `${String(meta.namespace)}/${String(meta.name)}`;

export function effectiveAlertmanagerConfig(resources: RecordedResource[]): Json {
  const kps = resources.find(isKpsRelease);
  const amValues = ((kps?.inputs.values as Json | undefined)?.alertmanager ?? {}) as Json;
  const spec = (amValues.alertmanagerSpec ?? {}) as Json;
  const globalRef = spec.alertmanagerConfiguration as { name?: string; global?: Json } | undefined;
  const amcs = resources
    .filter((r) => r.inputs.kind === "AlertmanagerConfig")
    .map((r) => ({ meta: r.inputs.metadata as Json, spec: r.inputs.spec as Json }));
  const releaseNamespace = String(kps?.inputs.namespace ?? "");
  const globalAmc = globalRef?.name
    ? amcs.find((c) => c.meta.name === globalRef.name && String(c.meta.namespace) === releaseNamespace)
    : undefined;

  let base: Json;
  if (globalAmc) {
    const ns = String(globalAmc.meta.namespace);
    const name = String(globalAmc.meta.name);
    const g = globalAmc.spec;
    base = {
      ...(globalRef?.global?.resolveTimeout
        ? { global: { resolve_timeout: globalRef.global.resolveTimeout } }
        : {}),
      route: convertRoute(g.route as Json, ns, name),
      receivers: ((g.receivers ?? []) as Json[]).map((r) => convertReceiver(r, ns, name)),
      ...(Array.isArray(g.inhibitRules) && g.inhibitRules.length
        ? { inhibit_rules: (g.inhibitRules as Json[]).map(convertInhibitRule) }
        : {}),
      ...(Array.isArray(g.muteTimeIntervals) && g.muteTimeIntervals.length
        ? {
            mute_time_intervals: (g.muteTimeIntervals as Json[]).map((m) =>
              convertMuteTimeInterval(m, ns, name),
            ),
          }
        : {}),
    };
  } else {
    base = structuredClone((amValues.config ?? {}) as Json);
  }
  delete base.templates;
  const route = (base.route ?? { receiver: "null" }) as Json;
  const receivers = [...((base.receivers ?? []) as Json[])];
  const intervals: Json[] = [...((base.mute_time_intervals ?? []) as Json[])];
  const subRoutes: Json[] = [];
  const excluded = excludedBySelector(spec.alertmanagerConfigSelector);
  const configs = amcs
    .filter((c) => c !== globalAmc && !excluded((c.meta.labels ?? {}) as Record<string, string>))
    .sort((a, b) => metaKey(a.meta).localeCompare(metaKey(b.meta)));
  for (const { meta, spec } of configs) {
    const ns = String(meta.namespace);
    const name = String(meta.name);
    if (spec.route) {
      const top = convertRoute(spec.route as Json, ns, name);
      top.matchers = [...((top.matchers as string[] | undefined) ?? []), `namespace=${JSON.stringify(ns)}`];
      top.continue = true;
      subRoutes.push(top);
    }
    for (const r of (spec.receivers ?? []) as Json[]) receivers.push(convertReceiver(r, ns, name));
    for (const m of (spec.muteTimeIntervals ?? []) as Json[])
      intervals.push(convertMuteTimeInterval(m, ns, name));
  }
  route.routes = [...subRoutes, ...((route.routes ?? []) as Json[])];
  return { ...base, route, receivers, ...(intervals.length ? { mute_time_intervals: intervals } : {}) };
}

/** Whether a label selector leaves an object out (only the `DoesNotExist`/`Exists`/`In` forms we use). */
function excludedBySelector(selector: unknown): (labels: Record<string, string>) => boolean {
  const sel = (selector ?? {}) as { matchLabels?: Record<string, string>; matchExpressions?: Json[] };
  return (labels) =>
    Object.entries(sel.matchLabels ?? {}).some(([k, v]) => labels[k] !== v) ||
    (sel.matchExpressions ?? []).some((e) => {
      const key = String(e.key);
      const values = (e.values ?? []) as string[];
      switch (e.operator) {
        case "DoesNotExist":
          return key in labels;
        case "Exists":
          return !(key in labels);
        case "In":
          return !values.includes(labels[key]);
        case "NotIn":
          return key in labels && values.includes(labels[key]);
        default:
          return false;
      }
    });
}

/** Every PrometheusRule's groups as a rule file (promtool rejects the custom-resource wrapper). */
export function ruleFiles(
  resources: RecordedResource[],
): { name: string; resource: string; shown: string; groups: unknown[] }[] {
  return resources
    .filter((r) => r.inputs.kind === "PrometheusRule")
    .map((r) => {
      const meta = r.inputs.metadata as Json;
      return {
        name: `${String(meta.namespace)}-${String(meta.name)}.rules.yaml`,
        resource: r.urn,
        /** How a person names it: `PrometheusRule shop/checkout-rules`. */
        shown: `PrometheusRule ${String(meta.namespace)}/${String(meta.name)}`,
        groups: ((r.inputs.spec as Json).groups ?? []) as unknown[],
      };
    });
}

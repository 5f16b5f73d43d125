/**
 * The parts of an Alertmanager configuration that decide who hears of an alert: the route tree
 * (matchers, legacy match/match_re, `continue`, inherited group_by and timers), inhibit rules, mute and
 * active time intervals, and whether a receiver sends anything and sends resolved notifications. The
 * configuration is checked for the shape these read; problems name the key.
 */
import { z } from "zod";
import { durationSeconds } from "../../policies/units";
import { Matcher, MatchOp, matches, unquote } from "./expand";

export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ConfigError";
  }
}

const duration = z.string().refine((d) => durationSeconds(d) !== undefined, {
  error: "expected an Alertmanager duration",
});
const strings = z.array(z.string());
const labelMap = z.record(z.string(), z.string());

interface RawRoute {
  receiver?: string;
  group_by?: string[];
  group_wait?: string;
  group_interval?: string;
  repeat_interval?: string;
  matchers?: string[];
  match?: Record<string, string>;
  match_re?: Record<string, string>;
  continue?: boolean;
  mute_time_intervals?: string[];
  active_time_intervals?: string[];
  routes?: RawRoute[];
}
const routeShape: z.ZodType<RawRoute> = z.lazy(() =>
  z.object({
    receiver: z.string().optional(),
    group_by: strings.optional(),
    group_wait: duration.optional(),
    group_interval: duration.optional(),
    repeat_interval: duration.optional(),
    matchers: strings.optional(),
    match: labelMap.optional(),
    match_re: labelMap.optional(),
    continue: z.boolean().optional(),
    mute_time_intervals: strings.optional(),
    active_time_intervals: strings.optional(),
    routes: z.array(routeShape).optional(),
  }),
);
const timeRange = z.object({ start_time: z.string(), end_time: z.string() });
const intervalShape = z.object({
  name: z.string(),
  time_intervals: z.array(
    z.object({
      weekdays: strings.optional(),
      times: z.array(timeRange).optional(),
      days_of_month: strings.optional(),
      months: strings.optional(),
      years: strings.optional(),
    }),
  ),
});
const configShape = z.object({
  route: routeShape,
  receivers: z.array(z.looseObject({ name: z.string() })).optional(),
  inhibit_rules: z
    .array(
      z.object({
        source_matchers: strings.optional(),
        target_matchers: strings.optional(),
        source_match: labelMap.optional(),
        source_match_re: labelMap.optional(),
        target_match: labelMap.optional(),
        target_match_re: labelMap.optional(),
        equal: strings.optional(),
      }),
    )
    .optional(),
  mute_time_intervals: z.array(intervalShape).optional(),
  time_intervals: z.array(intervalShape).optional(),
});

/** Where an alert is delivered: one route node it reached, with its inherited settings. */
export interface RouteNode {
  /** Position in the tree (`root`, `root.0.2`): with the group key, one aggregation group. */
  readonly id: string;
  readonly receiver: string;
  /** `["..."]` groups by every label. */
  readonly groupBy: readonly string[];
  readonly groupWaitMs: number;
  readonly groupIntervalMs: number;
  readonly repeatIntervalMs: number;
  readonly muteIntervals: readonly string[];
  readonly activeIntervals: readonly string[];
  readonly matchers: readonly Matcher[];
  readonly continue: boolean;
  readonly children: readonly RouteNode[];
}

export interface Receiver {
  readonly name: string;
  /** Has at least one integration: a receiver without one (a "null" receiver) sends nothing. */
  readonly sends: boolean;
  readonly sendResolved: boolean;
}

export interface InhibitRule {
  readonly source: readonly Matcher[];
  readonly target: readonly Matcher[];
  readonly equal: readonly string[];
}

export interface Routing {
  readonly root: RouteNode;
  readonly receivers: ReadonlyMap<string, Receiver>;
  readonly inhibitRules: readonly InhibitRule[];
  readonly intervals: ReadonlyMap<string, z.infer<typeof intervalShape>["time_intervals"]>;
}

/** Alertmanager's default send_resolved per integration: false for these, true for the rest. */
const QUIET_BY_DEFAULT = new Set(["email_configs", "slack_configs", "wechat_configs"]);

/** One matcher string or a `{a="b", c=~"d"}` list, as Alertmanager's matcher parser reads them. */
export function parseMatchers(text: string): Matcher[] {
  let body = text.trim();
  if (body.startsWith("{") && body.endsWith("}")) body = body.slice(1, -1);
  const out: Matcher[] = [];
  const re = /\s*("(?:[^"\\]|\\.)*"|[^\s{}!=~,"]+)\s*(=~|!~|!=|=)\s*("(?:[^"\\]|\\.)*"|[^,]*?)\s*(?:,|$)/y;
  for (let pos = 0; pos < body.length || !out.length;) {
    re.lastIndex = pos;
    const m = re.exec(body);
    if (!m || re.lastIndex === pos)
      throw new ConfigError(`${JSON.stringify(text)} is not an Alertmanager matcher`);
    const name = m[1].startsWith('"') ? unquote(m[1]) : m[1];
    const value = m[3].startsWith('"') ? unquote(m[3]) : m[3];
    out.push({ name, op: m[2] as MatchOp, value });
    pos = re.lastIndex;
  }
  for (const x of out) {
    if (x.op === "=~" || x.op === "!~") {
      try {
        new RegExp(x.value);
      } catch {
        throw new ConfigError(`${JSON.stringify(text)}: the regular expression does not compile`);
      }
    }
  }
  return out;
}

const legacy = (eq?: Record<string, string>, re?: Record<string, string>): Matcher[] => [
  ...Object.entries(eq ?? {}).map(([name, value]) => ({ name, op: "=" as const, value })),
  ...Object.entries(re ?? {}).map(([name, value]) => ({ name, op: "=~" as const, value })),
];

const ms = (d: string | undefined, fallback: number) =>
  d === undefined ? fallback : durationSeconds(d)! * 1000;

function buildRoute(raw: RawRoute, parent: RouteNode | undefined, id: string, at: string): RouteNode {
  let matchers: Matcher[];
  try {
    matchers = [...(raw.matchers ?? []).flatMap(parseMatchers), ...legacy(raw.match, raw.match_re)];
  } catch (err) {
    throw new ConfigError(`${at}.matchers: ${(err as Error).message}`);
  }
  const receiver = raw.receiver ?? parent?.receiver;
  if (!receiver) throw new ConfigError(`${at}.receiver: the root route needs a receiver`);
  const children: RouteNode[] = [];
  const node: RouteNode = {
    id,
    receiver,
    groupBy: raw.group_by ?? parent?.groupBy ?? [],
    // Alertmanager's defaults: 30s, 5m and 4h.
    groupWaitMs: ms(raw.group_wait, parent?.groupWaitMs ?? 30_000),
    groupIntervalMs: ms(raw.group_interval, parent?.groupIntervalMs ?? 300_000),
    repeatIntervalMs: ms(raw.repeat_interval, parent?.repeatIntervalMs ?? 4 * 3_600_000),
    muteIntervals: raw.mute_time_intervals ?? [],
    activeIntervals: raw.active_time_intervals ?? [],
    matchers,
    continue: raw.continue ?? false,
    children,
  };
  (raw.routes ?? []).forEach((r, i) =>
    children.push(buildRoute(r, node, `${id}.${i}`, `${at}.routes[${i}]`)),
  );
  return node;
}

/** The routing model of an effective alertmanager.yaml; throws ConfigError naming the key. */
export function routingOf(config: unknown): Routing {
  const parsed = configShape.safeParse(config);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const key = issue.path.map((p) => (typeof p === "number" ? `[${p}]` : `.${String(p)}`)).join("");
    throw new ConfigError(`${key || "(top level)"}: ${issue.message}`);
  }
  const c = parsed.data;
  const root = buildRoute(c.route, undefined, "root", "route");
  const receivers = new Map<string, Receiver>();
  for (const r of c.receivers ?? []) {
    const integrations = Object.entries(r).filter(([k, v]) => k.endsWith("_configs") && Array.isArray(v));
    const configs = integrations.flatMap(([k, v]) =>
      (v as { send_resolved?: unknown }[]).map((x) => x?.send_resolved ?? !QUIET_BY_DEFAULT.has(k)),
    );
    receivers.set(r.name, { name: r.name, sends: configs.length > 0, sendResolved: configs.some(Boolean) });
  }
  const inhibitRules = (c.inhibit_rules ?? []).map((r, i) => {
    try {
      return {
        source: [
          ...(r.source_matchers ?? []).flatMap(parseMatchers),
          ...legacy(r.source_match, r.source_match_re),
        ],
        target: [
          ...(r.target_matchers ?? []).flatMap(parseMatchers),
          ...legacy(r.target_match, r.target_match_re),
        ],
        equal: r.equal ?? [],
      };
    } catch (err) {
      throw new ConfigError(`inhibit_rules[${i}]: ${(err as Error).message}`);
    }
  });
  const intervals = new Map(
    [...(c.mute_time_intervals ?? []), ...(c.time_intervals ?? [])].map((t) => [t.name, t.time_intervals]),
  );
  return { root, receivers, inhibitRules, intervals };
}

const all = (ms: readonly Matcher[], labels: Readonly<Record<string, string>>) =>
  ms.every((m) => matches(m, labels[m.name]));

/** The route nodes an alert is delivered through, as Alertmanager's Route.Match walks the tree. */
export function routesFor(root: RouteNode, labels: Readonly<Record<string, string>>): RouteNode[] {
  const walk = (node: RouteNode): RouteNode[] => {
    if (!all(node.matchers, labels)) return [];
    const found: RouteNode[] = [];
    for (const c of node.children) {
      const hit = walk(c);
      found.push(...hit);
      if (hit.length && !c.continue) break;
    }
    return found.length ? found : [node];
  };
  return walk(root);
}

/** Whether a source alert `source` inhibits `target` under `rule` (both firing; not the same alert). */
export function inhibits(
  rule: InhibitRule,
  source: Readonly<Record<string, string>>,
  target: Readonly<Record<string, string>>,
): boolean {
  if (!all(rule.target, target) || !all(rule.source, source)) return false;
  // An alert on both sides of a rule is not inhibited by another alert on both sides.
  if (all(rule.source, target) && all(rule.target, source)) return false;
  return rule.equal.every((l) => (source[l] ?? "") === (target[l] ?? ""));
}

const WEEKDAYS = ["sunday", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday"];
const MONTHS = [
  "january",
  "february",
  "march",
  "april",
  "may",
  "june",
  "july",
  "august",
  "september",
  "october",
  "november",
  "december",
];

function inRanges(ranges: readonly string[], value: number, name: (s: string) => number, size?: number) {
  return ranges.some((r) => {
    const [a, b = a] = r.split(":").map((s) => name(s.trim().toLowerCase()));
    const norm = (x: number) => (size !== undefined && x < 0 ? size + x + 1 : x);
    return value >= norm(a) && value <= norm(b);
  });
}

const hhmm = (s: string) => {
  const [h, m] = s.split(":").map(Number);
  return h * 60 + m;
};

/** Whether the named time interval holds at `ms` (UTC; a `location` is not applied). */
export function intervalActive(routing: Routing, name: string, ms: number): boolean {
  const d = new Date(ms);
  const minute = d.getUTCHours() * 60 + d.getUTCMinutes();
  const daysInMonth = new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 0)).getUTCDate();
  return (routing.intervals.get(name) ?? []).some(
    (t) =>
      (!t.weekdays || inRanges(t.weekdays, d.getUTCDay(), (s) => WEEKDAYS.indexOf(s))) &&
      (!t.times || t.times.some((x) => minute >= hhmm(x.start_time) && minute < hhmm(x.end_time))) &&
      (!t.days_of_month || inRanges(t.days_of_month, d.getUTCDate(), Number, daysInMonth)) &&
      (!t.months ||
        inRanges(t.months, d.getUTCMonth() + 1, (s) =>
          /^\d+$/.test(s) ? Number(s) : MONTHS.indexOf(s) + 1,
        )) &&
      (!t.years || inRanges(t.years, d.getUTCFullYear(), Number)),
  );
}

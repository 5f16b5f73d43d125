/**
 * What a stack's policy config changes about a policy: its enforcement level, and its settings. A change
 * that lets more through (a mandatory policy made advisory, a longer maximum, a shorter minimum, a
 * requirement switched off, a higher ceiling) is a loosening: printed, recorded in plan.json and shown
 * first in the PR comment. Hard bounds refuse the absurd (a 100-year retention, a 1 ms scrape floor).
 *
 * `remediate` is, in Pulumi, at least as strict as `mandatory` (a remediation that cannot fix the
 * resource fails the deployment): the offline gate enforces it as mandatory.
 */
import type { EnforcementLevel } from "@pulumi/policy";
import { PROMETHEUS_DURATION, durationSeconds, quantityBytes, quantityCores } from "./units";

/** Levels whose violations block the deployment. */
export const BLOCKING_LEVELS: readonly string[] = ["mandatory", "remediate"];

/** Whether a violation at `level` blocks: mandatory, and remediate (never weaker than mandatory). */
export const isBlocking = (level: unknown): boolean => BLOCKING_LEVELS.includes(String(level));

/** The level the offline gate enforces for a configured one: remediate is held as mandatory. */
export const effectiveLevel = (level: EnforcementLevel): EnforcementLevel =>
  level === "remediate" ? "mandatory" : level;

/** One loosening of a mandatory policy: its level (`setting` absent) or one of its settings. */
export interface Loosening {
  policy: string;
  /** The setting loosened; absent when the level is. */
  setting?: string;
  /** The default (level or setting value, as text). */
  from: string;
  /** What the stack's policy config sets instead. */
  to: string;
  file: string;
}

/** How a loosening reads in the terminal and in plan reports. */
export function describeLoosening(l: Loosening, stack: string): string {
  return l.setting
    ? `loosened: ${l.policy}.${l.setting} is ${l.to} in ${stack} (default ${l.from}), set in ${l.file}`
    : `loosened: ${l.policy} is ${l.to} in ${stack} (mandatory by default), set in ${l.file}`;
}

const DAY = 86400;

/**
 * Hard bounds on duration settings, in seconds, by setting name; any other duration setting is held to
 * DEFAULT_DURATION_BOUNDS. Outside them the policy config is refused, whatever the profile.
 */
export const DURATION_BOUNDS: Record<string, [number, number]> = {
  maxRetention: [3600, 400 * DAY],
  minInterval: [1, 3600],
  maxHeartbeatRepeat: [10, DAY],
  maxHeartbeatGroupWait: [0, 3600],
  maxFor: [0, 7 * DAY],
};
export const DEFAULT_DURATION_BOUNDS: [number, number] = [0, 400 * DAY];
/** Replica minimums may not go below 1 (schema) nor above this. */
export const MAX_REPLICA_SETTING = 10;
/** The largest per-container ceiling a policy config may set. */
export const MAX_CEILING = { cpu: 256, memoryBytes: 4 * 1024 ** 4 };

const show = (v: unknown) => (typeof v === "string" ? v : JSON.stringify(v));

/** Problems with a setting's value beyond its JSON schema: hard bounds. Values are trusted JSON. */
export function settingBoundProblems(key: string, value: unknown, schema: { pattern?: string }): string[] {
  if (typeof value === "string" && schema.pattern === PROMETHEUS_DURATION.source) {
    const seconds = durationSeconds(value);
    const [lo, hi] = DURATION_BOUNDS[key] ?? DEFAULT_DURATION_BOUNDS;
    if (seconds === undefined) return [];
    if (seconds < lo || seconds > hi)
      return [`${value} is outside the hard bounds ${formatSeconds(lo)} to ${formatSeconds(hi)}`];
  }
  if (typeof value === "number" && /^min\w*Replicas$/.test(key) && value > MAX_REPLICA_SETTING)
    return [`${value} is above the hard bound ${MAX_REPLICA_SETTING}`];
  if (key === "ceilings" && value && typeof value === "object") {
    const problems: string[] = [];
    for (const [component, c] of Object.entries(value as Record<string, { cpu?: string; memory?: string }>)) {
      const cores = quantityCores(String(c?.cpu ?? ""));
      const bytes = quantityBytes(String(c?.memory ?? ""));
      if (cores !== undefined && (cores <= 0 || cores > MAX_CEILING.cpu))
        problems.push(`${component}.cpu ${c.cpu} is outside (0, ${MAX_CEILING.cpu}] cores`);
      if (bytes !== undefined && (bytes < 1024 ** 2 || bytes > MAX_CEILING.memoryBytes))
        problems.push(`${component}.memory ${c.memory} is outside 1Mi to 4Ti`);
    }
    return problems;
  }
  return [];
}

function formatSeconds(s: number): string {
  if (s >= DAY && s % DAY === 0) return `${s / DAY}d`;
  if (s >= 3600 && s % 3600 === 0) return `${s / 3600}h`;
  return `${s}s`;
}

/**
 * Whether `value` lets more through than `defaultValue` for the setting `key`. Durations and numbers: a
 * larger `max*`, a smaller `min*`; booleans: a `require*` switched off; lists: fewer `required*` items,
 * or more items in an allow-list; ceilings: any component above its default ceiling. A shape this does
 * not know counts as loosening when it differs from the default, so nothing is silent.
 */
export function loosens(key: string, defaultValue: unknown, value: unknown): boolean {
  if (JSON.stringify(defaultValue) === JSON.stringify(value)) return false;
  // A bound with no default is no bound: setting one tightens.
  if (defaultValue === undefined && /^(max|min)/i.test(key)) return false;
  const magnitude = (v: unknown) =>
    typeof v === "number" ? v : typeof v === "string" ? durationSeconds(v) : undefined;
  const [a, b] = [magnitude(defaultValue), magnitude(value)];
  if (a !== undefined && b !== undefined) {
    if (/^max/i.test(key)) return b > a;
    if (/^min/i.test(key)) return b < a;
    return true;
  }
  if (typeof defaultValue === "boolean" && typeof value === "boolean")
    return /^require/i.test(key) ? defaultValue && !value : true;
  if (Array.isArray(defaultValue) && Array.isArray(value)) {
    const before = new Set(defaultValue.map(String));
    const after = new Set(value.map(String));
    if (/^require/i.test(key)) return [...before].some((x) => !after.has(x));
    return [...after].some((x) => !before.has(x));
  }
  if (key === "ceilings" && isRecord(defaultValue) && isRecord(value)) {
    const fallback = (defaultValue.default ?? {}) as Record<string, string>;
    return Object.entries(value).some(([component, c]) => {
      const base = (defaultValue[component] ?? fallback) as Record<string, string>;
      const ceiling = (c ?? {}) as Record<string, string>;
      return (
        (quantityCores(String(ceiling.cpu)) ?? Infinity) > (quantityCores(String(base.cpu)) ?? 0) ||
        (quantityBytes(String(ceiling.memory)) ?? Infinity) > (quantityBytes(String(base.memory)) ?? 0)
      );
    });
  }
  return true;
}

const isRecord = (v: unknown): v is Record<string, unknown> =>
  Boolean(v) && typeof v === "object" && !Array.isArray(v);

/** The value as it reads in a loosening line. */
export const settingText = show;

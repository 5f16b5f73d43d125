/**
 * What an older promtool cannot read though the Prometheus the stack deploys can: Prometheus 3's quoted
 * UTF-8 names (in expressions, record names and rule labels) and functions newer than the binary. Such
 * rules are left out of what promtool sees and reported "not checked by promtool <version>", advisory,
 * instead of failing the check (Debian's promtool is 2.42; PROMTOOL can name a newer one).
 */
import { parsePromql, usesQuotedNames } from "../policies/promqlSyntax";

/** The functions Prometheus 2.42 knows (promql/functions.go at v2.42.0). */
const FUNCTIONS_2_42 = new Set(
  (
    "abs absent absent_over_time acos acosh asin asinh atan atanh avg_over_time ceil changes clamp " +
    "clamp_max clamp_min cos cosh count_over_time days_in_month day_of_month day_of_week day_of_year deg " +
    "delta deriv exp floor histogram_count histogram_fraction histogram_quantile histogram_sum " +
    "holt_winters hour idelta increase irate label_replace label_join last_over_time ln log10 log2 " +
    "max_over_time min_over_time minute month pi predict_linear present_over_time quantile_over_time rad " +
    "rate resets round scalar sgn sin sinh sort sort_desc sqrt stddev_over_time stdvar_over_time " +
    "sum_over_time tan tanh time timestamp vector year"
  ).split(" "),
);
/** Aggregations newer than 2.42. */
const NEW_AGGREGATIONS = new Set(["limitk", "limit_ratio"]);

const LEGACY_METRIC = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LEGACY_LABEL = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

/** `2.42.0` from `promtool, version 2.42.0+ds (branch: …)`; undefined when it says none. */
export function parseVersion(output: string): string | undefined {
  return /version v?(\d+\.\d+\.\d+)/.exec(output)?.[1];
}

const atLeast = (version: string, major: number, minor = 0) => {
  const [a, b] = version.split(".").map(Number);
  return a > major || (a === major && b >= minor);
};

interface Rule {
  alert?: unknown;
  record?: unknown;
  expr?: unknown;
  labels?: Record<string, unknown>;
}

/** Why promtool `version` cannot read `rule`, or undefined when it can. */
export function beyondPromtool(rule: Rule, version: string): string | undefined {
  const expr = typeof rule.expr === "string" ? rule.expr : "";
  if (!atLeast(version, 3)) {
    const labels = Object.keys(rule.labels ?? {});
    if (
      usesQuotedNames(expr) ||
      (typeof rule.record === "string" && !LEGACY_METRIC.test(rule.record)) ||
      labels.some((l) => !LEGACY_LABEL.test(l))
    ) {
      return "it uses quoted UTF-8 names (Prometheus 3)";
    }
  }
  if (atLeast(version, 2, 43)) return undefined;
  const newer = new Set<string>();
  parsePromql(expr).iterate({
    enter: (n) => {
      const name = expr.slice(n.from, n.to);
      if (n.name === "FunctionIdentifier" && !FUNCTIONS_2_42.has(name)) newer.add(`${name}()`);
      if (n.name === "AggregateOp" && NEW_AGGREGATIONS.has(name)) newer.add(name);
    },
  });
  return newer.size ? `it does not know ${[...newer].join(", ")}` : undefined;
}

export interface Unchecked {
  group: string;
  /** 0-based, in the original file. */
  groupIndex: number;
  ruleIndex: number;
  rule: string;
  reason: string;
}

export interface ForPromtool {
  /** The groups without the rules promtool cannot read. */
  groups: unknown[];
  unchecked: Unchecked[];
  /** kept[g][i]: the original index of the i-th rule promtool sees in group g. */
  kept: number[][];
}

/** `groups` as promtool `version` can check them, and what was left out. */
export function forPromtool(groups: unknown, version: string): ForPromtool {
  const result: ForPromtool = { groups: [], unchecked: [], kept: [] };
  if (!Array.isArray(groups)) return { ...result, groups: groups as unknown[] };
  groups.forEach((group: { name?: unknown; rules?: unknown } | null, g) => {
    const rules = Array.isArray(group?.rules) ? (group.rules as Rule[]) : undefined;
    if (!group || typeof group !== "object" || !rules) {
      result.groups.push(group);
      result.kept.push([]);
      return;
    }
    const kept: number[] = [];
    rules.forEach((rule, i) => {
      const reason = rule && typeof rule === "object" ? beyondPromtool(rule, version) : undefined;
      if (!reason) kept.push(i);
      else {
        const name = String(rule.alert ?? rule.record ?? `#${i + 1}`);
        result.unchecked.push({ group: String(group.name), groupIndex: g, ruleIndex: i, rule: name, reason });
      }
    });
    result.groups.push({ ...group, rules: kept.map((i) => rules[i]) });
    result.kept.push(kept);
  });
  return result;
}

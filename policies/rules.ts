/**
 * Rule quality: the troubleshooting chapter's "alerts not firing" caught before deployment. Every
 * expression parses, every alert can be routed and read, recording rules are named by convention.
 */
import type { ResourceValidationArgs, ReportViolation } from "@pulumi/policy";
import { PROMETHEUS_DURATION, durationSeconds, isRuleDuration } from "./units";
import {
  comparisonOf,
  labelsAfter,
  promqlHeuristics,
  promqlMistakes,
  promqlSyntaxError,
  templateLabelRefs,
} from "./promql";
import { Policy } from "./util";

/** A recording rule named `level:metric:operations`: two colons at least (upstream leaves parts empty or adds more). */
const RECORD_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*(:[a-zA-Z0-9_]*){2,}$/;

interface Rule {
  alert?: string;
  record?: string;
  expr?: unknown;
  for?: string;
  keep_firing_for?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}
interface Group {
  name?: string;
  rules?: Rule[];
}

function groupsOf(args: ResourceValidationArgs): Group[] | undefined {
  if (args.props.kind !== "PrometheusRule") return undefined;
  const groups = args.props.spec?.groups;
  return Array.isArray(groups) ? (groups as Group[]) : [];
}

/** A rule's alert or record name; an empty one is no name (the rule is named by its position). */
const nameOf = (rule: Rule) => rule?.alert || rule?.record || undefined;

/**
 * How every rule policy names a rule: `PrometheusRule <name>: group <group> rule <alert or record>`, with
 * `(2 of 4)` when the name repeats in the group. `npm run check` finds the rule's line by this prefix.
 */
export function ruleWhere(
  resource: string,
  group: { name?: string; rules?: unknown },
  index: number,
): string {
  const rules = Array.isArray(group.rules) ? (group.rules as Rule[]) : [];
  const rule = rules[index] ?? {};
  const name = nameOf(rule);
  const same = rules.map(nameOf).filter((n) => n === name).length;
  const before = rules.slice(0, index).filter((r) => nameOf(r ?? {}) === name).length;
  const nth = same > 1 ? ` (${before + 1} of ${same})` : "";
  return `PrometheusRule ${resource}: group ${group.name ?? "?"} rule ${name ?? `#${index + 1}`}${nth}`;
}

/** ruleWhere for every rule of a group, in one pass (a group of n rules costs n, not n²). */
export function ruleWheres(resource: string, group: { name?: string; rules?: unknown }): string[] {
  const rules = Array.isArray(group.rules) ? (group.rules as Rule[]) : [];
  const names = rules.map((r) => nameOf(r ?? {}));
  const total = new Map<unknown, number>();
  for (const name of names) total.set(name, (total.get(name) ?? 0) + 1);
  const before = new Map<unknown, number>();
  const groupName = group.name ?? "?";
  return names.map((name, index) => {
    const nth = before.get(name) ?? 0;
    before.set(name, nth + 1);
    const same = total.get(name)!;
    const which = same > 1 ? ` (${nth + 1} of ${same})` : "";
    return `PrometheusRule ${resource}: group ${groupName} rule ${name ?? `#${index + 1}`}${which}`;
  });
}

/** Every rule of a PrometheusRule with how the policies name it. */
function rulesOf(args: ResourceValidationArgs): { group: Group; rule: Rule; where: string }[] {
  // A group that is no object (`- ~` in YAML) holds no rules; the CRD schema refuses it.
  const groups = (groupsOf(args) ?? []).filter((g) => g !== null && typeof g === "object");
  return groups.flatMap((group) => {
    const rules = Array.isArray(group.rules) ? group.rules : [];
    const wheres = ruleWheres(args.name, group);
    return rules.map((rule, i) => ({ group, rule: rule ?? {}, where: wheres[i] }));
  });
}

const exprOf = (rule: Rule) => (typeof rule.expr === "string" ? rule.expr : String(rule.expr ?? ""));

const sortedLabels = (labels: Record<string, string> | undefined) =>
  Object.entries(labels ?? {}).sort(([a], [b]) => a.localeCompare(b));

/** Same name and labels: what promtool's duplicate-rules lint compares, across the file's groups. */
const sameIdentity = (a: Rule, b: Rule) =>
  nameOf(a) === nameOf(b) &&
  JSON.stringify(sortedLabels(a.labels)) === JSON.stringify(sortedLabels(b.labels));

interface QualityConfig {
  severities: string[];
  requiredAnnotations: string[];
  maxFor?: string;
}

export const alertRuleQuality: Policy = {
  name: "alert-rule-quality",
  description:
    "Every rule's PromQL parses and means what it says (no absent() around a comparison, no matchers that contradict each other, no string Prometheus cannot read); every alert has an allowed severity and the required annotations; no rule is an exact copy of another; a `for` no longer than maxFor when the stack sets one.",
  enforcementLevel: "mandatory",
  configSchema: {
    properties: {
      severities: {
        type: "array",
        items: { type: "string" },
        default: ["critical", "warning", "info", "none"],
        description:
          "Allowed severity labels; none is the upstream convention for Watchdog and InfoInhibitor.",
      },
      requiredAnnotations: { type: "array", items: { type: "string" }, default: ["summary", "description"] },
      maxFor: {
        type: "string",
        pattern: PROMETHEUS_DURATION.source,
        description:
          "Longest `for`, enforced, when set; unset, rule-conventions advises on a `for` over its own maxFor.",
      },
    },
  },
  validateResource: (args: ResourceValidationArgs, report: ReportViolation) => {
    const cfg = args.getConfig<QualityConfig>();
    const seen: Rule[] = [];
    for (const { rule, where } of rulesOf(args)) {
      const expr = exprOf(rule);
      const error = promqlSyntaxError(expr);
      if (error)
        report(
          `${where}: expr is not valid PromQL near "${error.near}" (offset ${error.at}); fix it or the rule never loads.`,
        );
      for (const mistake of promqlMistakes(expr)) report(`${where}: ${mistake}.`);
      for (const key of ["for", "keep_firing_for"] as const) {
        const value = rule[key];
        if (value !== undefined && !isRuleDuration(String(value))) {
          report(`${where}: ${key} ${JSON.stringify(value)} is not a Prometheus duration.`);
        }
      }
      const maxFor = cfg.maxFor === undefined ? Infinity : (durationSeconds(cfg.maxFor) ?? Infinity);
      if (rule.for !== undefined && (durationSeconds(String(rule.for)) ?? 0) > maxFor) {
        report(`${where}: for ${rule.for} is longer than ${cfg.maxFor}, this stack's maximum.`);
      }
      if (!rule.alert && rule.record === undefined) {
        report(`${where}: has neither alert nor record.`);
        continue;
      }
      // The same name and labels with another expression is promtool's lint (rule-conventions advises);
      // the same expression too is a copy that Prometheus evaluates twice.
      if (seen.some((r) => sameIdentity(r, rule) && exprOf(r).trim() === expr.trim())) {
        report(`${where}: is an exact copy (name, labels and expr) of an earlier rule of this file.`);
      }
      seen.push(rule);
      if (rule.record !== undefined) continue;
      const severity = rule.labels?.severity;
      if (!severity || !cfg.severities.includes(severity)) {
        report(
          `${where}: severity ${JSON.stringify(severity ?? null)} is not one of ${cfg.severities.join(", ")}; routes match on it.`,
        );
      }
      // A template naming a label the aggregation dropped renders empty, mid-incident.
      const kept = labelsAfter(expr);
      if (kept) {
        const missing = new Set(
          Object.values(rule.annotations ?? {})
            .flatMap((a) => templateLabelRefs(String(a)))
            .filter((l) => !kept.has(l) && !(rule.labels ?? {})[l]),
        );
        for (const label of missing) {
          report(
            `${where}: its annotations use $labels.${label}, which the expression's aggregation drops (it keeps ${[...kept].join(", ") || "no labels"}).`,
          );
        }
      }
      for (const key of cfg.requiredAnnotations) {
        if (!rule.annotations?.[key])
          report(`${where}: annotation ${key} is missing; on-call reads it first.`);
      }
    }
  },
};

export const alertRunbookUrl: Policy = {
  name: "alert-runbook-url",
  description: "Every alert links a runbook (annotation runbook_url, an http(s) URL).",
  enforcementLevel: "advisory",
  configSchema: { properties: {} },
  validateResource: (args: ResourceValidationArgs, report: ReportViolation) => {
    for (const { rule, where } of rulesOf(args)) {
      const url = rule.annotations?.runbook_url;
      if (rule.alert && !(typeof url === "string" && /^https?:\/\//.test(url))) {
        report(`${where}: has no runbook_url; link the page on-call should open.`);
      }
    }
  },
};

interface ConventionsConfig {
  requireFor: boolean;
  maxFor: string;
}

export const ruleConventions: Policy = {
  name: "rule-conventions",
  description:
    "Advisory, for what a rule's text suggests but cannot prove: recording rules named level:metric:operations; a `for` on alerts over a comparison (without one, a single bad evaluation pages) and not longer than maxFor; rate() only over names that say counter; one name and label set per file (promtool's duplicate-rules lint).",
  enforcementLevel: "advisory",
  configSchema: {
    properties: {
      requireFor: {
        type: "boolean",
        default: true,
        description: "Report alerts over a comparison with no `for` (or `for: 0`).",
      },
      maxFor: {
        type: "string",
        pattern: PROMETHEUS_DURATION.source,
        default: "1d",
        description:
          "Longest `for` before advice: an alert that waits longer pages after the damage is done.",
      },
    },
  },
  validateResource: (args: ResourceValidationArgs, report: ReportViolation) => {
    const cfg = args.getConfig<ConventionsConfig>();
    const seen: Rule[] = [];
    for (const { rule, where } of rulesOf(args)) {
      const expr = exprOf(rule);
      if (rule.record !== undefined && !RECORD_NAME.test(rule.record)) {
        report(
          `${where}: recording rule ${rule.record} does not follow level:metric:operations (like job:http_requests:rate5m).`,
        );
      }
      // `for: 0` is a valid zero (isRuleDuration), not an unreadable duration.
      const forSeconds =
        rule.for === undefined || String(rule.for) === "0" ? 0 : durationSeconds(String(rule.for));
      const comparison = rule.alert ? comparisonOf(expr) : undefined;
      if (cfg.requireFor && comparison && forSeconds === 0) {
        report(
          `${where}: alert ${rule.alert} has ${rule.for === undefined ? "no for" : `for ${rule.for}`} on the comparison ${comparison}; one evaluation over the threshold pages (a scrape gap, a restart): add for: 5m or more.`,
        );
      }
      if (rule.for !== undefined && (forSeconds ?? 0) > (durationSeconds(cfg.maxFor) ?? Infinity)) {
        report(
          `${where}: for ${rule.for} is longer than ${cfg.maxFor}; the alert would page after the damage is done.`,
        );
      }
      for (const hint of promqlHeuristics(expr)) report(`${where}: ${hint}.`);
      const earlier = seen.filter((r) => sameIdentity(r, rule) && exprOf(r).trim() !== expr.trim());
      if (earlier.length && !seen.some((r) => sameIdentity(r, rule) && exprOf(r).trim() === expr.trim())) {
        report(
          `${where}: ${rule.alert ? "alert" : "record"} ${nameOf(rule)} with these labels is already in this file, with another expr (promtool's duplicate-rules lint); Prometheus loads both: fine when their selectors are disjoint, else their series collide.`,
        );
      }
      seen.push(rule);
    }
  },
};

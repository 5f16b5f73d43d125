/**
 * Rule quality: the troubleshooting chapter's "alerts not firing" caught before deployment. Every
 * expression parses, every alert can be routed and read, recording rules are named by convention.
 */
import type { ResourceValidationArgs, ReportViolation } from "@pulumi/policy";
import { PROMETHEUS_DURATION, durationSeconds, isRuleDuration } from "./units";
import { labelsAfter, promqlMistakes, promqlSyntaxError, templateLabelRefs } from "./promql";
import { Policy } from "./util";

/** A recording rule named by the convention `level:metric:operations` (upstream also leaves parts empty or adds more). */
const RECORD_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*(:[a-zA-Z0-9_]*)+$/;

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
  return (args.props.spec?.groups ?? []) as Group[];
}

interface QualityConfig {
  severities: string[];
  requiredAnnotations: string[];
  maxFor: string;
}

const sameLabels = (a: Rule, b: Rule) =>
  JSON.stringify(Object.entries(a.labels ?? {}).sort()) ===
  JSON.stringify(Object.entries(b.labels ?? {}).sort());

export const alertRuleQuality: Policy = {
  name: "alert-rule-quality",
  description:
    "Every rule's PromQL parses and means what it says (no rate() over gauges, no absent() around a comparison, no matchers that contradict each other); every alert has an allowed severity, the required annotations and a `for` no longer than a maximum; no alert repeats another's name and labels in a group.",
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
        default: "1d",
        description: "Longest `for`: an alert that waits longer pages after the damage is done.",
      },
    },
  },
  validateResource: (args: ResourceValidationArgs, report: ReportViolation) => {
    const groups = groupsOf(args);
    if (!groups) return;
    const cfg = args.getConfig<QualityConfig>();
    for (const group of groups) {
      const seen: Rule[] = [];
      (group.rules ?? []).forEach((rule, i) => {
        const where = `PrometheusRule ${args.name}: group ${group.name ?? "?"} rule ${rule.alert ?? rule.record ?? `#${i}`}`;
        const expr = typeof rule.expr === "string" ? rule.expr : String(rule.expr ?? "");
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
        const maxFor = durationSeconds(cfg.maxFor) ?? Infinity;
        if (rule.for !== undefined && (durationSeconds(String(rule.for)) ?? 0) > maxFor) {
          report(
            `${where}: for ${rule.for} is longer than ${cfg.maxFor}; the alert would page after the damage is done.`,
          );
        }
        if (rule.record !== undefined) return;
        if (!rule.alert) {
          report(`${where}: has neither alert nor record.`);
          return;
        }
        // One name with different severity (or window) labels is the upstream pattern; the same name and
        // labels twice is a duplicate that Prometheus would evaluate twice.
        if (seen.some((r) => r.alert === rule.alert && sameLabels(r, rule))) {
          report(`${where}: alert ${rule.alert} with these labels is already in this group.`);
        }
        seen.push(rule);
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
              .flatMap(templateLabelRefs)
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
      });
    }
  },
};

export const alertRunbookUrl: Policy = {
  name: "alert-runbook-url",
  description: "Every alert links a runbook (annotation runbook_url, an http(s) URL).",
  enforcementLevel: "advisory",
  configSchema: { properties: {} },
  validateResource: (args: ResourceValidationArgs, report: ReportViolation) => {
    for (const group of groupsOf(args) ?? []) {
      for (const rule of group.rules ?? []) {
        const url = rule.annotations?.runbook_url;
        if (rule.alert && !(typeof url === "string" && /^https?:\/\//.test(url))) {
          report(
            `PrometheusRule ${args.name}: alert ${rule.alert} has no runbook_url; link the page on-call should open.`,
          );
        }
      }
    }
  },
};

export const ruleConventions: Policy = {
  name: "rule-conventions",
  description:
    "Advisory: recording rules are named level:metric:operations; alerts have a `for` (without one, a single bad scrape pages).",
  enforcementLevel: "advisory",
  configSchema: {
    properties: {
      requireFor: { type: "boolean", default: true, description: "Report alerts without a `for`." },
    },
  },
  validateResource: (args: ResourceValidationArgs, report: ReportViolation) => {
    const cfg = args.getConfig<{ requireFor: boolean }>();
    for (const group of groupsOf(args) ?? []) {
      for (const rule of group.rules ?? []) {
        const where = `PrometheusRule ${args.name}: group ${group.name ?? "?"}`;
        if (rule.record !== undefined && !RECORD_NAME.test(rule.record)) {
          report(
            `${where}: recording rule ${rule.record} does not follow level:metric:operations (like job:http_requests:rate5m).`,
          );
        }
        if (cfg.requireFor && rule.alert && rule.for === undefined) {
          report(`${where}: alert ${rule.alert} has no for; one bad evaluation pages.`);
        }
      }
    }
  },
};

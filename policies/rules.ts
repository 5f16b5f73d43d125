/**
 * Rule quality: the troubleshooting chapter's "alerts not firing" caught before deployment. Every
 * expression parses, every alert can be routed and read, recording rules are named by convention.
 */
import type { ResourceValidationArgs, ReportViolation } from "@pulumi/policy";
import { durationSeconds } from "./units";
import { promqlSyntaxError } from "./promql";
import { Policy } from "./util";

const RECORD_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*:[a-zA-Z0-9_]+:[a-zA-Z0-9_]+$/;

interface Rule {
  alert?: string;
  record?: string;
  expr?: unknown;
  for?: string;
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
}

export const alertRuleQuality: Policy = {
  name: "alert-rule-quality",
  description:
    "Every rule's PromQL parses; every alert has an allowed severity, a summary and a description; recording rules are named level:metric:operations; alert names are unique within a group.",
  enforcementLevel: "mandatory",
  configSchema: {
    properties: {
      severities: { type: "array", items: { type: "string" }, default: ["critical", "warning", "info"] },
      requiredAnnotations: { type: "array", items: { type: "string" }, default: ["summary", "description"] },
    },
  },
  validateResource: (args: ResourceValidationArgs, report: ReportViolation) => {
    const groups = groupsOf(args);
    if (!groups) return;
    const cfg = args.getConfig<QualityConfig>();
    for (const group of groups) {
      const seen = new Set<string>();
      (group.rules ?? []).forEach((rule, i) => {
        const where = `PrometheusRule ${args.name}: group ${group.name ?? "?"} rule ${rule.alert ?? rule.record ?? `#${i}`}`;
        const expr = typeof rule.expr === "string" ? rule.expr : String(rule.expr ?? "");
        const error = promqlSyntaxError(expr);
        if (error)
          report(
            `${where}: expr is not valid PromQL near "${error.near}" (offset ${error.at}); fix it or the rule never loads.`,
          );
        if (rule.for !== undefined && !durationSeconds(rule.for) && rule.for !== "0s") {
          report(`${where}: for ${JSON.stringify(rule.for)} is not a Prometheus duration.`);
        }
        if (rule.record !== undefined) {
          if (!RECORD_NAME.test(rule.record)) {
            report(
              `${where}: recording rule name does not follow level:metric:operations (like job:http_requests:rate5m).`,
            );
          }
          return;
        }
        if (!rule.alert) {
          report(`${where}: has neither alert nor record.`);
          return;
        }
        if (seen.has(rule.alert)) report(`${where}: alert name ${rule.alert} is used twice in this group.`);
        seen.add(rule.alert);
        const severity = rule.labels?.severity;
        if (!severity || !cfg.severities.includes(severity)) {
          report(
            `${where}: severity ${JSON.stringify(severity ?? null)} is not one of ${cfg.severities.join(", ")}; routes match on it.`,
          );
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

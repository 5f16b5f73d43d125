/**
 * Regexes Prometheus and Alertmanager will parse: matchers of AlertmanagerConfig routes and inhibit rules,
 * and the relabelings of ServiceMonitors, PodMonitors and Probes. The operator skips an object whose
 * regex does not parse, silently: a team's AlertmanagerConfig is then ignored and its alerts fall to the
 * platform's routes; a monitor's targets vanish. So each must be RE2 as Go reads it (regex.ts).
 */
import type { ReportViolation, ResourceValidationArgs } from "@pulumi/policy";
import { regexError } from "./regex";
import { AMC, type Json, type Policy, printable } from "./util";

const MATCH_TYPES = ["=", "!=", "=~", "!~"];
const RELABEL_LISTS = ["relabelings", "metricRelabelings", "relabelingConfigs"];

const list = (v: unknown): Json[] =>
  Array.isArray(v) ? v.filter((x): x is Json => typeof x === "object" && x !== null) : [];

/** An AlertmanagerConfig matcher's problem (`at` names it), or undefined. */
function matcherProblem(m: Json, at: string): string | undefined {
  const name = printable(String(m.name ?? ""));
  const type = m.matchType ?? (m.regex === true ? "=~" : "=");
  if (typeof type !== "string" || !MATCH_TYPES.includes(type))
    return `${at}: matcher ${name} has matchType ${JSON.stringify(type)}; expected one of ${MATCH_TYPES.join(", ")}`;
  if (type !== "=~" && type !== "!~") return undefined;
  const error = regexError(String(m.value ?? ""));
  return (
    error &&
    `${at}: matcher ${name}${type}${printable(JSON.stringify(String(m.value ?? "")))}: ${printable(error)}`
  );
}

/** Every invalid regex or match type of an AlertmanagerConfig's spec, each naming where it is. Pure. */
export function alertmanagerConfigRegexProblems(spec: Json): string[] {
  const problems: string[] = [];
  const walk = (route: Json, at: string) => {
    for (const m of list(route.matchers)) {
      const p = matcherProblem(m, at);
      if (p) problems.push(p);
    }
    list(route.routes).forEach((child, i) => walk(child, `${at}.routes[${i}]`));
  };
  if (typeof spec.route === "object" && spec.route !== null) walk(spec.route as Json, "route");
  list(spec.inhibitRules).forEach((rule, i) => {
    for (const side of ["sourceMatch", "targetMatch"])
      for (const m of list(rule[side])) {
        const p = matcherProblem(m, `inhibitRules[${i}].${side}`);
        if (p) problems.push(p);
      }
  });
  return problems;
}

/** Every invalid relabeling regex of a monitor's or probe's spec, each naming where it is. Pure. */
export function relabelRegexProblems(spec: Json): string[] {
  const problems: string[] = [];
  const scan = (node: unknown, at: string) => {
    if (Array.isArray(node)) return node.forEach((x, i) => scan(x, `${at}[${i}]`));
    if (typeof node !== "object" || node === null) return;
    for (const [key, value] of Object.entries(node as Json)) {
      const here = at ? `${at}.${printable(key)}` : printable(key);
      if (RELABEL_LISTS.includes(key))
        list(value).forEach((r, i) => {
          if (r.regex === undefined) return;
          const error = regexError(String(r.regex));
          if (error)
            problems.push(
              `${here}[${i}].regex ${printable(JSON.stringify(String(r.regex)))}: ${printable(error)}`,
            );
        });
      else scan(value, here);
    }
  };
  scan(spec, "");
  return problems;
}

const MONITORS = ["ServiceMonitor", "PodMonitor", "Probe"].map(
  (kind) => `kubernetes:monitoring.coreos.com/v1:${kind}`,
);

export const regexSyntax: Policy = {
  name: "regex-syntax",
  description:
    "Every regex Prometheus or Alertmanager parses (AlertmanagerConfig matchers, monitor and probe " +
    "relabelings) is valid RE2, as Go reads it: the operator silently skips an object whose regex does not " +
    "parse, dropping a team's routes or a monitor's targets.",
  enforcementLevel: "mandatory",
  configSchema: { properties: {} },
  validateResource: (args: ResourceValidationArgs, report: ReportViolation) => {
    const spec = (args.props.spec ?? {}) as Json;
    const problems =
      args.type === AMC
        ? alertmanagerConfigRegexProblems(spec)
        : MONITORS.includes(args.type)
          ? relabelRegexProblems(spec)
          : [];
    const kind = args.type.split(":").pop();
    for (const p of problems) report(`${kind} ${args.name}: ${p}`);
  },
};

/**
 * What `npm run plan` prints, for a person: loosened levels and settings in a line each, the resources
 * (or, with --compare, what changes), findings grouped per policy by the resource's short name (the URN
 * stays in plan.json), failed checks with their output, and a last line with the verdict.
 */
import * as path from "node:path";
import type { Violation } from "../policies/harness";
import { Loosening, isBlocking } from "../policies/settingsDelta";
import type { ToolCheck } from "./realTools";

/** No printed line is longer; longer ones wrap at a space, continued with an indent. */
export const REPORT_WIDTH = 200;

export interface ReportPlan {
  stack: string;
  resources: { urn: string }[];
  violations: Violation[];
  loosened: Loosening[];
  checks: ToolCheck[];
}

const CHANGE_SYMBOL = { create: "+", update: "~", replace: "±", delete: "-" } as const;

/** Counts of a comparison with an earlier plan. */
export interface ChangeCounts {
  create: number;
  update: number;
  replace: number;
  delete: number;
  unchanged: number;
}

/** `Release kps-release` for `urn:…$kubernetes:helm.sh/v3:Release::kps-release`. */
export function shortName(urn: string): string {
  const [type, name = urn] = [urn.replace(/::[^:]*$/, ""), /::([^:]*)$/.exec(urn)?.[1]];
  const last = type.split("$").pop()!.split("::").pop()!;
  // Not a Pulumi type (a hand-made URN): the name alone.
  return last.includes(":") ? `${last.split(":").pop()} ${name}` : name;
}

/** A line cut at spaces into lines of at most `width`, continuations indented. */
export function wrap(line: string, width = REPORT_WIDTH, indent = "    "): string[] {
  const out: string[] = [];
  let rest = line;
  while (rest.length > width) {
    const cut = rest.lastIndexOf(" ", width);
    const at = cut > indent.length + 20 ? cut : width;
    out.push(rest.slice(0, at).trimEnd());
    rest = `${indent}${rest.slice(at).trimStart()}`;
  }
  return [...out, rest];
}

/** One line for loosened levels, one for loosened settings, each naming the policy config. */
export function loosenedLines(loosened: readonly Loosening[], stack: string): string[] {
  const files = [...new Set(loosened.map((l) => l.file))].join(", ");
  const byLevel = new Map<string, string[]>();
  for (const l of loosened.filter((x) => !x.setting))
    byLevel.set(l.to, [...(byLevel.get(l.to) ?? []), l.policy]);
  const levels = [...byLevel].map(([to, policies]) => `${to}: ${policies.join(", ")}`);
  const settings = loosened
    .filter((l) => l.setting)
    .map((l) => `${l.policy}.${l.setting} ${l.to} (default ${l.from})`);
  return [
    ...(levels.length
      ? [`loosened levels in ${stack} (mandatory by default; ${files}): ${levels.join("; ")}`]
      : []),
    ...(settings.length ? [`loosened settings in ${stack} (${files}): ${settings.join(", ")}`] : []),
  ];
}

/** The message without a leading "Helm release kps-release: " when that names the resource already. */
function withoutSubject(message: string, name: string): string {
  const colon = message.indexOf(": ");
  return colon > 0 && colon < 120 && message.slice(0, colon).endsWith(name)
    ? message.slice(colon + 2)
    : message;
}

/**
 * Findings per level and policy, mandatory first: a heading with the count, then one line per finding
 * with the resource's short name. Tool advisories (a rule an older promtool cannot read) join them.
 */
export function findingLines(violations: readonly Violation[], checks: readonly ToolCheck[] = []): string[] {
  const groups = new Map<string, string[]>();
  const add = (key: string, line: string) => groups.set(key, [...(groups.get(key) ?? []), line]);
  for (const v of violations) {
    const name = shortName(v.urn);
    const subject = name.split(" ").slice(1).join(" ");
    add(
      `${isBlocking(v.enforcementLevel) ? 0 : 1}${v.enforcementLevel}: ${v.policy}`,
      `${name}: ${withoutSubject(v.message, subject)}`,
    );
  }
  for (const c of checks) for (const a of c.advisories ?? []) add(`1advisory: ${c.tool}`, a);
  return [...groups]
    .sort(([a], [b]) => a.localeCompare(b))
    .flatMap(([key, lines]) => [
      `${key.slice(1)} (${lines.length})`,
      ...lines.flatMap((line) => wrap(`  ${line}`, REPORT_WIDTH, "      ")),
    ]);
}

/** Failed or unrun checks with the tool's output; passed ones are in the verdict. */
export function checkLines(checks: readonly ToolCheck[], stack: string): string[] {
  return checks
    .filter((c) => c.status !== "passed")
    .flatMap((c) => [
      `${c.tool}${c.version ? ` ${c.version}` : ""} (${c.subject}): ${c.status}`,
      c.output,
      ...(c.status === "failed" ? [`${stack}: ${c.tool} rejected ${c.subject}`] : []),
    ]);
}

const shown = (file: string) => {
  const relative = path.relative(process.cwd(), file);
  return relative && !relative.startsWith("..") ? relative : file;
};

/**
 * The last line: the stack and its verdict, resources by change, findings, the checks that passed with
 * their versions, and where the plan and its alert routing were written.
 */
export function verdictLine(
  plan: ReportPlan,
  options: { changes?: ChangeCounts; planDir?: string; routingFile?: string } = {},
): string {
  const mandatory = plan.violations.filter((v) => isBlocking(v.enforcementLevel)).length;
  const advisory = plan.violations.length - mandatory;
  const failed = plan.checks.filter((c) => c.status === "failed");
  const passed = plan.checks.filter((c) => c.status === "passed");
  const verdict = mandatory
    ? "blocked by a mandatory policy (exit 2)"
    : failed.length
      ? `rejected by ${failed.map((c) => c.tool).join(" and ")} (exit 1)`
      : "planned (exit 0)";
  const c = options.changes;
  // Kinds that do not occur are left out: the line stays one line.
  const resources = c
    ? [
        ...(["create", "update", "replace", "delete"] as const)
          .filter((k) => c[k])
          .map((k) => `${CHANGE_SYMBOL[k]}${c[k]} to ${k}`),
        `${c.unchanged} unchanged`,
      ].join(", ")
    : `${plan.resources.length} to create`;
  const tools = (list: ToolCheck[]) =>
    list.map((t) => `${t.tool}${t.version ? ` ${t.version}` : ""}`).join(", ");
  return [
    `${plan.stack}: ${verdict}`,
    resources,
    `${mandatory} mandatory, ${advisory} advisory`,
    ...(passed.length ? [`checks passed: ${tools(passed)}`] : []),
    ...(failed.length ? [`checks failed: ${tools(failed)}`] : []),
    ...(options.planDir
      ? [
          `wrote ${shown(path.join(options.planDir, "plan.json"))}` +
            (options.routingFile ? `, alert routing in manifests/${options.routingFile}` : ""),
        ]
      : []),
  ].join("; ");
}

/** The report: loosened, then `body` (the resource tree or the changes), findings, failed checks, verdict. */
export function renderReport(
  plan: ReportPlan,
  body: string[],
  verdict: Parameters<typeof verdictLine>[1] = {},
): string {
  return [
    ...loosenedLines(plan.loosened, plan.stack),
    ...body,
    ...findingLines(plan.violations, plan.checks),
    ...checkLines(plan.checks, plan.stack),
    "",
    verdictLine(plan, verdict),
  ]
    .flatMap((line) => line.split("\n"))
    .flatMap((line) => wrap(line))
    .join("\n");
}

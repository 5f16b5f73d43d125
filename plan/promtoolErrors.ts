/**
 * promtool's rule errors as a person fixes them. promtool names the rule file the plan wrote for it
 * (`shop-checkout.rules.yaml: 13:14: group "checkout.custom", rule 1, …`), a name nobody wrote; each
 * such line becomes the config key the expression came from (`Pulumi.dev.yaml:15:
 * apps[checkout].alerts.custom[0].expr`), else the PrometheusRule, group and rule, with the expression's
 * line and a caret under promtool's position.
 */
import { excerptAt } from "../components/promqlExcerpt";
import { Locate, displayPath } from "../components/configLocation";

/** A rule file as promtool saw it: which PrometheusRule it is, its groups, the rules promtool got. */
export interface CheckedRuleFile {
  /** The file name promtool prints. */
  name: string;
  /** `PrometheusRule shop/app-checkout-rules`. */
  resource: string;
  groups: unknown[];
  /** kept[g][i]: the original index of the i-th rule promtool saw in group g (see forPromtool). */
  kept: number[][];
}

/** Where an expression was written, when the stack config holds it. */
export type ExpressionOrigin = (expr: string) => string | undefined;

const QUOTED = String.raw`"((?:[^"\\]|\\.)*)"`;
const RULE_ERROR = new RegExp(
  String.raw`^(\S+): (?:\d+:\d+: )?group ${QUOTED}, rule (\d+), ${QUOTED}: (.*)$`,
);
const PARSE_ERROR = /^could not parse expression: (\d+):(\d+): parse error: (.*)$/;

const unquote = (text: string) => JSON.parse(`"${text}"`) as string;

/** The offset in `expr` of promtool's 1-based line and column. */
function offsetOf(expr: string, line: number, column: number): number {
  const lines = expr.split("\n");
  const before = lines.slice(0, line - 1).reduce((n, l) => n + l.length + 1, 0);
  return Math.min(expr.length, before + column - 1);
}

/**
 * promtool's output with each rule error said at its origin and each file by its PrometheusRule; other
 * lines as they were.
 */
export function explainPromtoolOutput(
  output: string,
  files: readonly CheckedRuleFile[],
  origin: ExpressionOrigin = () => undefined,
  indent = "      ",
): string {
  return output
    .split("\n")
    .map((text) => {
      const checking = /^Checking (\S+)$/.exec(text);
      const checked = checking && files.find((f) => f.name === checking[1]);
      if (checked) return `Checking ${checked.resource}`;
      const m = RULE_ERROR.exec(text);
      const file = m && files.find((f) => f.name === m[1]);
      if (!m || !file) return text;
      const groupName = unquote(m[2]);
      const g = file.groups.findIndex((x) => (x as { name?: unknown } | null)?.name === groupName);
      const index = file.kept[g]?.[Number(m[3]) - 1];
      const rules = (file.groups[g] as { rules?: { expr?: unknown }[] } | undefined)?.rules;
      const expr = index === undefined ? undefined : rules?.[index]?.expr;
      const ruleName = unquote(m[4]);
      const where = `${file.resource}, group ${groupName}, rule ${ruleName}`;
      if (typeof expr !== "string") return `${where}: ${m[5]}`;
      const at = origin(expr) ?? `${where}: expr`;
      const parse = PARSE_ERROR.exec(m[5]);
      if (!parse) return `${at}: ${m[5]}`;
      const excerpt = excerptAt(expr, offsetOf(expr, Number(parse[1]), Number(parse[2])));
      const position = expr.includes("\n")
        ? `line ${excerpt.line}, column ${excerpt.column}`
        : `column ${excerpt.column}`;
      return `${at}: promtool: ${parse[3]} at ${position}\n${indent}${excerpt.text}\n${indent}${excerpt.caret}`;
    })
    .join("\n");
}

/**
 * Where the stack config writes each expression of its apps' custom rules and rule groups:
 * `Pulumi.dev.yaml:15: apps[checkout].alerts.custom[0].expr` (the stack's name without a locator).
 */
export function configExpressionOrigins(
  stack: string,
  raw: Record<string, unknown>,
  locate?: Locate,
): ExpressionOrigin {
  const found = new Map<string, string>();
  const add = (path: (string | number)[], expr: unknown) => {
    if (typeof expr === "string" && !found.has(expr))
      found.set(expr, `${locate?.(path) ?? stack}: ${displayPath(path, raw)}`);
  };
  const list = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
  list(raw.apps).forEach((app, i) => {
    const a = (app ?? {}) as { alerts?: { custom?: unknown }; ruleGroups?: unknown };
    list(a.alerts?.custom).forEach((r, j) =>
      add(["apps", i, "alerts", "custom", j, "expr"], (r as { expr?: unknown } | null)?.expr),
    );
    list(a.ruleGroups).forEach((group, k) =>
      list((group as { rules?: unknown } | null)?.rules).forEach((r, j) =>
        add(["apps", i, "ruleGroups", k, "rules", j, "expr"], (r as { expr?: unknown } | null)?.expr),
      ),
    );
  });
  return (expr) => found.get(expr);
}

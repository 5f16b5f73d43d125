/**
 * PromQL syntax checks with Prometheus' own lezer grammar (the one its web UI uses).
 */
import {
  Matcher,
  Selector,
  SyntaxNode,
  Tree,
  decodeString,
  nodesNamed,
  parsePromql,
  selectorOf,
  selectorsOf,
} from "./promqlSyntax";
import { fullMatch } from "./regex";

export interface PromqlError {
  /** Offset of the first character the grammar could not place. */
  at: number;
  /** The expression around it. */
  near: string;
}

/** Where an expression stops being PromQL, or undefined when it parses. */
export function promqlSyntaxError(expr: string): PromqlError | undefined {
  if (!expr.trim()) return { at: 0, near: "" };
  const tree = parsePromql(expr);
  let error: PromqlError | undefined;
  tree.iterate({
    enter: (node) => {
      if (error) return false;
      if (node.type.isError) {
        error = { at: node.from, near: expr.slice(Math.max(0, node.from - 15), node.from + 15) };
        return false;
      }
      return undefined;
    },
  });
  return error;
}

/**
 * Names that say counter (or a histogram's or summary's counter parts), and the known counters that
 * predate the naming convention (node_exporter's vmstat counters).
 */
const COUNTER_NAME = /(_total|_count|_sum|_bucket)$|^node_vmstat_/;

const text = (expr: string, n: SyntaxNode) => expr.slice(n.from, n.to);

/** The function calls of an expression with the selector of their (first) range vector argument. */
function rangeCalls(expr: string, tree: Tree): { fn: string; selector?: Selector; call: SyntaxNode }[] {
  return nodesNamed(tree, "FunctionCall").map((call) => {
    const fn = call.getChild("FunctionIdentifier");
    const body = call.getChild("FunctionCallBody");
    const matrix = body && nodesNamed(tree, "MatrixSelector", body)[0];
    const vector = matrix && nodesNamed(tree, "VectorSelector", matrix)[0];
    return { fn: fn ? text(expr, fn) : "", selector: vector ? selectorOf(expr, vector) : undefined, call };
  });
}

/**
 * Mistakes that parse but cannot mean what the author meant, one message each: certain from the
 * expression alone, so they may block.
 */
export function promqlMistakes(expr: string): string[] {
  if (promqlSyntaxError(expr)) return [];
  const tree = parsePromql(expr);
  const problems: string[] = [];
  for (const literal of nodesNamed(tree, "StringLiteral")) {
    if (decodeString(text(expr, literal)) === undefined) {
      problems.push(
        `the string ${text(expr, literal)} has an escape Prometheus does not read (it takes \\a \\b \\f \\n \\r \\t \\v \\\\, the quote, \\xNN, \\NNN, \\uNNNN and \\UNNNNNNNN; backtick strings are raw)`,
      );
    }
  }
  for (const { fn, call } of rangeCalls(expr, tree)) {
    const body = call.getChild("FunctionCallBody");
    if (fn !== "absent" || !body) continue;
    // absent(up == 1) rightly fires when nothing is up; absent(x == 0) fires whenever nothing is down.
    const comparison = nodesNamed(tree, "BinaryExpr", body).find(
      (b) =>
        b.getChild("Eql") &&
        b.lastChild?.name === "NumberDurationLiteral" &&
        Number(text(expr, b.lastChild)) === 0,
    );
    if (comparison) {
      problems.push(
        `absent(${text(expr, comparison)}) is true whenever nothing equals 0 (nothing is down), not when the series is missing; alert on the comparison itself, or use absent() on the selector alone`,
      );
    }
  }
  for (const selector of selectorsOf(expr, tree)) {
    const byLabel = new Map<string, Matcher[]>();
    for (const m of selector.matchers) byLabel.set(m.label, [...(byLabel.get(m.label) ?? []), m]);
    for (const [label, matchers] of byLabel) {
      const exact = matchers.filter((m) => m.op === "=").map((m) => m.value);
      const contradicted =
        new Set(exact).size > 1 ||
        exact.some((v) =>
          matchers.some(
            (m) =>
              (m.op === "!=" && m.value === v) ||
              (m.op === "=~" && !regexMatches(m.value, v)) ||
              (m.op === "!~" && regexMatches(m.value, v)),
          ),
        );
      if (contradicted) {
        const braces = selector.text.slice(selector.text.indexOf("{"));
        problems.push(`${braces} can never match: the matchers on ${label} contradict each other`);
      }
    }
  }
  return problems;
}

/**
 * What an expression's names suggest but cannot prove: a name does not tell a counter from a gauge
 * (kubelet_evictions and SNMP's ifHCInOctets are counters without _total). Advisory only.
 */
export function promqlHeuristics(expr: string): string[] {
  if (promqlSyntaxError(expr)) return [];
  const problems: string[] = [];
  for (const { fn, selector } of rangeCalls(expr, parsePromql(expr))) {
    const series = selector?.metric;
    if (!["rate", "irate", "increase"].includes(fn) || !series) continue;
    if (!series.includes(":") && !COUNTER_NAME.test(series)) {
      problems.push(
        `${fn}() over ${series}, whose name does not say counter (no _total, _count, _sum or _bucket); if it is a gauge, use deriv() or delta(); if it is a counter, ignore this (check --prometheus-url asks the metric's metadata)`,
      );
    }
  }
  return problems;
}

/** Whether a Prometheus (fully anchored, RE2) regex matches `value`; invalid regexes count as matching. */
const regexMatches = (regex: string, value: string): boolean => fullMatch(regex, value) ?? true;

const COMPARISONS = ["Eql", "Neq", "Gtr", "Lss", "Gte", "Lte"];

/**
 * The labels an alert's series can still carry, when the expression makes that certain: a `by`
 * aggregation (through parentheses and comparisons with a number) keeps only its grouping labels, an
 * aggregation without a modifier keeps none. Undefined when anything else decides (`without`, joins).
 */
export function labelsAfter(expr: string): Set<string> | undefined {
  if (promqlSyntaxError(expr)) return undefined;
  let node: SyntaxNode | null = parsePromql(expr).topNode.firstChild;
  while (node) {
    if (node.name === "ParenExpr") node = node.firstChild;
    else if (node.name === "BinaryExpr" && COMPARISONS.some((op) => node!.getChild(op))) {
      const sides = [node.firstChild, node.lastChild];
      const numeric = sides.filter((s) => s?.name === "NumberDurationLiteral");
      if (numeric.length !== 1) return undefined;
      node = sides.find((s) => s?.name !== "NumberDurationLiteral") ?? null;
    } else break;
  }
  if (node?.name !== "AggregateExpr") return undefined;
  // topk, bottomk, limitk and count_values keep (or add) labels beyond the grouping.
  const op = node.getChild("AggregateOp");
  if (!op || !/^(sum|min|max|avg|count|group|stddev|stdvar|quantile)$/.test(expr.slice(op.from, op.to))) {
    return undefined;
  }
  const modifier = node.getChild("AggregateModifier");
  if (!modifier) return new Set();
  if (!modifier.getChild("By")) return undefined;
  const grouping = modifier.getChild("GroupingLabels");
  const names: (string | undefined)[] = [];
  // by (job, "label.x"): Prometheus 3 also takes quoted names.
  for (let n = grouping?.firstChild; n; n = n.nextSibling) {
    if (n.name === "LabelName") names.push(text(expr, n));
    if (n.name === "QuotedLabelName") names.push(decodeString(text(expr, n)));
  }
  return names.every((n) => n !== undefined) ? new Set(names) : undefined;
}

/**
 * The first comparison that filters series (`rate(x[5m]) > 0.05`, `up == 0`; not `> bool`), as written:
 * what makes an alert fire on one evaluation. Undefined when the expression has none.
 */
export function comparisonOf(expr: string): string | undefined {
  if (promqlSyntaxError(expr)) return undefined;
  const tree = parsePromql(expr);
  const found = nodesNamed(tree, "BinaryExpr").find(
    (b) =>
      COMPARISONS.some((op) => b.getChild(op)) &&
      !b.getChild("BoolModifier") &&
      nodesNamed(tree, "VectorSelector", b).length > 0,
  );
  const written = found && text(expr, found).replace(/\s+/g, " ");
  return written && written.length > 120 ? `${written.slice(0, 119)}…` : written;
}

/** `$labels.x` (or `.Labels.x`) references in a template. */
export function templateLabelRefs(template: string): string[] {
  return [...template.matchAll(/(?:\$labels|\.Labels)\.([a-zA-Z_][a-zA-Z0-9_]*)/g)].map((m) => m[1]);
}

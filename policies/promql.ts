/**
 * PromQL syntax checks with Prometheus' own lezer grammar (the one its web UI uses).
 */
import { parser } from "@prometheus-io/lezer-promql";

export interface PromqlError {
  /** Offset of the first character the grammar could not place. */
  at: number;
  /** The expression around it. */
  near: string;
}

/** Where an expression stops being PromQL, or undefined when it parses. */
export function promqlSyntaxError(expr: string): PromqlError | undefined {
  if (!expr.trim()) return { at: 0, near: "" };
  const tree = parser.parse(expr);
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

type Tree = ReturnType<typeof parser.parse>;
type SyntaxNode = Tree["topNode"];

/** Every node called `name` inside `within` (the whole tree when absent). */
function nodesNamed(tree: Tree, name: string, within?: SyntaxNode): SyntaxNode[] {
  const found: SyntaxNode[] = [];
  tree.iterate({
    from: within?.from,
    to: within?.to,
    enter: (n) => {
      const inside = !within || (n.from >= within.from && n.to <= within.to);
      if (n.name === name && inside) found.push(n.node);
    },
  });
  return found;
}

/**
 * Names that say counter (or a histogram's or summary's counter parts), and the known counters that
 * predate the naming convention (node_exporter's vmstat counters).
 */
const COUNTER_NAME = /(_total|_count|_sum|_bucket)$|^node_vmstat_/;

/** Mistakes that parse but cannot mean what the author meant, one message each. */
export function promqlMistakes(expr: string): string[] {
  if (promqlSyntaxError(expr)) return [];
  const tree = parser.parse(expr);
  const text = (n: SyntaxNode) => expr.slice(n.from, n.to);
  const problems: string[] = [];
  for (const call of nodesNamed(tree, "FunctionCall")) {
    const fn = call.getChild("FunctionIdentifier");
    const name = fn ? text(fn) : "";
    const body = call.getChild("FunctionCallBody");
    if (!body) continue;
    if (["rate", "irate", "increase"].includes(name)) {
      const matrix = nodesNamed(tree, "MatrixSelector", body)[0];
      const metric = matrix && nodesNamed(tree, "Identifier", matrix)[0];
      const series = metric ? text(metric) : undefined;
      if (series && !series.includes(":") && !COUNTER_NAME.test(series)) {
        problems.push(
          `${name}() over ${series}, whose name says gauge (counters end in _total, _count, _sum or _bucket); use deriv() or delta() for gauges`,
        );
      }
    }
    if (name === "absent") {
      // absent(up == 1) rightly fires when nothing is up; absent(x == 0) fires whenever nothing is down.
      const comparison = nodesNamed(tree, "BinaryExpr", body).find(
        (b) =>
          b.getChild("Eql") &&
          b.lastChild?.name === "NumberDurationLiteral" &&
          Number(text(b.lastChild)) === 0,
      );
      if (comparison) {
        problems.push(
          `absent(${text(comparison)}) is true whenever nothing equals 0 (nothing is down), not when the series is missing; alert on the comparison itself, or use absent() on the selector alone`,
        );
      }
    }
  }
  for (const selector of nodesNamed(tree, "LabelMatchers")) {
    const byLabel = new Map<string, { op: string; value: string }[]>();
    for (const m of selector.getChildren("UnquotedLabelMatcher")) {
      const label = m.getChild("LabelName");
      const op = m.getChild("MatchOp");
      const value = m.getChild("StringLiteral");
      if (!label || !op || !value) continue;
      const list = byLabel.get(text(label)) ?? [];
      list.push({ op: text(op), value: JSON.parse(text(value).replace(/^'|'$/g, '"')) as string });
      byLabel.set(text(label), list);
    }
    for (const [label, matchers] of byLabel) {
      const exact = matchers.filter((m) => m.op === "=").map((m) => m.value);
      const contradicted =
        new Set(exact).size > 1 ||
        exact.some((v) =>
          matchers.some(
            (m) =>
              (m.op === "!=" && m.value === v) ||
              (m.op === "=~" && !fullMatch(m.value, v)) ||
              (m.op === "!~" && fullMatch(m.value, v)),
          ),
        );
      if (contradicted) {
        problems.push(`${text(selector)} can never match: the matchers on ${label} contradict each other`);
      }
    }
  }
  return problems;
}

/** Whether a Prometheus (fully anchored) regex matches `value`; undefined regexes count as matching. */
function fullMatch(regex: string, value: string): boolean {
  try {
    return new RegExp(`^(?:${regex})$`).test(value);
  } catch {
    return true;
  }
}

const COMPARISONS = ["Eql", "Neq", "Gtr", "Lss", "Gte", "Lte"];

/**
 * The labels an alert's series can still carry, when the expression makes that certain: a `by`
 * aggregation (through parentheses and comparisons with a number) keeps only its grouping labels, an
 * aggregation without a modifier keeps none. Undefined when anything else decides (`without`, joins).
 */
export function labelsAfter(expr: string): Set<string> | undefined {
  if (promqlSyntaxError(expr)) return undefined;
  let node: SyntaxNode | null = parser.parse(expr).topNode.firstChild;
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
  return new Set((grouping?.getChildren("LabelName") ?? []).map((n) => expr.slice(n.from, n.to)));
}

/** `$labels.x` (or `.Labels.x`) references in a template. */
export function templateLabelRefs(template: string): string[] {
  return [...template.matchAll(/(?:\$labels|\.Labels)\.([a-zA-Z_][a-zA-Z0-9_]*)/g)].map((m) => m[1]);
}

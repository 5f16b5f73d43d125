/**
 * Recording rules expanded into the expressions that read them, so an alert over `slo:…:ratio_rate5m`
 * is evaluated from the raw series the recording rule reads, as the plan defines it (the server's own
 * recorded history may come from an older definition, or not exist yet for a new rule).
 *
 * A selector `name{matchers}` over a recording rule of the plan becomes the recorded expression with the
 * rule's static labels set (`label_replace`), filtered by each matcher on a label the rule does not set
 * (a `label_replace` into a scratch label, then `and`/`unless` on it, so regex and negative matchers
 * keep Prometheus' meaning, an absent label included); rules whose static labels contradict a matcher
 * are left out; several rules recording one name are joined with `or`. `name[5m]` becomes a subquery at
 * the recording group's interval, `name offset 1h` a `last_over_time` over a 5m subquery. `@` over a
 * recorded name is not expanded (an ExpandError). Expansion recurses, with a depth limit and cycle check.
 */
import { SyntaxNode, parsePromql } from "../../policies/promqlSyntax";
import type { RecordingRule } from "./input";

export class ExpandError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ExpandError";
  }
}

export type MatchOp = "=" | "!=" | "=~" | "!~";
export interface Matcher {
  readonly name: string;
  readonly op: MatchOp;
  readonly value: string;
}

const MAX_DEPTH = 8;
const SCRATCH = "__backtest_keep__";
const ESCAPES: Record<string, string> = {
  a: "\x07",
  b: "\b",
  f: "\f",
  n: "\n",
  r: "\r",
  t: "\t",
  v: "\v",
  "\\": "\\",
  "'": "'",
  '"': '"',
};

/** The value of a PromQL string literal: double or single quoted with Go escapes, or a raw backtick one. */
export function unquote(literal: string): string {
  const quote = literal[0];
  const body = literal.slice(1, -1);
  if (quote === "`") return body;
  return body.replace(
    /\\(x[0-9a-fA-F]{2}|u[0-9a-fA-F]{4}|U[0-9a-fA-F]{8}|[0-7]{3}|[\s\S])/g,
    (_, e: string) => {
      if (/^[xuU]/.test(e)) return String.fromCodePoint(parseInt(e.slice(1), 16));
      if (/^[0-7]{3}$/.test(e)) return String.fromCodePoint(parseInt(e, 8));
      return ESCAPES[e] ?? e;
    },
  );
}

/** A PromQL double-quoted literal (JSON's escapes are all Go escapes). */
export const quote = (value: string) => JSON.stringify(value);

/** An RE2 pattern matching exactly `value`. */
export { literalRegex } from "../../policies/util";
import { literalRegex } from "../../policies/util";

/** Whether a matcher holds for a label value ("" when absent), as Prometheus judges it (anchored). */
export function matches(m: Matcher, value: string | undefined): boolean {
  const v = value ?? "";
  switch (m.op) {
    case "=":
      return v === m.value;
    case "!=":
      return v !== m.value;
    case "=~":
      return new RegExp(`^(?:${m.value})$`, "s").test(v);
    case "!~":
      return !new RegExp(`^(?:${m.value})$`, "s").test(v);
  }
}

const child = (n: SyntaxNode, name: string) => n.getChild(name);

/** The metric name and the other matchers of a vector selector. */
function selectorParts(node: SyntaxNode, text: (n: SyntaxNode) => string) {
  let name = child(node, "Identifier") ? text(child(node, "Identifier")!) : undefined;
  const matchers: Matcher[] = [];
  const list = child(node, "LabelMatchers");
  for (let m = list?.firstChild ?? null; m; m = m.nextSibling) {
    if (m.name === "QuotedLabelName") {
      name = unquote(text(m));
      continue;
    }
    if (m.name !== "UnquotedLabelMatcher" && m.name !== "QuotedLabelMatcher") continue;
    const labelNode = child(m, "LabelName") ?? child(m, "QuotedLabelName");
    const op = child(m, "MatchOp");
    const value = child(m, "StringLiteral");
    if (!labelNode || !op || !value) continue;
    const label = labelNode.name === "LabelName" ? text(labelNode) : unquote(text(labelNode));
    const matcher = { name: label, op: text(op) as MatchOp, value: unquote(text(value)) };
    if (label === "__name__" && matcher.op === "=") name = matcher.value;
    else matchers.push(matcher);
  }
  return { name, matchers };
}

function filtered(expr: string, m: Matcher): string {
  const regex = m.op === "=" || m.op === "!=" ? literalRegex(m.value) : m.value;
  const marked = `label_replace(${expr}, ${quote(SCRATCH)}, "1", ${quote(m.name)}, ${quote(regex)})`;
  const keep = m.op === "=" || m.op === "=~" ? "and" : "unless";
  const one = `label_replace(vector(1), ${quote(SCRATCH)}, "1", "", "")`;
  return `label_replace(${marked} ${keep} on(${SCRATCH}) ${one}, ${quote(SCRATCH)}, "", "", "")`;
}

/**
 * `expr` with every selector over a recording rule of `recordings` replaced by what it records.
 * Throws ExpandError for what it cannot expand faithfully.
 */
export function expandRecordings(
  expr: string,
  recordings: readonly RecordingRule[],
  seen: readonly string[] = [],
): string {
  if (!recordings.length) return expr;
  const byName = new Map<string, RecordingRule[]>();
  for (const r of recordings) byName.set(r.record, [...(byName.get(r.record) ?? []), r]);
  const tree = parsePromql(expr);
  const text = (n: SyntaxNode) => expr.slice(n.from, n.to);
  const edits: { from: number; to: number; replacement: string }[] = [];
  tree.iterate({
    enter: (ref) => {
      if (ref.type.isError) throw new ExpandError(`not PromQL near ${JSON.stringify(text(ref.node))}`);
      if (ref.name !== "VectorSelector") return undefined;
      const node = ref.node;
      const { name, matchers } = selectorParts(node, text);
      const rules = name ? byName.get(name) : undefined;
      if (!name || !rules) return false;
      if (seen.includes(name) || seen.length >= MAX_DEPTH) {
        throw new ExpandError(
          `recording rules read each other in a cycle or too deep: ${[...seen, name].join(" → ")}`,
        );
      }
      const parts = rules.flatMap((rule) => {
        // A static label the selector contradicts: that rule's series are never selected.
        if (matchers.some((m) => m.name in rule.labels && !matches(m, rule.labels[m.name]))) return [];
        let e = `(${expandRecordings(rule.expr, recordings, [...seen, name])})`;
        for (const [k, v] of Object.entries(rule.labels).sort(([a], [b]) => a.localeCompare(b)))
          e = `label_replace(${e}, ${quote(k)}, ${quote(v)}, "", "")`;
        for (const m of matchers.filter((x) => !(x.name in rule.labels))) e = filtered(e, m);
        return [{ e, interval: rule.intervalSeconds }];
      });
      // No rule of the plan can produce these series: read whatever the server has.
      if (!parts.length) return false;
      const joined = parts.length === 1 ? parts[0].e : `(${parts.map((p) => p.e).join(" or ")})`;
      const interval = `${Math.min(...parts.map((p) => p.interval))}s`;
      let parent = node.parent;
      for (let a: SyntaxNode | null = parent; a; a = a.parent) {
        if (a.name === "StepInvariantExpr") {
          throw new ExpandError(`"@" over the recording rule ${name} is not expanded`);
        }
      }
      if (parent?.name === "MatrixSelector") {
        const range = child(parent, "DurationExpr");
        edits.push({
          from: parent.from,
          to: parent.to,
          replacement: `(${joined})[${range ? text(range) : "5m"}:${interval}]`,
        });
      } else if (parent?.name === "OffsetExpr") {
        parent = parent as SyntaxNode;
        edits.push({
          from: parent.from,
          to: parent.to,
          replacement: `last_over_time((${joined})[5m:${interval}]${expr.slice(node.to, parent.to)})`,
        });
      } else {
        edits.push({ from: node.from, to: node.to, replacement: joined });
      }
      return false;
    },
  });
  let out = expr;
  for (const e of edits.sort((a, b) => b.from - a.from))
    out = out.slice(0, e.from) + e.replacement + out.slice(e.to);
  return out;
}

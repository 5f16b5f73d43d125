/**
 * PromQL's literal syntax as Prometheus reads it: string literals in all three forms (double quotes and
 * single quotes with Go's escapes, backticks raw), and selectors with their metric name and matchers,
 * names quoted or not (Prometheus 3 takes any UTF-8 name in quotes: `{"my.metric", "label.x"="v"}`).
 */
import { parser } from "@prometheus-io/lezer-promql";

export type Tree = ReturnType<typeof parser.parse>;
export type SyntaxNode = Tree["topNode"];

/**
 * How many parsed expressions the cache keeps: more than the distinct expressions of a plan of a
 * thousand apps (about 30,000 rules), so each is parsed once per plan, and bounded, so a long-lived
 * process (the specs, `npm run check` over many files) does not grow without end.
 */
export const PARSE_CACHE_SIZE = 65_536;

const parsed = new Map<string, Tree>();

/**
 * The expression's syntax tree, parsed once: the policies, promtool's compatibility check, the backtest
 * and the live check all ask for the same expressions, several times each. Lezer's trees are immutable,
 * so sharing one is safe. The least recently used tree goes first when the cache is full.
 */
export function parsePromql(expr: string): Tree {
  const hit = parsed.get(expr);
  if (hit) {
    // Most recently used last: Map keeps insertion order.
    parsed.delete(expr);
    parsed.set(expr, hit);
    return hit;
  }
  const tree = parser.parse(expr);
  if (parsed.size >= PARSE_CACHE_SIZE) parsed.delete(parsed.keys().next().value!);
  parsed.set(expr, tree);
  return tree;
}

/** How many trees the cache holds (for the specs). */
export const parseCacheSize = () => parsed.size;

const SIMPLE_ESCAPES: Record<string, number> = {
  a: 7,
  b: 8,
  f: 12,
  n: 10,
  r: 13,
  t: 9,
  v: 11,
  "\\": 92,
};

/**
 * The value of a PromQL string literal, decoded as Prometheus decodes it (Go's strconv.Unquote, any
 * length in single quotes): `\xNN` and octal `\NNN` are bytes, `\u`/`\U` code points, backticks raw.
 * Undefined for a literal Prometheus would refuse (a bad escape, a missing closing quote).
 */
export function decodeString(literal: string): string | undefined {
  const quote = literal[0];
  if (literal.length < 2 || literal.at(-1) !== quote || !["'", '"', "`"].includes(quote)) return undefined;
  const body = literal.slice(1, -1);
  if (quote === "`") return body.includes("`") ? undefined : body;
  // Without escapes (nearly every literal) the text is its own value: no byte-wise decoding. A lone
  // surrogate takes the long way, which turns it into U+FFFD as Prometheus' UTF-8 would.
  if (!body.includes("\\") && !/[\ud800-\udfff]/.test(body))
    return body.includes(quote) || body.includes("\n") ? undefined : body;
  const bytes: number[] = [];
  const encoder = new TextEncoder();
  for (let i = 0; i < body.length; i++) {
    const c = body[i];
    if (c === quote || c === "\n") return undefined;
    if (c !== "\\") {
      const codePoint = body.codePointAt(i)!;
      const char = String.fromCodePoint(codePoint);
      bytes.push(...encoder.encode(char));
      i += char.length - 1;
      continue;
    }
    const e = body[++i];
    if (e === undefined) return undefined;
    if (e in SIMPLE_ESCAPES) bytes.push(SIMPLE_ESCAPES[e]);
    else if (e === quote) bytes.push(e.charCodeAt(0));
    else if (e === "x" || e === "u" || e === "U") {
      const digits = { x: 2, u: 4, U: 8 }[e];
      const hex = body.slice(i + 1, i + 1 + digits);
      if (!new RegExp(`^[0-9a-fA-F]{${digits}}$`).test(hex)) return undefined;
      i += digits;
      const value = parseInt(hex, 16);
      if (e === "x") bytes.push(value);
      else if (value > 0x10ffff || (value >= 0xd800 && value <= 0xdfff)) return undefined;
      else bytes.push(...encoder.encode(String.fromCodePoint(value)));
    } else if (/[0-7]/.test(e)) {
      const octal = body.slice(i, i + 3);
      if (!/^[0-7]{3}$/.test(octal) || parseInt(octal, 8) > 255) return undefined;
      i += 2;
      bytes.push(parseInt(octal, 8));
    } else return undefined;
  }
  return new TextDecoder().decode(new Uint8Array(bytes));
}

export interface Matcher {
  label: string;
  op: "=" | "!=" | "=~" | "!~";
  value: string;
}

export interface Selector {
  /** The selector's text in the expression. */
  text: string;
  /** The metric name: the identifier, the quoted name in braces, or an `__name__=` matcher. */
  metric?: string;
  /** Every matcher, the metric name as `__name__=` included. */
  matchers: Matcher[];
  /** Whether it needs Prometheus 3's quoted names. */
  quotedNames: boolean;
  /** A string literal Prometheus would refuse, when there is one (a bad escape). */
  undecodable?: string;
}

/** Every node called `name` inside `within` (the whole tree when absent). */
export function nodesNamed(tree: Tree, name: string, within?: SyntaxNode): SyntaxNode[] {
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

/** The selector a VectorSelector node stands for. */
export function selectorOf(expr: string, node: SyntaxNode): Selector {
  const text = (n: SyntaxNode) => expr.slice(n.from, n.to);
  const selector: Selector = { text: text(node), matchers: [], quotedNames: false };
  const decoded = (n: SyntaxNode | null): string | undefined => {
    if (!n) return undefined;
    const value = decodeString(text(n));
    if (value === undefined) selector.undecodable ??= text(n);
    return value;
  };
  const identifier = node.getChild("Identifier");
  if (identifier) selector.metric = text(identifier);
  const matchers = node.getChild("LabelMatchers");
  for (const child of matchers?.getChildren("QuotedLabelName") ?? []) {
    // `{"my.metric"}`: a quoted name alone in the braces is the metric name.
    selector.quotedNames = true;
    const name = decoded(child.getChild("StringLiteral"));
    if (name !== undefined) selector.metric = name;
  }
  for (const m of [
    ...(matchers?.getChildren("UnquotedLabelMatcher") ?? []),
    ...(matchers?.getChildren("QuotedLabelMatcher") ?? []),
  ]) {
    const quoted = m.getChild("QuotedLabelName");
    if (quoted) selector.quotedNames = true;
    const label = quoted ? decoded(quoted.getChild("StringLiteral")) : text(m.getChild("LabelName") ?? m);
    const op = m.getChild("MatchOp");
    const value = decoded(m.getChild("StringLiteral"));
    if (label === undefined || !op || value === undefined) continue;
    selector.matchers.push({ label, op: text(op) as Matcher["op"], value });
  }
  if (selector.metric !== undefined) {
    selector.matchers.unshift({ label: "__name__", op: "=", value: selector.metric });
  } else {
    selector.metric = selector.matchers.find((m) => m.label === "__name__" && m.op === "=")?.value;
  }
  return selector;
}

/** Every selector of a parsed expression, in order. */
export function selectorsOf(expr: string, tree: Tree = parsePromql(expr)): Selector[] {
  return nodesNamed(tree, "VectorSelector").map((n) => selectorOf(expr, n));
}

/** Whether an expression uses syntax only Prometheus 3 reads: quoted UTF-8 metric or label names. */
export function usesQuotedNames(expr: string): boolean {
  let found = false;
  parsePromql(expr).iterate({
    enter: (n) => {
      if (n.name === "QuotedLabelName") found = true;
      return !found;
    },
  });
  return found;
}

/**
 * A PromQL error as a person fixes it: where in the expression it is (line and column), what stops
 * there, and the expression's line with a caret under that place. A long line is shown around the
 * caret, cut at token boundaries (never inside a name, number or string) and marked with an ellipsis.
 */
import { promqlSyntaxError } from "../policies/promql";

/** How many characters of an expression's line are shown at most (ellipses not counted). */
export const EXCERPT_WIDTH = 72;

/** Tokens as PromQL splits them: strings, names, numbers and durations, spaces, one-character symbols. */
const TOKEN = /"(?:\\.|[^"\\])*"?|'(?:\\.|[^'\\])*'?|`[^`]*`?|[A-Za-z_:][\w:.]*|\d[\w.]*|\s+|[^]/gu;

/** Where each token of `line` starts, and the line's end. */
function tokenStarts(line: string): number[] {
  const starts = [...line.matchAll(TOKEN)].map((m) => m.index);
  return [...starts, line.length];
}

export interface Excerpt {
  /** 1-based line and column of `at` in the expression. */
  line: number;
  column: number;
  /** The excerpt of that line, and the caret line under it. */
  text: string;
  caret: string;
}

/** The line of `expr` holding offset `at`, cut to `width` around it at token boundaries. */
export function excerptAt(expr: string, at: number, width = EXCERPT_WIDTH): Excerpt {
  const offset = Math.max(0, Math.min(at, expr.length));
  const lineStart = expr.lastIndexOf("\n", offset - 1) + 1;
  const lineEnd = expr.indexOf("\n", offset) === -1 ? expr.length : expr.indexOf("\n", offset);
  const full = expr.slice(lineStart, lineEnd);
  const caretAt = offset - lineStart;
  const line = expr.slice(0, lineStart).split("\n").length;
  let from = 0;
  let to = full.length;
  if (full.length > width) {
    const starts = tokenStarts(full);
    // The widest run of whole tokens around the caret that fits, centred on it where the line allows.
    from = starts.filter((s) => s <= Math.max(0, caretAt - Math.floor(width / 2))).at(-1) ?? 0;
    to = starts.filter((s) => s <= from + width).at(-1) ?? full.length;
    if (to <= caretAt) {
      // A token longer than the window: show from the caret's own token.
      from = starts.filter((s) => s <= caretAt).at(-1) ?? caretAt;
      to = Math.min(full.length, Math.max(from + width, caretAt + 1));
    }
  }
  const head = from > 0 ? "…" : "";
  const tail = to < full.length ? "…" : "";
  const shown = full.slice(from, to);
  // The caret sits under the character at `at` (one past the end when the expression ends too early).
  const before = head + shown.slice(0, caretAt - from);
  return {
    line,
    column: caretAt + 1,
    text: `${head}${shown.trimEnd()}${tail}`,
    caret: `${" ".repeat(Array.from(before).length)}^`,
  };
}

/** What stands at `at`, for "unexpected …": the token there, or the end of the expression. */
function tokenAt(expr: string, at: number): string {
  const rest = expr.slice(at);
  if (!rest.trim()) return "end of expression";
  const token = rest.match(TOKEN)?.[0] ?? rest[0];
  return JSON.stringify(token.length > 30 ? `${token.slice(0, 29)}…` : token);
}

/** How an expression is shown when it was written otherwise (an SLO query's `{{window}}`). */
export interface WrittenAs {
  text: string;
  /** The offset in `text` of an offset in the parsed expression. */
  offsetOf(at: number): number;
}

/**
 * Why `expr` is not PromQL, as lines to show under a key: the reason with line and column, then the
 * excerpt and its caret (indented by `indent`). Undefined when it parses.
 */
export function promqlProblem(expr: string, written?: WrittenAs, indent = "      "): string | undefined {
  const error = promqlSyntaxError(expr);
  if (!error) return undefined;
  if (!expr.trim()) return "is empty; give a PromQL expression";
  // The grammar stops before the spaces; the caret goes under what follows them.
  const at = error.at + (/^\s*/.exec(expr.slice(error.at))?.[0].length ?? 0);
  const excerpt = written ? excerptAt(written.text, written.offsetOf(at)) : excerptAt(expr, at);
  // `foo(bar)`: a name the grammar does not know as a function, then "(".
  const call = /([A-Za-z_][\w:]*)\s*$/.exec(expr.slice(0, at));
  const reason =
    call && expr[at] === "(" ? `${call[1]}() is not a PromQL function` : `unexpected ${tokenAt(expr, at)}`;
  const where = (written?.text ?? expr).includes("\n")
    ? `line ${excerpt.line}, column ${excerpt.column}`
    : `column ${excerpt.column}`;
  return `is not PromQL: ${reason} at ${where}\n${indent}${excerpt.text}\n${indent}${excerpt.caret}`;
}

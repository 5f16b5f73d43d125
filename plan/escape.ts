/**
 * Text from input (stack config, rule files, dashboards, plan files, server responses) made safe for
 * where it lands: markdown prose and table cells, code spans and fences in the PR comment, and terminal
 * or CI log lines. Nothing is dropped: what cannot be shown as it is, is escaped or replaced visibly.
 */

const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

const ANSI = /\u001b(\[[0-?]*[ -/]*[@-~]|\][^\u0007\u001b]*(\u0007|\u001b\\)?|[@-_])/g;

/** Control characters as visible `\uXXXX`, so a reader sees that something was there. */
const visible = (text: string) =>
  text.replace(CONTROL, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);

/**
 * A line or lines for a terminal or CI log: ANSI sequences and control characters replaced visibly (tabs
 * and line breaks kept), and lines GitHub Actions would read as workflow commands (`::error::`,
 * `::add-mask::`, `::stop-commands::`) prefixed so they are shown, not run.
 */
export function logSafe(text: string): string {
  return visible(text.replace(ANSI, (seq) => `\\u001b${seq.slice(1)}`).replace(/\r\n?/g, "\n"))
    .split("\n")
    .map((line) => (/^\s*::/.test(line) ? `» ${line}` : line))
    .join("\n");
}

/**
 * Text for markdown prose or a table cell: one line; markdown and HTML characters escaped as
 * entities or backslash escapes, so `<img>`, `**`, `[x](y)`, `|` and `@mentions` render as written
 * (and notify nobody).
 */
export function mdText(text: string): string {
  return (
    visible(String(text).replace(/\r\n?|\n/g, " "))
      .replace(/&/g, "&amp;")
      .replace(/</g, "&lt;")
      .replace(/>/g, "&gt;")
      // Emphasis, code, links and images (their brackets), cell breaks, strike-through, math.
      .replace(/([\\`*_[\]|~$])/g, "\\$1")
      .replace(/@/g, "&#64;")
  );
}

/** The longest run of backticks in `text`. */
const longestTicks = (text: string) => Math.max(0, ...[...text.matchAll(/`+/g)].map((m) => m[0].length));

/**
 * An inline code span holding `text` as it is (one line, control characters visible): delimited by more
 * backticks than its longest run, padded when it starts or ends with one. In a table, `|` is escaped
 * (GitHub splits cells before it reads code spans).
 */
export function codeSpan(text: string, inTable = false): string {
  let body = visible(String(text).replace(/\r\n?|\n/g, " "));
  if (inTable) body = body.replace(/\|/g, "\\|");
  const ticks = "`".repeat(longestTicks(body) + 1);
  const pad = body.startsWith("`") || body.endsWith("`") || body === "" ? " " : "";
  return `${ticks}${pad}${body}${pad}${ticks}`;
}

/** A fenced code block holding `text` as it is: the fence longer than any backtick run inside. */
export function fence(text: string, info = ""): string {
  const ticks = "`".repeat(Math.max(3, longestTicks(text) + 1));
  return `${ticks}${info}\n${visible(text.replace(/\r\n?/g, "\n"))}\n${ticks}`;
}

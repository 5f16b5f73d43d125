/**
 * The backtest for people (text), for a PR comment (markdown) and for machines (JSON, documented in
 * docs/backtest.md). Everything that comes from a plan or the server is stripped of control characters;
 * in markdown it is also escaped, so it can neither break the table nor inject HTML or links.
 */
import type { AlertResult, BacktestResult, Side } from "./run";

/** Heading of the backtest section in the PR comment. */
export const MARKDOWN_HEADING = "### Alert backtest";

const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

/** Text with control and bidirectional-override characters replaced by a space. */
export const clean = (s: string) => s.replace(CONTROL, " ");

/** Text safe in a markdown table cell: no control characters, markdown or HTML syntax escaped. */
export const md = (s: string) =>
  clean(s)
    .replace(/[\\`*_{}[\]()#!|~]/g, "\\$&")
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;")
    // No autolinks from input.
    .replace(/:\/\//g, ":&#47;&#47;");

const duration = (seconds: number) => {
  if (seconds === 0) return "0s";
  const parts: string[] = [];
  let s = seconds;
  for (const [unit, size] of [
    ["d", 86400],
    ["h", 3600],
    ["m", 60],
    ["s", 1],
  ] as const) {
    if (s >= size) {
      parts.push(`${Math.floor(s / size)}${unit}`);
      s %= size;
    }
  }
  return parts.slice(0, 2).join("");
};

const side = (s: Side | null, error?: string) =>
  error ? "not evaluated" : s ? `${s.episodes} episodes, ${duration(s.firingSeconds)} firing` : "—";

const differs = (a: AlertResult) =>
  a.change !== "unchanged" ||
  a.errors !== undefined ||
  a.old?.episodes !== a.new?.episodes ||
  a.old?.firingSeconds !== a.new?.firingSeconds;

const number = (n: number | null) => (n === null ? "—" : String(n));

function summaryLine(r: BacktestResult) {
  const shown = r.alerts.filter(differs).length;
  const step =
    r.range.stepSeconds === null ? "each group's interval" : `a ${duration(r.range.stepSeconds)} step`;
  return (
    `${r.alerts.length} alerts over ${duration(r.range.seconds)} (${r.range.from} to ${r.range.to}) at ${step}, ` +
    `${r.queries} queries; ${shown} changed or differ` +
    (r.complete ? "" : "; some alerts could not be evaluated, their notifications are not counted")
  );
}

export function renderText(r: BacktestResult): string {
  const alerts = r.alerts.filter(differs);
  const lines = [`backtest of ${clean(r.stack)}: ${summaryLine(r)}`, ""];
  if (alerts.length) {
    lines.push("alerts (old → new):");
    for (const a of alerts) {
      lines.push(
        `  ${a.change.padEnd(9)} ${clean(a.alert)} (${clean(a.namespace)}/${clean(a.group)}${a.app ? `, app ${clean(a.app)}` : ""}): ` +
          `${side(a.old, a.errors?.old)} → ${side(a.new, a.errors?.new)}`,
      );
      for (const [which, why] of Object.entries(a.errors ?? {}))
        lines.push(`            ${which}: ${clean(why)}`);
    }
  } else lines.push("no alert changed, and none fires differently");
  const receivers = r.receivers.filter((x) => x.old !== x.new);
  lines.push(
    "",
    receivers.length ? "notifications per receiver (old → new):" : "no receiver's notifications change",
  );
  for (const x of receivers) lines.push(`  ${clean(x.receiver)}: ${number(x.old)} → ${number(x.new)}`);
  return lines.join("\n");
}

export function renderMarkdown(r: BacktestResult): string {
  const alerts = r.alerts.filter(differs);
  const out = [MARKDOWN_HEADING, "", `**${md(r.stack)}**: ${md(summaryLine(r))}`, ""];
  if (alerts.length) {
    out.push("| change | alert | app | namespace | old | new |", "|---|---|---|---|---|---|");
    for (const a of alerts) {
      out.push(
        `| ${a.change} | ${md(a.alert)} | ${md(a.app ?? "")} | ${md(a.namespace)} | ` +
          `${md(side(a.old, a.errors?.old))} | ${md(side(a.new, a.errors?.new))} |`,
      );
    }
    const errors = alerts.flatMap((a) =>
      Object.entries(a.errors ?? {}).map(([w, why]) => `- ${md(a.alert)} (${w}): ${md(why)}`),
    );
    if (errors.length) out.push("", ...errors);
  } else out.push("No alert changed, and none fires differently.");
  const receivers = r.receivers.filter((x) => x.old !== x.new);
  out.push("");
  if (receivers.length) {
    out.push("| receiver | notifications (old) | notifications (new) |", "|---|---|---|");
    for (const x of receivers) out.push(`| ${md(x.receiver)} | ${number(x.old)} | ${number(x.new)} |`);
  } else out.push("No receiver's notifications change.");
  return out.join("\n") + "\n";
}

export const renderJson = (r: BacktestResult) => JSON.stringify(r, null, 2);

/**
 * PromQL given in the stack config, checked before anything is generated: an expression that is not
 * PromQL is a config error at its key (`Pulumi.dev.yaml:57: apps[checkout].alerts.custom[0].expr`),
 * with the expression and a caret, never a generated rule file's name.
 */
import type { AppConfig } from "./appSchema";
import { promqlProblem } from "./promqlExcerpt";

/** What SLO queries say instead of a range; replaced by one to parse them. */
const WINDOW = "{{window}}";
const SAMPLE_WINDOW = "5m";

/**
 * Why an SLO query is not PromQL: parsed with a sample range in place of each `{{window}}`, shown as
 * written, the caret at the written column.
 */
export function sloQueryProblem(query: string): string | undefined {
  const parts = query.split(WINDOW);
  // Where each sample range starts in the parsed text.
  const starts = parts.slice(0, -1).map((_, k) => {
    const before = parts.slice(0, k + 1).join(SAMPLE_WINDOW);
    return before.length;
  });
  const offsetOf = (at: number) => {
    let shift = 0;
    for (const start of starts) {
      if (at >= start + SAMPLE_WINDOW.length) shift += WINDOW.length - SAMPLE_WINDOW.length;
      else if (at >= start) return start + shift;
    }
    return at + shift;
  };
  return promqlProblem(parts.join(SAMPLE_WINDOW), { text: query, offsetOf });
}

/** Every expression of the apps' config that is not PromQL: its key path and the problem's lines. */
export function appPromqlProblems(
  apps: readonly Pick<AppConfig, "alerts" | "ruleGroups" | "slo">[],
): { path: (string | number)[]; problem: string }[] {
  const found: { path: (string | number)[]; problem: string }[] = [];
  apps.forEach((app, i) => {
    const check = (path: (string | number)[], expr: string, judge = promqlProblem) => {
      const problem = judge(expr);
      if (problem) found.push({ path: ["apps", i, ...path], problem });
    };
    app.alerts.custom.forEach((r, j) => check(["alerts", "custom", j, "expr"], r.expr));
    app.ruleGroups.forEach((g, k) =>
      g.rules.forEach((r, j) => check(["ruleGroups", k, "rules", j, "expr"], r.expr)),
    );
    for (const key of ["errorQuery", "totalQuery"] as const) {
      const query = app.slo?.[key];
      if (query !== undefined) check(["slo", key], query, sloQueryProblem);
    }
  });
  return found;
}

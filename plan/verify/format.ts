/** How verify prints: its results for a terminal, and its expectations without asking any API. */
import type { Expectations } from "./expectations";

export interface CheckResult {
  readonly check: string;
  readonly ok: boolean;
  readonly detail: string;
  /** Passed, but worth a look (head series above the plan): printed as warn, exit 0. */
  readonly warn?: boolean;
}

/** A short table for a terminal: failures first, then warnings. */
export function formatText(results: readonly CheckResult[]): string {
  const rank = (r: CheckResult) => (r.ok ? (r.warn ? 1 : 2) : 0);
  const sorted = [...results].sort((a, b) => rank(a) - rank(b));
  const width = Math.max(...sorted.map((r) => r.check.length), 5);
  const lines = sorted.map(
    (r) => `${r.ok ? (r.warn ? "warn" : "ok  ") : "FAIL"}  ${r.check.padEnd(width)}  ${r.detail}`,
  );
  const failed = results.filter((r) => !r.ok).length;
  return [
    ...lines,
    "",
    failed ? `${failed} of ${results.length} checks failed` : `all ${results.length} checks passed`,
  ].join("\n");
}

/** What verify will check, one line each, grouped; no API is asked. */
export function formatExpectations(stack: string, exp: Expectations): string {
  const out = [`verify ${stack} will check:`];
  const section = (title: string, lines: string[]) => {
    if (!lines.length) return;
    out.push("", `${title} (${lines.length})`, ...lines.map((l) => `  ${l}`));
  };
  section(
    "scrape pools up",
    exp.scrapePools.map((p) => `${p.pool}  (${p.from})`),
  );
  section(
    "rule groups loaded and healthy",
    exp.ruleGroups.map((g) => `${g.group}  (${g.from})`),
  );
  section("receivers loaded", exp.receivers);
  section(
    "remote write per destination",
    exp.remoteWrite.map(
      (r) =>
        `${r.name}  ${r.url}: no failed samples, pending drained, highest-sent lag below ${r.maxLagSeconds}s`,
    ),
  );
  section(
    "head series",
    exp.headSeries
      ? [
          `prometheus_tsdb_head_series per replica against ${exp.headSeries.expected} expected (warn above ${Math.round(exp.headSeries.warnRatio * 100)}%)`,
        ]
      : [],
  );
  section(
    "per-app series against seriesBudget",
    exp.seriesBudgets.map((b) => `${b.namespace}/${b.monitor}: at most ${b.budget} a target`),
  );
  section(
    "team routing loaded",
    exp.routedNamespaces.map((n) => `${n.namespace}  (${n.owner})`),
  );
  section("alertmanager", [`${exp.alertmanagerReplicas} peers`, "Watchdog firing"]);
  section(
    "thanos",
    exp.thanos
      ? [
          `${exp.prometheusReplicas} sidecars and a store gateway behind Query`,
          "sidecars uploading, compactor not halted",
        ]
      : [],
  );
  section("network policies", exp.networkPolicies ? [exp.networkPolicies.note] : []);
  return out.join("\n");
}

/**
 * `npm run check -- … --prometheus-url URL`: the rules judged against the data they will run on, from a
 * Prometheus (or Thanos Query) HTTP API:
 * - rate()/irate()/increase() over a gauge and deriv()/delta() over a counter, by `/api/v1/metadata`
 *   (looked up by metric family: `x` covers `x_total`, a histogram its `_bucket`, `_sum` and `_count`);
 *   mandatory, and the name-based advice is dropped for every metric the metadata knows;
 * - a metric no series has had over the lookback (recording rules of the checked files and of the
 *   server count as existing); advisory, since its exporter may not be deployed yet;
 * - a matcher that cannot match "" on a label the metric never carried over the lookback: the selector
 *   can never match; mandatory.
 */
import { nodesNamed, parsePromql, selectorOf } from "../policies/promqlSyntax";
import { durationSeconds } from "../policies/units";
import type { Finding } from "./checkLoad";
import type { RuleFile } from "./checkLoad";
import type { z } from "zod";
import { ANSWERS, Client, getAnswer } from "./verifyApi";

type MetricType =
  | "counter"
  | "gauge"
  | "histogram"
  | "summary"
  | "gaugehistogram"
  | "info"
  | "stateset"
  | "unknown";

/** The metadata type of `metric`, looked up by family; undefined when the server has none. */
export function familyType(metadata: Map<string, MetricType>, metric: string): MetricType | undefined {
  const direct = metadata.get(metric);
  if (direct && direct !== "unknown") return direct;
  const suffix = /^(.*)_(total|bucket|sum|count|created)$/.exec(metric);
  if (!suffix) return direct;
  const [, family, part] = suffix;
  const type = metadata.get(family);
  if (part === "total" && type === "counter") return "counter";
  if (part === "bucket" && (type === "histogram" || type === "gaugehistogram")) return "counter";
  if ((part === "sum" || part === "count") && (type === "histogram" || type === "summary")) return "counter";
  if (part === "created" && type) return "gauge";
  return direct;
}

/** Whether a Prometheus (fully anchored) regex matches the empty string; unknown syntax counts as yes. */
function matchesEmpty(op: string, value: string): boolean {
  if (op === "!=" || op === "!~") return true;
  if (op === "=") return value === "";
  try {
    return new RegExp(`^(?:${value})$`).test("");
  } catch {
    return true;
  }
}

interface Api {
  metadata: Map<string, MetricType>;
  names: Set<string>;
  labelsOf(metric: string): Promise<Set<string>>;
}

async function serverApi(client: Client, url: string, lookbackSeconds: number, now: number): Promise<Api> {
  const base = url.replace(/\/+$/, "");
  const range = `start=${now / 1000 - lookbackSeconds}&end=${now / 1000}`;
  // Every answer checked for shape: a wrong one is an ApiError naming the URL and the key (exit 3).
  const data = async <T>(path: string, schema: z.ZodType<{ data: T }>, what: string) =>
    (await getAnswer(client, `${base}${path}`, schema, what)).data;
  const metadata = new Map<string, MetricType>();
  for (const [name, entries] of Object.entries(
    await data("/api/v1/metadata", ANSWERS.metadata, "a Prometheus metadata answer"),
  )) {
    metadata.set(name, (entries[0]?.type ?? "unknown") as MetricType);
  }
  const names = new Set(
    await data(`/api/v1/label/__name__/values?${range}`, ANSWERS.strings, "a Prometheus label values answer"),
  );
  const rules = await data("/api/v1/rules", ANSWERS.rules, "a Prometheus rules answer");
  for (const g of rules.groups) for (const r of g.rules) if (r.type === "recording") names.add(r.name);
  const labels = new Map<string, Promise<Set<string>>>();
  return {
    metadata,
    names,
    labelsOf: (metric) => {
      if (!labels.has(metric)) {
        const match = encodeURIComponent(`{__name__=${JSON.stringify(metric)}}`);
        labels.set(
          metric,
          data(
            `/api/v1/labels?match[]=${match}&${range}`,
            ANSWERS.strings,
            "a Prometheus labels answer",
          ).then((l) => new Set(l)),
        );
      }
      return labels.get(metric)!;
    },
  };
}

const RATES = ["rate", "irate", "increase"];
const GAUGE_FUNCTIONS = ["deriv", "delta", "idelta", "predict_linear"];

/**
 * Findings from the server's data for every rule of `ruleFiles`, and the metrics whose type the
 * metadata knows (the name-based advice on them is moot).
 */
export async function liveFindings(
  ruleFiles: RuleFile[],
  client: Client,
  url: string,
  lookback = "7d",
  now = Date.now(),
): Promise<{ findings: Finding[]; typed: Set<string> }> {
  const api = await serverApi(client, url, durationSeconds(lookback) ?? 7 * 86400, now);
  const recorded = new Set(
    ruleFiles.flatMap((f) =>
      f.groups.flatMap((g) => (g as { rules: { record?: string }[] }).rules.map((r) => r.record)),
    ),
  );
  const findings: Finding[] = [];
  const typed = new Set<string>();
  for (const file of ruleFiles) {
    for (const [g, group] of file.groups.entries()) {
      for (const [r, rule] of (
        group as { rules: { alert?: string; record?: string; expr?: unknown }[] }
      ).rules.entries()) {
        const expr = String(rule.expr ?? "");
        const name = rule.alert ?? rule.record;
        const said = new Set<string>();
        const at = (level: Finding["level"], message: string) =>
          !said.has(message) &&
          said.add(message) &&
          findings.push({
            file: file.file,
            line: file.lines[g]?.[r] ?? file.line,
            level,
            policy: "prometheus-data",
            message: `rule ${name}: ${message}`,
          });
        const tree = parsePromql(expr);
        for (const call of nodesNamed(tree, "FunctionCall")) {
          const fn = call.getChild("FunctionIdentifier");
          const fnName = fn ? expr.slice(fn.from, fn.to) : "";
          if (![...RATES, ...GAUGE_FUNCTIONS].includes(fnName)) continue;
          const matrix = nodesNamed(tree, "MatrixSelector", call)[0];
          const vector = matrix && nodesNamed(tree, "VectorSelector", matrix)[0];
          const metric = vector && selectorOf(expr, vector).metric;
          const type = metric && !recorded.has(metric) ? familyType(api.metadata, metric) : undefined;
          if (!metric || !type) continue;
          typed.add(metric);
          if (RATES.includes(fnName) && type === "gauge")
            at(
              "mandatory",
              `${fnName}() over ${metric}, a gauge by the server's metadata; use deriv() or delta().`,
            );
          if (GAUGE_FUNCTIONS.includes(fnName) && type === "counter")
            at(
              "mandatory",
              `${fnName}() over ${metric}, a counter by the server's metadata; use rate() or increase().`,
            );
        }
        for (const vector of nodesNamed(tree, "VectorSelector")) {
          const selector = selectorOf(expr, vector);
          const metric = selector.metric;
          if (!metric || recorded.has(metric)) continue;
          if (!api.names.has(metric)) {
            at(
              "advisory",
              `${metric} has had no series on ${url} over the last ${lookback}; the rule would never fire (or record) until it does.`,
            );
            continue;
          }
          const carried = await api.labelsOf(metric);
          for (const m of selector.matchers) {
            if (m.label === "__name__" || carried.has(m.label) || matchesEmpty(m.op, m.value)) continue;
            at(
              "mandatory",
              `${selector.text} can never match: ${metric} has carried no label ${m.label} over the last ${lookback}, and ${m.label}${m.op}${JSON.stringify(m.value)} does not match "".`,
            );
          }
        }
      }
    }
  }
  return { findings, typed };
}

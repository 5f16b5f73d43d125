/**
 * A plan.json read as hostile input for the backtest: bounded in size, parsed as JSON, and only the
 * parts the backtest reads checked for shape (the stack, each resource's identity, each PrometheusRule's
 * groups and rules). Every problem names the file and the key.
 */
import { InputFileError, SIZE_CAPS, parseJsonInput, readInputFile } from "../../components/inputFile";
import { z } from "zod";
import { durationSeconds } from "../../policies/units";
import { effectiveAlertmanagerConfig, isKpsRelease } from "../alertmanagerConfig";
import type { RecordedResource } from "../runtime";

/** Plans larger than this are refused before they are read (a 1000-app plan is well under it). */
export const MAX_PLAN_BYTES = SIZE_CAPS.planFile;

export class InputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "InputError";
  }
}

const labelMap = z.record(z.string(), z.string());
const duration = z
  .string()
  .refine((d) => d === "0" || durationSeconds(d) !== undefined, { error: "expected a Prometheus duration" });

const ruleShape = z.object({
  alert: z.string().min(1).optional(),
  record: z.string().min(1).optional(),
  expr: z.union([z.string().min(1), z.number()]),
  for: duration.optional(),
  keep_firing_for: duration.optional(),
  labels: labelMap.optional(),
});

const prometheusRuleShape = z.object({
  metadata: z.object({ name: z.string().min(1), namespace: z.string().min(1), labels: labelMap.optional() }),
  spec: z.object({
    groups: z.array(
      z.object({ name: z.string().min(1), interval: duration.optional(), rules: z.array(ruleShape) }),
    ),
  }),
});

const planShape = z.object({
  stack: z.string(),
  resources: z.array(
    z.object({
      urn: z.string(),
      type: z.string(),
      name: z.string(),
      inputs: z.record(z.string(), z.unknown()),
    }),
  ),
});

export interface AlertRule {
  /** Identity across plans: `<namespace>/<PrometheusRule>/<group>/<alert>` plus `#n` for the n-th repeat. */
  readonly key: string;
  readonly alert: string;
  readonly app: string | null;
  readonly namespace: string;
  readonly group: string;
  readonly expr: string;
  /** Seconds. */
  readonly intervalSeconds: number;
  readonly forSeconds: number;
  readonly keepFiringForSeconds: number;
  readonly labels: Record<string, string>;
}

export interface RecordingRule {
  readonly record: string;
  readonly expr: string;
  readonly intervalSeconds: number;
  readonly labels: Record<string, string>;
}

export interface BacktestPlan {
  readonly file: string;
  readonly stack: string;
  readonly alerts: AlertRule[];
  readonly recordings: RecordingRule[];
  /** The effective alertmanager.yaml, as plan/alertmanagerConfig.ts builds it. */
  readonly alertmanager: Record<string, unknown>;
  /** The Prometheus' external labels: Alertmanager sees them on every alert. */
  readonly externalLabels: Record<string, string>;
}

const keyPath = (issue: z.core.$ZodIssue) =>
  issue.path.map((p) => (typeof p === "number" ? `[${p}]` : `.${String(p)}`)).join("");

function parseOrThrow<T>(schema: z.ZodType<T>, value: unknown, file: string, prefix: string): T {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  throw new InputError(`${file}: ${prefix + keyPath(issue) || "(top level)"}: ${issue.message}`);
}

/** Reads and checks a plan file; `stack` is the stack the caller named, which the plan must be of. */
export function readPlanFile(file: string, stack: string, maxBytes = MAX_PLAN_BYTES): BacktestPlan {
  let json: unknown;
  try {
    // A regular file outside /proc, /sys and /dev, read no further than the cap; the parser's messages
    // are not shown (they quote the file), the key it broke off in is.
    json = parseJsonInput(readInputFile(file, { maxBytes }), file);
  } catch (err) {
    if (err instanceof InputFileError) throw new InputError(err.message);
    throw err;
  }

  return planFromJson(json, file, stack);
}

/** The backtest's view of a parsed plan. Pure. */
export function planFromJson(json: unknown, file: string, stack: string): BacktestPlan {
  const plan = parseOrThrow(planShape, json, file, "");
  if (plan.stack !== stack) {
    throw new InputError(
      `${file}: .stack: a plan of stack ${JSON.stringify(plan.stack)}, expected ${JSON.stringify(stack)}`,
    );
  }
  const resources = plan.resources as unknown as RecordedResource[];
  const alerts: AlertRule[] = [];
  const recordings: RecordingRule[] = [];
  resources.forEach((r, i) => {
    if (r.inputs.kind !== "PrometheusRule") return;
    const pr = parseOrThrow(prometheusRuleShape, r.inputs, file, `.resources[${i}].inputs`);
    const { name, namespace } = pr.metadata;
    pr.spec.groups.forEach((g, gi) => {
      const intervalSeconds = durationSeconds(g.interval ?? "1m") || 60;
      const seen = new Map<string, number>();
      g.rules.forEach((rule, ri) => {
        const at = `.resources[${i}].inputs.spec.groups[${gi}].rules[${ri}]`;
        if (!rule.alert === !rule.record)
          throw new InputError(`${file}: ${at}: expected exactly one of alert and record`);
        const expr = String(rule.expr);
        const labels = rule.labels ?? {};
        if (rule.record) {
          recordings.push({ record: rule.record, expr, intervalSeconds, labels });
          return;
        }
        const alert = rule.alert!;
        const n = seen.get(alert) ?? 0;
        seen.set(alert, n + 1);
        alerts.push({
          key: `${namespace}/${name}/${g.name}/${alert}${n ? `#${n + 1}` : ""}`,
          alert,
          app: labels.app ?? pr.metadata.labels?.["app.kubernetes.io/part-of"] ?? null,
          namespace,
          group: g.name,
          expr,
          intervalSeconds,
          forSeconds: durationSeconds(rule.for ?? "0s") ?? 0,
          keepFiringForSeconds: durationSeconds(rule.keep_firing_for ?? "0s") ?? 0,
          labels,
        });
      });
    });
  });
  let alertmanager: Record<string, unknown>;
  try {
    alertmanager = effectiveAlertmanagerConfig(resources);
  } catch (err) {
    throw new InputError(
      `${file}: cannot build the effective Alertmanager configuration (${(err as Error).message})`,
    );
  }
  const kps = resources.find(isKpsRelease);
  const ext = (kps?.inputs.values as { prometheus?: { prometheusSpec?: { externalLabels?: unknown } } })
    ?.prometheus?.prometheusSpec?.externalLabels;
  const externalLabels = parseOrThrow(
    labelMap.optional(),
    ext,
    file,
    "the kube-prometheus-stack release's .values.prometheus.prometheusSpec.externalLabels",
  );
  return { file, stack, alerts, recordings, alertmanager, externalLabels: externalLabels ?? {} };
}

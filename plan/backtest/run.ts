/**
 * The backtest: every alerting rule of two plans evaluated over the same range of the server's history,
 * turned into firing episodes, and routed through each plan's own Alertmanager configuration.
 */
import { Episode, Grid, episodesOf, fingerprint, summarize } from "./episodes";
import { ExpandError, expandRecordings } from "./expand";
import type { AlertRule, BacktestPlan } from "./input";
import { countNotifications } from "./notify";
import { Fetcher, QueryError, QueryLimits, Series, queryRange } from "./query";
import { ConfigError, routingOf } from "./routing";

export interface Side {
  readonly episodes: number;
  readonly firingSeconds: number;
}

export type Change = "added" | "deleted" | "changed" | "unchanged";

export interface AlertResult {
  readonly key: string;
  readonly alert: string;
  readonly app: string | null;
  readonly namespace: string;
  readonly group: string;
  /** How the rule's definition changed from the old plan to the new one. */
  readonly change: Change;
  /** Null when the plan does not have the rule, or it could not be evaluated (see `errors`). */
  readonly old: Side | null;
  readonly new: Side | null;
  readonly errors?: { old?: string; new?: string };
}

export interface ReceiverResult {
  readonly receiver: string;
  /** Null when the plan's configuration has no such receiver. */
  readonly old: number | null;
  readonly new: number | null;
}

export interface BacktestResult {
  readonly stack: string;
  readonly range: { from: string; to: string; seconds: number; stepSeconds: number | null };
  readonly alerts: AlertResult[];
  readonly receivers: ReceiverResult[];
  /** Queries sent, and whether any alert could not be evaluated (its episodes are missing from the counts). */
  readonly queries: number;
  readonly complete: boolean;
}

export interface BacktestOptions {
  readonly prometheusUrl: string;
  readonly fromMs: number;
  readonly toMs: number;
  /** Overrides every group's interval. */
  readonly stepMs?: number;
  readonly limits: QueryLimits;
  readonly fetcher: Fetcher;
  /** Queries in flight at once. @default 4 */
  readonly concurrency?: number;
  /** Called as queries are answered: how many of how many (a progress indicator). */
  readonly onProgress?: (done: number, total: number) => void;
}

interface Prepared {
  readonly rule: AlertRule;
  readonly expr?: string;
  readonly grid?: Grid;
  readonly error?: string;
}

/** `{{ $labels.x }}`, `{{ .Labels.x }}` and `{{ $externalLabels.x }}` in a label value; other templates stay. */
export function expandLabelTemplate(
  value: string,
  labels: Record<string, string>,
  ext: Record<string, string>,
) {
  return value.replace(
    /\{\{\s*(\$labels\.|\.Labels\.|\$externalLabels\.)([A-Za-z_][A-Za-z0-9_]*)\s*\}\}/g,
    (_, kind: string, name: string) => (kind === "$externalLabels." ? ext : labels)[name] ?? "",
  );
}

function prepare(plan: BacktestPlan, opts: BacktestOptions): Prepared[] {
  return plan.alerts.map((rule) => {
    const stepMs = opts.stepMs ?? rule.intervalSeconds * 1000;
    // Evaluated from before the range, so an alert pending or firing at its start is in that state.
    const warmup = Math.ceil((rule.forSeconds * 1000 + stepMs) / stepMs) * stepMs;
    const grid = { startMs: opts.fromMs - warmup, stepMs, endMs: opts.toMs };
    try {
      return { rule, expr: expandRecordings(rule.expr, plan.recordings), grid };
    } catch (err) {
      if (!(err instanceof ExpandError)) throw err;
      return { rule, error: err.message };
    }
  });
}

/** The alert's episodes from its expression's series. */
export function alertEpisodes(
  rule: AlertRule,
  series: readonly Series[],
  grid: Grid,
  ext: Record<string, string>,
) {
  const byFp = new Map<string, { labels: Record<string, string>; times: Set<number> }>();
  for (const s of series) {
    const result = { ...s.labels };
    delete result.__name__;
    const labels: Record<string, string> = { ...ext, ...result };
    for (const [k, v] of Object.entries(rule.labels)) labels[k] = expandLabelTemplate(v, result, ext);
    labels.alertname = rule.alert;
    const fp = fingerprint(labels);
    if (!byFp.has(fp)) byFp.set(fp, { labels, times: new Set() });
    for (const t of s.times) byFp.get(fp)!.times.add(t);
  }
  return [...byFp.values()].flatMap((x) =>
    episodesOf(x.labels, x.times, grid, rule.forSeconds * 1000, rule.keepFiringForSeconds * 1000),
  );
}

async function pool<T>(tasks: (() => Promise<T>)[], width: number): Promise<T[]> {
  const results: T[] = Array.from({ length: tasks.length });
  let next = 0;
  const worker = async () => {
    while (next < tasks.length) {
      const i = next++;
      results[i] = await tasks[i]();
    }
  };
  await Promise.all(Array.from({ length: Math.min(width, tasks.length) }, worker));
  return results;
}

const sameDefinition = (a: Prepared, b: Prepared) =>
  a.expr === b.expr &&
  a.rule.forSeconds === b.rule.forSeconds &&
  a.rule.keepFiringForSeconds === b.rule.keepFiringForSeconds &&
  a.grid?.stepMs === b.grid?.stepMs &&
  fingerprint(a.rule.labels) === fingerprint(b.rule.labels);

/** Runs the backtest. Throws ApiError when the server cannot answer, InputError for a plan's routing. */
export async function backtest(
  oldPlan: BacktestPlan,
  newPlan: BacktestPlan,
  opts: BacktestOptions,
): Promise<BacktestResult> {
  const routings = [oldPlan, newPlan].map((p) => {
    try {
      return routingOf(p.alertmanager);
    } catch (err) {
      if (!(err instanceof ConfigError)) throw err;
      throw new ConfigError(`${p.file}: the effective Alertmanager configuration: ${err.message}`);
    }
  });
  const sides = [prepare(oldPlan, opts), prepare(newPlan, opts)];
  // One query per distinct expression and grid: an unchanged rule is evaluated once for both plans.
  const queries = new Map<string, { expr: string; grid: Grid }>();
  const queryKey = (p: Prepared) => JSON.stringify([p.expr, p.grid]);
  for (const p of sides.flat())
    if (p.expr && p.grid) queries.set(queryKey(p), { expr: p.expr, grid: p.grid });
  const keys = [...queries.keys()];
  let answered = 0;
  opts.onProgress?.(0, keys.length);
  const answers = await pool(
    keys.map((k) => async () => {
      const q = queries.get(k)!;
      try {
        return await queryRange(opts.fetcher, opts.prometheusUrl, q.expr, q.grid, opts.limits);
      } catch (err) {
        if (err instanceof QueryError) return err;
        throw err;
      } finally {
        opts.onProgress?.(++answered, keys.length);
      }
    }),
    opts.concurrency ?? 4,
  );
  const answer = new Map(keys.map((k, i) => [k, answers[i]]));
  const evaluated = sides.map((side, i) =>
    side.map((p) => {
      const a = p.expr ? answer.get(queryKey(p)) : undefined;
      if (p.error || !a || a instanceof QueryError) return { p, error: p.error ?? (a as Error).message };
      const ext = [oldPlan, newPlan][i].externalLabels;
      return { p, episodes: alertEpisodes(p.rule, a, p.grid!, ext) };
    }),
  );
  const [oldBy, newBy] = evaluated.map((side) => new Map(side.map((e) => [e.p.rule.key, e])));
  const alerts: AlertResult[] = [...new Set([...oldBy.keys(), ...newBy.keys()])].sort().map((key) => {
    const o = oldBy.get(key);
    const n = newBy.get(key);
    const rule = (n ?? o)!.p.rule;
    const side = (e: typeof o) => (e?.episodes ? summarize(e.episodes, opts.fromMs, opts.toMs) : null);
    const change: Change = !o ? "added" : !n ? "deleted" : sameDefinition(o.p, n.p) ? "unchanged" : "changed";
    const errors = { ...(o?.error ? { old: o.error } : {}), ...(n?.error ? { new: n.error } : {}) };
    return {
      key,
      alert: rule.alert,
      app: rule.app,
      namespace: rule.namespace,
      group: rule.group,
      change,
      old: side(o),
      new: side(n),
      ...(Object.keys(errors).length ? { errors } : {}),
    };
  });
  const counts = evaluated.map((side, i) => {
    const episodes: Episode[] = side.flatMap((e) => e.episodes ?? []);
    return new Map(
      countNotifications(routings[i], episodes, opts.fromMs, opts.toMs).map((c) => [
        c.receiver,
        c.notifications,
      ]),
    );
  });
  const receivers = [...new Set([...counts[0].keys(), ...counts[1].keys()])].sort().map((receiver) => ({
    receiver,
    old: counts[0].get(receiver) ?? null,
    new: counts[1].get(receiver) ?? null,
  }));
  return {
    stack: newPlan.stack,
    range: {
      from: new Date(opts.fromMs).toISOString(),
      to: new Date(opts.toMs).toISOString(),
      seconds: (opts.toMs - opts.fromMs) / 1000,
      stepSeconds: opts.stepMs === undefined ? null : opts.stepMs / 1000,
    },
    alerts,
    receivers,
    queries: keys.length,
    complete: evaluated.every((side) => side.every((e) => !e.error)),
  };
}

/**
 * Prometheus' alerting-rule state machine, applied to an expression's results on an evaluation grid:
 * a label set becomes pending when the expression returns it, firing once it has been returned for `for`,
 * stays firing for `keep_firing_for` after the expression stops returning it, and is resolved at the
 * first evaluation after that (rules/alerting.go, Prometheus 2.42 to 3.x). Pure.
 */

export interface Grid {
  /** First evaluation, ms since the epoch. */
  readonly startMs: number;
  readonly stepMs: number;
  /** Last evaluation at or before this. */
  readonly endMs: number;
}

export interface Episode {
  /** Canonical label set (sorted JSON): one alert in Alertmanager. */
  readonly fp: string;
  readonly labels: Readonly<Record<string, string>>;
  /** When it became pending (Alertmanager's StartsAt). */
  readonly activeAtMs: number;
  /** When it started firing (when Prometheus first sends it). */
  readonly firedAtMs: number;
  /** The evaluation that resolved it; Infinity when still firing at the grid's end. */
  readonly resolvedAtMs: number;
}

export const fingerprint = (labels: Readonly<Record<string, string>>) =>
  JSON.stringify(Object.entries(labels).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));

/**
 * Episodes of one label set, given the evaluation times (ms, on the grid) at which the expression
 * returned it. `forMs` and `keepFiringForMs` as the rule has them.
 */
export function episodesOf(
  labels: Readonly<Record<string, string>>,
  presentMs: ReadonlySet<number>,
  grid: Grid,
  forMs: number,
  keepFiringForMs: number,
): Episode[] {
  const fp = fingerprint(labels);
  const out: Episode[] = [];
  let state: "inactive" | "pending" | "firing" = "inactive";
  let activeAt = 0;
  let firedAt = 0;
  let keepSince: number | undefined;
  for (let t = grid.startMs; t <= grid.endMs; t += grid.stepMs) {
    if (presentMs.has(t)) {
      if (state === "inactive") {
        state = "pending";
        activeAt = t;
      }
      keepSince = undefined;
      if (state === "pending" && t - activeAt >= forMs) {
        state = "firing";
        firedAt = t;
      }
      continue;
    }
    if (state === "firing" && keepFiringForMs > 0) {
      keepSince ??= t;
      if (t - keepSince < keepFiringForMs) continue;
    }
    if (state === "firing")
      out.push({ fp, labels, activeAtMs: activeAt, firedAtMs: firedAt, resolvedAtMs: t });
    state = "inactive";
    keepSince = undefined;
  }
  if (state === "firing")
    out.push({ fp, labels, activeAtMs: activeAt, firedAtMs: firedAt, resolvedAtMs: Infinity });
  return out;
}

/** Episodes that fire inside [fromMs, toMs] and the seconds they fire there. */
export function summarize(episodes: readonly Episode[], fromMs: number, toMs: number) {
  const inside = episodes.filter((e) => e.firedAtMs <= toMs && e.resolvedAtMs > fromMs);
  const firingMs = inside.reduce(
    (sum, e) => sum + Math.min(e.resolvedAtMs, toMs) - Math.max(e.firedAtMs, fromMs),
    0,
  );
  return { episodes: inside.length, firingSeconds: Math.round(firingMs / 1000) };
}

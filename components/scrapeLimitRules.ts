/**
 * Alerts before a scrape limit bites: over its `sampleLimit` a scrape is dropped whole and every series of
 * the target goes stale at once, so 80% is the time to act. A target in a platform namespace is one of the
 * chart's core targets (kube-state-metrics, the kubelets, the API server, …): losing it silences the
 * cluster's alerts, so it pages. Every alert keeps the target's `namespace`, which routes it to its owner.
 */
import type { AlertSpec } from "./alertSpec";

/** Share of a limit at which the alerts fire. */
export const SCRAPE_LIMIT_ALERT_RATIO = 0.8;

const regexOf = (names: readonly string[]) =>
  names.map((n) => n.replace(/[.*+?^${}()|[\]\\]/g, "\\\\$&")).join("|");

/** `scrape_sample_limit` needs Prometheus's `extra-scrape-metrics` feature (set in the chart's values). */
function sampleRatio(selector: string): string {
  return (
    `(\n  scrape_samples_post_metric_relabeling{${selector}}\n/\n` +
    `  (scrape_sample_limit{${selector}} > 0)\n) > ${SCRAPE_LIMIT_ALERT_RATIO}`
  );
}

export function scrapeLimitAlerts(platformNamespaces: readonly string[]): AlertSpec[] {
  const platform = regexOf(platformNamespaces);
  const percent = SCRAPE_LIMIT_ALERT_RATIO * 100;
  return [
    {
      alert: "CoreScrapeSampleLimitNear",
      expr: sampleRatio(`namespace=~"${platform}"`),
      for: "15m",
      severity: "critical",
      summary: `A core target is above ${percent}% of its sample limit`,
      description:
        "{{ $labels.job }} {{ $labels.instance }} sends {{ $value | humanizePercentage }} of its sampleLimit. " +
        "Over the limit its scrapes are dropped whole and the cluster's alerts on it go quiet: raise " +
        "cluster.size (the limits are derived from it) or drop series with metric relabelings.",
    },
    {
      alert: "ScrapeSampleLimitNear",
      expr: sampleRatio(`namespace!~"${platform}"`),
      for: "15m",
      severity: "warning",
      summary: `A target is above ${percent}% of its sample limit`,
      description:
        "{{ $labels.job }} {{ $labels.instance }} in {{ $labels.namespace }} sends {{ $value | humanizePercentage }} " +
        "of its sampleLimit (the app's seriesBudget, or enforcedSampleLimit); over it every scrape fails.",
    },
    {
      // The pool's namespace is in its name (`serviceMonitor/<namespace>/<name>/<endpoint>`).
      alert: "ScrapeTargetLimitNear",
      expr:
        `label_replace(\n  max by (scrape_pool) (prometheus_target_scrape_pool_targets)\n/\n` +
        `  (max by (scrape_pool) (prometheus_target_scrape_pool_target_limit) > 0),\n` +
        `  "namespace", "$1", "scrape_pool", "(?:serviceMonitor|podMonitor|probe)/([^/]+)/.*"\n) > ${SCRAPE_LIMIT_ALERT_RATIO}`,
      for: "15m",
      severity: "warning",
      summary: `A scrape pool is above ${percent}% of its target limit`,
      description:
        "{{ $labels.scrape_pool }} has {{ $value | humanizePercentage }} of its targetLimit; over it, none of its targets is scraped.",
    },
  ];
}

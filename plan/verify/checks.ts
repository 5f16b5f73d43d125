/** The checks against live APIs; each returns results, and throws ApiError when an API cannot be asked. */
import * as path from "node:path";
import { SIDECAR_UPLOAD_HOURS, sinceLastUpload } from "../../components/platformRules";
import { Client, join, query } from "./client";
import { ANSWERS, getAnswer, loadedReceivers } from "../verifyApi";
import type { Expectations } from "./expectations";
import type { CheckResult } from "./format";

export interface Endpoints {
  readonly prometheus: string;
  readonly alertmanager: string;
  readonly thanosQuery?: string;
}

const LIKELY_CAUSES =
  "not picked up by Prometheus; likely causes: the monitor's labels or namespace are outside the Prometheus " +
  "selectors, its selector matches no Service or Pod, or its port name is not one the Service has " +
  "(kubectl get prometheus -A -o yaml, and the operator's log for 'skipping')";

async function targetChecks(client: Client, ep: Endpoints, exp: Expectations): Promise<CheckResult[]> {
  const url = join(ep.prometheus, "/api/v1/targets?state=active");
  const { data } = await getAnswer(client, url, ANSWERS.targets, "a Prometheus targets answer");
  return exp.scrapePools.map(({ pool, from }) => {
    const targets = (data.activeTargets ?? []).filter((t) => t.scrapePool === pool);
    const check = `targets ${pool}`;
    if (!targets.length) return { check, ok: false, detail: `${from}: ${LIKELY_CAUSES}` };
    const down = targets.filter((t) => t.health !== "up");
    if (down.length) {
      const first = down[0];
      return {
        check,
        ok: false,
        detail: `${down.length} of ${targets.length} targets down: ${first.scrapeUrl}: ${first.lastError || first.health}`,
      };
    }
    return { check, ok: true, detail: `${targets.length} up` };
  });
}

async function ruleChecks(
  client: Client,
  ep: Endpoints,
  exp: Expectations,
  now: number,
): Promise<CheckResult[]> {
  const url = join(ep.prometheus, "/api/v1/rules");
  const { data } = await getAnswer(client, url, ANSWERS.rules, "a Prometheus rules answer");
  return exp.ruleGroups.map(({ group, filePrefix, from }) => {
    const check = `rules ${group}`;
    const found = (data.groups ?? []).find(
      (g) => g.name === group && path.basename(g.file).startsWith(filePrefix),
    );
    if (!found) {
      return {
        check,
        ok: false,
        detail: `${from}: not loaded; the operator skips a PrometheusRule it rejects (its log says why) or one outside the rule selectors`,
      };
    }
    const failing = found.rules.filter((r) => r.health === "err");
    if (failing.length) {
      return {
        check,
        ok: false,
        detail: `${failing[0].name} fails to evaluate: ${failing[0].lastError ?? "?"}`,
      };
    }
    const age = (now - Date.parse(found.lastEvaluation)) / 1000;
    if (!(age <= 3 * Math.max(found.interval, 1))) {
      return {
        check,
        ok: false,
        detail: `last evaluated ${Math.round(age)}s ago, every ${found.interval}s expected`,
      };
    }
    return { check, ok: true, detail: `${found.rules.length} rules healthy` };
  });
}

async function alertmanagerChecks(client: Client, ep: Endpoints, exp: Expectations): Promise<CheckResult[]> {
  const statusUrl = join(ep.alertmanager, "/api/v2/status");
  const status = await getAnswer(client, statusUrl, ANSWERS.amStatus, "an Alertmanager status");
  const loaded = loadedReceivers(statusUrl, status.config.original);
  const missing = exp.receivers.filter((r) => !loaded.includes(r));
  const results: CheckResult[] = [
    missing.length
      ? {
          check: "alertmanager configuration",
          ok: false,
          detail: `receiver ${missing.map((m) => JSON.stringify(m)).join(", ")} missing from the loaded configuration: the operator did not apply the new one (its log and the config-reloader's say why)`,
        }
      : { check: "alertmanager configuration", ok: true, detail: `${exp.receivers.length} receivers loaded` },
  ];
  for (const { namespace, owner } of exp.routedNamespaces) {
    // A team's prefix (`payments-*`) or one namespace: some receiver of the loaded tree belongs to it.
    const prefix = namespace.endsWith("*") ? namespace.slice(0, -1) : `${namespace}/`;
    const found = loaded.filter((r) => r.startsWith(prefix));
    results.push({
      check: `routing ${namespace}`,
      ok: found.length > 0,
      detail: found.length
        ? `${found.length} receivers of ${owner} loaded`
        : `no receiver of ${owner} in the loaded configuration: its AlertmanagerConfig is missing, rejected or outside the selector, so its alerts reach nobody`,
    });
  }
  if (exp.alertmanagerReplicas > 1) {
    const peers = status.cluster?.peers?.length ?? 0;
    results.push({
      check: "alertmanager cluster",
      ok: peers === exp.alertmanagerReplicas,
      detail: `${peers} of ${exp.alertmanagerReplicas} peers`,
    });
  }
  const watchdog = await getAnswer(
    client,
    join(ep.alertmanager, `/api/v2/alerts?active=true&filter=${encodeURIComponent('alertname="Watchdog"')}`),
    ANSWERS.amAlerts,
    "an Alertmanager alerts answer",
  );
  const firing = watchdog.filter((a) => a.status?.state === "active");
  results.push(
    firing.length
      ? { check: "watchdog", ok: true, detail: "firing, reaching Alertmanager" }
      : {
          check: "watchdog",
          ok: false,
          detail:
            "Watchdog is not firing in Alertmanager: alerts are not getting from Prometheus to Alertmanager, or it is silenced or inhibited",
        },
  );
  return results;
}

/** Checks that are PromQL queries: each lists what it finds; finding anything fails it. */
function queryChecks(
  exp: Expectations,
): { check: string; expr: string; describe: (m: Record<string, string>) => string }[] {
  return [
    {
      check: "operator",
      expr: 'max by (controller, resource) (prometheus_operator_managed_resources{state="rejected"}) > 0',
      describe: (m) =>
        `the ${m.controller ?? "operator"} rejected a ${m.resource ?? "resource"} (its log says which and why)`,
    },
    {
      check: "notifications",
      expr: "sum by (integration) (increase(alertmanager_notifications_failed_total[15m])) > 0",
      describe: (m) => `${m.integration} notifications failed in the last 15 minutes`,
    },
    ...(exp.thanos
      ? [
          {
            check: "thanos compactor",
            expr: `max(thanos_compact_halted{job="${exp.thanos.compactorJob}"}) == 1`,
            describe: () => "the compactor has halted (its log says why; the bucket needs attention)",
          },
        ]
      : []),
  ];
}

/**
 * Every sidecar reports its uploads, and none is late: the same measure as the ThanosSidecarNoUpload
 * alert (a fresh deploy counts from its start). A sidecar that is down or not scraped has no series,
 * so the alert's expression alone would pass without it: the count of reporting pods must reach the
 * Prometheus replicas.
 */
async function uploadCheck(
  client: Client,
  ep: Endpoints,
  exp: Expectations & { thanos: object },
): Promise<CheckResult> {
  const sel = `job="${exp.thanos.sidecarJob}"`;
  const [reporting, late] = await Promise.all([
    query(client, ep.prometheus, `max by (pod) (thanos_objstore_bucket_last_successful_upload_time{${sel}})`),
    query(client, ep.prometheus, `${sinceLastUpload(sel, "pod")} > ${SIDECAR_UPLOAD_HOURS} * 3600`),
  ]);
  const problems = [
    ...late.map(
      (m) =>
        `${m.metric.pod} has not uploaded a block for more than ${SIDECAR_UPLOAD_HOURS} hours since its last upload or start`,
    ),
    ...(reporting.length < exp.prometheusReplicas
      ? [
          `${reporting.length} of ${exp.prometheusReplicas} sidecars report uploads (${sel}): a sidecar is down or not scraped`,
        ]
      : []),
  ];
  return {
    check: "thanos uploads",
    ok: !problems.length,
    detail: problems.length
      ? problems.join("; ")
      : `${reporting.length} sidecars, each uploaded within ${SIDECAR_UPLOAD_HOURS} hours or started since`,
  };
}

async function thanosQueryChecks(client: Client, url: string, exp: Expectations): Promise<CheckResult[]> {
  const { data } = await getAnswer(
    client,
    join(url, "/api/v1/stores"),
    ANSWERS.stores,
    "a Thanos stores answer",
  );
  const sidecars = data.sidecar ?? [];
  const stores = data.store ?? [];
  const broken = [...sidecars, ...stores].filter((s) => s.lastError);
  const ok = !broken.length && sidecars.length >= exp.prometheusReplicas && stores.length >= 1;
  return [
    {
      check: "thanos query stores",
      ok,
      detail: broken.length
        ? `${broken[0].name}: ${broken[0].lastError}`
        : `${sidecars.length} of ${exp.prometheusReplicas} sidecars and ${stores.length} store gateways`,
    },
  ];
}

const num = (v?: [number, string]) => Number(v?.[1] ?? NaN);

/** Per destination: no failed samples in 15m, nothing pending for long, the highest-sent lag small. */
async function remoteWriteChecks(client: Client, ep: Endpoints, exp: Expectations): Promise<CheckResult[]> {
  const results: CheckResult[] = [];
  for (const rw of exp.remoteWrite) {
    const sel = `remote_name="${rw.name}"`;
    const check = `remote write ${rw.name}`;
    const [failed, pending, lag] = await Promise.all([
      query(
        client,
        ep.prometheus,
        `sum(increase(prometheus_remote_storage_samples_failed_total{${sel}}[15m]))`,
      ),
      query(client, ep.prometheus, `sum(prometheus_remote_storage_samples_pending{${sel}})`),
      query(
        client,
        ep.prometheus,
        `max(prometheus_remote_storage_highest_timestamp_in_seconds - ignoring(remote_name, url) group_right prometheus_remote_storage_queue_highest_sent_timestamp_seconds{${sel}})`,
      ),
    ]);
    if (!lag.length) {
      results.push({
        check,
        ok: false,
        detail: "no queue for this destination: Prometheus does not write to it",
      });
      continue;
    }
    const problems = [
      ...(num(failed[0]?.value) > 0 ? [`${num(failed[0]?.value)} samples failed in 15m`] : []),
      ...(num(lag[0].value) > rw.maxLagSeconds
        ? [`highest sent ${Math.round(num(lag[0].value))}s behind`]
        : []),
    ];
    results.push({
      check,
      ok: !problems.length,
      detail: problems.length
        ? problems.join("; ")
        : `sending, ${Math.round(num(lag[0].value))}s behind, ${num(pending[0]?.value) || 0} pending`,
    });
  }
  return results;
}

/** Head series against the plan, and each budgeted monitor's biggest target against its budget. */
async function seriesChecks(client: Client, ep: Endpoints, exp: Expectations): Promise<CheckResult[]> {
  const results: CheckResult[] = [];
  if (exp.headSeries) {
    const found = await query(client, ep.prometheus, "max(prometheus_tsdb_head_series)");
    const head = num(found[0]?.value);
    const ratio = head / exp.headSeries.expected;
    results.push({
      check: "head series",
      // Missing is a warning: the kps-prometheus pool's own check says whether Prometheus scrapes itself.
      ok: true,
      warn: !Number.isFinite(head) || ratio > exp.headSeries.warnRatio,
      detail: Number.isFinite(head)
        ? `${head} of ${exp.headSeries.expected} expected (${Math.round(ratio * 100)}%)${ratio > exp.headSeries.warnRatio ? ": above the plan; raise prometheus.expectedActiveSeries and re-plan the volumes" : ""}`
        : "prometheus_tsdb_head_series is missing: Prometheus does not scrape itself",
    });
  }
  for (const b of exp.seriesBudgets) {
    const found = await query(
      client,
      ep.prometheus,
      `max(scrape_samples_post_metric_relabeling{namespace="${b.namespace}"})`,
    );
    const biggest = num(found[0]?.value);
    results.push({
      check: `series budget ${b.namespace}/${b.monitor}`,
      ok: !(biggest > b.budget),
      warn: biggest > 0.8 * b.budget,
      detail: Number.isFinite(biggest)
        ? `biggest target ${biggest} of ${b.budget}`
        : "no samples scraped yet",
    });
  }
  return results;
}

/** Every check once. Throws ApiError when an API cannot be asked. */
export async function verifyOnce(
  client: Client,
  ep: Endpoints,
  exp: Expectations,
  now = Date.now(),
): Promise<CheckResult[]> {
  const results = [
    ...(await targetChecks(client, ep, exp)),
    ...(await ruleChecks(client, ep, exp, now)),
    ...(await alertmanagerChecks(client, ep, exp)),
  ];
  for (const q of queryChecks(exp)) {
    const found = await query(client, ep.prometheus, q.expr);
    results.push(
      found.length
        ? { check: q.check, ok: false, detail: found.map((f) => q.describe(f.metric)).join("; ") }
        : { check: q.check, ok: true, detail: "nothing wrong" },
    );
  }
  if (exp.thanos) results.push(await uploadCheck(client, ep, { ...exp, thanos: exp.thanos }));
  if (exp.thanos && ep.thanosQuery) results.push(...(await thanosQueryChecks(client, ep.thanosQuery, exp)));
  results.push(...(await remoteWriteChecks(client, ep, exp)), ...(await seriesChecks(client, ep, exp)));
  if (exp.networkPolicies)
    results.push({ check: "network policies", ok: true, warn: true, detail: exp.networkPolicies.note });
  return results;
}

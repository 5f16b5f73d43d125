// npm run verify -- <stack> --prometheus-url URL --alertmanager-url URL [--thanos-query-url URL]
//   [--plan out/<stack>/plan.json] [--wait 5m] [--format text|json]
//
// After `pulumi up`: asks the live Prometheus, Alertmanager and Thanos Query whether what the plan
// deployed really works. Credentials come from the environment, never flags:
// KUBE_MONITORING_VERIFY_TOKEN (bearer) or KUBE_MONITORING_VERIFY_USER and _PASSWORD (basic auth).
// Exit 0 every check passed, 1 a check failed, 3 an API could not be reached or answered nonsense.
import { SIDECAR_UPLOAD_HOURS, sinceLastUpload } from "../components/platformRules";
import * as fs from "node:fs";
import * as path from "node:path";
import { helpText, parseCommandLine } from "./cliHelp";
import { VERIFY_HELP } from "./helpTexts";
import { parse } from "yaml";
import { THANOS_SIDECAR_SERVICE } from "../components/kubePrometheusStack/names";
import { thanosName } from "../components/Thanos";
import { urlCarriesCredentials } from "../components/schemaPrimitives";
import { logSafe } from "./escape";
import { durationSeconds } from "../policies/units";
import { effectiveAlertmanagerConfig, isKpsRelease } from "./alertmanagerConfig";
import type { Plan } from "./plan";
import type { RecordedResource } from "./runtime";

type Json = Record<string, unknown>;

/** What the plan says must exist once it is deployed. */
export interface Expectations {
  /** Scrape pools as the operator names them, with the resource that asks for each. */
  readonly scrapePools: { pool: string; from: string }[];
  /** Rule groups as the operator renders them: the group name and the file prefix `<ns>-<name>-`. */
  readonly ruleGroups: { group: string; filePrefix: string; from: string }[];
  /** Receivers of the effective Alertmanager configuration. */
  readonly receivers: string[];
  readonly alertmanagerReplicas: number;
  readonly prometheusReplicas: number;
  /** With Thanos: the `job` of the sidecars' and the compactor's targets. */
  readonly thanos?: { sidecarJob: string; compactorJob: string };
}

const metaOf = (r: RecordedResource) => (r.inputs.metadata ?? {}) as { name?: string; namespace?: string };

/** The expectations of a plan. Pure. */
export function expectationsOf(plan: Pick<Plan, "resources">): Expectations {
  const scrapePools: Expectations["scrapePools"] = [];
  const ruleGroups: Expectations["ruleGroups"] = [];
  for (const r of plan.resources) {
    const { name, namespace } = metaOf(r);
    const from = `${String(r.inputs.kind)} ${namespace}/${name}`;
    const spec = (r.inputs.spec ?? {}) as Json;
    switch (r.inputs.kind) {
      case "ServiceMonitor":
      case "PodMonitor": {
        const prefix = r.inputs.kind === "ServiceMonitor" ? "serviceMonitor" : "podMonitor";
        const endpoints = ((spec.endpoints ?? spec.podMetricsEndpoints ?? []) as unknown[]).length;
        for (let i = 0; i < endpoints; i++)
          scrapePools.push({ pool: `${prefix}/${namespace}/${name}/${i}`, from });
        break;
      }
      case "Probe":
        scrapePools.push({ pool: `probe/${namespace}/${name}`, from });
        break;
      case "ScrapeConfig":
        scrapePools.push({ pool: `scrapeConfig/${namespace}/${name}`, from });
        break;
      case "PrometheusRule":
        for (const g of (spec.groups ?? []) as { name: string }[]) {
          ruleGroups.push({ group: g.name, filePrefix: `${namespace}-${name}-`, from });
        }
        break;
    }
  }
  const kps = plan.resources.find(isKpsRelease);
  const values = (kps?.inputs.values ?? {}) as Record<string, Record<string, Json>>;
  const promSpec = values.prometheus?.prometheusSpec ?? {};
  const amSpec = values.alertmanager?.alertmanagerSpec ?? {};
  // The receivers of this plan's AlertmanagerConfigs (a team stack's join the platform's configuration).
  const owners = plan.resources
    .filter((r) => r.inputs.kind === "AlertmanagerConfig")
    .map((r) => `${metaOf(r).namespace}/${metaOf(r).name}/`);
  const receivers = ((effectiveAlertmanagerConfig(plan.resources).receivers ?? []) as { name: string }[])
    .map((r) => r.name)
    .filter((name) => owners.some((o) => name.startsWith(o)));
  const thanosJobs = plan.resources.some(
    (r) => r.type === "kubernetes:apps/v1:StatefulSet" && metaOf(r).name === "thanos-compactor",
  );
  return {
    scrapePools,
    ruleGroups,
    receivers,
    alertmanagerReplicas: Number(amSpec.replicas ?? 1),
    prometheusReplicas: Number(promSpec.replicas ?? 1),
    ...(promSpec.thanos && thanosJobs
      ? { thanos: { sidecarJob: THANOS_SIDECAR_SERVICE, compactorJob: thanosName("compactor") } }
      : {}),
  };
}

/** An API that could not be reached, refused us, or answered something that is not its API. */
export class ApiError extends Error {
  constructor(
    readonly url: string,
    why: string,
  ) {
    super(`${url}: ${why}`);
    this.name = "ApiError";
  }
}

export interface Client {
  get(url: string): Promise<unknown>;
}

/** A JSON client with the credentials from the environment and a timeout per request. */
export function httpClient(env: NodeJS.ProcessEnv = process.env, timeoutMs = 10_000): Client {
  const headers: Record<string, string> = { accept: "application/json" };
  if (env.KUBE_MONITORING_VERIFY_TOKEN) headers.authorization = `Bearer ${env.KUBE_MONITORING_VERIFY_TOKEN}`;
  else if (env.KUBE_MONITORING_VERIFY_USER) {
    const basic = Buffer.from(
      `${env.KUBE_MONITORING_VERIFY_USER}:${env.KUBE_MONITORING_VERIFY_PASSWORD ?? ""}`,
    );
    headers.authorization = `Basic ${basic.toString("base64")}`;
  }
  return {
    async get(url) {
      let res: Response;
      try {
        res = await fetch(url, { headers, signal: AbortSignal.timeout(timeoutMs) });
      } catch (err) {
        const cause = (err as { cause?: { code?: string } }).cause?.code;
        const timedOut = (err as Error).name === "TimeoutError";
        throw new ApiError(
          url,
          timedOut
            ? `no answer within ${timeoutMs / 1000}s`
            : `cannot connect (${cause ?? (err as Error).message})`,
        );
      }
      if (res.status === 401 || res.status === 403) {
        throw new ApiError(
          url,
          `${res.status}: not allowed; set KUBE_MONITORING_VERIFY_TOKEN, or _USER and _PASSWORD`,
        );
      }
      if (!res.ok) throw new ApiError(url, `HTTP ${res.status}`);
      const text = await res.text();
      try {
        return JSON.parse(text);
      } catch {
        throw new ApiError(
          url,
          `answered with something that is not JSON: ${JSON.stringify(text.slice(0, 80))}`,
        );
      }
    },
  };
}

export interface CheckResult {
  readonly check: string;
  readonly ok: boolean;
  readonly detail: string;
}

export interface Endpoints {
  readonly prometheus: string;
  readonly alertmanager: string;
  readonly thanosQuery?: string;
}

const join = (base: string, p: string) => `${base.replace(/\/$/, "")}${p}`;

/** Prometheus' `data` from an API answer, or an ApiError naming the URL. */
async function promData<T>(client: Client, url: string): Promise<T> {
  const body = (await client.get(url)) as { status?: string; data?: T; error?: string };
  if (!body || typeof body !== "object" || !("data" in body))
    throw new ApiError(url, "not a Prometheus API answer");
  return body.data as T;
}

async function query(
  client: Client,
  base: string,
  expr: string,
): Promise<{ metric: Record<string, string> }[]> {
  const data = await promData<{ result: { metric: Record<string, string> }[] }>(
    client,
    join(base, `/api/v1/query?query=${encodeURIComponent(expr)}`),
  );
  return data.result ?? [];
}

const LIKELY_CAUSES =
  "not picked up by Prometheus; likely causes: the monitor's labels or namespace are outside the Prometheus " +
  "selectors, its selector matches no Service or Pod, or its port name is not one the Service has " +
  "(kubectl get prometheus -A -o yaml, and the operator's log for 'skipping')";

async function targetChecks(client: Client, ep: Endpoints, exp: Expectations): Promise<CheckResult[]> {
  type Target = { scrapePool: string; health: string; lastError: string; scrapeUrl: string };
  const data = await promData<{ activeTargets: Target[] }>(
    client,
    join(ep.prometheus, "/api/v1/targets?state=active"),
  );
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
  type Rule = { name: string; health: string; lastError?: string };
  type Group = { name: string; file: string; interval: number; lastEvaluation: string; rules: Rule[] };
  const data = await promData<{ groups: Group[] }>(client, join(ep.prometheus, "/api/v1/rules"));
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
  const status = (await client.get(join(ep.alertmanager, "/api/v2/status"))) as {
    config?: { original?: string };
    cluster?: { peers?: unknown[]; status?: string };
  };
  if (!status?.config?.original)
    throw new ApiError(join(ep.alertmanager, "/api/v2/status"), "not an Alertmanager status");
  const loaded = ((parse(status.config.original) as { receivers?: { name: string }[] })?.receivers ?? []).map(
    (r) => r.name,
  );
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
  if (exp.alertmanagerReplicas > 1) {
    const peers = status.cluster?.peers?.length ?? 0;
    results.push({
      check: "alertmanager cluster",
      ok: peers === exp.alertmanagerReplicas,
      detail: `${peers} of ${exp.alertmanagerReplicas} peers`,
    });
  }
  const watchdog = (await client.get(
    join(ep.alertmanager, `/api/v2/alerts?active=true&filter=${encodeURIComponent('alertname="Watchdog"')}`),
  )) as { status?: { state?: string } }[];
  const firing = Array.isArray(watchdog) ? watchdog.filter((a) => a.status?.state === "active") : [];
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
            check: "thanos uploads",
            // The same measure as the ThanosSidecarNoUpload alert: a fresh deploy has not uploaded yet.
            expr: `${sinceLastUpload(`job="${exp.thanos.sidecarJob}"`, "pod")} > ${SIDECAR_UPLOAD_HOURS} * 3600`,
            describe: (m: Record<string, string>) =>
              `${m.pod} has not uploaded a block for more than ${SIDECAR_UPLOAD_HOURS} hours since its last upload or start`,
          },
          {
            check: "thanos compactor",
            expr: `max(thanos_compact_halted{job="${exp.thanos.compactorJob}"}) == 1`,
            describe: () => "the compactor has halted (its log says why; the bucket needs attention)",
          },
        ]
      : []),
  ];
}

async function thanosQueryChecks(client: Client, url: string, exp: Expectations): Promise<CheckResult[]> {
  const data = await promData<Record<string, { name: string; lastError: string | null }[]>>(
    client,
    join(url, "/api/v1/stores"),
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
  if (exp.thanos && ep.thanosQuery) results.push(...(await thanosQueryChecks(client, ep.thanosQuery, exp)));
  return results;
}

/** A short table for a terminal: failures first. */
export function formatText(results: readonly CheckResult[]): string {
  const sorted = [...results].sort((a, b) => Number(a.ok) - Number(b.ok));
  const width = Math.max(...sorted.map((r) => r.check.length), 5);
  const lines = sorted.map((r) => `${r.ok ? "ok  " : "FAIL"}  ${r.check.padEnd(width)}  ${r.detail}`);
  const failed = results.filter((r) => !r.ok).length;
  return [
    ...lines,
    "",
    failed ? `${failed} of ${results.length} checks failed` : `all ${results.length} checks passed`,
  ].join("\n");
}

export interface VerifyOptions {
  readonly stack: string;
  readonly endpoints: Endpoints;
  readonly plan: Pick<Plan, "resources" | "stack">;
  /** Keep trying until every check passes or this many seconds have passed. */
  readonly waitSeconds?: number;
  readonly client?: Client;
  /** Called before each retry (a progress indicator). */
  readonly onRetry?: (failed: number) => void;
  /** Between tries. @default 5000 */
  readonly retryMs?: number;
}

export interface VerifyResult {
  readonly exitCode: 0 | 1 | 3;
  readonly results: CheckResult[];
  readonly error?: string;
}

export async function verify(opts: VerifyOptions): Promise<VerifyResult> {
  const client = opts.client ?? httpClient();
  const exp = expectationsOf(opts.plan);
  const deadline = Date.now() + (opts.waitSeconds ?? 0) * 1000;
  const pause = () => new Promise<void>((r) => setTimeout(r, opts.retryMs ?? 5000));
  for (;;) {
    let results: CheckResult[];
    try {
      results = await verifyOnce(client, opts.endpoints, exp);
    } catch (err) {
      if (!(err instanceof ApiError)) throw err;
      if (Date.now() >= deadline) return { exitCode: 3, results: [], error: err.message };
      opts.onRetry?.(-1);
      await pause();
      continue;
    }
    const failed = results.filter((r) => !r.ok).length;
    if (!failed) return { exitCode: 0, results };
    if (Date.now() >= deadline) return { exitCode: 1, results };
    opts.onRetry?.(failed);
    await pause();
  }
}

export async function main(argv: string[]): Promise<number> {
  const line = parseCommandLine(
    argv,
    {
      "prometheus-url": { type: "string" },
      "alertmanager-url": { type: "string" },
      "thanos-query-url": { type: "string" },
      plan: { type: "string" },
      wait: { type: "string", default: "0s" },
      format: { type: "string", default: "text" },
    },
    VERIFY_HELP,
  );
  if (line.kind !== "run") {
    (line.kind === "help" ? console.log : console.error)(line.text);
    return line.kind === "help" ? 0 : 1;
  }
  const { positionals } = line;
  const values = { ...line.values, wait: line.values.wait ?? "0s", format: line.values.format ?? "text" };
  const usage = helpText(VERIFY_HELP);
  const [stack] = positionals;
  const waitSeconds = durationSeconds(values.wait);
  if (!stack || positionals.length > 1 || !values["prometheus-url"] || !values["alertmanager-url"]) {
    console.error(usage);
    return 1;
  }
  if (waitSeconds === undefined || !["text", "json"].includes(values.format)) {
    console.error(`--wait takes a duration (like 5m), --format text or json\n${usage}`);
    return 1;
  }
  for (const flag of ["prometheus-url", "alertmanager-url", "thanos-query-url"] as const) {
    const url = values[flag];
    if (url === undefined) continue;
    if (!/^https?:\/\//.test(url) || !URL.canParse(url)) {
      console.error(`--${flag}: not an http(s) URL`);
      return 1;
    }
    // Never echoed: it may hold exactly what it must not.
    if (urlCarriesCredentials(url)) {
      console.error(
        `--${flag}: must not carry credentials; set KUBE_MONITORING_VERIFY_TOKEN, or _USER and _PASSWORD, instead`,
      );
      return 1;
    }
  }
  const planFile = values.plan ?? path.join("out", stack, "plan.json");
  if (!fs.existsSync(planFile)) {
    console.error(`${planFile}: no plan; run npm run plan -- ${stack} first, or name one with --plan`);
    return 1;
  }
  const plan = JSON.parse(fs.readFileSync(planFile, "utf8")) as Plan;
  if (plan.stack !== stack) {
    console.error(`${planFile}: a plan of stack ${JSON.stringify(plan.stack)}, not ${JSON.stringify(stack)}`);
    return 1;
  }
  const text = values.format === "text";
  const result = await verify({
    stack,
    plan,
    waitSeconds,
    endpoints: {
      prometheus: values["prometheus-url"],
      alertmanager: values["alertmanager-url"],
      thanosQuery: values["thanos-query-url"],
    },
    onRetry: (failed) => {
      if (text) process.stderr.write(failed < 0 ? "?" : ".");
    },
  });
  if (text) {
    process.stderr.write("\n");
    // Server responses are input: control characters and workflow commands neutralised.
    console.log(
      logSafe(result.error ? `cannot verify ${stack}: ${result.error}` : formatText(result.results)),
    );
  } else {
    console.log(
      JSON.stringify(
        { stack, exitCode: result.exitCode, error: result.error, checks: result.results },
        null,
        2,
      ),
    );
  }
  return result.exitCode;
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (err) => {
      console.error(err instanceof Error ? err.message : err);
      process.exit(1);
    },
  );
}

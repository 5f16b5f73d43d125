/**
 * `--send-test-alert RECEIVER`: one alert, labelled test="true", that the loaded Alertmanager tree
 * routes to RECEIVER and to no other receiver; resolved as soon as delivery is confirmed (or the wait
 * ends). Never sent to every receiver: in prod that pages people.
 *
 * Delivery is read from Alertmanager's notification counters through Prometheus: per receiver
 * (`receiver_name`, Alertmanager 0.28 and newer with `--enable-feature=receiver-name-in-metrics`, which
 * the stack turns on), else per integration (`integration` only, as in 0.25), which another receiver of
 * the same integration notifying in the same seconds would also move; the result says which it was.
 */
import { ApiError, Client, join, query } from "./client";
import type { CheckResult } from "./format";
import { quote } from "../backtest/expand";
import { ConfigError, routesFor, routingOf } from "../backtest/routing";
import { literalRegex } from "../../policies/util";

export const TEST_ALERT_NAME = "KubeMonitoringVerifyTestAlert";

/**
 * The labels that lead the tree to `receiver` alone: the equality matchers on a path to one of its
 * routes below the root, kept only if Alertmanager's walk of the whole test alert (with its alertname
 * and test="true") ends at that receiver and nowhere else. Throws ConfigError on a malformed tree.
 */
export function testAlertLabels(config: unknown, receiver: string): Record<string, string> | undefined {
  const { root } = routingOf(config);
  const paths: Record<string, string>[] = [];
  const walk = (node: typeof root, labels: Record<string, string>) => {
    const here = { ...labels };
    for (const m of node.matchers) {
      if (m.op !== "=") return; // a regex or negative matcher: no single label set to build
      if (here[m.name] !== undefined && here[m.name] !== m.value) return;
      here[m.name] = m.value;
    }
    if (node !== root && node.receiver === receiver) paths.push(here);
    for (const child of node.children) walk(child, here);
  };
  walk(root, {});
  const fixed = { alertname: TEST_ALERT_NAME, test: "true" };
  for (const labels of paths) {
    if (Object.entries(fixed).some(([k, v]) => labels[k] !== undefined && labels[k] !== v)) continue;
    const reached = routesFor(root, { ...labels, ...fixed }).map((n) => n.receiver);
    if (reached.length === 1 && reached[0] === receiver) return labels;
  }
  return undefined;
}

/** The integrations (`webhook`, `pagerduty`, …) a receiver of the loaded configuration notifies through. */
export function integrationsOf(config: unknown, receiver: string): string[] | undefined {
  const receivers = ((config ?? {}) as { receivers?: unknown }).receivers;
  const found = (Array.isArray(receivers) ? receivers : []).find(
    (r): r is Record<string, unknown> => typeof r === "object" && r !== null && r.name === receiver,
  );
  if (!found) return undefined;
  return Object.entries(found)
    .filter(([k, v]) => k.endsWith("_configs") && Array.isArray(v) && v.length > 0)
    .map(([k]) => k.slice(0, -"_configs".length));
}

/** Notifications sent minus those that failed, over every Alertmanager Prometheus scrapes. */
const deliveredExpr = (selector: string) =>
  `sum(alertmanager_notifications_total{${selector}}) - (sum(alertmanager_notifications_failed_total{${selector}}) or vector(0))`;

export async function sendTestAlert(
  client: Client,
  endpoints: { alertmanager: string; prometheus: string },
  config: unknown,
  receiver: string,
  { waitMs = 120_000, pollMs = 2000 }: { waitMs?: number; pollMs?: number } = {},
): Promise<CheckResult> {
  const check = `test alert ${receiver}`;
  const integrations = integrationsOf(config, receiver);
  if (!integrations)
    return { check, ok: false, detail: `no receiver ${receiver} in the loaded configuration` };
  if (!integrations.length)
    return { check, ok: false, detail: `${receiver} has no integration: a test alert would reach nobody` };
  let labels: Record<string, string> | undefined;
  try {
    labels = testAlertLabels(config, receiver);
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    throw new ApiError(join(endpoints.alertmanager, "/api/v2/status"), `config.original ${err.message}`);
  }
  if (!labels)
    return {
      check,
      ok: false,
      detail: `no route of the loaded configuration leads to ${receiver} alone by equality matchers`,
    };
  if (!client.post) throw new ApiError(endpoints.alertmanager, "this client cannot post");
  const url = join(endpoints.alertmanager, "/api/v2/alerts");
  // One start for both posts: a resolution whose end came before a later start is refused (HTTP 400),
  // which would leave the alert firing.
  const startsAt = new Date().toISOString();
  const alert = (endsAt: Date) => [
    {
      labels: { ...labels, alertname: TEST_ALERT_NAME, test: "true" },
      annotations: { summary: `kube-monitoring verify: test notification to ${receiver}; no action needed` },
      startsAt,
      endsAt: endsAt.toISOString(),
    },
  ];
  const count = async (selector: string) =>
    Number((await query(client, endpoints.prometheus, deliveredExpr(selector)))[0]?.value?.[1] ?? NaN);
  // Regexes escaped, then quoted as PromQL strings (a receiver `a.b` needs `"a\\.b"`).
  const perReceiver = `receiver_name=~${quote(`(.*/)?${literalRegex(receiver)}`)}`;
  const perIntegration = `integration=~${quote(integrations.map(literalRegex).join("|"))}`;
  let selector = perReceiver;
  let before = await count(selector);
  if (!Number.isFinite(before)) {
    selector = perIntegration;
    before = await count(selector);
  }
  await client.post(url, alert(new Date(Date.now() + 10 * 60_000)));
  let after = before;
  const deadline = Date.now() + waitMs;
  try {
    while (Number.isFinite(before) && !(after > before) && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, pollMs));
      after = await count(selector);
    }
  } finally {
    await client.post(url, alert(new Date()));
  }
  if (!Number.isFinite(before))
    return {
      check,
      ok: true,
      warn: true,
      detail:
        "sent and resolved; delivery not confirmed: Prometheus has no alertmanager_notifications_total from this Alertmanager",
    };
  const how =
    selector === perReceiver
      ? "counted for this receiver"
      : `counted per integration (${integrations.join(", ")}): this Alertmanager has no receiver_name on its ` +
        "notification counters (Alertmanager 0.28 or newer with --enable-feature=receiver-name-in-metrics), " +
        "so another receiver of the same integration notifying in these seconds would count too";
  return after > before
    ? { check, ok: true, detail: `delivered (${after - before} notifications, ${how}) and resolved` }
    : { check, ok: false, detail: `sent, not delivered within ${waitMs / 1000}s (${how}); resolved` };
}

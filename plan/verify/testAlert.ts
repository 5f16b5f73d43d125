/**
 * `--send-test-alert RECEIVER`: one alert, labelled test="true", that the effective Alertmanager tree
 * routes to RECEIVER alone; resolved as soon as delivery is confirmed (or the wait ends). Never sent to
 * every receiver: in prod that pages people.
 */
import { ApiError, Client, join, query } from "./client";
import type { CheckResult } from "./format";
import { literalRegex } from "../../policies/util";

type Route = { receiver?: string; matchers?: string[]; routes?: Route[] };
export const TEST_ALERT_NAME = "KubeMonitoringVerifyTestAlert";

/**
 * The labels that lead the tree to `receiver`: the equality matchers on the path to its first route
 * that the test alert can take. Its own `alertname` and `test` are fixed, so a route that needs
 * another value of them (the failing-notification routes match `alertname`) is passed over.
 */
export function testAlertLabels(root: Route, receiver: string): Record<string, string> | undefined {
  const fixed: Record<string, string> = { alertname: TEST_ALERT_NAME, test: "true" };
  const walk = (route: Route, labels: Record<string, string>): Record<string, string> | undefined => {
    const here = { ...labels };
    for (const m of route.matchers ?? []) {
      const eq = /^\s*([a-zA-Z_][a-zA-Z0-9_]*)\s*=\s*"?([^"]*)"?\s*$/.exec(m);
      if (!eq) return undefined; // a regex or negative matcher: no single label set to build
      if ((here[eq[1]] ?? fixed[eq[1]] ?? eq[2]) !== eq[2]) return undefined;
      here[eq[1]] = eq[2];
    }
    if (route !== root && route.receiver === receiver) return here;
    for (const child of route.routes ?? []) {
      const found = walk(child, here);
      if (found) return found;
    }
    return undefined;
  };
  return walk(root, {});
}

export async function sendTestAlert(
  client: Client,
  endpoints: { alertmanager: string; prometheus: string },
  route: Route,
  receiver: string,
  waitMs = 120_000,
): Promise<CheckResult> {
  const check = `test alert ${receiver}`;
  const labels = testAlertLabels(route, receiver);
  if (!labels)
    return {
      check,
      ok: false,
      detail: `no route of the loaded configuration leads to ${receiver} by equality matchers`,
    };
  if (!client.post) throw new ApiError(endpoints.alertmanager, "this client cannot post");
  const url = join(endpoints.alertmanager, "/api/v2/alerts");
  const alert = (endsAt: Date) => [
    {
      labels: { ...labels, alertname: TEST_ALERT_NAME, test: "true" },
      annotations: { summary: `kube-monitoring verify: test notification to ${receiver}; no action needed` },
      startsAt: new Date().toISOString(),
      endsAt: endsAt.toISOString(),
    },
  ];
  const counter = `sum(alertmanager_notifications_total{receiver_name=~"(.*/)?${literalRegex(receiver)}"})`;
  const count = async () =>
    Number((await query(client, endpoints.prometheus, counter))[0]?.value?.[1] ?? NaN);
  const before = await count();
  await client.post(url, alert(new Date(Date.now() + 10 * 60_000)));
  let after = before;
  const deadline = Date.now() + waitMs;
  try {
    while (Number.isFinite(before) && !(after > before) && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 2000));
      after = await count();
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
        "sent and resolved; delivery not confirmed: this Alertmanager has no per-receiver notification counters",
    };
  return after > before
    ? { check, ok: true, detail: `delivered (${after - before} notifications) and resolved` }
    : { check, ok: false, detail: `sent, not delivered within ${waitMs / 1000}s; resolved` };
}

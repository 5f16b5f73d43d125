/**
 * Small plan.json objects for the backtest specs, shaped as the offline plan records resources: the
 * kube-prometheus-stack release naming a global AlertmanagerConfig, that config (a default receiver,
 * a null route for the app's namespace, inhibition of warnings by criticals), the app's
 * AlertmanagerConfig (warnings to `team`, `severity=~"critical|page"` to `pager`) and its PrometheusRule.
 * Independent of the example stacks, which adopters edit.
 */
export interface FixtureRule {
  alert?: string;
  record?: string;
  expr: string;
  for?: string;
  keep_firing_for?: string;
  labels?: Record<string, string>;
}

export interface FixtureGroup {
  name: string;
  interval?: string;
  rules: FixtureRule[];
}

export const APP_NAMESPACE = "shop";
export const TEAM_RECEIVER = "shop/shop/team";
export const PAGER_RECEIVER = "shop/shop/pager";
export const DEFAULT_RECEIVER = "monitoring/platform/default";
export const NULL_RECEIVER = "monitoring/platform/null";

const eq = (name: string, value: string) => ({ name, value, matchType: "=" });

export function fixturePlan(stack: string, groups: FixtureGroup[], appRoute: Record<string, unknown> = {}) {
  const resource = (type: string, name: string, inputs: Record<string, unknown>) => ({
    urn: `urn:pulumi:${stack}::kube-monitoring::${type}::${name}`,
    type,
    name,
    parent: undefined,
    dependsOn: [],
    inputs,
    protect: false,
    retainOnDelete: false,
    custom: true,
  });
  const amc = "kubernetes:monitoring.coreos.com/v1alpha1:AlertmanagerConfig";
  return {
    stack,
    project: "kube-monitoring",
    resources: [
      resource("kubernetes:helm.sh/v3:Release", "kps-release", {
        chart: "kube-prometheus-stack",
        namespace: "monitoring",
        values: {
          prometheus: { prometheusSpec: { externalLabels: { cluster: "backtest" } } },
          alertmanager: { alertmanagerSpec: { alertmanagerConfiguration: { name: "platform" } } },
        },
      }),
      resource(amc, "platform", {
        apiVersion: "monitoring.coreos.com/v1alpha1",
        kind: "AlertmanagerConfig",
        metadata: { name: "platform", namespace: "monitoring" },
        spec: {
          route: {
            receiver: "default",
            groupBy: ["alertname", "namespace"],
            groupWait: "30s",
            groupInterval: "5m",
            repeatInterval: "4h",
            routes: [{ receiver: "null", matchers: [eq("namespace", APP_NAMESPACE)] }],
          },
          receivers: [
            { name: "default", webhookConfigs: [{ url: "http://default.invalid/" }] },
            { name: "null" },
          ],
          inhibitRules: [
            {
              sourceMatch: [eq("severity", "critical")],
              targetMatch: [eq("severity", "warning")],
              equal: ["namespace"],
            },
          ],
        },
      }),
      resource(amc, "shop", {
        apiVersion: "monitoring.coreos.com/v1alpha1",
        kind: "AlertmanagerConfig",
        metadata: { name: "shop", namespace: APP_NAMESPACE },
        spec: {
          route: {
            receiver: "team",
            groupBy: ["alertname"],
            groupWait: "30s",
            groupInterval: "5m",
            repeatInterval: "4h",
            routes: [
              {
                receiver: "pager",
                matchers: [{ name: "severity", value: "critical|page", matchType: "=~" }],
              },
            ],
            ...appRoute,
          },
          receivers: [
            { name: "team", webhookConfigs: [{ url: "http://team.invalid/" }] },
            { name: "pager", webhookConfigs: [{ url: "http://pager.invalid/" }] },
          ],
        },
      }),
      resource("kubernetes:monitoring.coreos.com/v1:PrometheusRule", "shop-rules", {
        apiVersion: "monitoring.coreos.com/v1",
        kind: "PrometheusRule",
        metadata: { name: "shop", namespace: APP_NAMESPACE, labels: { "app.kubernetes.io/part-of": "shop" } },
        spec: { groups },
      }),
    ],
    outputs: {},
    violations: [],
    loosened: [],
    checks: [],
  };
}

/**
 * A stack config of our own (never the committed examples, which adopters edit) that sets a string in
 * as many schema fields as it can: the hostile-input specs replace them one by one.
 */
export function fullConfig(): Record<string, unknown> {
  return {
    environment: "dev",
    clusterName: "fuzz-1",
    cluster: { storageClass: { name: "gp3-fuzz" } },
    prometheus: { retention: "2d", storageClass: "gp3-fuzz" },
    grafana: {
      ingress: {
        host: "grafana.fuzz.example.com",
        className: "nginx",
        tls: { secretName: "grafana-tls" },
        annotations: { "example.com/owner": "platform" },
      },
      sso: {
        name: "Company SSO",
        clientId: "client-1",
        clientSecret: { secretName: "grafana-sso", key: "client-secret" },
        authUrl: "https://sso.example.com/authorize",
        tokenUrl: "https://sso.example.com/token",
        apiUrl: "https://sso.example.com/userinfo",
        scopes: ["openid", "groups"],
        allowedDomains: ["example.com"],
        allowedGroups: ["staff"],
        groupsAttributePath: "groups",
        roles: { admin: ["platform-admins"], editor: ["sre"] },
      },
    },
    remoteWrite: [{ name: "central", url: "https://metrics.example.com/api/v1/write" }],
    federation: [{ name: "edge", url: "https://edge.example.com", match: ['{job="node"}'] }],
    alerting: {
      runbookBaseUrl: "https://runbooks.example.com/kube-monitoring",
      receivers: [
        {
          name: "platform-slack",
          slack: {
            apiUrl: { secretName: "platform-alerting-credentials", key: "slack-webhook-url" },
            channel: "#platform",
          },
        },
      ],
      defaultReceiver: "platform-slack",
    },
    apps: [
      {
        name: "shop",
        namespace: "shop",
        team: "checkout",
        target: { labels: { app: "shop" }, ports: ["metrics"] },
        serviceMonitor: { endpoints: [{ port: "metrics", path: "/metrics", interval: "30s" }] },
        alerts: {
          custom: [
            {
              alert: "ShopDown",
              expr: 'up{job="shop"} == 0',
              for: "5m",
              labels: { severity: "critical" },
              annotations: { summary: "Shop is down", description: "{{ $labels.instance }} is down" },
            },
          ],
        },
        ruleGroups: [
          {
            name: "shop-extra",
            interval: "1m",
            rules: [{ record: "job:shop_requests:rate5m", expr: "sum(rate(shop_requests_total[5m]))" }],
          },
        ],
        probes: [{ name: "home", targets: ["https://shop.example.com/"], interval: "30s" }],
      },
    ],
  };
}

/** The same, as a Pulumi stack file's `config:` (namespaced keys). */
export const namespaced = (raw: Record<string, unknown>): Record<string, unknown> =>
  Object.fromEntries(Object.entries(raw).map(([k, v]) => [`kube-monitoring:${k}`, v]));

/** Every string leaf of `value` with its key path. */
export function stringLeaves(value: unknown, at: (string | number)[] = []): (string | number)[][] {
  if (typeof value === "string") return [at];
  if (Array.isArray(value)) return value.flatMap((v, i) => stringLeaves(v, [...at, i]));
  if (value && typeof value === "object")
    return Object.entries(value).flatMap(([k, v]) => stringLeaves(v, [...at, k]));
  return [];
}

/** `value` with the leaf at `at` replaced. */
export function withLeaf(value: unknown, at: (string | number)[], leaf: unknown): Record<string, unknown> {
  const copy = structuredClone(value) as Record<string, unknown>;
  let node = copy as Record<string | number, unknown>;
  for (const part of at.slice(0, -1)) {
    node[part] ??= {}; // a section the fixture leaves to its defaults
    node = node[part] as Record<string | number, unknown>;
  }
  node[at[at.length - 1]] = leaf;
  return copy;
}

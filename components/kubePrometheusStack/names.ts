import { GLOBAL_CONFIG_LABEL } from "../alertmanagerNames";

/** Prefix of every object the chart names (`kps-prometheus`, `kps-alertmanager`, `kps-grafana`, …). */
export const RELEASE_FULLNAME = "kps";
/**
 * The external label whose value the operator sets per Prometheus pod. Thanos Query deduplicates on it,
 * so it must stay equal to the querier's `--query.replica-label`.
 */
export const PROMETHEUS_REPLICA_LABEL = "prometheus_replica";
/** The Secret keys the chart reads the Grafana admin credentials from. */
export const GRAFANA_ADMIN_KEYS = { user: "admin-user", password: "admin-password" } as const;
/** The Secret holding the generated Grafana admin password (never the chart's well-known default). */
export const GRAFANA_ADMIN_SECRET = "grafana-admin";
/** The chart's headless Service in front of the Thanos sidecars (`<fullname>-thanos-discovery`). */
export const THANOS_SIDECAR_SERVICE = `${RELEASE_FULLNAME}-thanos-discovery`;
/** The chart's Prometheus service account (`<fullname>-prometheus`); IRSA trusts it to upload blocks. */
export const PROMETHEUS_SERVICE_ACCOUNT = `${RELEASE_FULLNAME}-prometheus`;
export const OBJSTORE_SECRET = { name: "thanos-objstore-config", key: "thanos.yaml" } as const;
export const FEDERATION_SECRET = { name: "prometheus-federation", key: "federation.yaml" } as const;
export const remoteWriteSecretName = (target: string) => `remote-write-${target}`;

/** In-cluster host names of the chart's Services. */
export const serviceHost = (component: "prometheus" | "alertmanager", namespace: string) =>
  `${RELEASE_FULLNAME}-${component}.${namespace}.svc`;

/** The Prometheus selectors this release uses: which labels and namespaces a monitor must have. */
export const monitorSelectors = {
  serviceMonitors: { labels: {}, namespaces: "all" },
  podMonitors: { labels: {}, namespaces: "all" },
  probes: { labels: {}, namespaces: "all" },
  rules: { labels: {}, namespaces: "all" },
  scrapeConfigs: { labels: {}, namespaces: "all" },
  alertmanagerConfigs: { labels: {}, namespaces: "all", except: GLOBAL_CONFIG_LABEL },
} as const;
/** Grafana's service account (the grafana subchart's `<release>-grafana`, pinned). */
export const GRAFANA_SERVICE_ACCOUNT = `${RELEASE_FULLNAME}-grafana`;

import type { Resources } from "../config";
import { THANOS_PORTS } from "../Thanos";
import { GRAFANA_ADMIN_KEYS, serviceHost } from "./names";
import { SIDECAR_RESOURCES } from "./shared";

export interface GrafanaValuesInput {
  readonly namespace: string;
  readonly grafana: { readonly enabled: boolean; readonly resources: Resources };
  /** The Secret holding the admin user and password. */
  readonly adminSecretName: string;
  /** Prometheus' scrape interval: the datasources' minimum step. */
  readonly scrapeInterval: string;
  /** When Prometheus serves HTTPS from this Secret, the datasource verifies its CA. */
  readonly webTlsSecretName?: string;
  /** Add Thanos Query as a datasource for long-term queries. */
  readonly thanosDatasource: boolean;
}

/** The Grafana datasources beyond the chart's default one. */
function datasources(input: GrafanaValuesInput, caDir: string): Record<string, unknown>[] {
  const promHost = serviceHost("prometheus", input.namespace);
  const list: Record<string, unknown>[] = [];
  if (input.webTlsSecretName) {
    list.push({
      name: "Prometheus",
      type: "prometheus",
      uid: "prometheus",
      url: `https://${promHost}:9090/`,
      access: "proxy",
      isDefault: true,
      jsonData: { timeInterval: input.scrapeInterval, tlsAuthWithCACert: true, serverName: promHost },
      secureJsonData: { tlsCACert: `$__file{${caDir}/ca.crt}` },
    });
  }
  if (input.thanosDatasource) {
    list.push({
      name: "Thanos",
      type: "prometheus",
      uid: "thanos",
      url: `http://thanos-query.${input.namespace}.svc:${THANOS_PORTS.http}/`,
      access: "proxy",
      isDefault: false,
      jsonData: { timeInterval: input.scrapeInterval },
    });
  }
  return list;
}

/** The chart's `grafana` section: admin credentials from our Secret, datasources that verify TLS. */
export function grafanaValues(input: GrafanaValuesInput): Record<string, unknown> {
  const caDir = "/etc/secrets/prometheus-web-tls";
  const tlsSecret = input.webTlsSecretName;
  const extra = datasources(input, caDir);
  return {
    enabled: input.grafana.enabled,
    resources: input.grafana.resources,
    admin: {
      existingSecret: input.adminSecretName,
      userKey: GRAFANA_ADMIN_KEYS.user,
      passwordKey: GRAFANA_ADMIN_KEYS.password,
    },
    // The chart's own datasource is plain HTTP; with TLS it is replaced by one that verifies our CA.
    sidecar: tlsSecret
      ? { resources: SIDECAR_RESOURCES, datasources: { defaultDatasourceEnabled: false } }
      : { resources: SIDECAR_RESOURCES },
    ...(tlsSecret
      ? {
          extraSecretMounts: [
            { name: "prometheus-web-tls", secretName: tlsSecret, mountPath: caDir, readOnly: true },
          ],
        }
      : {}),
    ...(extra.length ? { additionalDataSources: extra } : {}),
  };
}

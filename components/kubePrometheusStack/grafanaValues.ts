import type { GrafanaConfig } from "../grafanaSchema";
import { THANOS_PORTS } from "../thanosPorts";
import { thanosName } from "../thanosArgs";
import { GRAFANA_ADMIN_KEYS, GRAFANA_SERVICE_ACCOUNT, serviceHost } from "./names";
import { SIDECAR_RESOURCES } from "./shared";

/** The annotation naming the Grafana folder a dashboard ConfigMap goes into. */
export const DASHBOARD_FOLDER_ANNOTATION = "grafana_folder";
/** The Secret holding Grafana's SSO client secret and database URL when they are Pulumi secrets. */
export const GRAFANA_AUTH_SECRET = "grafana-auth";
/** Where cert-manager writes the ingress certificate. */
export const GRAFANA_TLS_SECRET = "grafana-tls";

/** Where a credential is read from: a key of a Secret. */
export interface SecretKeyRef {
  readonly name: string;
  readonly key: string;
}

export interface GrafanaValuesInput {
  readonly namespace: string;
  readonly grafana: Pick<GrafanaConfig, "enabled" | "resources"> &
    Partial<Omit<GrafanaConfig, "enabled" | "resources">>;
  /** The Secret holding the admin user and password. */
  readonly adminSecretName: string;
  /** Prometheus' scrape interval: the datasources' minimum step. */
  readonly scrapeInterval: string;
  /** When Prometheus serves HTTPS from this Secret, the datasource verifies its CA. */
  readonly webTlsSecretName?: string;
  /** Add Thanos Query as a datasource, the default one: it deduplicates the replicas. */
  readonly thanosDatasource: boolean;
  /** Where each credential's environment variable is read from (see grafanaCredentialRefs). */
  readonly credentials?: Readonly<Record<string, SecretKeyRef>>;
  /** The storage class of Grafana's volume. */
  readonly storageClass?: string;
  /**
   * Team stacks keep their apps' dashboards in their own namespaces: the dashboards sidecar then
   * watches every namespace (grafanaRbac.ts grants ConfigMaps cluster-wide); else only its own.
   */
  readonly dashboardsClusterWide?: boolean;
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
      isDefault: !input.thanosDatasource,
      jsonData: { timeInterval: input.scrapeInterval, tlsAuthWithCACert: true, serverName: promHost },
      secureJsonData: { tlsCACert: `$__file{${caDir}/ca.crt}` },
    });
  }
  if (input.thanosDatasource) {
    list.push({
      name: "Thanos",
      type: "prometheus",
      uid: "thanos",
      // Through the query-frontend (split by day, cached), which forwards to Thanos Query.
      url: `http://${thanosName("query-frontend")}.${input.namespace}.svc:${THANOS_PORTS.http}/`,
      access: "proxy",
      isDefault: true,
      jsonData: { timeInterval: input.scrapeInterval, prometheusType: "Thanos" },
    });
  }
  return list;
}

/** `ingress`: the host with TLS from cert-manager, an existing Secret or ACM (on the ALB). */
function ingressValues(ingress: NonNullable<GrafanaConfig["ingress"]>): Record<string, unknown> {
  const annotations: Record<string, string> = {};
  let tls: { secretName: string; hosts: string[] }[] = [];
  if ("certManagerIssuer" in ingress.tls) {
    const kind = ingress.tls.issuerKind === "Issuer" ? "issuer" : "cluster-issuer";
    annotations[`cert-manager.io/${kind}`] = ingress.tls.certManagerIssuer;
    tls = [{ secretName: GRAFANA_TLS_SECRET, hosts: [ingress.host] }];
  } else if ("secretName" in ingress.tls) {
    tls = [{ secretName: ingress.tls.secretName, hosts: [ingress.host] }];
  }
  if (ingress.className === "alb") {
    annotations["alb.ingress.kubernetes.io/scheme"] = ingress.internal ? "internal" : "internet-facing";
    annotations["alb.ingress.kubernetes.io/target-type"] = "ip";
    annotations["alb.ingress.kubernetes.io/listen-ports"] = '[{"HTTPS":443}]';
    annotations["alb.ingress.kubernetes.io/ssl-policy"] = "ELBSecurityPolicy-TLS13-1-2-2021-06";
    // `/` redirects to the login page (302), which the ALB counts as unhealthy; /api/health answers 200.
    annotations["alb.ingress.kubernetes.io/healthcheck-path"] = "/api/health";
    if ("acmCertificateArn" in ingress.tls) {
      annotations["alb.ingress.kubernetes.io/certificate-arn"] = ingress.tls.acmCertificateArn;
    }
  }
  return {
    enabled: true,
    ingressClassName: ingress.className,
    annotations: { ...annotations, ...ingress.annotations },
    hosts: [ingress.host],
    path: "/",
    pathType: "Prefix",
    tls,
  };
}

/** `auth.generic_oauth`: sign-in through the provider, groups mapped to Grafana roles. */
function ssoIni(sso: NonNullable<GrafanaConfig["sso"]>): Record<string, unknown> {
  const member = (groups: string[], role: string) =>
    groups.map((g) => `contains(${sso.groupsAttributePath}[*], '${g.replaceAll("'", "\\'")}') && '${role}'`);
  const rolePath = [
    ...member(sso.roles.admin, "Admin"),
    ...member(sso.roles.editor, "Editor"),
    "'Viewer'",
  ].join(" || ");
  return {
    enabled: true,
    name: sso.name,
    client_id: sso.clientId,
    scopes: sso.scopes.join(" "),
    auth_url: sso.authUrl,
    token_url: sso.tokenUrl,
    api_url: sso.apiUrl,
    allow_sign_up: true,
    use_pkce: true,
    allowed_domains: sso.allowedDomains.join(" "),
    allowed_groups: sso.allowedGroups.join(" "),
    groups_attribute_path: sso.groupsAttributePath,
    role_attribute_path: rolePath,
  };
}

/** `grafana.ini`: the public URL, no anonymous access, and single sign-on with the login form off. */
function grafanaIni(g: GrafanaValuesInput["grafana"]): Record<string, unknown> {
  const rootUrl = g.rootUrl ?? (g.ingress ? `https://${g.ingress.host}/` : undefined);
  return {
    ...(rootUrl ? { server: { root_url: rootUrl } } : {}),
    "auth.anonymous": { enabled: false },
    ...(g.sso
      ? {
          // The generated admin password still works through the API, for break-glass access.
          auth: { disable_login_form: true, oauth_auto_login: false },
          "auth.generic_oauth": ssoIni(g.sso),
        }
      : {}),
  };
}

/**
 * The chart's `grafana` section: admin credentials from our Secret, datasources (Thanos Query first
 * when there is one), ingress, SSO, and state on a volume or in an external database.
 */
export function grafanaValues(input: GrafanaValuesInput): Record<string, unknown> {
  const caDir = "/etc/secrets/prometheus-web-tls";
  const g = input.grafana;
  const tlsSecret = input.webTlsSecretName;
  const extra = datasources(input, caDir);
  const env = Object.fromEntries(
    Object.entries(input.credentials ?? {}).map(([name, ref]) => [name, { secretKeyRef: ref }]),
  );
  const persistent = Boolean(g.persistence?.enabled) && !g.database;
  return {
    enabled: g.enabled,
    resources: g.resources,
    ...(g.replicas && g.replicas > 1 ? { replicas: g.replicas } : {}),
    admin: {
      existingSecret: input.adminSecretName,
      userKey: GRAFANA_ADMIN_KEYS.user,
      passwordKey: GRAFANA_ADMIN_KEYS.password,
    },
    // The chart's Role and ClusterRole grant Secrets as well; grafanaRbac.ts grants ConfigMaps only.
    rbac: { create: false },
    serviceAccount: { create: true, name: GRAFANA_SERVICE_ACCOUNT },
    sidecar: {
      resources: SIDECAR_RESOURCES,
      // The chart's own datasource is plain HTTP; with TLS it is replaced by one that verifies our CA.
      // With Thanos, Thanos Query is the default: it deduplicates the two replicas.
      // Datasources and dashboards come as ConfigMaps only: the sidecars never read Secrets.
      datasources: {
        resource: "configmap",
        ...(tlsSecret
          ? { defaultDatasourceEnabled: false }
          : input.thanosDatasource
            ? { isDefaultDatasource: false }
            : {}),
      },
      dashboards: {
        resource: "configmap",
        // Team stacks keep their apps' dashboards in the apps' namespaces.
        searchNamespace: input.dashboardsClusterWide ? "ALL" : input.namespace,
        folderAnnotation: DASHBOARD_FOLDER_ANNOTATION,
        provider: { foldersFromFilesStructure: true },
      },
    },
    ...(tlsSecret
      ? {
          extraSecretMounts: [
            { name: "prometheus-web-tls", secretName: tlsSecret, mountPath: caDir, readOnly: true },
          ],
        }
      : {}),
    ...(extra.length ? { additionalDataSources: extra } : {}),
    "grafana.ini": grafanaIni(g),
    ...(Object.keys(env).length ? { envValueFrom: env } : {}),
    ...(g.ingress ? { ingress: ingressValues(g.ingress) } : {}),
    ...(persistent
      ? {
          persistence: {
            enabled: true,
            type: "pvc",
            size: g.persistence!.size,
            ...(input.storageClass ? { storageClassName: input.storageClass } : {}),
          },
          // One volume, attached to one node: the old pod must stop before the new one starts.
          deploymentStrategy: { type: "Recreate" },
        }
      : {}),
  };
}

type Credential = NonNullable<GrafanaConfig["database"]>["url"];
type CredentialSources = Partial<Pick<GrafanaConfig, "sso" | "database">>;

/** Grafana's credentials: the environment variable it reads each from, and its key in GRAFANA_AUTH_SECRET. */
const GRAFANA_CREDENTIALS: {
  env: string;
  key: string;
  of: (g: CredentialSources) => Credential | undefined;
}[] = [
  { env: "GF_AUTH_GENERIC_OAUTH_CLIENT_SECRET", key: "sso-client-secret", of: (g) => g.sso?.clientSecret },
  { env: "GF_DATABASE_URL", key: "database-url", of: (g) => g.database?.url },
];

const isReference = (source: Credential): source is { secretName: string; key: string } =>
  typeof source === "object" && "secretName" in source;

/**
 * Where Grafana reads each credential it has (environment variable → Secret key): ours
 * (GRAFANA_AUTH_SECRET) for a Pulumi secret, else the Secret referenced.
 */
export function grafanaCredentialRefs(g: CredentialSources): Record<string, SecretKeyRef> {
  return Object.fromEntries(
    GRAFANA_CREDENTIALS.flatMap(({ env, key, of }) => {
      const source = of(g);
      if (source === undefined) return [];
      const ref = isReference(source)
        ? { name: source.secretName, key: source.key }
        : { name: GRAFANA_AUTH_SECRET, key };
      return [[env, ref]];
    }),
  );
}

/** The keys of GRAFANA_AUTH_SECRET: the credentials given as Pulumi secrets. */
export function grafanaAuthSecretData(
  g: CredentialSources,
): Record<string, Exclude<Credential, { secretName: string }>> {
  return Object.fromEntries(
    GRAFANA_CREDENTIALS.flatMap(({ key, of }) => {
      const source = of(g);
      return source === undefined || isReference(source) ? [] : [[key, source]];
    }),
  );
}

/**
 * Ingresses for people to Prometheus, Alertmanager and Thanos Query (through the query-frontend, as
 * Grafana reads it): one ALB each, internal unless webAccess.internal is false, HTTPS only with the ACM
 * certificate, and the ALB's OpenID Connect authentication on every request (webAccessSchema.ts says why
 * the ALB rather than a proxy). The policy web-ui-access checks what this writes.
 */
import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import { STACK_LABELS } from "./labels";
import { RELEASE_FULLNAME } from "./kubePrometheusStack/names";
import { THANOS_PORTS } from "./thanosPorts";
import type { WebAccessConfig, WebUi } from "./webAccessSchema";
import { SCHEME_ANNOTATION, WEB_UI_LABEL } from "../policies/ingressScope";

/** Every UI ingress carries WEB_UI_LABEL, with the UI's name as its value (policy web-ui-access). */
export { WEB_UI_LABEL };

const ALB = "alb.ingress.kubernetes.io";

/** Where each UI is served in the cluster, and the path the ALB checks its health on (no sign-in). */
export const WEB_UI_BACKENDS: Record<WebUi, { service: string; port: number; healthPath: string }> = {
  prometheus: { service: `${RELEASE_FULLNAME}-prometheus`, port: 9090, healthPath: "/-/healthy" },
  alertmanager: { service: `${RELEASE_FULLNAME}-alertmanager`, port: 9093, healthPath: "/-/healthy" },
  "thanos-query": { service: "thanos-query-frontend", port: THANOS_PORTS.http, healthPath: "/-/healthy" },
};

export interface WebIngressInput {
  readonly webAccess: WebAccessConfig;
  /** Grafana's SSO endpoints: the OIDC endpoints webAccess leaves out. */
  readonly sso?: { readonly authUrl: string; readonly tokenUrl: string; readonly apiUrl: string };
  /** The host of each UI that has an ingress. */
  readonly ingresses: Partial<Record<WebUi, { readonly host: string } | undefined>>;
  /** Prometheus and Alertmanager serve HTTPS (security.webTlsSecretName): the ALB then speaks HTTPS to them. */
  readonly webTls: boolean;
}

export interface WebIngressSpec {
  readonly ui: WebUi;
  readonly host: string;
  readonly service: string;
  readonly port: number;
  readonly annotations: Record<string, string>;
}

/** The ALB's OIDC settings (`auth-idp-oidc`): endpoints and the Secret with clientID and clientSecret. */
export function oidcAnnotation(input: Pick<WebIngressInput, "webAccess" | "sso">): string {
  const { oidc } = input.webAccess;
  const endpoint = (own: string | undefined, sso: string | undefined, key: string) => {
    const url = own ?? sso;
    if (!url) throw new Error(`webAccess.oidc.${key} is required without grafana.sso`);
    return url;
  };
  return JSON.stringify({
    issuer: oidc.issuer,
    authorizationEndpoint: endpoint(oidc.authorizationEndpoint, input.sso?.authUrl, "authorizationEndpoint"),
    tokenEndpoint: endpoint(oidc.tokenEndpoint, input.sso?.tokenUrl, "tokenEndpoint"),
    userInfoEndpoint: endpoint(oidc.userInfoEndpoint, input.sso?.apiUrl, "userInfoEndpoint"),
    secretName: oidc.secretName,
  });
}

/** The ingresses, as plain specs, in a fixed order. Pure. */
export function webIngressSpecs(input: WebIngressInput): WebIngressSpec[] {
  const web = input.webAccess;
  const idp = oidcAnnotation(input);
  return (Object.keys(WEB_UI_BACKENDS) as WebUi[]).flatMap((ui) => {
    const ingress = input.ingresses[ui];
    if (!ingress) return [];
    const backend = WEB_UI_BACKENDS[ui];
    const https = input.webTls && ui !== "thanos-query";
    return [
      {
        ui,
        host: ingress.host,
        service: backend.service,
        port: backend.port,
        annotations: {
          ...web.annotations,
          [SCHEME_ANNOTATION]: web.internal ? "internal" : "internet-facing",
          [`${ALB}/target-type`]: "ip",
          [`${ALB}/listen-ports`]: '[{"HTTPS":443}]',
          [`${ALB}/ssl-policy`]: "ELBSecurityPolicy-TLS13-1-2-2021-06",
          [`${ALB}/certificate-arn`]: web.tls.acmCertificateArn,
          // The health check follows only when told: its protocol defaults to HTTP.
          ...(https
            ? { [`${ALB}/backend-protocol`]: "HTTPS", [`${ALB}/healthcheck-protocol`]: "HTTPS" }
            : {}),
          [`${ALB}/healthcheck-path`]: backend.healthPath,
          [`${ALB}/auth-type`]: "oidc",
          [`${ALB}/auth-idp-oidc`]: idp,
          [`${ALB}/auth-on-unauthenticated-request`]: "authenticate",
          [`${ALB}/auth-scope`]: web.oidc.scopes.join(" "),
          [`${ALB}/auth-session-timeout`]: String(web.oidc.sessionTimeoutSeconds),
        },
      },
    ];
  });
}

/** The Ingress object of a spec. Pure. */
export function webIngressObject(spec: WebIngressSpec, namespace: pulumi.Input<string>) {
  return {
    metadata: {
      name: `${spec.ui}-web`,
      namespace,
      labels: { ...STACK_LABELS, [WEB_UI_LABEL]: spec.ui },
      annotations: spec.annotations,
    },
    spec: {
      ingressClassName: "alb",
      rules: [
        {
          host: spec.host,
          http: {
            paths: [
              {
                path: "/",
                pathType: "Prefix",
                backend: { service: { name: spec.service, port: { number: spec.port } } },
              },
            ],
          },
        },
      ],
    },
  };
}

export interface WebIngressesArgs extends WebIngressInput {
  readonly namespace: pulumi.Input<string>;
  /** What the backends are made of (the release, Thanos): the ingresses wait for them. */
  readonly backends?: pulumi.Resource[];
}

export class WebIngresses extends pulumi.ComponentResource {
  constructor(name: string, args: WebIngressesArgs, opts?: pulumi.ComponentResourceOptions) {
    super("kube-monitoring:network:WebIngresses", name, {}, opts);
    for (const spec of webIngressSpecs(args)) {
      new k8s.networking.v1.Ingress(`${name}-${spec.ui}`, webIngressObject(spec, args.namespace), {
        parent: this,
        dependsOn: args.backends ?? [],
      });
    }
    this.registerOutputs({});
  }
}

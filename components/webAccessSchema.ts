/**
 * `kube-monitoring:webAccess`: how people reach Prometheus, Alertmanager and Thanos Query in a browser.
 * Each UI with an `ingress` gets an ALB of its own (AWS Load Balancer Controller), internal by default,
 * TLS from ACM, and the ALB's OpenID Connect authentication in front of it: the same identity provider
 * as Grafana's single sign-on (its endpoints default to grafana.sso's), so one sign-in reaches every UI.
 * None of the three has a login of its own, hence authentication on the load balancer rather than in
 * the application; the ALB's addresses (its subnets' CIDRs) are admitted by the NetworkPolicies.
 */
import { z } from "zod";
import { CIDRS_ANNOTATION, internalIngressProblems, isPrivateCidr } from "../policies/ingressScope";
import { arn, dnsLabel, hostname, httpsUrl } from "./schemaPrimitives";

/** An ingress of one UI: only its host; the rest is webAccess's, shared by every UI. */
export const uiIngressSchema = z.strictObject({ host: hostname });

/** A private CIDR (RFC 1918, RFC 6598 or IPv6 unique local): an ALB subnet. */
export const privateCidr = z.string().refine(isPrivateCidr, {
  error:
    "{input} is not a private CIDR (inside 10.0.0.0/8, 172.16.0.0/12, 192.168.0.0/16, 100.64.0.0/10 or fc00::/7, like 10.0.32.0/20)",
});

/** Annotations the stack writes on every UI ingress; a user's may not replace them. */
export const STACK_OWNED_ANNOTATIONS = [
  "alb.ingress.kubernetes.io/target-type",
  "alb.ingress.kubernetes.io/listen-ports",
  "alb.ingress.kubernetes.io/ssl-policy",
  "alb.ingress.kubernetes.io/certificate-arn",
  "alb.ingress.kubernetes.io/backend-protocol",
  "alb.ingress.kubernetes.io/healthcheck-path",
  "alb.ingress.kubernetes.io/healthcheck-protocol",
  "alb.ingress.kubernetes.io/auth-type",
  "alb.ingress.kubernetes.io/auth-idp-oidc",
  "alb.ingress.kubernetes.io/auth-idp-cognito",
  "alb.ingress.kubernetes.io/auth-on-unauthenticated-request",
  "alb.ingress.kubernetes.io/auth-scope",
  "alb.ingress.kubernetes.io/auth-session-timeout",
  "alb.ingress.kubernetes.io/actions.ssl-redirect",
] as const;

export const webAccessSchema = z
  .strictObject({
    /** An internal ALB, reachable only from inside the VPC. */
    internal: z.boolean().default(true),
    tls: z.strictObject({
      acmCertificateArn: arn("acm", "arn:aws:acm:eu-west-1:123456789012:certificate/…"),
    }),
    /** The ALB's OpenID Connect authentication: every request without a session is sent to sign in. */
    oidc: z.strictObject({
      issuer: httpsUrl,
      /** Default: grafana.sso.authUrl, tokenUrl and apiUrl (the same provider as Grafana). */
      authorizationEndpoint: httpsUrl.optional(),
      tokenEndpoint: httpsUrl.optional(),
      userInfoEndpoint: httpsUrl.optional(),
      /**
       * A Secret in the monitoring namespace with keys `clientID` and `clientSecret` (the controller's
       * format), managed outside the stack; the controller must be allowed to read it.
       */
      secretName: dnsLabel,
      scopes: z
        .array(z.string().regex(/^[A-Za-z0-9_.:/-]{1,128}$/, { error: "{input} is not an OAuth scope" }))
        .min(1)
        .default(["openid", "email", "profile"]),
      /** Seconds a sign-in lasts (the ALB's default is 7 days). */
      sessionTimeoutSeconds: z.int().min(60).max(604_800).default(43_200),
    }),
    /**
     * The CIDRs of the subnets the ALBs run in: with IP targets the ALB connects to the pods from its
     * own addresses there, so the NetworkPolicies admit these (private ranges only) on the UI ports.
     */
    loadBalancerCidrs: z.array(privateCidr).default([]),
    annotations: z.record(z.string(), z.string()).default({}),
  })
  .superRefine((w, ctx) => {
    for (const key of Object.keys(w.annotations)) {
      if ((STACK_OWNED_ANNOTATIONS as readonly string[]).includes(key))
        ctx.addIssue({
          code: "custom",
          path: ["annotations", key],
          message: "is written by the stack (TLS, health check, OIDC authentication); remove it",
        });
    }
    // An internal ALB stays internal: no scheme or class of its own, no shared group, no public
    // inbound CIDRs (ingressScope.ts); the scheme, class and group are the stack's either way.
    const problems = internalIngressProblems("alb", w.annotations).filter(
      (p) => w.internal || p.at[1] !== CIDRS_ANNOTATION,
    );
    for (const p of problems)
      ctx.addIssue({
        code: "custom",
        path: [...p.at],
        message: p.message.replace("grafana.ingress.internal", "webAccess.internal"),
      });
  });

export type WebAccessConfig = z.infer<typeof webAccessSchema>;

/** The UIs that can have an ingress, and where in the config their ingress is. */
export const WEB_UIS = {
  prometheus: { ingress: ["prometheus", "ingress"] },
  alertmanager: { ingress: ["alertmanager", "ingress"] },
  "thanos-query": { ingress: ["thanos", "query", "ingress"] },
} as const;
export type WebUi = keyof typeof WEB_UIS;

interface WebAccessInput {
  environment: string;
  cluster: { networkPolicies: boolean };
  prometheus: { ingress?: { host: string }; externalUrl?: string };
  alertmanager: { ingress?: { host: string }; externalUrl?: string };
  grafana: { ingress?: { host: string }; rootUrl?: string; sso?: unknown };
  thanos: { enabled: boolean; query: { ingress?: { host: string } } };
  webAccess?: WebAccessConfig;
}

export interface WebAccessProblem {
  readonly path: (string | number)[];
  readonly message: string;
}

/** The UI ingresses a config asks for, by UI. */
export function uiIngresses(cfg: Omit<WebAccessInput, "environment" | "cluster" | "grafana">) {
  return {
    prometheus: cfg.prometheus.ingress,
    alertmanager: cfg.alertmanager.ingress,
    "thanos-query": cfg.thanos.enabled ? cfg.thanos.query.ingress : undefined,
  } satisfies Record<WebUi, { host: string } | undefined>;
}

/** What is wrong across keys: external URLs, UI ingresses and webAccess together. Pure. */
export function webAccessProblems(cfg: WebAccessInput): WebAccessProblem[] {
  const problems: WebAccessProblem[] = [];
  const urls: [string[], string | undefined][] = [
    [["prometheus", "externalUrl"], cfg.prometheus.externalUrl],
    [["alertmanager", "externalUrl"], cfg.alertmanager.externalUrl],
    [["grafana", "rootUrl"], cfg.grafana.rootUrl],
  ];
  for (const [path, url] of urls) {
    if (url === undefined || !URL.canParse(url)) continue;
    if (cfg.environment === "prod" && new URL(url).protocol !== "https:")
      problems.push({
        path,
        message: `${url} must be https:// in prod: people open it from Slack, PagerDuty and e-mail, across the network`,
      });
  }
  // With the stack's ingress the UI answers at the root of its host: a path would need rewriting.
  const served: [string[], { host: string } | undefined, string | undefined][] = [
    [["prometheus", "externalUrl"], cfg.prometheus.ingress, cfg.prometheus.externalUrl],
    [["alertmanager", "externalUrl"], cfg.alertmanager.ingress, cfg.alertmanager.externalUrl],
    [["grafana", "rootUrl"], cfg.grafana.ingress, cfg.grafana.rootUrl],
  ];
  for (const [path, ingress, url] of served) {
    if (!ingress || url === undefined || !URL.canParse(url)) continue;
    const { pathname } = new URL(url);
    if (pathname !== "/" && pathname !== "")
      problems.push({
        path,
        message: `${url} has the path ${pathname}, but the ingress serves the UI at the root of ${ingress.host}; leave the path out`,
      });
  }
  if (cfg.thanos.query.ingress && !cfg.thanos.enabled)
    problems.push({ path: ["thanos", "query", "ingress"], message: "needs thanos.enabled" });
  const wanted = Object.entries(WEB_UIS).filter(([ui]) => uiIngresses(cfg)[ui as WebUi] !== undefined);
  if (!wanted.length) return problems;
  const hosts = new Map<string, string>();
  if (cfg.grafana.ingress) hosts.set(cfg.grafana.ingress.host, "grafana.ingress");
  for (const [ui, { ingress }] of wanted) {
    const host = uiIngresses(cfg)[ui as WebUi]!.host;
    const taken = hosts.get(host);
    if (taken)
      problems.push({
        path: [...ingress, "host"],
        message: `${host} is already ${taken}'s host; give each UI its own`,
      });
    hosts.set(host, ingress.join("."));
  }
  const web = cfg.webAccess;
  if (!web) {
    for (const [, { ingress }] of wanted)
      problems.push({
        path: [...ingress],
        message:
          "needs webAccess (the ACM certificate and the OIDC provider the ALB signs people in with): " +
          "Prometheus, Alertmanager and Thanos Query have no login of their own",
      });
    return problems;
  }
  const endpoints = [
    ["authorizationEndpoint", "authUrl"],
    ["tokenEndpoint", "tokenUrl"],
    ["userInfoEndpoint", "apiUrl"],
  ] as const;
  for (const [key, ssoKey] of endpoints) {
    if (web.oidc[key] === undefined && !cfg.grafana.sso)
      problems.push({
        path: ["webAccess", "oidc", key],
        message: `is required without grafana.sso (whose ${ssoKey} it defaults to)`,
      });
  }
  if (cfg.cluster.networkPolicies && web.loadBalancerCidrs.length === 0)
    problems.push({
      path: ["webAccess", "loadBalancerCidrs"],
      message:
        "must list the ALB subnets' CIDRs: the NetworkPolicies admit the ALB (which connects to IP targets " +
        "from its own addresses) only from them; or set cluster.networkPolicies false",
    });
  return problems;
}

/** `https://<host>/` of an ingress: the default external URL of the UI behind it. */
export const ingressUrl = (ingress: { host: string } | undefined): string | undefined =>
  ingress ? `https://${ingress.host}/` : undefined;

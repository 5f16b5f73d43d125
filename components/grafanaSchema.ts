/**
 * `kube-monitoring:grafana`: how people reach Grafana (ingress with TLS), how they sign in (OAuth single
 * sign-on with role mapping), and where it keeps its state (a volume, or an external database).
 */
import { z } from "zod";
import { secretSourceSchema } from "./appSchema";
import {
  LEGACY_CLASS_ANNOTATION,
  SCHEME_ANNOTATION,
  internalIngressProblems,
} from "../policies/ingressScope";
import {
  arn,
  dnsLabel,
  externalUrl,
  hostname,
  storageQuantity,
  httpsUrl,
  iniValue,
  replicas,
  resources,
} from "./schemaPrimitives";

/** Where the ingress's certificate comes from. */
const ingressTls = z.union(
  [
    z.strictObject({
      /** A cert-manager issuer: it writes the certificate into the `grafana-tls` Secret. */
      certManagerIssuer: dnsLabel,
      issuerKind: z.enum(["ClusterIssuer", "Issuer"]).default("ClusterIssuer"),
    }),
    /** A Secret with the certificate that already exists in the monitoring namespace. */
    z.strictObject({ secretName: dnsLabel }),
    /** An ACM certificate, terminated by the AWS Load Balancer Controller (className alb). */
    z.strictObject({ acmCertificateArn: arn("acm", "arn:aws:acm:eu-west-1:123456789012:certificate/…") }),
  ],
  { error: "must be { certManagerIssuer }, { secretName } or { acmCertificateArn }" },
);

export const grafanaIngressSchema = z
  .strictObject({
    host: hostname,
    /** The IngressClass: alb (AWS Load Balancer Controller), nginx, or another the cluster has. */
    className: dnsLabel,
    tls: ingressTls,
    /** Reachable only from inside the VPC (alb: an internal load balancer). */
    internal: z.boolean().default(true),
    annotations: z.record(z.string(), z.string()).default({}),
  })
  .superRefine((ingress, ctx) => {
    // `internal: true` cannot be undone by an annotation or a class (policies/ingressScope.ts); the
    // scheme and the class are the stack's to write either way.
    const problems = internalIngressProblems(ingress.className, ingress.annotations).filter(
      (p) => ingress.internal || p.at[1] === SCHEME_ANNOTATION || p.at[1] === LEGACY_CLASS_ANNOTATION,
    );
    for (const p of problems) ctx.addIssue({ code: "custom", path: [...p.at], message: p.message });
    if ("acmCertificateArn" in ingress.tls && ingress.className !== "alb") {
      ctx.addIssue({
        code: "custom",
        path: ["tls", "acmCertificateArn"],
        message: "an ACM certificate needs className alb (the AWS Load Balancer Controller terminates TLS)",
      });
    }
  });

/**
 * A group name as the role mapping quotes it into a JMESPath expression and allowed_groups lists it
 * (space- or comma-separated): no quotes, spaces, commas or backslashes.
 */
const groupName = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.@:/=+-]{0,255}$/, {
  error: "{input} is not a group name (letters, digits and _ . @ : / = + -, no spaces or quotes)",
});

export const grafanaSsoSchema = z.strictObject({
  /** The button's label on the login page. */
  name: iniValue.min(1).max(100).default("Single sign-on"),
  clientId: z.string().regex(/^[A-Za-z0-9._~:@/+=-]{1,256}$/, { error: "{input} is not an OAuth client id" }),
  clientSecret: secretSourceSchema,
  /** The provider's OAuth endpoints (Okta, Google, Azure AD, Cognito, GitHub and others): https only. */
  authUrl: httpsUrl,
  tokenUrl: httpsUrl,
  apiUrl: httpsUrl,
  scopes: z
    .array(z.string().regex(/^[A-Za-z0-9_.:/-]{1,128}$/, { error: "{input} is not an OAuth scope" }))
    .default(["openid", "email", "profile", "groups"]),
  /** Only these email domains may sign in (empty: any): host names, no wildcards. */
  allowedDomains: z.array(hostname).default([]),
  /** Only members of these groups may sign in (empty: any). */
  allowedGroups: z.array(groupName).default([]),
  /** Where the groups are in the provider's user info (a JMESPath field path such as `groups`). */
  groupsAttributePath: z
    .string()
    .regex(/^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$/, {
      error: "{input} is not a field path (like groups or realm_access.roles)",
    })
    .default("groups"),
  /** Groups that get Admin or Editor; everyone else is a Viewer. */
  roles: z
    .strictObject({
      admin: z.array(groupName).default([]),
      editor: z.array(groupName).default([]),
    })
    .prefault({}),
});

export const grafanaSchema = z
  .strictObject({
    enabled: z.boolean().default(true),
    resources: resources({ cpu: "100m", memory: "256Mi" }, { cpu: "500m", memory: "512Mi" }),
    replicas: replicas.default(1),
    ingress: grafanaIngressSchema.optional(),
    /** Grafana's public URL (`server.root_url`), for links and the SSO redirect. Default: the ingress's. */
    rootUrl: externalUrl.optional(),
    sso: grafanaSsoSchema.optional(),
    /** Grafana's SQLite database on a volume of the stack's StorageClass (one replica). */
    persistence: z
      .strictObject({
        enabled: z.boolean().default(true),
        size: storageQuantity.default("10Gi"),
        /** Defaults to the stack's StorageClass (cluster.storageClass). */
        storageClass: z.string().min(1).optional(),
      })
      .prefault({}),
    /** An external database (`postgres://…` or `mysql://…`, with its credentials) for several replicas. */
    database: z.strictObject({ url: secretSourceSchema }).optional(),
  })
  .superRefine((g, ctx) => {
    if (g.replicas > 1 && !g.database) {
      ctx.addIssue({
        code: "custom",
        path: ["replicas"],
        message: "more than one replica needs grafana.database: SQLite on a volume has one writer",
      });
    }
    if (g.sso && !g.ingress) {
      ctx.addIssue({
        code: "custom",
        path: ["sso"],
        message: "needs grafana.ingress: the provider redirects people back to Grafana's public URL",
      });
    }
  });

export type GrafanaConfig = z.infer<typeof grafanaSchema>;

/** Grafana for people: TLS on any ingress, single sign-on, no anonymous access. */
import type { ReportViolation, ResourceValidationArgs } from "@pulumi/policy";
import { HELM_RELEASE, Json, KPS_CHART, Policy, get } from "./util";
import { ALB_CLASS, SCHEME_ANNOTATION, internalIngressProblems } from "./ingressScope";

/** Grafana's sign-in integrations other than its own login form. */
const SSO_SECTIONS = [
  "auth.generic_oauth",
  "auth.okta",
  "auth.google",
  "auth.azuread",
  "auth.github",
  "auth.gitlab",
  "auth.jwt",
  "auth.proxy",
  "auth.ldap",
];

export const grafanaAccess: Policy = {
  name: "grafana-access",
  description:
    "Grafana is served over TLS wherever an ingress exposes it, signs people in through single sign-on, " +
    "allows no anonymous access, and its sidecars cannot read Secrets (the chart's RBAC off). A stack without SSO says so by setting this policy advisory.",
  enforcementLevel: "mandatory",
  configSchema: { properties: {} },
  validateResource: (args: ResourceValidationArgs, report: ReportViolation) => {
    if (args.type !== HELM_RELEASE || args.props.chart !== KPS_CHART) return;
    const grafana = (get(args.props.values, "grafana") ?? {}) as Json;
    if (grafana.enabled === false) return;
    const ini = (grafana["grafana.ini"] ?? {}) as Record<string, Json | undefined>;
    const where = `Helm release ${args.name}: Grafana`;
    if (ini["auth.anonymous"]?.enabled === true || ini["auth.anonymous"]?.enabled === "true") {
      report(`${where} lets anyone in anonymously (grafana.ini auth.anonymous.enabled); turn it off.`);
    }
    const ingress = (grafana.ingress ?? {}) as Json;
    if (ingress.enabled === true) {
      const annotations = (ingress.annotations ?? {}) as Record<string, string>;
      // An internal ALB stays internal: no shared group, no public CIDR, no other class (ingressScope.ts).
      if (annotations[SCHEME_ANNOTATION] === "internal") {
        const rest = Object.fromEntries(Object.entries(annotations).filter(([k]) => k !== SCHEME_ANNOTATION));
        const className = String(ingress.ingressClassName ?? "");
        for (const p of internalIngressProblems(className, rest)) {
          report(`${where}'s ingress is internal, but ${p.at[1] ?? "ingressClassName"} ${p.message}.`);
        }
        if (className !== ALB_CLASS && !/alb|elb|nlb|aws/i.test(className))
          report(
            `${where}'s ingress has an ALB scheme annotation on class ${JSON.stringify(className)}, not alb.`,
          );
      }
      const tls = Array.isArray(ingress.tls) && ingress.tls.length > 0;
      const albTls =
        ingress.ingressClassName === "alb" &&
        Boolean(annotations["alb.ingress.kubernetes.io/certificate-arn"]) &&
        !/"HTTP"/.test(annotations["alb.ingress.kubernetes.io/listen-ports"] ?? '"HTTP"');
      if (!tls && !albTls) {
        report(
          `${where} is exposed by an ingress without TLS; set grafana.ingress.tls (a cert-manager issuer, a ` +
            "Secret, or an ACM certificate on alb).",
        );
      }
    }
    // The chart's own Role and ClusterRole grant the sidecars Secrets with ConfigMaps, whatever they read.
    const rbac = (grafana.rbac ?? {}) as Json;
    if (rbac.create !== false && rbac.create !== "false") {
      report(
        `${where}'s chart RBAC (rbac.create) lets its sidecars read Secrets; set grafana.rbac.create false ` +
          "and grant ConfigMaps only, as the stack does (components/kubePrometheusStack/grafanaRbac.ts).",
      );
    }
    const sso = SSO_SECTIONS.some((s) => ini[s]?.enabled === true || ini[s]?.enabled === "true");
    if (!sso) {
      report(
        `${where} has no single sign-on; set grafana.sso, or make this policy advisory in the stack's ` +
          "policy config to record why not.",
      );
    }
  },
};

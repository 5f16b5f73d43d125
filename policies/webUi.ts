/**
 * Prometheus, Alertmanager and Thanos Query for people: none has a login of its own, so every ingress the
 * stack makes for them (label WEB_UI_LABEL) signs people in on the ALB (OIDC), serves HTTPS only, and
 * stays internal, with the same scope rules as Grafana's internal ALB (ingressScope.ts).
 */
import type { ReportViolation, ResourceValidationArgs } from "@pulumi/policy";
import type { Json, Policy } from "./util";
import { ALB_CLASS, SCHEME_ANNOTATION, WEB_UI_LABEL, internalIngressProblems } from "./ingressScope";

const INGRESS = "kubernetes:networking.k8s.io/v1:Ingress";
const ALB = "alb.ingress.kubernetes.io";

/** Why a web UI ingress (its class and annotations) would let people in unsigned or from outside. Pure. */
export function webUiIngressProblems(className: string, annotations: Record<string, string>): string[] {
  const problems: string[] = [];
  if (className !== ALB_CLASS)
    problems.push(`has class ${JSON.stringify(className)}; the stack's sign-in is the ALB's (class alb)`);
  const scheme = annotations[SCHEME_ANNOTATION];
  if (scheme !== "internal")
    problems.push(
      `${scheme === undefined ? "has no scheme annotation (the controller's defaults and IngressClassParams decide it)" : `is ${JSON.stringify(scheme)}`}: ` +
        "a UI with no login of its own stays on the internal network (webAccess.internal)",
    );
  else {
    const rest = Object.fromEntries(Object.entries(annotations).filter(([k]) => k !== SCHEME_ANNOTATION));
    for (const p of internalIngressProblems(className, rest))
      problems.push(`is internal, but ${p.at[1] ?? "its class"} ${p.message}`);
  }
  if (annotations[`${ALB}/auth-type`] !== "oidc" || !annotations[`${ALB}/auth-idp-oidc`])
    problems.push("does not sign people in (auth-type oidc with auth-idp-oidc)");
  const onUnauthenticated = annotations[`${ALB}/auth-on-unauthenticated-request`] ?? "authenticate";
  if (onUnauthenticated !== "authenticate" && onUnauthenticated !== "deny")
    problems.push(
      `lets unauthenticated requests through (auth-on-unauthenticated-request ${onUnauthenticated})`,
    );
  if (!annotations[`${ALB}/certificate-arn`] || /"HTTP"/.test(annotations[`${ALB}/listen-ports`] ?? '"HTTP"'))
    problems.push('is not HTTPS only (listen-ports [{"HTTPS":443}] with certificate-arn)');
  return problems;
}

export const webUiAccess: Policy = {
  name: "web-ui-access",
  description:
    "Every ingress the stack makes for Prometheus, Alertmanager or Thanos Query is an internal ALB that " +
    "signs people in (OIDC) and serves HTTPS only: none of them has a login of its own. A stack that " +
    "exposes them publicly on purpose says so by setting this policy advisory.",
  enforcementLevel: "mandatory",
  configSchema: { properties: {} },
  validateResource: (args: ResourceValidationArgs, report: ReportViolation) => {
    if (args.type !== INGRESS) return;
    const metadata = (args.props.metadata ?? {}) as Json;
    const ui = ((metadata.labels ?? {}) as Record<string, string>)[WEB_UI_LABEL];
    if (ui === undefined) return;
    const className = String(((args.props.spec ?? {}) as Json).ingressClassName ?? "");
    const annotations = (metadata.annotations ?? {}) as Record<string, string>;
    for (const problem of webUiIngressProblems(className, annotations))
      report(`Ingress ${args.name} (${ui}) ${problem}.`);
  },
};

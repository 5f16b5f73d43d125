/**
 * What keeps an internal Grafana ingress internal, shared by the stack schema (grafana.ingress) and the
 * policy grafana-access (on the rendered chart values). The stack writes the ALB scheme itself on class
 * `alb`, so nothing else may: not a scheme annotation, not the legacy class annotation, not a shared ALB
 * group (its load balancer can be internet-facing), not another ALB class (its IngressClassParams would
 * decide the scheme, which the stack cannot see); and inbound-cidrs hold private ranges only.
 */
import { BlockList, isIP } from "node:net";

export const ALB_CLASS = "alb";
export const SCHEME_ANNOTATION = "alb.ingress.kubernetes.io/scheme";
export const GROUP_ANNOTATION = "alb.ingress.kubernetes.io/group.name";
export const CIDRS_ANNOTATION = "alb.ingress.kubernetes.io/inbound-cidrs";
/** Overrides ingressClassName on most controllers. */
export const LEGACY_CLASS_ANNOTATION = "kubernetes.io/ingress.class";

/** RFC 1918, RFC 6598 (carrier-grade NAT, used by EKS pod networking) and IPv6 unique local (fc00::/7). */
const PRIVATE: [string, number, "ipv4" | "ipv6"][] = [
  ["10.0.0.0", 8, "ipv4"],
  ["172.16.0.0", 12, "ipv4"],
  ["192.168.0.0", 16, "ipv4"],
  ["100.64.0.0", 10, "ipv4"],
  ["fc00::", 7, "ipv6"],
];

/** Whether `cidr` (`10.1.0.0/16`) lies wholly inside a private range. */
export function isPrivateCidr(cidr: string): boolean {
  const match = /^([0-9a-fA-F.:]+)\/(\d{1,3})$/.exec(cidr.trim());
  if (!match) return false;
  const [, address, bits] = match;
  const type = isIP(address) === 4 ? "ipv4" : isIP(address) === 6 ? "ipv6" : undefined;
  if (!type || Number(bits) > (type === "ipv4" ? 32 : 128)) return false;
  const range = PRIVATE.find(([net, prefix, t]) => {
    if (t !== type || Number(bits) < prefix) return false;
    const one = new BlockList();
    one.addSubnet(net, prefix, t);
    return one.check(address, type);
  });
  return range !== undefined;
}

export interface IngressProblem {
  /** `className`, or `annotations` with the annotation's key. */
  readonly at: ["className"] | ["annotations", string];
  readonly message: string;
}

/**
 * Why an ingress of class `className` with `annotations` (the user's, before the stack adds its own)
 * would not stay internal. Pure.
 */
export function internalIngressProblems(
  className: string,
  annotations: Readonly<Record<string, string>>,
): IngressProblem[] {
  const problems: IngressProblem[] = [];
  if (className !== ALB_CLASS && /alb|elb|nlb|aws/i.test(className))
    problems.push({
      at: ["className"],
      message: `${JSON.stringify(className)}: an internal ingress on the AWS Load Balancer Controller uses className alb, whose scheme the stack sets; another class's IngressClassParams may make it internet-facing`,
    });
  if (LEGACY_CLASS_ANNOTATION in annotations)
    problems.push({
      at: ["annotations", LEGACY_CLASS_ANNOTATION],
      message: "overrides className on most controllers; set className instead",
    });
  if (SCHEME_ANNOTATION in annotations)
    problems.push({
      at: ["annotations", SCHEME_ANNOTATION],
      message: "is set by the stack from grafana.ingress.internal; remove it",
    });
  if (GROUP_ANNOTATION in annotations)
    problems.push({
      at: ["annotations", GROUP_ANNOTATION],
      message:
        "joins a shared ALB, which other ingresses may make internet-facing; an internal Grafana has its own",
    });
  const cidrs = annotations[CIDRS_ANNOTATION];
  if (cidrs !== undefined) {
    // An empty annotation is an empty list, not one empty range.
    const open = cidrs.trim() ? cidrs.split(",").filter((c) => !isPrivateCidr(c)) : [];
    if (open.length || !cidrs.trim())
      problems.push({
        at: ["annotations", CIDRS_ANNOTATION],
        message: `${open.length ? open.map((c) => JSON.stringify(c.trim())).join(", ") : "an empty list"}: an internal ingress admits private ranges only (10.0.0.0/8, 172.16.0.0/12, 192.168.0.0/16, 100.64.0.0/10, fc00::/7)`,
      });
  }
  return problems;
}

/** The label every ingress the stack makes for a web UI (Prometheus, Alertmanager, Thanos Query) carries. */
export const WEB_UI_LABEL = "kube-monitoring.io/web-ui";

/**
 * The links in a page: Slack's title and PagerDuty's client URL open Alertmanager's alert list at its
 * externalUrl, each alert's source opens its rule's query at Prometheus' externalUrl. Without one, or with
 * an address only the cluster resolves, the person paged cannot follow them. Advisory: dev stacks often
 * have no ingress, and a port-forward's address is fine there.
 */
import type { ReportViolation, ResourceValidationArgs } from "@pulumi/policy";
import { HELM_RELEASE, KPS_CHART, type Policy, get, printable } from "./util";

const SERVERS = [
  { name: "Alertmanager", path: "alertmanager.alertmanagerSpec.externalUrl", key: "alertmanager" },
  { name: "Prometheus", path: "prometheus.prometheusSpec.externalUrl", key: "prometheus" },
] as const;

/**
 * A host only the cluster or one machine resolves: a Service name, `<service>.<release namespace>`,
 * `*.svc`, `*.cluster.local`, loopback or the unspecified address.
 */
function clusterOnly(host: string, namespace: string): boolean {
  const h = host.toLowerCase().replace(/\.$/, "");
  return (
    !h.includes(".") ||
    (namespace !== "" && h.endsWith(`.${namespace.toLowerCase()}`) && h.split(".").length === 2) ||
    h.endsWith(".svc") ||
    h.endsWith(".cluster.local") ||
    /^127\.\d+\.\d+\.\d+$/.test(h) ||
    h === "0.0.0.0" ||
    h === "[::1]" ||
    h === "[::]" ||
    h.endsWith(".localhost")
  );
}

/** Why the kube-prometheus-stack values' links cannot be opened by the person paged. Pure. */
export function notificationLinkProblems(values: unknown, namespace = ""): string[] {
  const problems: string[] = [];
  for (const s of SERVERS) {
    const url = get(values, s.path);
    const fix = `set ${s.key}.externalUrl (or ${s.key}.ingress)`;
    if (url === undefined || url === null || url === "") {
      problems.push(
        `${s.name} has no externalUrl: the chart points the links in notifications at its in-cluster Service address, which nobody paged can open; ${fix}`,
      );
      continue;
    }
    const shown = printable(JSON.stringify(String(url)));
    let host: string;
    try {
      if (typeof url !== "string") throw new TypeError("not a string");
      host = new URL(url).hostname;
    } catch {
      problems.push(`${s.name}'s externalUrl ${shown} is not a URL; ${fix}`);
      continue;
    }
    if (clusterOnly(host, namespace))
      problems.push(
        `${s.name}'s externalUrl ${shown} has a host only the cluster or one machine resolves, so the links in notifications open nothing for the person paged; ${fix}`,
      );
  }
  return problems;
}

export const notificationLinks: Policy = {
  name: "notification-links",
  description:
    "Alertmanager and Prometheus have external URLs people can open, so the links in a page (the alert " +
    "list, the rule's query) lead somewhere. Advisory: a dev stack without an ingress is fine.",
  enforcementLevel: "advisory",
  configSchema: { properties: {} },
  validateResource: (args: ResourceValidationArgs, report: ReportViolation) => {
    if (args.type !== HELM_RELEASE || args.props.chart !== KPS_CHART) return;
    if (get(args.props.values, "alertmanager.enabled") === false) return;
    const namespace = typeof args.props.namespace === "string" ? args.props.namespace : "";
    for (const p of notificationLinkProblems(args.props.values, namespace))
      report(`Helm release ${args.name}: ${p}.`);
  },
};

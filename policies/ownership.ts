/**
 * Alert ownership: every alert the stack creates reaches the receivers of the owner of its
 * `namespace`, and only those. The Alertmanager tree is composed as prometheus-operator composes it
 * (each namespaced AlertmanagerConfig's top route first, with `namespace="<ns>"` and `continue`, then
 * the global config's routes) and walked as Alertmanager walks it (first match per level, `continue`
 * goes on). Receivers are named `<namespace>/<config>/<receiver>`; a namespace's receivers are its owner's.
 */
import type { PolicyResource, ReportViolation, StackValidationArgs } from "@pulumi/policy";
import { Route, matches } from "./alerting";
import { AMC, type Json, type Policy } from "./util";

const RULE = "kubernetes:monitoring.coreos.com/v1:PrometheusRule";
const GLOBAL_LABEL = "kube-monitoring.io/alertmanager-global";
/** On an app's AlertmanagerConfig whose owner opted in to copies of its alerts to the platform. */
export const COPIES_TO_PLATFORM_ANNOTATION = "kube-monitoring.io/copies-to-platform";
/** Meta-monitoring that reports a failing receiver to its owner and, by design, to the platform too. */
const REPORTED_TO_BOTH = new Set(["AlertmanagerNotificationsFailing"]);
/** A kube alert stands in for the chart's rules about a namespace's pods, volumes and jobs. */
const KUBE_ALERT = "KubePodCrashLooping";

export interface RoutedAlert {
  alert: string;
  namespace: string;
  severity: string;
  /** The app the alert is about, when it has one. */
  app?: string;
  /** Whether the alert is a stand-in for the chart's kube alerts about the namespace. */
  kube: boolean;
  /** Receivers that notify, in the order Alertmanager reaches them. */
  receivers: string[];
  /** Whether the platform's tree drops the alert (`null`) after its owner's receivers. */
  swallowed: boolean;
  /** Why the routing is wrong, or undefined. */
  problem?: string;
}

const named = (ns: string, name: string, receiver: string) => `${ns}/${name}/${receiver}`;

function renamed(route: Route, ns: string, name: string): Route {
  return {
    ...route,
    ...(route.receiver ? { receiver: named(ns, name, route.receiver) } : {}),
    routes: (route.routes ?? []).map((r) => renamed(r, ns, name)),
  };
}

/** The Alertmanager route tree the operator builds from the stack's AlertmanagerConfigs, or undefined. */
export function composedTree(
  resources: readonly Pick<PolicyResource, "type" | "props">[],
): Route | undefined {
  const amcs = resources.filter((r) => r.type === AMC);
  const global = amcs.find((r) => ((r.props.metadata as Json)?.labels as Json)?.[GLOBAL_LABEL] === "true");
  if (!global) return undefined;
  const meta = (r: (typeof amcs)[number]) => r.props.metadata as { namespace: string; name: string };
  const top = (r: (typeof amcs)[number]) => (r.props.spec as { route?: Route }).route;
  const namespaced = amcs
    .filter((r) => r !== global && top(r))
    .sort((a, b) =>
      `${meta(a).namespace}/${meta(a).name}`.localeCompare(`${meta(b).namespace}/${meta(b).name}`),
    )
    .map((r) => {
      const { namespace, name } = meta(r);
      const route = renamed(top(r)!, namespace, name);
      return {
        ...route,
        matchers: [...(route.matchers ?? []), { name: "namespace", value: namespace, matchType: "=" }],
        continue: true,
      };
    });
  const root = renamed(top(global) ?? {}, meta(global).namespace, meta(global).name);
  return { ...root, routes: [...namespaced, ...(root.routes ?? [])] };
}

/**
 * A route's children by the namespace an exact `namespace=` matcher pins them to (the rest, `open`, may
 * match any): a tree with a route per namespace is walked in the alerts' own namespaces only.
 */
interface ChildIndex {
  open: number[];
  byNamespace: Map<string, number[]>;
}

const childIndexes = new WeakMap<Route, ChildIndex>();

/** The children of `route` an alert with `labels` can match, in order (all of them for a few). */
function candidates(route: Route, labels: Record<string, string>): Route[] {
  const children = route.routes ?? [];
  if (children.length < 16) return children;
  let index = childIndexes.get(route);
  if (!index) {
    index = { open: [], byNamespace: new Map() };
    children.forEach((child, i) => {
      const pinned = (child.matchers ?? []).find(
        (m) => m.name === "namespace" && (m.matchType ?? "=") === "=",
      );
      if (!pinned) index!.open.push(i);
      else {
        const ns = pinned.value ?? "";
        index!.byNamespace.set(ns, [...(index!.byNamespace.get(ns) ?? []), i]);
      }
    });
    childIndexes.set(route, index);
  }
  const pinned = index.byNamespace.get(labels.namespace ?? "") ?? [];
  const merged: Route[] = [];
  // Both lists are in the children's order: merge them to keep it.
  for (let a = 0, b = 0; a < index.open.length || b < pinned.length;) {
    if (b >= pinned.length || (a < index.open.length && index.open[a] < pinned[b]))
      merged.push(children[index.open[a++]]);
    else merged.push(children[pinned[b++]]);
  }
  return merged;
}

/** The receivers an alert reaches, in order, as Alertmanager routes it (`continue` included). */
export function receiversFor(root: Route, labels: Record<string, string>): string[] {
  const walk = (route: Route, inherited: string | undefined): string[] => {
    const receiver = route.receiver ?? inherited;
    const out: string[] = [];
    for (const child of candidates(route, labels)) {
      if (!(child.matchers ?? []).every((m) => matches(m, labels))) continue;
      out.push(...walk(child, receiver));
      if (!child.continue) return out;
    }
    return out.length ? out : receiver ? [receiver] : [];
  };
  return walk(root, undefined);
}

const isNull = (receiver: string) => receiver.split("/").pop() === "null";

/** Every alert of the stack's PrometheusRules, and a kube alert for each namespace with routing. */
function alertsOf(resources: readonly Pick<PolicyResource, "type" | "props">[]) {
  const alerts: { labels: Record<string, string>; kube: boolean }[] = [];
  for (const r of resources.filter((x) => x.type === RULE)) {
    const ns = String((r.props.metadata as Json)?.namespace ?? "");
    for (const group of ((r.props.spec as Json)?.groups ?? []) as { rules?: Json[] }[]) {
      for (const rule of group.rules ?? []) {
        if (typeof rule.alert !== "string") continue;
        const labels = { ...((rule.labels ?? {}) as Record<string, string>) };
        alerts.push({ labels: { namespace: ns, ...labels, alertname: rule.alert }, kube: false });
      }
    }
  }
  const routed = new Set(
    resources
      .filter(
        (r) => r.type === AMC && ((r.props.metadata as Json)?.labels as Json)?.[GLOBAL_LABEL] !== "true",
      )
      .map((r) => String((r.props.metadata as Json)?.namespace)),
  );
  for (const ns of [...routed].sort()) {
    alerts.push({ labels: { alertname: KUBE_ALERT, namespace: ns, severity: "warning" }, kube: true });
  }
  const copies = new Set(
    resources
      .filter(
        (r) =>
          r.type === AMC &&
          ((r.props.metadata as Json)?.annotations as Json)?.[COPIES_TO_PLATFORM_ANNOTATION] === "true",
      )
      .map((r) => String((r.props.metadata as Json)?.namespace)),
  );
  return { alerts, routed, copies };
}

/** For every alert the stack creates, the receivers it reaches and whether that is its owner's only. */
export function alertRouting(
  resources: readonly Pick<PolicyResource, "type" | "props">[],
): RoutedAlert[] | undefined {
  const root = composedTree(resources);
  if (!root) return undefined;
  const { alerts, routed, copies } = alertsOf(resources);
  const platformNs = String(
    (
      resources.find(
        (r) => r.type === AMC && ((r.props.metadata as Json)?.labels as Json)?.[GLOBAL_LABEL] === "true",
      )!.props.metadata as Json
    ).namespace,
  );
  return alerts.map(({ labels, kube }) => {
    const reached = receiversFor(root, labels);
    const receivers = reached.filter((r) => !isNull(r));
    const ns = labels.namespace;
    // A namespace with its own routing is its owner's; any other belongs to the platform.
    const ownerNs = routed.has(ns) ? ns : platformNs;
    const foreign = receivers.filter((r) => {
      const rNs = r.split("/")[0];
      const copied = REPORTED_TO_BOTH.has(labels.alertname) || copies.has(ns);
      return rNs !== ownerNs && !(copied && rNs === platformNs);
    });
    // The platform's own alerts reaching nobody are alert-delivery's finding (levels per profile).
    const problem =
      !receivers.length && routed.has(ns)
        ? `reaches no receiver that notifies anyone (${reached.join(", ") || "no route"})`
        : foreign.length
          ? `reaches ${foreign.join(", ")}, which belong${foreign.length > 1 ? "" : "s"} to another owner than namespace ${ns}'s`
          : undefined;
    return {
      alert: labels.alertname,
      namespace: ns,
      severity: labels.severity ?? "",
      ...(labels.app ? { app: labels.app } : {}),
      kube,
      receivers,
      swallowed: reached.some(isNull) && receivers.length > 0,
      ...(problem ? { problem } : {}),
    };
  });
}

export const alertOwnership: Policy = {
  name: "alert-ownership",
  description:
    "Every alert the stack creates, and the kube alerts about each routed namespace, reach a receiver of the namespace's owner and no other owner's (a failing-notification alert also reaches the platform).",
  enforcementLevel: "mandatory",
  configSchema: { properties: {} },
  validateStack: (args: StackValidationArgs, report: ReportViolation) => {
    const routing = alertRouting(args.resources);
    if (!routing) return;
    const global = args.resources.find(
      (r) => r.type === AMC && ((r.props.metadata as Json)?.labels as Json)?.[GLOBAL_LABEL] === "true",
    )!;
    for (const a of routing) {
      if (!a.problem) continue;
      report(
        `alert ${a.alert}${a.kube ? " (the chart's kube alerts)" : ""} in namespace ${a.namespace}: ${a.problem}`,
        global.urn,
      );
    }
  },
};

/**
 * NetworkPolicies for the monitoring namespace: the Thanos gRPC store API answers only Thanos Query, the
 * Pushgateway only namespaces that are allowed to push, and Prometheus, Alertmanager and Thanos web
 * ports only the monitoring namespace. Kubelet probes come from the node, which NetworkPolicies allow.
 * Clusters without a NetworkPolicy engine ignore them; `cluster.networkPolicies: false` leaves them out.
 */
import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import { STACK_LABELS } from "./labels";
import { WEB_UI_BACKENDS } from "./WebIngresses";
import type { WebUi } from "./webAccessSchema";

/** A namespace whose workloads push to the Pushgateway carries this label. */
export const PUSHGATEWAY_CLIENT_LABEL = "kube-monitoring.io/pushgateway-client";

type Peer = Record<string, unknown>;
type Port = { port: number; protocol?: string };
export interface NetworkPolicySpec {
  name: string;
  podSelector: Record<string, string>;
  ingress: { from: Peer[]; ports: Port[] }[];
}

const pods = (labels: Record<string, string>): Peer => ({ podSelector: { matchLabels: labels } });
const namespaceNamed = (ns: string): Peer => ({
  namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": ns } },
});
const tcp = (...ports: number[]): Port[] => ports.map((port) => ({ port, protocol: "TCP" }));

export const PROMETHEUS_POD = { "app.kubernetes.io/name": "prometheus" };
export const ALERTMANAGER_POD = { "app.kubernetes.io/name": "alertmanager" };
export const THANOS_QUERY_POD = { "app.kubernetes.io/name": "thanos-query" };
export const THANOS_QUERY_FRONTEND_POD = { "app.kubernetes.io/name": "thanos-query-frontend" };

export interface NetworkPolicyOptions {
  /** The monitoring namespace's name. */
  readonly namespace: string;
  readonly thanos: boolean;
  readonly pushgateway: boolean;
  /**
   * The UIs people reach through an ALB (WebIngresses.ts), and the ALB subnets' CIDRs: with IP targets
   * the ALB connects to the pods from its own addresses, so those CIDRs are admitted on each UI's port.
   */
  readonly loadBalancer?: { readonly cidrs: readonly string[]; readonly uis: readonly WebUi[] };
}

/** Admits the ALB's subnets to `ui`'s web port, when the UI has an ingress. */
function fromLoadBalancer(opts: NetworkPolicyOptions, ui: WebUi): { from: Peer[]; ports: Port[] }[] {
  const lb = opts.loadBalancer;
  if (!lb || !lb.uis.includes(ui) || !lb.cidrs.length) return [];
  return [{ from: lb.cidrs.map((cidr) => ({ ipBlock: { cidr } })), ports: tcp(WEB_UI_BACKENDS[ui].port) }];
}

/** The policies, as plain specs. Pure. */
export function monitoringNetworkPolicies(opts: NetworkPolicyOptions): NetworkPolicySpec[] {
  const inNamespace = namespaceNamed(opts.namespace);
  const policies: NetworkPolicySpec[] = [
    {
      // Web (9090) and the config reloader (8080) for the namespace; the sidecar's gRPC only for Query.
      name: "prometheus",
      podSelector: PROMETHEUS_POD,
      ingress: [
        // The sidecar's HTTP (10902) only where there is a sidecar.
        { from: [inNamespace], ports: tcp(9090, 8080, ...(opts.thanos ? [10902] : [])) },
        ...(opts.thanos ? [{ from: [pods(THANOS_QUERY_POD)], ports: tcp(10901) }] : []),
        ...fromLoadBalancer(opts, "prometheus"),
      ],
    },
    {
      // The web API for Prometheus and Grafana; the cluster port only between the replicas.
      name: "alertmanager",
      podSelector: ALERTMANAGER_POD,
      ingress: [
        { from: [inNamespace], ports: tcp(9093, 8080) },
        { from: [pods(ALERTMANAGER_POD)], ports: [...tcp(9094), { port: 9094, protocol: "UDP" }] },
        ...fromLoadBalancer(opts, "alertmanager"),
      ],
    },
  ];
  if (opts.thanos) {
    policies.push(
      {
        name: "thanos-store",
        podSelector: { "app.kubernetes.io/name": "thanos-store" },
        ingress: [
          { from: [pods(THANOS_QUERY_POD)], ports: tcp(10901) },
          { from: [inNamespace], ports: tcp(10902) },
        ],
      },
      {
        name: "thanos-query",
        podSelector: THANOS_QUERY_POD,
        // The frontend by name, so it keeps reaching Query if the namespace rule narrows.
        ingress: [
          { from: [inNamespace], ports: tcp(10902) },
          { from: [pods(THANOS_QUERY_FRONTEND_POD)], ports: tcp(10902) },
        ],
      },
      {
        // Grafana's Thanos datasource.
        name: "thanos-query-frontend",
        podSelector: THANOS_QUERY_FRONTEND_POD,
        ingress: [{ from: [inNamespace], ports: tcp(10902) }, ...fromLoadBalancer(opts, "thanos-query")],
      },
      {
        name: "thanos-compactor",
        podSelector: { "app.kubernetes.io/name": "thanos-compactor" },
        ingress: [{ from: [inNamespace], ports: tcp(10902) }],
      },
    );
  }
  if (opts.pushgateway) {
    policies.push({
      name: "pushgateway",
      podSelector: { "app.kubernetes.io/name": "prometheus-pushgateway" },
      ingress: [
        {
          from: [inNamespace, { namespaceSelector: { matchLabels: { [PUSHGATEWAY_CLIENT_LABEL]: "true" } } }],
          ports: tcp(9091),
        },
      ],
    });
  }
  return policies;
}

export interface MonitoringNetworkPoliciesArgs extends NetworkPolicyOptions {
  /** The namespace resource's name output, so the policies wait for it. */
  readonly namespaceOutput: pulumi.Input<string>;
}

export class MonitoringNetworkPolicies extends pulumi.ComponentResource {
  constructor(name: string, args: MonitoringNetworkPoliciesArgs, opts?: pulumi.ComponentResourceOptions) {
    super("kube-monitoring:network:MonitoringNetworkPolicies", name, {}, opts);
    for (const p of monitoringNetworkPolicies(args)) {
      new k8s.networking.v1.NetworkPolicy(
        `${name}-${p.name}`,
        {
          metadata: { name: p.name, namespace: args.namespaceOutput, labels: STACK_LABELS },
          spec: { podSelector: { matchLabels: p.podSelector }, policyTypes: ["Ingress"], ingress: p.ingress },
        },
        { parent: this },
      );
    }
    this.registerOutputs({});
  }
}

import type * as pulumi from "@pulumi/pulumi";
import type { StoragePlan } from "../capacity";
import type { PrometheusConfig, RemoteWriteConfig, Resources, SecurityConfig } from "../schema";
import { zoneSpread } from "../scheduling";
import { restrictedPodSecurityContext } from "../security";
import { thanosImage, versions } from "../versions";
import {
  FEDERATION_SECRET,
  OBJSTORE_SECRET,
  PROMETHEUS_REPLICA_LABEL,
  RELEASE_FULLNAME,
  serviceHost,
} from "./names";
import { remoteWriteEntry } from "./remoteWrite";
import { KEEP_VOLUMES, antiAffinityFor, clientTls, volumeClaim, webTls } from "./shared";

/** What the Prometheus pair's values depend on. */
export interface PrometheusValuesInput {
  readonly namespace: string;
  /** Becomes the `cluster` external label on every series and alert. */
  readonly clusterName: string;
  readonly prometheus: PrometheusConfig;
  readonly storage: StoragePlan;
  readonly security: SecurityConfig;
  readonly priorityClassName?: string;
  /** The Thanos sidecar: its resources and the IRSA role it uploads with. */
  readonly thanosSidecar?: { readonly resources: Resources; readonly roleArn?: pulumi.Input<string> };
  readonly remoteWrite: readonly RemoteWriteConfig[];
  /** Whether the federation scrape configs Secret exists. */
  readonly federation: boolean;
}

const selectEverywhere = {
  // Pick up monitors and rules from every namespace, whatever their labels.
  serviceMonitorSelectorNilUsesHelmValues: false,
  podMonitorSelectorNilUsesHelmValues: false,
  probeSelectorNilUsesHelmValues: false,
  ruleSelectorNilUsesHelmValues: false,
  scrapeConfigSelectorNilUsesHelmValues: false,
  serviceMonitorNamespaceSelector: {},
  podMonitorNamespaceSelector: {},
  probeNamespaceSelector: {},
  ruleNamespaceSelector: {},
  scrapeConfigNamespaceSelector: {},
};

function thanosSidecarSpec(resources: Resources) {
  return {
    thanos: {
      image: thanosImage,
      version: versions.thanos.version,
      resources,
      objectStorageConfig: { existingSecret: { name: OBJSTORE_SECRET.name, key: OBJSTORE_SECRET.key } },
    },
  };
}

/** The chart's `prometheus` section: an HA pair, spread over nodes and zones, on retained volumes. */
/** Kinds whose objects in the platform's own namespace speak for the whole cluster. */
const ENFORCEMENT_EXEMPT = ["servicemonitors", "podmonitors", "probes", "scrapeconfigs", "prometheusrules"];

/**
 * Nothing in a team's namespace speaks for another namespace, even applied by hand: the operator sets
 * `namespace` to the object's own on every monitor's series and every rule (and its selectors). The
 * platform's own namespace is exempt, kind by kind: kube-state-metrics, cAdvisor and the chart's rules
 * read and label every namespace.
 */
export function namespaceEnforcement(namespace: string) {
  return {
    enforcedNamespaceLabel: "namespace",
    excludedFromEnforcement: ENFORCEMENT_EXEMPT.map((resource) => ({
      group: "monitoring.coreos.com",
      resource,
      namespace,
    })),
  };
}

export function prometheusValues(input: PrometheusValuesInput): Record<string, unknown> {
  const { prometheus: prom, storage, security, thanosSidecar } = input;
  const tlsSecret = security.webTlsSecretName;
  const host = serviceHost("prometheus", input.namespace);
  const remoteWrite = input.remoteWrite.map(remoteWriteEntry);
  return {
    podDisruptionBudget: { enabled: prom.replicas > 1, minAvailable: 1 },
    ...(thanosSidecar
      ? {
          thanosService: { enabled: true },
          thanosServiceMonitor: { enabled: true },
          ...(thanosSidecar.roleArn
            ? { serviceAccount: { annotations: { "eks.amazonaws.com/role-arn": thanosSidecar.roleArn } } }
            : {}),
        }
      : {}),
    ...(tlsSecret ? { serviceMonitor: { scheme: "https", tlsConfig: clientTls(tlsSecret, host) } } : {}),
    prometheusSpec: {
      replicas: prom.replicas,
      scrapeInterval: prom.scrapeInterval,
      evaluationInterval: prom.evaluationInterval,
      retention: prom.retention,
      retentionSize: storage.retentionSize,
      walCompression: prom.walCompression,
      // scrape_sample_limit per target, for the alert at 80% of a target's limit.
      enableFeatures: ["extra-scrape-metrics"],
      ...(prom.enforcedSampleLimit ? { enforcedSampleLimit: prom.enforcedSampleLimit } : {}),
      externalLabels: { cluster: input.clusterName },
      // Alerts' generatorURL (the "source" link in every notification) starts with it. Set explicitly:
      // the chart's own default from an ingress would be http://.
      ...(prom.externalUrl ? { externalUrl: prom.externalUrl } : {}),
      ...namespaceEnforcement(input.namespace),
      replicaExternalLabelName: PROMETHEUS_REPLICA_LABEL,
      podAntiAffinity: antiAffinityFor(prom.replicas),
      podAntiAffinityTopologyKey: "kubernetes.io/hostname",
      topologySpreadConstraints: zoneSpread(prom.replicas, {
        "app.kubernetes.io/name": "prometheus",
        prometheus: `${RELEASE_FULLNAME}-prometheus`,
      }),
      ...(input.priorityClassName ? { priorityClassName: input.priorityClassName } : {}),
      resources: prom.resources,
      storageSpec: volumeClaim(storage.storageSize, prom.storageClass),
      persistentVolumeClaimRetentionPolicy: KEEP_VOLUMES,
      securityContext: restrictedPodSecurityContext(security),
      ...selectEverywhere,
      ...(tlsSecret ? { web: webTls(tlsSecret) } : {}),
      ...(thanosSidecar ? thanosSidecarSpec(thanosSidecar.resources) : {}),
      ...(remoteWrite.length ? { remoteWrite } : {}),
      ...(input.federation
        ? {
            additionalScrapeConfigsSecret: {
              enabled: true,
              name: FEDERATION_SECRET.name,
              key: FEDERATION_SECRET.key,
            },
          }
        : {}),
    },
  };
}

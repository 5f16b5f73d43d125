import type { AlertmanagerConfig, SecurityConfig } from "../schema";
import { GLOBAL_CONFIG_LABEL, PLATFORM_ALERTMANAGER_CONFIG } from "../alertmanagerNames";
import { zoneSpread } from "../scheduling";
import { restrictedPodSecurityContext } from "../security";
import { RELEASE_FULLNAME, serviceHost } from "./names";
import { KEEP_VOLUMES, antiAffinityFor, clientTls, volumeClaim, webTls } from "./shared";

export interface AlertmanagerValuesInput {
  readonly namespace: string;
  readonly alertmanager: AlertmanagerConfig;
  readonly security: SecurityConfig;
  readonly priorityClassName?: string;
}

/**
 * The chart's `alertmanager` section: an HA cluster whose base configuration is the platform's
 * AlertmanagerConfig, with every other AlertmanagerConfig confined to its own namespace.
 */
export function alertmanagerValues(input: AlertmanagerValuesInput): Record<string, unknown> {
  const { alertmanager: am, security } = input;
  const tlsSecret = security.webTlsSecretName;
  const host = serviceHost("alertmanager", input.namespace);
  return {
    podDisruptionBudget: { enabled: am.replicas > 1, minAvailable: 1 },
    // Notification metrics per receiver: a team's broken routing key must not look like the platform's.
    enableFeatures: ["receiver-name-in-metrics"],
    ...(tlsSecret ? { serviceMonitor: { scheme: "https", tlsConfig: clientTls(tlsSecret, host) } } : {}),
    alertmanagerSpec: {
      replicas: am.replicas,
      retention: am.retention,
      // Notifications link back to it ({{ .ExternalURL }}: the alert list, silences).
      ...(am.externalUrl ? { externalUrl: am.externalUrl } : {}),
      resources: am.resources,
      podAntiAffinity: antiAffinityFor(am.replicas),
      podAntiAffinityTopologyKey: "kubernetes.io/hostname",
      topologySpreadConstraints: zoneSpread(am.replicas, {
        "app.kubernetes.io/name": "alertmanager",
        alertmanager: `${RELEASE_FULLNAME}-alertmanager`,
      }),
      ...(input.priorityClassName ? { priorityClassName: input.priorityClassName } : {}),
      storage: volumeClaim(am.storageSize, am.storageClass),
      persistentVolumeClaimRetentionPolicy: KEEP_VOLUMES,
      securityContext: restrictedPodSecurityContext(security),
      // Each namespace's AlertmanagerConfig only ever sees alerts from its own namespace.
      alertmanagerConfigMatcherStrategy: { type: "OnNamespace" },
      // The platform's AlertmanagerConfig is the base configuration: its routes see every alert.
      alertmanagerConfiguration: { name: PLATFORM_ALERTMANAGER_CONFIG, global: { resolveTimeout: "5m" } },
      // Every other AlertmanagerConfig in every namespace, each confined to its own namespace.
      alertmanagerConfigSelector: {
        matchExpressions: [{ key: GLOBAL_CONFIG_LABEL, operator: "DoesNotExist" }],
      },
      alertmanagerConfigNamespaceSelector: {},
      ...(tlsSecret
        ? { web: webTls(tlsSecret), scheme: "https", tlsConfig: clientTls(tlsSecret, host) }
        : {}),
    },
  };
}

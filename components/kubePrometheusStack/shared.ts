import type { Resources } from "../schema";

// Containers the chart runs beside the main ones; small and fixed, so not worth a config key each.
export const SIDECAR_RESOURCES: Resources = {
  requests: { cpu: "10m", memory: "32Mi" },
  limits: { cpu: "100m", memory: "64Mi" },
};

/**
 * The config reloader's resources: operator-wide flags that reach the `config-reloader` and
 * `init-config-reloader` containers of every Prometheus and Alertmanager pod. Memory request = limit, so
 * it never makes those pods Burstable in memory; the CPU limit caps a reload loop.
 */
export const CONFIG_RELOADER_RESOURCES: Resources = {
  requests: { cpu: "10m", memory: "64Mi" },
  limits: { cpu: "100m", memory: "64Mi" },
};

/** Volumes outlive their pods: scaling down or deleting the server keeps the data. */
export const KEEP_VOLUMES = { whenDeleted: "Retain", whenScaled: "Retain" } as const;

/** Hard anti-affinity only where there is a second replica to keep apart; soft would let both share a node. */
export function antiAffinityFor(replicas: number): "hard" | "soft" {
  return replicas > 1 ? "hard" : "soft";
}

export function volumeClaim(size: string, storageClass: string | undefined) {
  return {
    volumeClaimTemplate: {
      spec: {
        ...(storageClass ? { storageClassName: storageClass } : {}),
        accessModes: ["ReadWriteOnce"],
        resources: { requests: { storage: size } },
      },
    },
  };
}

/** `web.tlsConfig` serving HTTPS from a cert-manager style Secret. */
export function webTls(secretName: string) {
  return {
    tlsConfig: {
      cert: { secret: { name: secretName, key: "tls.crt" } },
      keySecret: { name: secretName, key: "tls.key" },
    },
  };
}

/** How a client inside the cluster verifies one of our HTTPS endpoints. */
export function clientTls(secretName: string, serverName: string) {
  return { ca: { secret: { name: secretName, key: "ca.crt" } }, serverName };
}

type Tree = Record<string, unknown>;
const isTree = (v: unknown): v is Tree => typeof v === "object" && v !== null && !Array.isArray(v);

/** `extra` merged into `base`, objects key by key (lists and scalars of `extra` win). Pure. */
export function mergeValues(base: Tree, extra: Tree): Tree {
  const merged: Tree = { ...base };
  for (const [key, value] of Object.entries(extra)) {
    merged[key] = isTree(merged[key]) && isTree(value) ? mergeValues(merged[key], value) : value;
  }
  return merged;
}

import type * as pulumi from "@pulumi/pulumi";
import type { FederationConfig, RemoteWriteConfig } from "../schema";
import { PROMETHEUS_REPLICA_LABEL, remoteWriteSecretName } from "./names";

/** Amazon Managed Service for Prometheus remote-write endpoints. */
export const isAmpUrl = (url: string) =>
  /^https:\/\/aps-workspaces\.[a-z0-9-]+\.amazonaws\.com(\.cn)?\//.test(url);

/**
 * AMP deduplicates an HA pair only on the `cluster` and `__replica__` labels: the replica label is copied
 * to `__replica__` and dropped on the way out (external labels are applied before write relabeling), so
 * AMP keeps one copy while Thanos still sees `prometheus_replica`.
 */
export const AMP_REPLICA_RELABELING = [
  { sourceLabels: [PROMETHEUS_REPLICA_LABEL], targetLabel: "__replica__", action: "replace" },
  { regex: PROMETHEUS_REPLICA_LABEL, action: "labeldrop" },
] as const;

function remoteWriteAuth(rw: RemoteWriteConfig): Record<string, unknown> {
  const secret = remoteWriteSecretName(rw.name);
  switch (rw.auth.type) {
    case "basic":
      return {
        basicAuth: {
          username: { name: secret, key: "username" },
          password: { name: secret, key: "password" },
        },
      };
    case "bearer":
      return { authorization: { type: "Bearer", credentials: { name: secret, key: "token" } } };
    case "sigv4":
      return {
        sigv4: { region: rw.auth.region, ...(rw.auth.roleArn ? { roleArn: rw.auth.roleArn } : {}) },
      };
    default:
      return {};
  }
}

/** One `remoteWrite` entry: credentials only as references to the target's Secret. */
export function remoteWriteEntry(rw: RemoteWriteConfig): Record<string, unknown> {
  const relabeling = [
    ...(isAmpUrl(rw.url) ? AMP_REPLICA_RELABELING.map((r) => structuredClone(r)) : []),
    ...rw.writeRelabelConfigs,
  ];
  return {
    name: rw.name,
    url: rw.url,
    ...(rw.queueConfig ? { queueConfig: rw.queueConfig } : {}),
    ...(relabeling.length ? { writeRelabelConfigs: relabeling } : {}),
    ...remoteWriteAuth(rw),
  };
}

/** The keys of a remote-write target's Secret: its credentials, or nothing for sigv4 and no auth. */
export function remoteWriteSecretData(rw: RemoteWriteConfig): Record<string, pulumi.Input<string>> {
  switch (rw.auth.type) {
    case "basic":
      return { username: rw.auth.username, password: rw.auth.password };
    case "bearer":
      return { token: rw.auth.token };
    default:
      return {};
  }
}

/** Federation as plain Prometheus scrape configs (snake_case: they bypass the operator). */
export function federationScrapeConfigs(federation: readonly FederationConfig[]): Record<string, unknown>[] {
  return federation.map((f) => {
    const url = new URL(f.url);
    const path = url.pathname.replace(/\/$/, "");
    return {
      job_name: `federate-${f.name}`,
      honor_labels: true,
      metrics_path: `${path}/federate`,
      scheme: url.protocol.replace(":", ""),
      scrape_interval: f.interval,
      scrape_timeout: f.scrapeTimeout,
      params: { "match[]": [...f.match] },
      static_configs: [{ targets: [url.host], labels: { federated_from: f.name } }],
    };
  });
}

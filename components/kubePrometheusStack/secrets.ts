import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import * as random from "@pulumi/random";
import { stringify } from "yaml";
import type { FederationConfig, RemoteWriteConfig } from "../schema";
import {
  FEDERATION_SECRET,
  GRAFANA_ADMIN_KEYS,
  GRAFANA_ADMIN_SECRET,
  OBJSTORE_SECRET,
  remoteWriteSecretName,
} from "./names";
import { GRAFANA_AUTH_SECRET } from "./grafanaValues";
import { federationScrapeConfigs, remoteWriteSecretData } from "./remoteWrite";

/** What the release's values refer to by name. */
export interface ReleaseSecretsInput {
  readonly namespace: pulumi.Output<string>;
  /** Grafana's SSO client secret and database URL, when they are Pulumi secrets. */
  readonly grafanaAuth: Record<string, pulumi.Input<string>>;
  /** `thanos.yaml` for the sidecar, when blocks go to Thanos. */
  readonly objstoreConfig?: pulumi.Input<string>;
  readonly remoteWrite: readonly RemoteWriteConfig[];
  readonly federation: readonly FederationConfig[];
}

export interface ReleaseSecrets {
  readonly grafanaAdmin: k8s.core.v1.Secret;
  readonly objstore?: k8s.core.v1.Secret;
  /** Every Secret the values name; the release waits for all of them. */
  readonly all: k8s.core.v1.Secret[];
}

/**
 * The Secrets the release reads: a generated Grafana admin password, the objstore config, each remote
 * write target's credentials and the federation scrape configs. Children of `parent`, named `<name>-<role>`.
 */
/** On the federation Secret: its scrape configs' intervals, readable where the data is not. */
export const SCRAPE_INTERVALS_ANNOTATION = "kube-monitoring.io/scrape-intervals";

export function releaseSecrets(
  name: string,
  input: ReleaseSecretsInput,
  parent: pulumi.Resource,
): ReleaseSecrets {
  const secret = (
    role: string,
    secretName: string,
    stringData: Record<string, pulumi.Input<string>>,
    annotations?: Record<string, string>,
  ) =>
    new k8s.core.v1.Secret(
      `${name}-${role}`,
      {
        metadata: { name: secretName, namespace: input.namespace, ...(annotations ? { annotations } : {}) },
        type: "Opaque",
        stringData,
      },
      { parent },
    );

  const password = new random.RandomPassword(
    `${name}-grafana-admin`,
    { length: 32, special: false },
    { parent },
  );
  const grafanaAdmin = secret("grafana-admin", GRAFANA_ADMIN_SECRET, {
    [GRAFANA_ADMIN_KEYS.user]: "admin",
    [GRAFANA_ADMIN_KEYS.password]: password.result,
  });
  const grafanaAuth = Object.keys(input.grafanaAuth).length
    ? [secret("grafana-auth", GRAFANA_AUTH_SECRET, input.grafanaAuth)]
    : [];
  const objstore =
    input.objstoreConfig === undefined
      ? undefined
      : secret("thanos-objstore", OBJSTORE_SECRET.name, {
          [OBJSTORE_SECRET.key]: pulumi.secret(input.objstoreConfig),
        });
  const remoteWrite = input.remoteWrite.flatMap((rw) => {
    const data = remoteWriteSecretData(rw);
    return Object.keys(data).length
      ? [secret(`remote-write-${rw.name}`, remoteWriteSecretName(rw.name), data)]
      : [];
  });
  const federation = input.federation.length
    ? [
        secret(
          "federation",
          FEDERATION_SECRET.name,
          { [FEDERATION_SECRET.key]: stringify(federationScrapeConfigs(input.federation)) },
          // The data is secret in the plan; the policy gate holds the intervals to its floor from here.
          { [SCRAPE_INTERVALS_ANNOTATION]: input.federation.map((f) => f.interval).join(",") },
        ),
      ]
    : [];
  return {
    grafanaAdmin,
    objstore,
    all: [grafanaAdmin, ...grafanaAuth, ...(objstore ? [objstore] : []), ...remoteWrite, ...federation],
  };
}

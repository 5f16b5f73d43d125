import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import type { Resources } from "./schema";
import { restrictedContainerSecurityContext } from "./security";
import { prometheusCommunityRepo, versions } from "./versions";

/** Release names equal to the chart names, so the charts name their Services after them. */
export const BLACKBOX_EXPORTER = { release: "prometheus-blackbox-exporter", port: 9115 } as const;
export const PUSHGATEWAY = { release: "prometheus-pushgateway", port: 9091 } as const;

export interface ExportersArgs {
  readonly namespace: pulumi.Input<string>;
  /** Deploy the blackbox exporter (when any app has probes). */
  readonly blackboxExporter?: { readonly resources: Resources };
  /** Deploy the Pushgateway for batch jobs. */
  readonly pushgateway?: { readonly resources: Resources; readonly persistence: boolean };
  /** The operator CRDs: both charts create a ServiceMonitor. */
  readonly crds: pulumi.Resource;
}

export function blackboxExporterValues(resources: Resources): Record<string, unknown> {
  return {
    resources,
    config: {
      modules: {
        http_2xx: {
          prober: "http",
          timeout: "5s",
          http: {
            valid_http_versions: ["HTTP/1.1", "HTTP/2.0"],
            follow_redirects: true,
            preferred_ip_protocol: "ip4",
          },
        },
        tcp_connect: { prober: "tcp", timeout: "5s", tcp: { preferred_ip_protocol: "ip4" } },
      },
    },
    serviceMonitor: { selfMonitor: { enabled: true } },
  };
}

export function pushgatewayValues(
  resources: Resources,
  persistence: boolean,
  namespace: string,
): Record<string, unknown> {
  return {
    resources,
    // Pushed series keep the job and instance labels of the batch job that pushed them.
    serviceMonitor: { enabled: true, namespace, honorLabels: true },
    containerSecurityContext: restrictedContainerSecurityContext(),
    ...(persistence
      ? {
          persistentVolume: { enabled: true, size: "2Gi" },
          extraArgs: ["--persistence.file=/data/pushgateway.data", "--persistence.interval=5m"],
        }
      : {}),
  };
}

/** The blackbox exporter behind Probes, and the Pushgateway for short-lived jobs. */
export class Exporters extends pulumi.ComponentResource {
  /** The prober URL Probes use, when the blackbox exporter runs. */
  public readonly proberUrl?: pulumi.Output<string>;

  constructor(name: string, args: ExportersArgs, opts?: pulumi.ComponentResourceOptions) {
    super("kube-monitoring:exporters:Exporters", name, {}, opts);
    const release = (
      role: string,
      chart: { chart: string; version: string },
      releaseName: string,
      values: pulumi.Input<Record<string, unknown>>,
    ) =>
      new k8s.helm.v3.Release(
        `${name}-${role}`,
        {
          name: releaseName,
          chart: chart.chart,
          version: chart.version,
          repositoryOpts: { repo: prometheusCommunityRepo },
          namespace: args.namespace,
          values,
          atomic: true,
          cleanupOnFail: true,
          maxHistory: 5,
        },
        { parent: this, dependsOn: [args.crds] },
      );
    if (args.blackboxExporter) {
      release(
        "blackbox",
        versions.blackboxExporter,
        BLACKBOX_EXPORTER.release,
        blackboxExporterValues(args.blackboxExporter.resources),
      );
      this.proberUrl = pulumi.interpolate`${BLACKBOX_EXPORTER.release}.${args.namespace}.svc:${BLACKBOX_EXPORTER.port}`;
    }
    if (args.pushgateway) {
      const pg = args.pushgateway;
      release(
        "pushgateway",
        versions.pushgateway,
        PUSHGATEWAY.release,
        pulumi.output(args.namespace).apply((ns) => pushgatewayValues(pg.resources, pg.persistence, ns)),
      );
    }
    this.registerOutputs({ proberUrl: this.proberUrl });
  }
}

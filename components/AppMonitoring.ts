import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import { appRuleGroups } from "./appRules";
import { receiverSecretData, receiverSecretName, routingSpec } from "./appRouting";
import {
  appDashboard,
  appLabels,
  podMonitorSpec,
  probeSpec,
  serviceMonitorSpec,
  workloadSpecs,
} from "./appResources";
import type { AppConfig, ImportedRules } from "./config";
import { DECLARED_TARGET_ANNOTATION } from "../policies/monitors";
import type { IAlertmanagerConfig, IPodMonitor, IProbe, IPrometheusRule, IServiceMonitor } from "./crdTypes";

/** Grafana's dashboard sidecar (kube-prometheus-stack default) loads ConfigMaps with this label. */
export const DASHBOARD_LABEL = { grafana_dashboard: "1" } as const;

export interface AppMonitoringArgs {
  readonly app: AppConfig;
  /** Where the stack runs; the app's dashboard ConfigMap goes there for Grafana's sidecar. */
  readonly monitoringNamespace: pulumi.Input<string>;
  /** Rule groups read from the app's `ruleFiles`. */
  readonly importedRules?: ImportedRules;
  /** Base of generated alerts' runbook_url; without it they carry none. */
  readonly runbookBaseUrl?: string;
  /** Blackbox exporter address for Probes. Required when the app has probes. */
  readonly proberUrl?: pulumi.Input<string>;
  /** The operator CRDs: every custom resource waits for them. */
  readonly crds: pulumi.Resource;
}

export function validateAppMonitoringArgs(args: AppMonitoringArgs): void {
  const { app } = args;
  if (app.probes.length && !args.proberUrl) {
    throw new Error(`AppMonitoring ${app.name}: proberUrl is required when the app has probes`);
  }
}

/**
 * Everything one application needs to be monitored: monitors, rules, routing, probes, a dashboard,
 * and optionally the application itself.
 */
export class AppMonitoring extends pulumi.ComponentResource {
  constructor(name: string, args: AppMonitoringArgs, opts?: pulumi.ComponentResourceOptions) {
    super("kube-monitoring:apps:AppMonitoring", name, {}, opts);
    validateAppMonitoringArgs(args);
    const app = args.app;
    const child = { parent: this };
    const afterCrds = { parent: this, dependsOn: [args.crds] };
    const labels = {
      "app.kubernetes.io/part-of": app.name,
      "app.kubernetes.io/managed-by": "kube-monitoring",
    };

    let namespace: pulumi.Input<string> = app.namespace;
    let inNamespace: pulumi.Resource[] = [];
    if (app.workload) {
      const ns = new k8s.core.v1.Namespace(
        `${name}-namespace`,
        { metadata: { name: app.namespace, labels } },
        child,
      );
      namespace = ns.metadata.name;
      inNamespace = [ns];
      const specs = workloadSpecs(app, app.workload);
      const meta = { name: app.serviceName ?? app.name, namespace, labels: { ...labels, ...appLabels(app) } };
      new k8s.apps.v1.Deployment(
        `${name}-deployment`,
        { metadata: { ...meta, name: app.name }, spec: specs.deployment },
        child,
      );
      new k8s.core.v1.Service(`${name}-service`, { metadata: meta, spec: specs.service }, child);
      if (specs.ingress)
        new k8s.networking.v1.Ingress(`${name}-ingress`, { metadata: meta, spec: specs.ingress }, child);
    }
    // What an app deployed elsewhere says its target looks like, for the policy to check its monitors.
    const declaredTarget =
      app.target && !app.workload
        ? { annotations: { [DECLARED_TARGET_ANNOTATION]: JSON.stringify(app.target) } }
        : {};
    const isMonitor = (kind: string) => kind === "ServiceMonitor" || kind === "PodMonitor";
    const custom = (
      role: string,
      body: { apiVersion: string; kind: string; spec: unknown },
      extraDeps: pulumi.Resource[] = [],
    ) =>
      new k8s.apiextensions.CustomResource(
        `${name}-${role}`,
        {
          ...body,
          metadata: {
            name: app.name,
            namespace,
            labels,
            ...(isMonitor(body.kind) ? declaredTarget : {}),
          },
        },
        { ...afterCrds, dependsOn: [args.crds, ...inNamespace, ...extraDeps] },
      );

    if (app.serviceMonitor) {
      const sm: Omit<IServiceMonitor, "metadata"> = {
        apiVersion: "monitoring.coreos.com/v1",
        kind: "ServiceMonitor",
        spec: serviceMonitorSpec(app),
      };
      custom("servicemonitor", sm);
    }
    if (app.podMonitor) {
      const pm: Omit<IPodMonitor, "metadata"> = {
        apiVersion: "monitoring.coreos.com/v1",
        kind: "PodMonitor",
        spec: podMonitorSpec(app),
      };
      custom("podmonitor", pm);
    }
    const groups = appRuleGroups(app, args.runbookBaseUrl, args.importedRules);
    if (groups.length) {
      const rule: Omit<IPrometheusRule, "metadata"> = {
        apiVersion: "monitoring.coreos.com/v1",
        kind: "PrometheusRule",
        spec: { groups },
      };
      custom("rules", rule);
    }
    if (app.routing) {
      const data = receiverSecretData(app.routing.receivers);
      const secrets = Object.keys(data).length
        ? [
            new k8s.core.v1.Secret(
              `${name}-receivers`,
              {
                metadata: { name: receiverSecretName(app.name), namespace, labels },
                type: "Opaque",
                stringData: data,
              },
              { parent: this, dependsOn: inNamespace },
            ),
          ]
        : [];
      const amc: Omit<IAlertmanagerConfig, "metadata"> = {
        apiVersion: "monitoring.coreos.com/v1alpha1",
        kind: "AlertmanagerConfig",
        spec: routingSpec(app.name, app.routing),
      };
      custom("alertmanagerconfig", amc, secrets);
    }
    for (const probe of app.probes) {
      new k8s.apiextensions.CustomResource(
        `${name}-probe-${probe.name}`,
        {
          apiVersion: "monitoring.coreos.com/v1",
          kind: "Probe",
          metadata: { name: `${app.name}-${probe.name}`, namespace, labels },
          spec: pulumi.output(args.proberUrl!).apply((url): IProbe["spec"] => probeSpec(app, probe, url)),
        },
        { ...afterCrds, dependsOn: [args.crds, ...inNamespace] },
      );
    }
    if (app.serviceMonitor || app.podMonitor) {
      new k8s.core.v1.ConfigMap(
        `${name}-dashboard`,
        {
          metadata: {
            name: `dashboard-${app.namespace}-${app.name}`,
            namespace: args.monitoringNamespace,
            labels: { ...labels, ...DASHBOARD_LABEL },
          },
          data: { [`${app.namespace}-${app.name}.json`]: JSON.stringify(appDashboard(app), null, 2) },
        },
        child,
      );
    }
    this.registerOutputs({});
  }
}

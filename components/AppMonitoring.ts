import { DASHBOARD_FOLDER_ANNOTATION } from "./kubePrometheusStack/grafanaValues";
import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import { appRuleGroups } from "./appRules";
import { RoutingScope, receiverSecretData, receiverSecretName, routingSpec } from "./appRouting";
import {
  appDashboard,
  appLabels,
  podMonitorSpec,
  probeSpec,
  serviceMonitorSpec,
  workloadSpecs,
} from "./appResources";
import type { AppConfig, ImportedRules } from "./schema";
import { DECLARED_TARGET_ANNOTATION } from "../policies/monitors";
import { COPIES_TO_PLATFORM_ANNOTATION } from "../policies/ownership";
import type { IAlertmanagerConfig, IPodMonitor, IProbe, IPrometheusRule, IServiceMonitor } from "./crdTypes";

/** Grafana's dashboard sidecar (kube-prometheus-stack default) loads ConfigMaps with this label. */
export const DASHBOARD_LABEL = { grafana_dashboard: "1" } as const;
/** The Grafana folder of the apps' generated dashboards. */
export const APP_DASHBOARD_FOLDER = "Apps";

export interface AppMonitoringArgs {
  readonly app: AppConfig;
  /**
   * Where the app's dashboard ConfigMap goes: the monitoring namespace in the platform stack, the app's
   * own in a team stack (Grafana's sidecar looks in every namespace).
   */
  readonly dashboardNamespace: pulumi.Input<string>;
  /** Rule groups read from the app's `ruleFiles`. */
  readonly importedRules?: ImportedRules;
  /** Base of generated alerts' runbook_url; without it they carry none. */
  readonly runbookBaseUrl?: string;
  /** Blackbox exporter address for Probes. Required when the app has probes. */
  readonly proberUrl?: pulumi.Input<string>;
  /**
   * Which alerts of the namespace the app's routing takes (ownership.ts): all but its routed siblings'
   * when it routes the namespace, else its own. Default: the namespace's only routed app.
   */
  readonly routingScope?: RoutingScope;
  /** The operator CRDs: every custom resource waits for them. Absent in team stacks: the platform has them. */
  readonly crds?: pulumi.Resource;
}

export function validateAppMonitoringArgs(args: AppMonitoringArgs): void {
  const { app } = args;
  if (app.probes.length && !args.proberUrl) {
    throw new Error(
      `AppMonitoring ${app.name}: its probes need the platform's blackbox exporter (proberUrl), which this platform does not run`,
    );
  }
}

/**
 * Everything one application needs to be monitored: monitors, rules, routing, probes, a dashboard,
 * and optionally the application itself.
 */
export class AppMonitoring extends pulumi.ComponentResource {
  private readonly args: AppMonitoringArgs;
  private readonly resourceName: string;
  private readonly labels: Record<string, string>;
  /** The app's namespace: created here when the stack deploys the app, else named. */
  private readonly namespace: pulumi.Input<string>;
  /** What everything in the app's namespace waits for: the namespace, when this stack creates it. */
  private readonly inNamespace: pulumi.Resource[];
  private get crds(): pulumi.Resource[] {
    return this.args.crds ? [this.args.crds] : [];
  }

  constructor(name: string, args: AppMonitoringArgs, opts?: pulumi.ComponentResourceOptions) {
    super("kube-monitoring:apps:AppMonitoring", name, {}, opts);
    validateAppMonitoringArgs(args);
    const app = args.app;
    this.args = args;
    this.resourceName = name;
    this.labels = {
      "app.kubernetes.io/part-of": app.name,
      "app.kubernetes.io/managed-by": "kube-monitoring",
    };
    if (app.workload) {
      const ns = new k8s.core.v1.Namespace(
        `${name}-namespace`,
        { metadata: { name: app.namespace, labels: this.labels } },
        { parent: this },
      );
      this.namespace = ns.metadata.name;
      this.inNamespace = [ns];
      this.deployWorkload(app.workload);
    } else {
      this.namespace = app.namespace;
      this.inNamespace = [];
    }

    if (app.serviceMonitor) {
      this.custom("servicemonitor", {
        apiVersion: "monitoring.coreos.com/v1",
        kind: "ServiceMonitor",
        spec: serviceMonitorSpec(app),
      } satisfies Omit<IServiceMonitor, "metadata">);
    }
    if (app.podMonitor) {
      this.custom("podmonitor", {
        apiVersion: "monitoring.coreos.com/v1",
        kind: "PodMonitor",
        spec: podMonitorSpec(app),
      } satisfies Omit<IPodMonitor, "metadata">);
    }
    const groups = appRuleGroups(app, args.runbookBaseUrl, args.importedRules);
    if (groups.length) {
      this.custom("rules", {
        apiVersion: "monitoring.coreos.com/v1",
        kind: "PrometheusRule",
        spec: { groups },
      } satisfies Omit<IPrometheusRule, "metadata">);
    }
    if (app.routing) this.routing(app.routing);
    for (const probe of app.probes) this.probe(probe);
    if (app.serviceMonitor || app.podMonitor) this.dashboard();
    this.registerOutputs({});
  }

  /** The app itself: Deployment, Service and, when asked, an Ingress. */
  private deployWorkload(workload: NonNullable<AppConfig["workload"]>): void {
    const app = this.args.app;
    const specs = workloadSpecs(app, workload);
    const meta = {
      name: app.serviceName ?? app.name,
      namespace: this.namespace,
      labels: { ...this.labels, ...appLabels(app) },
    };
    const name = this.resourceName;
    new k8s.apps.v1.Deployment(
      `${name}-deployment`,
      { metadata: { ...meta, name: app.name }, spec: specs.deployment },
      { parent: this },
    );
    new k8s.core.v1.Service(`${name}-service`, { metadata: meta, spec: specs.service }, { parent: this });
    if (specs.ingress) {
      new k8s.networking.v1.Ingress(
        `${name}-ingress`,
        { metadata: meta, spec: specs.ingress },
        { parent: this },
      );
    }
  }

  /** An operator custom resource named after the app, created after the CRDs and the app's namespace. */
  private custom(
    role: string,
    body: { apiVersion: string; kind: string; spec: unknown },
    extraDeps: pulumi.Resource[] = [],
    annotations: Record<string, string> = {},
  ) {
    const app = this.args.app;
    // What an app deployed elsewhere says its target looks like, for the policy to check its monitors.
    const declared: Record<string, string> =
      app.target && !app.workload && (body.kind === "ServiceMonitor" || body.kind === "PodMonitor")
        ? { [DECLARED_TARGET_ANNOTATION]: JSON.stringify(app.target) }
        : {};
    const all: Record<string, string> = { ...declared, ...annotations };
    const declaredTarget = Object.keys(all).length ? { annotations: all } : {};
    return new k8s.apiextensions.CustomResource(
      `${this.resourceName}-${role}`,
      {
        ...body,
        metadata: { name: app.name, namespace: this.namespace, labels: this.labels, ...declaredTarget },
      },
      { parent: this, dependsOn: [...this.crds, ...this.inNamespace, ...extraDeps] },
    );
  }

  /** The app's AlertmanagerConfig, after the Secret holding its receivers' credentials. */
  private routing(routing: NonNullable<AppConfig["routing"]>): void {
    const app = this.args.app;
    const data = receiverSecretData(routing.receivers);
    const secrets = Object.keys(data).length
      ? [
          new k8s.core.v1.Secret(
            `${this.resourceName}-receivers`,
            {
              metadata: {
                name: receiverSecretName(app.name),
                namespace: this.namespace,
                labels: this.labels,
              },
              type: "Opaque",
              stringData: data,
            },
            { parent: this, dependsOn: this.inNamespace },
          ),
        ]
      : [];
    this.custom(
      "alertmanagerconfig",
      {
        apiVersion: "monitoring.coreos.com/v1alpha1",
        kind: "AlertmanagerConfig",
        spec: routingSpec(app.name, routing, this.args.routingScope),
      } satisfies Omit<IAlertmanagerConfig, "metadata">,
      secrets,
      // The alert-ownership policy allows the platform's copies this owner asked for.
      routing.copyToPlatform ? { [COPIES_TO_PLATFORM_ANNOTATION]: "true" } : {},
    );
  }

  private probe(probe: AppConfig["probes"][number]): void {
    const app = this.args.app;
    new k8s.apiextensions.CustomResource(
      `${this.resourceName}-probe-${probe.name}`,
      {
        apiVersion: "monitoring.coreos.com/v1",
        kind: "Probe",
        metadata: { name: `${app.name}-${probe.name}`, namespace: this.namespace, labels: this.labels },
        spec: pulumi.output(this.args.proberUrl!).apply((url): IProbe["spec"] => probeSpec(app, probe, url)),
      },
      { parent: this, dependsOn: [...this.crds, ...this.inNamespace] },
    );
  }

  /** The app's dashboard, as a ConfigMap the Grafana sidecar loads from the monitoring namespace. */
  private dashboard(): void {
    const app = this.args.app;
    new k8s.core.v1.ConfigMap(
      `${this.resourceName}-dashboard`,
      {
        metadata: {
          name: `dashboard-${app.namespace}-${app.name}`,
          namespace: this.args.dashboardNamespace,
          labels: { ...this.labels, ...DASHBOARD_LABEL },
          annotations: { [DASHBOARD_FOLDER_ANNOTATION]: APP_DASHBOARD_FOLDER },
        },
        data: { [`${app.namespace}-${app.name}.json`]: JSON.stringify(appDashboard(app), null, 2) },
      },
      { parent: this },
    );
  }
}

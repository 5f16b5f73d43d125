import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import { DASHBOARD_LABEL } from "./AppMonitoring";
import { type Dashboard, dashboardConfigMapName } from "./dashboards";
import { DASHBOARD_FOLDER_ANNOTATION } from "./kubePrometheusStack/grafanaValues";
import { STACK_LABELS } from "./labels";

export interface GrafanaDashboardsArgs {
  /** Where Grafana's dashboard sidecar looks: the monitoring namespace. */
  readonly namespace: pulumi.Input<string>;
  /** Checked dashboards (see loadDashboards), each with its Grafana folder. */
  readonly dashboards: readonly Dashboard[];
}

export { dashboardConfigMapName };

/** Dashboards as ConfigMaps, which Grafana's sidecar loads into the folder each one's annotation names. */
export class GrafanaDashboards extends pulumi.ComponentResource {
  constructor(name: string, args: GrafanaDashboardsArgs, opts?: pulumi.ComponentResourceOptions) {
    super("kube-monitoring:grafana:GrafanaDashboards", name, {}, opts);
    for (const d of args.dashboards) {
      new k8s.core.v1.ConfigMap(
        `${name}-${d.uid}`,
        {
          metadata: {
            name: dashboardConfigMapName(d.uid),
            namespace: args.namespace,
            labels: { ...STACK_LABELS, ...DASHBOARD_LABEL },
            annotations: { [DASHBOARD_FOLDER_ANNOTATION]: d.folder },
          },
          data: { [`${d.uid}.json`]: JSON.stringify(d.model, null, 2) },
        },
        { parent: this },
      );
    }
    this.registerOutputs({});
  }
}

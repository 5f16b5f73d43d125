/**
 * Types of the prometheus-operator custom resources, from the CRD models (ESM-only, so types only
 * here; the offline plan loads the classes to validate against the schemas).
 */
export type { IRule } from "@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/Rule";
export type { IRuleGroup } from "@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/RuleGroup";
export type { IPrometheusRule } from "@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/PrometheusRule";
export type { IServiceMonitor } from "@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/ServiceMonitor";
export type { IEndpoint } from "@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/Endpoint";
export type { IPodMonitor } from "@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/PodMonitor";
export type { IProbe } from "@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/Probe";
export type { IAlertmanagerConfig } from "@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1alpha1/AlertmanagerConfig";
export type { IReceiver } from "@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1alpha1/Receiver";
export type { IRoute } from "@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1alpha1/Route";

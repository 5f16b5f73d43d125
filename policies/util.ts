/**
 * Helpers the policies share: reading Kubernetes pod specs out of any workload kind, walking Helm
 * values, and the policy-definition shape.
 */
import type { EnforcementLevel, ResourceValidationPolicy, StackValidationPolicy } from "@pulumi/policy";

export const HELM_RELEASE = "kubernetes:helm.sh/v3:Release";
export const KPS_CHART = "kube-prometheus-stack";
export const AMC = "kubernetes:monitoring.coreos.com/v1alpha1:AlertmanagerConfig";

/** Where each workload kind keeps its pod spec. */
const POD_SPEC_PATHS: Record<string, string[]> = {
  "kubernetes:core/v1:Pod": ["spec"],
  "kubernetes:apps/v1:Deployment": ["spec", "template", "spec"],
  "kubernetes:apps/v1:StatefulSet": ["spec", "template", "spec"],
  "kubernetes:apps/v1:DaemonSet": ["spec", "template", "spec"],
  "kubernetes:apps/v1:ReplicaSet": ["spec", "template", "spec"],
  "kubernetes:batch/v1:Job": ["spec", "template", "spec"],
  "kubernetes:batch/v1:CronJob": ["spec", "jobTemplate", "spec", "template", "spec"],
};

export const WORKLOAD_TYPES = Object.keys(POD_SPEC_PATHS);

export type Json = Record<string, unknown>;

/** Namespaces of the cluster itself: their alerts are always the platform's, never a team's. */
export const CLUSTER_NAMESPACES = ["kube-system", "kube-public", "kube-node-lease", "default"] as const;

/** `value` as a regular expression (RE2 or JavaScript) that matches exactly that text. */
/** Text from a resource, safe in a message (a terminal, a PR comment): control and format characters escaped. */
export const printable = (text: string): string =>
  text.replace(/[\p{Cc}\p{Cf}\u2028\u2029]/gu, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);

export const literalRegex = (value: string) => value.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

export function at(obj: unknown, path: readonly string[]): unknown {
  let current = obj;
  for (const key of path) {
    if (current === null || typeof current !== "object") return undefined;
    current = (current as Json)[key];
  }
  return current;
}

/** Same as `at`, with a dotted path. */
export const get = (obj: unknown, dotted: string) => at(obj, dotted.split("."));

export function podSpecOf(type: string, props: Json): Json | undefined {
  const path = POD_SPEC_PATHS[type];
  return path ? (at(props, path) as Json | undefined) : undefined;
}

/** Pod template labels of a workload (the pod's own for a Pod). */
export function podLabelsOf(type: string, props: Json): Record<string, string> {
  const path = POD_SPEC_PATHS[type];
  if (!path) return {};
  const metaPath = [...path.slice(0, -1), "metadata", "labels"];
  return (at(props, metaPath) as Record<string, string> | undefined) ?? {};
}

export interface Container {
  name?: string;
  resources?: { requests?: Json; limits?: Json };
  ports?: { name?: string; containerPort?: number }[];
}

export function containersOf(
  spec: Json | undefined,
): { kind: "container" | "init container"; c: Container }[] {
  if (!spec) return [];
  const list = (key: string) => (Array.isArray(spec[key]) ? (spec[key] as Container[]) : []);
  return [
    ...list("containers").map((c) => ({ kind: "container" as const, c })),
    ...list("initContainers").map((c) => ({ kind: "init container" as const, c })),
  ];
}

/** Which of requests.cpu, requests.memory, limits.memory (and limits.cpu when asked) are missing. */
export function missingResources(resources: unknown, requireCpuLimit: boolean): string[] {
  const r = (resources ?? {}) as { requests?: Json; limits?: Json };
  const missing: string[] = [];
  if (!r.requests?.cpu) missing.push("requests.cpu");
  if (!r.requests?.memory) missing.push("requests.memory");
  if (!r.limits?.memory) missing.push("limits.memory");
  if (requireCpuLimit && !r.limits?.cpu) missing.push("limits.cpu");
  return missing;
}

export function matchesLabels(
  selector: Record<string, string> | undefined,
  labels: Record<string, string>,
): boolean {
  if (!selector) return false;
  return Object.entries(selector).every(([k, v]) => labels[k] === v);
}

/** A policy as this pack defines it: a default enforcement level, and a config schema for thresholds. */
export type Policy = (ResourceValidationPolicy | StackValidationPolicy) & {
  enforcementLevel: EnforcementLevel;
  configSchema: NonNullable<ResourceValidationPolicy["configSchema"]>;
};

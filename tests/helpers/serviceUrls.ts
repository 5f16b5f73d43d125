/**
 * In-cluster HTTP URLs the stack hands its own workloads (Grafana's datasources, the query-frontend's
 * downstream), resolved against the plan: the Service, its port, the pods behind it, and whether the
 * NetworkPolicies on those pods admit the caller. For tests/invariants.spec.ts.
 */
import { parse } from "yaml";
import type { Plan } from "../../plan/plan";
import { HELM_RELEASE, Loose } from "./plan";

const SERVICE_URL = /^https?:\/\/([a-z0-9-]+)\.([a-z0-9-]+)\.svc(?:\.cluster\.local)?:(\d+)\/?$/;
const WORKLOADS = ["kubernetes:apps/v1:Deployment", "kubernetes:apps/v1:StatefulSet"];

interface Caller {
  readonly what: string;
  readonly namespace: string;
  readonly labels: Record<string, string>;
  readonly url: string;
}

const matches = (selector: Record<string, string>, labels: Record<string, string>) =>
  Object.entries(selector).every(([k, v]) => labels[k] === v);

/** Who calls which URL: Grafana's datasources, and every `--…downstream-url=` of a workload. */
export function serviceUrlCallers(plan: Plan): Caller[] {
  const callers: Caller[] = [];
  for (const release of plan.resources.filter((r) => r.type === HELM_RELEASE)) {
    const grafana = (release.inputs.values as Loose)?.grafana;
    if (!grafana || grafana.enabled === false) continue;
    const namespace = String(release.inputs.namespace);
    const fromConfigMaps = plan.resources
      .filter(
        (r) =>
          r.type === "kubernetes:core/v1:ConfigMap" && (r.inputs as Loose).metadata?.namespace === namespace,
      )
      .flatMap((r) => Object.values(((r.inputs as Loose).data ?? {}) as Record<string, string>))
      .flatMap((text) => {
        try {
          return ((parse(text) as Loose)?.datasources ?? []) as Loose[];
        } catch {
          return [];
        }
      });
    for (const ds of [...((grafana.additionalDataSources ?? []) as Loose[]), ...fromConfigMaps])
      if (SERVICE_URL.test(String(ds.url)))
        callers.push({
          what: `Grafana datasource ${ds.name}`,
          namespace,
          labels: { "app.kubernetes.io/name": "grafana" },
          url: String(ds.url),
        });
  }
  for (const w of plan.resources.filter((r) => WORKLOADS.includes(r.type))) {
    const inputs = w.inputs as Loose;
    for (const c of inputs.spec.template.spec.containers as Loose[])
      for (const arg of (c.args ?? []) as string[]) {
        const m = /^--[a-z.-]*downstream-url=(.+)$/.exec(arg);
        if (m)
          callers.push({
            what: `${w.name} ${arg.split("=")[0]}`,
            namespace: inputs.metadata.namespace,
            labels: inputs.spec.template.metadata.labels,
            url: m[1],
          });
      }
  }
  return callers;
}

/** What is wrong with a caller's URL: no such Service or port, no pods behind it, or a policy refuses. */
export function serviceUrlProblems(plan: Plan, caller: Caller): string[] {
  const m = SERVICE_URL.exec(caller.url)!;
  const [name, namespace, port] = [m[1], m[2], Number(m[3])];
  const at = `${caller.what} → ${caller.url}`;
  const service = plan.resources.find(
    (r) =>
      r.type === "kubernetes:core/v1:Service" &&
      (r.inputs as Loose).metadata.name === name &&
      (r.inputs as Loose).metadata.namespace === namespace,
  );
  if (!service) return [`${at}: the stack creates no Service ${namespace}/${name}`];
  const spec = (service.inputs as Loose).spec;
  const servicePort = (spec.ports as Loose[]).find((p) => p.port === port);
  if (!servicePort) return [`${at}: Service ${name} has no port ${port}`];
  const pods = plan.resources
    .filter((r) => WORKLOADS.includes(r.type) && (r.inputs as Loose).metadata.namespace === namespace)
    .map((r) => (r.inputs as Loose).spec.template)
    .filter((t) => matches(spec.selector, t.metadata.labels));
  if (!pods.length) return [`${at}: Service ${name} selects no pod the stack creates`];
  const problems: string[] = [];
  for (const pod of pods) {
    const named = (pod.spec.containers as Loose[])
      .flatMap((c) => (c.ports ?? []) as Loose[])
      .find((p) => p.name === servicePort.targetPort || p.containerPort === servicePort.targetPort);
    if (!named) {
      problems.push(`${at}: the pods behind ${name} have no port ${servicePort.targetPort}`);
      continue;
    }
    const policies = plan.resources.filter(
      (r) =>
        r.type === "kubernetes:networking.k8s.io/v1:NetworkPolicy" &&
        (r.inputs as Loose).metadata.namespace === namespace &&
        matches((r.inputs as Loose).spec.podSelector.matchLabels ?? {}, pod.metadata.labels),
    );
    if (!policies.length) continue;
    const admitted = policies.some((np) =>
      ((np.inputs as Loose).spec.ingress as Loose[]).some(
        (rule) =>
          (rule.ports as Loose[]).some((p) => p.port === named.containerPort) &&
          (rule.from as Loose[]).some((peer) => {
            const nsOk = peer.namespaceSelector
              ? matches(peer.namespaceSelector.matchLabels ?? {}, {
                  "kubernetes.io/metadata.name": caller.namespace,
                })
              : caller.namespace === namespace;
            const podOk = peer.podSelector
              ? matches(peer.podSelector.matchLabels ?? {}, caller.labels)
              : true;
            return nsOk && podOk;
          }),
      ),
    );
    if (!admitted)
      problems.push(`${at}: no NetworkPolicy on ${name}'s pods admits it on ${named.containerPort}`);
  }
  return problems;
}

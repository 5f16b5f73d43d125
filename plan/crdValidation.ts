/**
 * Validates every prometheus-operator custom resource in a plan against the operator's CRD schemas,
 * using the classes of @kubernetes-models/prometheus-operator, in the plan's helper thread
 * (plan/planThread.ts): loading the schemas is most of the cost, and the thread does it on another core
 * while the program runs (startCrdValidation).
 */
import { askPlanThread } from "./planThread";
import type { RecordedResource } from "./runtime";

const GROUP = "monitoring.coreos.com";

/** The kinds the program makes (a spec holds the fixture plans to it): loaded before they are asked for. */
export const EXPECTED_KINDS: readonly (readonly [version: string, kind: string])[] = [
  ["v1", "PrometheusRule"],
  ["v1", "ServiceMonitor"],
  ["v1", "PodMonitor"],
  ["v1", "Probe"],
  ["v1alpha1", "AlertmanagerConfig"],
];

/** Custom resources sent to the thread at a time. */
const BATCH = 200;

export interface SchemaProblem {
  urn: string;
  kind: string;
  message: string;
}

/** Starts loading the expected kinds' schemas now, for a plan that will ask once its program is done. */
export function startCrdValidation(): void {
  askPlanThread({ kind: "preload", kinds: EXPECTED_KINDS }).catch(() => undefined);
}

/** Every prometheus-operator custom resource that does not match its CRD schema, with why. */
export async function validateCustomResources(resources: RecordedResource[]): Promise<SchemaProblem[]> {
  const custom = resources.flatMap((r) => {
    const { apiVersion, kind } = r.inputs;
    if (typeof apiVersion !== "string" || typeof kind !== "string" || !apiVersion.startsWith(`${GROUP}/`))
      return [];
    return [{ urn: r.urn, version: apiVersion.slice(GROUP.length + 1), kind, inputs: r.inputs }];
  });
  // A batch at a time: each is copied to the thread, and a thousand apps' at once would be held twice.
  const problems: SchemaProblem[] = [];
  for (let i = 0; i < custom.length; i += BATCH) {
    try {
      const batch = custom.slice(i, i + BATCH);
      problems.push(...(await askPlanThread<SchemaProblem[]>({ kind: "validate", resources: batch })));
    } catch (err) {
      throw new Error(`checking custom resources against their CRD schemas: ${(err as Error).message}`);
    }
  }
  return problems;
}

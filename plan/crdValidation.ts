/**
 * Validates every prometheus-operator custom resource in a plan against the operator's CRD schemas,
 * using the classes of @kubernetes-models/prometheus-operator (ESM-only, hence the dynamic import).
 */
import type { RecordedResource } from "./runtime";

const GROUP = "monitoring.coreos.com";

interface Validatable {
  validate(): void;
}
type ModelClass = new (data: Record<string, unknown>) => Validatable;

export interface SchemaProblem {
  urn: string;
  kind: string;
  message: string;
}

const loaded = new Map<string, Promise<ModelClass>>();

function modelClass(version: string, kind: string): Promise<ModelClass> {
  const key = `${version}/${kind}`;
  if (!loaded.has(key)) {
    loaded.set(
      key,
      import(`@kubernetes-models/prometheus-operator/${GROUP}/${version}/${kind}`).then(
        (m: Record<string, ModelClass>) => m[kind],
      ),
    );
  }
  return loaded.get(key)!;
}

/** Every prometheus-operator custom resource that does not match its CRD schema, with why. */
export async function validateCustomResources(resources: RecordedResource[]): Promise<SchemaProblem[]> {
  const problems: SchemaProblem[] = [];
  for (const r of resources) {
    const apiVersion = r.inputs.apiVersion;
    const kind = r.inputs.kind;
    if (typeof apiVersion !== "string" || typeof kind !== "string" || !apiVersion.startsWith(`${GROUP}/`))
      continue;
    const Model = await modelClass(apiVersion.slice(GROUP.length + 1), kind);
    try {
      new Model(r.inputs).validate();
    } catch (err) {
      problems.push({ urn: r.urn, kind, message: err instanceof Error ? err.message : String(err) });
    }
  }
  return problems;
}

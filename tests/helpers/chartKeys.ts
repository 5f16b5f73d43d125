/**
 * Helm ignores a values key it does not know, so a typo is a setting that silently never applies.
 * These helpers keep only the key structure of a chart's default values (keys and types, no comments
 * or defaults) and list the key paths of our values that the chart does not have.
 */

/** A chart's key structure: objects keep their keys, leaves become their type name. */
export type KeyStructure = string | { [key: string]: KeyStructure };

export function keyStructure(value: unknown): KeyStructure {
  if (Array.isArray(value)) return "array";
  if (value === null || value === undefined) return "null";
  if (typeof value !== "object") return typeof value;
  const entries = Object.entries(value as Record<string, unknown>);
  if (entries.length === 0) return "object";
  return Object.fromEntries(entries.map(([k, v]) => [k, keyStructure(v)]));
}

/**
 * Key paths in `values` that `structure` does not have. Below an upstream `{}`, `[]` or null anything
 * goes (those are free-form maps, lists, or subchart sections documented elsewhere).
 */
export function unknownKeyPaths(values: unknown, structure: KeyStructure, path = ""): string[] {
  if (typeof structure === "string") return [];
  if (values === null || typeof values !== "object" || Array.isArray(values)) return [];
  const unknown: string[] = [];
  for (const [key, child] of Object.entries(values as Record<string, unknown>)) {
    const childPath = path ? `${path}.${key}` : key;
    if (!(key in structure)) unknown.push(childPath);
    else unknown.push(...unknownKeyPaths(child, structure[key], childPath));
  }
  return unknown;
}

/** Merges subchart key structures under their section of the parent chart's structure. */
export function withSubcharts(
  parent: Record<string, KeyStructure>,
  subcharts: Record<string, Record<string, KeyStructure>>,
): Record<string, KeyStructure> {
  const merged: Record<string, KeyStructure> = { ...parent };
  for (const [name, sub] of Object.entries(subcharts)) merged[name] = mergeStructures(parent[name], sub);
  return merged;
}

function mergeStructures(a: KeyStructure | undefined, b: KeyStructure): KeyStructure {
  if (a === undefined || typeof a === "string") return b;
  if (typeof b === "string") return a;
  const merged: Record<string, KeyStructure> = { ...a };
  for (const [key, child] of Object.entries(b)) merged[key] = mergeStructures(a[key], child);
  return merged;
}

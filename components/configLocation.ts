/**
 * Where a config key is in its stack file (`Pulumi.dev.yaml:57`), how a person names it
 * (`apps[checkout]` rather than `apps[1]`), and the nearest known key for a typo.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { isMap, isSeq } from "yaml";
import { YamlFileTree, parseYamlFileTree } from "./inputFile";
import { CONFIG_NAMESPACE } from "./schema";

/** `file:line` of the deepest node of `keyPath` (top-level key first, without the namespace). */
export type Locate = (keyPath: readonly PropertyKey[]) => string | undefined;

/**
 * A locator for `Pulumi.<stack>.yaml` in `dir`, or undefined when there is no readable file. The file is
 * parsed when a message first asks where a key is (most plans never ask); a file that does not parse
 * locates nothing.
 */
export function stackFileLocator(dir: string, stack: string): Locate | undefined {
  const file = path.join(dir, `Pulumi.${stack}.yaml`);
  let text: string;
  try {
    text = fs.readFileSync(file, "utf8");
  } catch {
    return undefined;
  }
  let parsed: YamlFileTree | null | undefined;
  const tree = () => {
    if (parsed === undefined) {
      try {
        parsed = parseYamlFileTree(text, file);
      } catch {
        parsed = null;
      }
    }
    return parsed;
  };
  const name = path.basename(file);
  return (keyPath) => {
    const parsedFile = tree();
    if (!parsedFile) return undefined;
    const { tree: doc, lines: lineCounter } = parsedFile;
    const config = isMap(doc?.contents) ? doc.contents.get("config", true) : undefined;
    const [top, ...rest] = keyPath.map(String);
    let node: unknown = isMap(config)
      ? (config.get(`${CONFIG_NAMESPACE}:${top}`, true) ?? config.get(top, true))
      : undefined;
    let found = node;
    for (const key of rest) {
      node = isMap(node) ? node.get(key, true) : isSeq(node) ? node.get(Number(key), true) : undefined;
      if (node === undefined) break;
      found = node;
    }
    const at = (found as { range?: [number, number, number] } | undefined)?.range?.[0];
    return at === undefined ? undefined : `${name}:${lineCounter.linePos(at).line}`;
  };
}

/** Lists whose elements are named by their `name` in messages. */
const NAMED_LISTS = ["apps", "alerting.receivers"];

/** `apps[checkout].slo` for `["apps", 1, "slo"]` when apps[1] is named checkout; else the index. */
export function displayPath(keyPath: readonly PropertyKey[], raw: Record<string, unknown>): string {
  let value: unknown = raw;
  let text = "";
  keyPath.forEach((part, i) => {
    const parent = value;
    value = value && typeof value === "object" ? (value as Record<string, unknown>)[String(part)] : undefined;
    if (typeof part === "number") {
      const name = (value as { name?: unknown } | undefined)?.name;
      const list = keyPath.slice(0, i).map(String).join(".");
      const named = NAMED_LISTS.includes(list) && typeof name === "string" && /^[\w.-]{1,63}$/.test(name);
      // Two elements of one name keep their index: the name would not say which.
      const unique =
        named &&
        Array.isArray(parent) &&
        parent.filter((e) => (e as { name?: unknown })?.name === name).length === 1;
      text += unique ? `[${name}]` : `[${part}]`;
    } else text += i === 0 ? String(part) : `.${String(part)}`;
  });
  return text;
}

/** Edit distance between two strings (Levenshtein). */
export function editDistance(a: string, b: string): number {
  let row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const next = [i];
    for (let j = 1; j <= b.length; j++)
      next[j] = Math.min(row[j] + 1, next[j - 1] + 1, row[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    row = next;
  }
  return row[b.length];
}

/** The known key closest to `key`, when close enough to be a typo (case ignored). */
export function closest(key: string, known: readonly string[]): string | undefined {
  const scored = known
    .map((k) => ({ k, d: editDistance(key.toLowerCase(), k.toLowerCase()) }))
    .sort((x, y) => x.d - y.d);
  const best = scored[0];
  return best && best.d <= Math.max(2, Math.floor(key.length / 3)) ? best.k : undefined;
}

/**
 * Which config leaves are `secure:` in the stack file. The Pulumi CLI tells a program only which
 * top-level keys hold a secret somewhere; one secure value under `remoteWrite` would otherwise vouch for
 * a plain-text password beside it. Reading the stack file (next to Pulumi.yaml) decides it per leaf.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { SIZE_CAPS, parseStackFileYaml, readInputFile, shownPath } from "./inputFile";

/** Paths of `secure:` leaves under `namespace:` keys, written as messages name them (`a.b[0].c`). */
export function secureLeafPaths(stackDoc: unknown, namespace: string): Set<string> {
  const found = new Set<string>();
  const walk = (value: unknown, at: string) => {
    if (Array.isArray(value)) value.forEach((v, i) => walk(v, `${at}[${i}]`));
    else if (value && typeof value === "object") {
      const entries = Object.entries(value);
      if (entries.length === 1 && entries[0][0] === "secure") found.add(at);
      else for (const [k, v] of entries) walk(v, `${at}.${k}`);
    }
  };
  const config = ((stackDoc ?? {}) as { config?: Record<string, unknown> }).config ?? {};
  for (const [key, value] of Object.entries(config)) {
    if (key.startsWith(`${namespace}:`)) walk(value, key.slice(namespace.length + 1));
  }
  return found;
}

/** The stack file's secure leaves, or undefined when there is no stack file (config kept elsewhere). */
export function readSecureLeafPaths(dir: string, stack: string, namespace: string): Set<string> | undefined {
  const file = path.join(dir, `Pulumi.${stack}.yaml`);
  if (!fs.existsSync(file)) return undefined;
  const shown = shownPath(file);
  return secureLeafPaths(
    parseStackFileYaml(readInputFile(file, { maxBytes: SIZE_CAPS.stackFile, shown }), shown),
    namespace,
  );
}

import { parse } from "yaml";
import { CONFIG_NAMESPACE, StackConfig, parseStackConfig } from "../../components/config";
import type { ReadFile } from "../../components/ruleFiles";
import { TeamConfig, parseTeamConfig } from "../../components/teamConfig";
import { secureLeafPaths } from "../../components/stackSecrets";

/** A `groups:` file any `ruleFiles` path of a docs snippet reads as (the files are the reader's own). */
export const STUB_RULE_FILE = `groups:
  - name: example
    rules:
      - record: job:up:sum
        expr: sum by (job) (up)
`;
const stubReader: ReadFile = () => STUB_RULE_FILE;

/**
 * A stack file's text (`config:` with `kube-monitoring:<key>` entries) as the program would read it:
 * `secure:` leaves become placeholder secrets and are marked secure per leaf, like a stack file's.
 */
function rawOf(text: string): { raw: Record<string, unknown>; secureLeaves: Set<string> } {
  const doc = parse(text) as { config?: Record<string, unknown> };
  const prefix = `${CONFIG_NAMESPACE}:`;
  const unsecure = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(unsecure);
    if (v && typeof v === "object") {
      const entries = Object.entries(v);
      if (entries.length === 1 && entries[0][0] === "secure") return "docs-placeholder-secret";
      return Object.fromEntries(entries.map(([k, x]) => [k, unsecure(x)]));
    }
    return v;
  };
  const raw: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(doc?.config ?? {})) {
    if (!key.startsWith(prefix)) throw new Error(`${key}: not a ${CONFIG_NAMESPACE}: key`);
    raw[key.slice(prefix.length)] = unsecure(value);
  }
  return { raw, secureLeaves: secureLeafPaths(doc, CONFIG_NAMESPACE) };
}

/** A platform stack file's config, validated by the real parser; `base` fills keys the text leaves out. */
export function parseStackDoc(text: string, base: Record<string, unknown> = {}): StackConfig {
  const { raw, secureLeaves } = rawOf(text);
  return parseStackConfig("docs", { ...base, ...raw }, { secureLeaves, readFile: stubReader });
}

/** A team stack file's config, validated by the real team parser on a platform of `platformEnvironment`. */
export function parseTeamDoc(
  text: string,
  stack: string,
  platformEnvironment?: TeamConfig["environment"],
): TeamConfig {
  const { raw, secureLeaves } = rawOf(text);
  return parseTeamConfig(stack, raw, { secureLeaves, readFile: stubReader, platformEnvironment });
}

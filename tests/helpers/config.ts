import { strict as assert } from "node:assert";
import { ConfigError, StackConfig, parseStackConfig } from "../../components/config";

/** A valid minimal stack config plus `raw`, parsed. */
export function configWith(raw: Record<string, unknown>, secretKeys: string[] = []): StackConfig {
  return parseStackConfig("prod", { environment: "prod", clusterName: "prod-1", ...raw }, { secretKeys });
}

/** The problems a config has; fails when it is accepted. */
export function problemsOf(raw: Record<string, unknown>, secretKeys: string[] = []): string[] {
  try {
    configWith(raw, secretKeys);
  } catch (err) {
    assert.ok(err instanceof ConfigError, `expected a ConfigError, got ${String(err)}`);
    return err.problems;
  }
  assert.fail("the config was accepted");
}

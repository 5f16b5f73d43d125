import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { stringify } from "yaml";
import { Plan, PlanResult, planStack } from "../../plan/plan";
import type { RecordedResource } from "../../plan/runtime";

export const projectDir = path.resolve(__dirname, "..", "..");

const planned = new Map<string, Promise<PlanResult>>();

/** Plans a committed stack once per test run (the program is deterministic). */
export function planOf(stack: string): Promise<PlanResult> {
  if (!planned.has(stack)) planned.set(stack, planStack({ projectDir, stack }));
  return planned.get(stack)!;
}

/**
 * Plans a stack whose Pulumi.<stack>.yaml is `config`, next to a copy of the real Pulumi.yaml. Its policy
 * config is `policyConfig`, by default the pack's own strict settings under the stack's environment.
 */
export async function planWithConfig(
  stack: string,
  config: Record<string, unknown>,
  outDir?: string,
  policyConfig: Record<string, unknown> = { profile: String(config["kube-monitoring:environment"] ?? "dev") },
) {
  const dir = writeConfigDir(stack, config);
  fs.writeFileSync(path.join(dir, `config.${stack}.json`), JSON.stringify(policyConfig));
  try {
    return await planStack({ projectDir, configDir: dir, stack, outDir, policyConfigDir: dir });
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** The committed dev stack's policy config: the profile most test stacks plan under. */
export const devPolicyConfig = (): Record<string, unknown> =>
  JSON.parse(fs.readFileSync(path.join(projectDir, "policies", "config.dev.json"), "utf8"));

export function writeConfigDir(stack: string, config: Record<string, unknown>): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "kube-monitoring-config-"));
  fs.copyFileSync(path.join(projectDir, "Pulumi.yaml"), path.join(dir, "Pulumi.yaml"));
  fs.writeFileSync(path.join(dir, `Pulumi.${stack}.yaml`), stringify({ config }));
  return dir;
}

export function resource(plan: Plan | undefined, type: string, name: string): RecordedResource {
  const found = plan?.resources.find((r) => r.type === type && r.name === name);
  if (!found) throw new Error(`no ${type} named ${name} in the plan`);
  return found;
}

export const HELM_RELEASE = "kubernetes:helm.sh/v3:Release";

/** Deep, loosely typed values that assertions walk (Helm values, pod specs). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Loose = Record<string, any>;

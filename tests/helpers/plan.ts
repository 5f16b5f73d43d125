import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { stringify } from "yaml";
import type { Plan, PlanResult } from "../../plan/plan";
import { SHARED_PLANS_ENV, sharedPlan } from "./sharedPlans";
import type { RecordedResource } from "../../plan/runtime";

export const projectDir = path.resolve(__dirname, "..", "..");

/**
 * The fixture stacks specs plan: `Pulumi.<stack>.yaml` with its policy config `config.<stack>.json`, and
 * team stacks under `teams/`. `dev`, `prod` and `teams/payments` mirror the examples as they were when
 * copied; adopters change the examples, never these (docs/testing.md).
 */
export const fixturesDir = path.join(projectDir, "tests", "fixtures", "stacks");
export const teamFixturesDir = path.join(fixturesDir, "teams");
/** Every platform fixture stack, for specs that hold on any stack. */
export const FIXTURE_STACKS = ["minimal", "dev", "prod", "generic", "everything"] as const;
/** Every team fixture stack, with the platform fixture it builds on. */
export const TEAM_FIXTURES = { payments: "prod", squad: "everything" } as const;

/**
 * The planner, loaded when a process first plans: a process that only reads the fixture plans others
 * made (sharedPlan) does not load the program, its policies and the SDK for them.
 */
const planner = async () =>
  // oxlint-disable-next-line typescript/no-require-imports -- lazy, see above
  require("../../plan/plan") as typeof import("../../plan/plan");

const planned = new Map<string, Promise<PlanResult>>();

/**
 * Plans a fixture stack once per test run (the program is deterministic). Under `npm test` the spec jobs
 * are separate processes: tests/run.mjs names a directory in SHARED_PLANS_ENV, where the first process
 * to ask for a fixture plans it and leaves the result for the others (sharedPlan). Every process gets the
 * plan as JSON, as plan.json holds it, whether it planned or read it.
 */
export function planOf(stack: string): Promise<PlanResult> {
  if (!planned.has(stack)) {
    const plan = async (): Promise<PlanResult> =>
      (await planner()).planStack({
        projectDir,
        configDir: fixturesDir,
        policyConfigDir: fixturesDir,
        stack,
      });
    const shared = process.env[SHARED_PLANS_ENV];
    // sharedPlan hands back JSON; a process planning alone makes the same round trip.
    planned.set(
      stack,
      shared ? sharedPlan(shared, stack, plan) : plan().then((r) => JSON.parse(JSON.stringify(r))),
    );
  }
  return planned.get(stack)!;
}

const teamPlans = new Map<string, Promise<PlanResult>>();
const teamPlatforms = new Map<string, Pick<Plan, "outputs" | "resources">>();

/**
 * Plans a team fixture stack against a platform fixture's plan, as the CLI does; once per run for the
 * same team, platform stack and plan.
 */
export function planTeamOf(
  team: string,
  platform: Pick<Plan, "outputs" | "resources">,
  platformStack: string,
): Promise<PlanResult> {
  const key = `${team} ${platformStack}`;
  const cached = teamPlans.get(key);
  if (cached && teamPlatforms.get(key) === platform) return cached;
  teamPlatforms.set(key, platform);
  const planned = planner().then(({ planStack, teamPlanContext }) =>
    planStack({
      projectDir: path.join(projectDir, "teams"),
      configDir: teamFixturesDir,
      policyConfigDir: teamFixturesDir,
      stack: team,
      ...teamPlanContext(`example-org/kube-monitoring/${platformStack}`, platform),
    }),
  );
  teamPlans.set(key, planned);
  return planned;
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
    const { planStack } = await planner();
    return await planStack({ projectDir, configDir: dir, stack, outDir, policyConfigDir: dir });
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** The dev fixture's policy config: the profile most test stacks plan under. */
export const devPolicyConfig = (): Record<string, unknown> =>
  JSON.parse(fs.readFileSync(path.join(fixturesDir, "config.dev.json"), "utf8"));

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

/** A recorded resource of the dev stack, as the plan keeps it, for specs that build plans by hand. */
export const recorded = (
  type: string,
  name: string,
  inputs: Record<string, unknown>,
  extra: Partial<RecordedResource> = {},
): RecordedResource => ({
  urn: `urn:pulumi:dev::kube-monitoring::${type}::${name}`,
  type,
  name,
  dependsOn: [],
  inputs,
  protect: false,
  retainOnDelete: false,
  custom: true,
  ...extra,
});

export const HELM_RELEASE = "kubernetes:helm.sh/v3:Release";

/** Deep, loosely typed values that assertions walk (Helm values, pod specs). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Loose = Record<string, any>;

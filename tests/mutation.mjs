// npm run mutation -- [modules]: runs StrykerJS on the given modules (default: the table below) with
// the specs that exercise them, so each mutant runs only specs that can kill it.
import { spawnSync } from "node:child_process";

/** Module → the specs that pin its behaviour. */
const TABLE = {
  "components/ownership.ts": ["tests/ownershipUnit.spec.ts"],
  "policies/ownership.ts": ["tests/ownershipUnit.spec.ts"],
  "components/appRouting.ts": ["tests/apps.spec.ts", "tests/alerting.spec.ts", "tests/ownership.spec.ts"],
  "components/PlatformAlerting.ts": ["tests/alerting.spec.ts", "tests/ownership.spec.ts"],
  "policies/alerting.ts": ["tests/policies/alerting.spec.ts"],
  "components/capacity.ts": ["tests/capacity.spec.ts"],
  "plan/diff.ts": ["tests/diff.spec.ts"],
};

const args = process.argv.slice(2);
if (args.includes("--help")) {
  console.log(`usage: npm run mutation -- [module ...]

Runs StrykerJS on each module (default: ${Object.keys(TABLE).join(", ")}) with the specs
listed for it in tests/mutation.mjs. Writes out/mutation/report.json. Exit 0 when Stryker ran, 1 when it
failed or a module has no specs listed.`);
  process.exit(0);
}
const modules = args.length ? args : Object.keys(TABLE);
const unknown = modules.filter((m) => !TABLE[m]);
if (unknown.length) {
  console.error(`no specs listed for ${unknown.join(", ")} in tests/mutation.mjs`);
  process.exit(1);
}
const specs = [...new Set(modules.flatMap((m) => TABLE[m]))];
const result = spawnSync("stryker", ["run", "stryker.config.mjs", "--mutate", modules.join(",")], {
  stdio: "inherit",
  env: { ...process.env, KUBE_MONITORING_MUTATION_SPECS: specs.join(",") },
});
process.exit(result.status ?? 1);

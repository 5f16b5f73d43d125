// npm run mutation -- [module|folder/ ...] [--concurrency N]: runs StrykerJS on each module (default:
// every module of the table below), one Stryker run per module with the specs that exercise it, so each
// mutant runs only specs that can kill it; `lines` limits a module to those lines, `grep` runs only the
// tests it names. `skip` leaves out a spec file's slow plan-based tests (mocha
// --grep … --invert): those plan whole stacks and would make each mutant take seconds more.
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";

const OFFLINE_PLAN = "in the offline plan";
const PROD_PLAN = "prod plan";

/** Module → the specs that pin its behaviour. The default list is issue #25's: every policy module, the
 * routing and alerting builders, capacity, the PR diff and verify's checks. */
const TABLE = {
  // Routing and alerting builders.
  "components/appRouting.ts": { specs: ["tests/routingUnit.spec.ts"] },
  // Its pure builders; the component's constructor only creates resources (pinned by the plan specs).
  "components/PlatformAlerting.ts": { specs: ["tests/routingUnit.spec.ts"], lines: "1-166" },
  "components/ownership.ts": { specs: ["tests/ownershipUnit.spec.ts"] },
  // The SLO burn-rate rules (BURN_RATE_WINDOWS, errorBudget, sloRules).
  "components/appRules.ts": { specs: ["tests/sloUnit.spec.ts"], lines: "212-267" },
  "components/capacity.ts": { specs: ["tests/capacity.spec.ts"] },
  // The policy gate.
  "policies/alerting.ts": { specs: ["tests/policies/alerting.spec.ts"], skip: OFFLINE_PLAN },
  "policies/ownership.ts": { specs: ["tests/ownershipUnit.spec.ts"] },
  "policies/cluster.ts": {
    specs: ["tests/policies/clusterUnit.spec.ts", "tests/policies/cluster.spec.ts"],
    skip: PROD_PLAN,
  },
  // Each Thanos client's actions, judged by iam-least-privilege (cluster.ts).
  "policies/iam.ts": {
    specs: ["tests/policies/clusterUnit.spec.ts", "tests/policies/cluster.spec.ts"],
    skip: PROD_PLAN,
  },
  // grep is a regular expression over each test's full title, in every spec file listed.
  "policies/grafana.ts": {
    specs: [
      "tests/policies/grafanaAccess.spec.ts",
      "tests/grafana.spec.ts",
      "tests/security/boundaries.spec.ts",
    ],
    grep: "policy grafana-access|an internal Grafana ingress stays internal",
  },
  "policies/helm.ts": { specs: ["tests/policies/helm.spec.ts"] },
  "policies/monitors.ts": {
    specs: ["tests/policies/monitorsUnit.spec.ts", "tests/policies/monitors.spec.ts"],
  },
  "policies/ingressScope.ts": {
    specs: [
      "tests/policies/ingressScope.spec.ts",
      "tests/security/boundaries.spec.ts",
      "tests/policies/webUi.spec.ts",
    ],
    grep: "ingress scope|an internal Grafana ingress stays internal|policy web-ui-access",
  },
  "policies/prometheus.ts": {
    specs: ["tests/policies/prometheusUnit.spec.ts", "tests/policies/prometheus.spec.ts"],
  },
  "policies/promql.ts": {
    specs: [
      "tests/policies/promqlUnit.spec.ts",
      "tests/policies/promqlStrings.spec.ts",
      "tests/policies/rules.spec.ts",
    ],
  },
  "policies/promqlSyntax.ts": {
    specs: [
      "tests/policies/promqlSyntaxUnit.spec.ts",
      "tests/policies/promqlStrings.spec.ts",
      "tests/policies/promqlUnit.spec.ts",
    ],
  },
  "policies/resources.ts": {
    specs: ["tests/policies/resourcesUnit.spec.ts", "tests/policies/resources.spec.ts"],
  },
  "policies/rules.ts": {
    specs: [
      "tests/policies/rulesUnit.spec.ts",
      "tests/policies/rules.spec.ts",
      "tests/policies/promqlStrings.spec.ts",
    ],
  },
  // Its unit case; the other plans the prod fixture.
  "policies/scrapeLimits.ts": {
    specs: ["tests/policies/scrapeLimitsUnit.spec.ts", "tests/scrapeLimits.spec.ts"],
    grep: "policy core-scrape-limits (refuses|\\(unit\\))",
  },
  "policies/secrets.ts": { specs: ["tests/policies/secrets.spec.ts"] },
  "policies/teams.ts": { specs: ["tests/teams.spec.ts"], grep: "policy team-stack-scope" },
  "policies/thanos.ts": { specs: ["tests/policies/thanosUnit.spec.ts", "tests/policies/thanos.spec.ts"] },
  "policies/units.ts": {
    specs: [
      "tests/policies/units.spec.ts",
      "tests/policies/prometheus.spec.ts",
      "tests/policies/rules.spec.ts",
    ],
  },
  // Its pure functions; policyGate.spec.ts's unit cases read them through loadPolicyConfig.
  "policies/settingsDelta.ts": {
    specs: ["tests/policies/settingsDelta.spec.ts", "tests/security/policyGate.spec.ts"],
    grep: "policy settings delta|records loosened thresholds|refuses absurd thresholds|runs remediate as mandatory",
  },
  // Its unit spec and the plan-free cases that load policy configs.
  "policies/harness.ts": {
    specs: [
      "tests/policies/harnessUnit.spec.ts",
      "tests/policies/config.spec.ts",
      "tests/policies/pack.spec.ts",
      "tests/security/policyGate.spec.ts",
    ],
    grep: "policies/harness \\(unit\\)|policy config files (refuses|holds|needs)|policy pack (has|reads)|runs remediate as mandatory|records loosened thresholds|refuses absurd thresholds|refuses __proto__",
  },
  "policies/webUi.ts": { specs: ["tests/policies/webUi.spec.ts"] },
  "policies/regex.ts": { specs: ["tests/policies/regexSyntax.spec.ts"] },
  "policies/regexSyntax.ts": { specs: ["tests/policies/regexSyntax.spec.ts"] },
  "policies/links.ts": { specs: ["tests/policies/links.spec.ts"] },
  "policies/inputFile.ts": { specs: ["tests/policies/config.spec.ts"] },
  "policies/util.ts": {
    specs: ["tests/policies/utilUnit.spec.ts", "tests/policies/resourcesUnit.spec.ts"],
  },
  // YAML as hostile input; files.spec.ts's last case plans the minimal fixture.
  "components/inputFile.ts": {
    specs: ["tests/inputFileUnit.spec.ts", "tests/security/files.spec.ts"],
    skip: "never deletes what the plan did not write",
  },
  // The PR diff and verify's checks.
  "plan/diff.ts": { specs: ["tests/diff.spec.ts"], skip: "the same plans give the same comment" },
  "plan/verify/checks.ts": { specs: ["tests/verifyChecks.spec.ts"] },
};

const args = process.argv.slice(2);
if (args.includes("--help")) {
  console.log(`usage: npm run mutation -- [module[:from-to]|folder/ ...] [--concurrency N]

Runs StrykerJS on each module (default: ${Object.keys(TABLE).join(", ")}), one run per module with the
specs listed for it in tests/mutation.mjs; a folder (policies/) means its modules in the table.
Concurrency is 1 unless given (2 at most on a shared machine). Writes out/mutation/<module>.json.
Exit 0 when every Stryker run ran, 1 when one failed or a module has no specs listed.`);
  process.exit(0);
}
let concurrency = "1";
const names = [];
for (let i = 0; i < args.length; i++) {
  if (args[i] === "--concurrency") concurrency = args[++i] ?? "1";
  else names.push(args[i]);
}
if (!/^[1-9]\d*$/.test(concurrency)) {
  console.error(`--concurrency: expected a positive whole number, got ${JSON.stringify(concurrency)}`);
  process.exit(1);
}
// `module:from-to` mutates only those lines (a long module in parts: Stryker reports only when done).
const range = (n) => /^(.+):(\d+-\d+)$/.exec(n);
const moduleOf = (n) => range(n)?.[1] ?? n;
const modules = names.length
  ? names.flatMap((n) => (n.endsWith("/") ? Object.keys(TABLE).filter((m) => m.startsWith(n)) : [n]))
  : Object.keys(TABLE);
const unknown = names.filter((n) =>
  n.endsWith("/") ? !modules.some((m) => m.startsWith(n)) : !TABLE[moduleOf(n)],
);
if (unknown.length) {
  console.error(`no specs listed for ${unknown.join(", ")} in tests/mutation.mjs`);
  process.exit(1);
}
fs.mkdirSync("out/mutation", { recursive: true });
let failed = 0;
for (const name of modules) {
  const module = moduleOf(name);
  const { specs, skip, grep } = TABLE[module];
  const lines = range(name)?.[2] ?? TABLE[module].lines;
  const report = `out/mutation/${name.replace(/[/.:]/g, "_")}.json`;
  const only = grep ? `; only "${grep}"` : skip ? `; not "${skip}"` : "";
  console.log(`\n== ${name} (specs: ${specs.join(", ")}${only})`);
  const result = spawnSync(
    "stryker",
    [
      "run",
      "stryker.config.mjs",
      "--mutate",
      lines ? `${module}:${lines}` : module,
      "--concurrency",
      concurrency,
    ],
    {
      stdio: "inherit",
      env: {
        ...process.env,
        KUBE_MONITORING_MUTATION_SPECS: specs.join(","),
        KUBE_MONITORING_MUTATION_SKIP: skip ?? "",
        KUBE_MONITORING_MUTATION_GREP: grep ?? "",
        KUBE_MONITORING_MUTATION_REPORT: report,
      },
    },
  );
  if (result.status !== 0) failed++;
}
process.exit(failed ? 1 : 0);

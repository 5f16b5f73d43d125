// Mutation testing (npm run mutation): StrykerJS on the modules that decide who gets paged and what
// the gate lets through. Not part of npm test; scores are recorded in docs/testing.md.
// The command runner runs the specs tests/mutation.mjs names for the mutated module (Stryker's mocha
// runner does not load mocha 12, whose CLI helpers are .cjs files); --bail stops at the first failure,
// which is all a killed mutant needs.
const env = process.env;
const specs = (env.KUBE_MONITORING_MUTATION_SPECS ?? "tests/capacity.spec.ts").split(",");
const grep = env.KUBE_MONITORING_MUTATION_GREP
  ? ` --grep ${JSON.stringify(env.KUBE_MONITORING_MUTATION_GREP)}`
  : "";
const skip = env.KUBE_MONITORING_MUTATION_SKIP
  ? ` --grep ${JSON.stringify(env.KUBE_MONITORING_MUTATION_SKIP)} --invert`
  : "";

export default {
  testRunner: "command",
  commandRunner: {
    command: `node node_modules/mocha/bin/mocha.js --no-config --require ./plan/register.js --timeout 60000 --reporter dot --bail${grep}${skip} ${specs.join(" ")}`,
  },
  coverageAnalysis: "off",
  concurrency: 1,
  timeoutMS: 60000,
  reporters: ["clear-text", "progress", "json"],
  jsonReporter: { fileName: env.KUBE_MONITORING_MUTATION_REPORT ?? "out/mutation/report.json" },
  tempDirName: ".stryker-tmp",
  ignorePatterns: ["out", ".stryker-tmp", "bench", "docs", "dashboards/*.png"],
  cleanTempDir: "always",
};

// Mutation testing (npm run mutation): StrykerJS on the modules that decide who gets paged and what
// the gate lets through. Not part of npm test; scores are recorded in docs/testing.md.
// The command runner runs the specs tests/mutation.mjs names for the mutated modules (Stryker's mocha
// runner does not load mocha 12, whose CLI helpers are .cjs files).
const specs = (process.env.KUBE_MONITORING_MUTATION_SPECS ?? "tests/capacity.spec.ts").split(",");

export default {
  testRunner: "command",
  commandRunner: {
    command: `npx mocha --no-config --require ./plan/register.js --timeout 60000 --reporter dot ${specs.join(" ")}`,
  },
  coverageAnalysis: "off",
  concurrency: 2,
  timeoutMS: 120000,
  reporters: ["clear-text", "progress", "json"],
  jsonReporter: { fileName: "out/mutation/report.json" },
  tempDirName: ".stryker-tmp",
  ignorePatterns: ["out", ".stryker-tmp", "bench", "docs", "dashboards/*.png"],
  cleanTempDir: "always",
};

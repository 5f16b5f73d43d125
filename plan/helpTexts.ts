/** Help for the commands whose modules are owned elsewhere or are scripts: verify, plan:comment, docs, bench. */
import type { CommandHelp } from "./cliHelp";

export const VERIFY_HELP: CommandHelp = {
  usage:
    "npm run verify -- <stack> --prometheus-url URL --alertmanager-url URL [--thanos-query-url URL]\n" +
    "                        [--plan out/<stack>/plan.json] [--wait 5m] [--format text|json]\n" +
    "                        [--send-test-alert RECEIVER]\n" +
    "       npm run verify -- <stack> --expectations [--plan FILE] [--format text|json]",
  description:
    "Checks a deployed stack against its plan: every monitor's scrape pool up, every rule group loaded and\n" +
    "healthy, Alertmanager on the new configuration, Watchdog firing, no rejected resources or failing\n" +
    "notifications, Thanos uploading and seeing its stores.",
  options: [
    ["--prometheus-url URL", "Prometheus, http(s), no credentials in it (required)"],
    ["--alertmanager-url URL", "Alertmanager, http(s) (required)"],
    ["--thanos-query-url URL", "Thanos Query, when the stack runs Thanos"],
    ["--plan FILE", "the stack's plan (default out/<stack>/plan.json)"],
    ["--wait DURATION", "retry failed checks until they pass or this long has passed (default 0s)"],
    ["--format text|json", "text (default) or json for machines"],
    ["--expectations", "print what would be checked (pools, rule groups, receivers, stores) and ask no API"],
    [
      "--send-test-alert RECEIVER",
      'post one alert labelled test="true" through the named receiver, confirm it, resolve it',
    ],
  ],
  environment: [
    ["KUBE_MONITORING_VERIFY_TOKEN", "bearer token for the servers"],
    ["KUBE_MONITORING_VERIFY_USER", "with _PASSWORD: basic credentials instead"],
  ],
  exitCodes: [
    [0, "every check passed"],
    [1, "a check failed, or bad usage"],
    [3, "an API could not be reached"],
  ],
  example:
    "npm run verify -- prod --prometheus-url http://127.0.0.1:9090 --alertmanager-url http://127.0.0.1:9093 \\\n" +
    "    --wait 10m",
};

export const COMMENT_HELP: CommandHelp = {
  usage: "npm run plan:comment -- --head DIR --base DIR [--stacks dev,prod] --out FILE",
  description:
    "Writes one PR comment for several stacks: each head plan (DIR/<stack>/plan.json) diffed against its\n" +
    "base plan, or against nothing when the base has none (a new stack). A stack without a head plan is\n" +
    "listed as failed.",
  options: [
    ["--head DIR", "the plans of the pull request's head (required)"],
    ["--base DIR", "the plans of its base (required)"],
    ["--stacks LIST", "comma-separated stacks (default dev,prod)"],
    ["--out FILE", "where the markdown goes (required)"],
  ],
  exitCodes: [
    [0, "comment written"],
    [1, "bad usage, or a plan file that is not a plan"],
  ],
  example: "npm run plan:comment -- --head out --base base --stacks dev,prod --out comment.md",
};

export const DOCS_HELP: CommandHelp = {
  usage: "npm run docs",
  description:
    "Regenerates docs/configuration.md from the config schema (components/schema.ts), Pulumi.yaml's\n" +
    "descriptions and the examples in plan/configExamples.ts. A spec fails when the file is not current.",
  options: [],
  exitCodes: [
    [0, "docs/configuration.md written"],
    [1, "bad usage"],
  ],
  example: "npm run docs && git diff docs/configuration.md",
};

export const BENCH_HELP: CommandHelp = {
  usage: "npm run bench [-- scale | backtest]",
  description:
    "Plans dev, prod and synthetic stacks of 1 to 1000 apps, and 10 team stacks in parallel, each in a\n" +
    "fresh process, writing its files as npm run plan does; each row beside its import floor (load the\n" +
    "SDKs) and SDK floor (the SDK registering as many no-op resources under the same mocks), measured in\n" +
    "the same run, with peak RSS, the load average and the CPU profile's top five. Writes\n" +
    "bench/results.json and bench/results.md. `scale`: dev, prod, 100 and 1000 apps only. `backtest`:\n" +
    "only the backtest entry, its summary printed. Takes minutes: run it on a quiet machine.",
  options: [],
  environment: [["BENCH_RUNS", "runs per entry (default 3; at most 2 for 1000 apps)"]],
  exitCodes: [
    [0, "measured and written"],
    [1, "a plan failed, or bad usage"],
  ],
  example: "BENCH_RUNS=5 npm run bench -- scale",
};

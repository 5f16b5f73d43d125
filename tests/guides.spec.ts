/**
 * The guides a person follows (docs/onboarding.md, docs/teams.md): their config snippets are valid
 * under the real parsers, their Kubernetes snippets match the config, their commands name real
 * scripts and options, and the onboarded app, planned, routes its alerts where the guide says.
 */
import { strict as assert } from "node:assert";
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { parse } from "yaml";
import { EFFECTIVE_ALERTMANAGER_FILE } from "../plan/plan";
import { PLAN_HELP } from "../plan/cli";
import { COMMENT_HELP, VERIFY_HELP } from "../plan/helpTexts";
import type { CommandHelp } from "../plan/cliHelp";
import { Loose, fixturesDir, planWithConfig, devPolicyConfig } from "./helpers/plan";
import { parseStackDoc, parseTeamDoc } from "./helpers/stackDoc";
import { ownershipOf } from "../components/schema";
import { PlatformContract, teamPlacementProblems } from "../components/platformContract";
import { loadPolicyConfig } from "../policies/harness";
import { requireTool } from "./helpers/tools";

const root = path.resolve(__dirname, "..");

/** The fenced blocks of a markdown file, with their language. */
export function fencedBlocks(file: string): { lang: string; text: string }[] {
  const text = fs.readFileSync(path.join(root, file), "utf8");
  return [...text.matchAll(/^```(\w*)\n([\s\S]*?)^```$/gm)].map((m) => ({ lang: m[1], text: m[2] }));
}

/** Every `npm run <script> -- …` in the blocks: its script exists, and each option is in its help. */
export function checkCommands(blocks: { lang: string; text: string }[]): string[] {
  const scripts = JSON.parse(fs.readFileSync(path.join(root, "package.json"), "utf8")).scripts;
  const helps: Record<string, CommandHelp> = {
    plan: PLAN_HELP,
    "plan:comment": COMMENT_HELP,
    verify: VERIFY_HELP,
  };
  const commands = blocks
    .filter((b) => b.lang === "sh")
    .flatMap((b) => b.text.replace(/\\\n\s*/g, "").split("\n"))
    .map((line) => line.replace(/#.*$/, "").trim())
    .filter((line) => line.startsWith("npm run "));
  for (const line of commands) {
    const [, script, args = ""] = /^npm run (\S+)(?: -- (.*))?$/.exec(line) ?? [];
    assert.ok(script in scripts, `${line}: no script ${script}`);
    for (const option of args.match(/--[a-z-]+/g) ?? []) {
      const help = helps[script];
      assert.ok(help, `${line}: options of ${script} unchecked`);
      assert.ok(
        help.options.some(([flag]) => flag.split(/[ ,]+/).includes(option)),
        `${line}: ${option} is not an option of ${script}`,
      );
    }
  }
  return commands;
}

describe("docs/onboarding.md", function () {
  const blocks = fencedBlocks("docs/onboarding.md");
  const yamlBlocks = blocks.filter((b) => b.lang === "yaml").map((b) => parse(b.text));
  const service = yamlBlocks.find((d) => d.kind === "Service");
  const snippet = yamlBlocks.find((d) => d.config)?.config as Record<string, unknown[]>;
  const dev = parse(fs.readFileSync(path.join(fixturesDir, "Pulumi.dev.yaml"), "utf8")).config;
  // Step 4: the entry added to the dev stack's apps, as the guide says.
  const config = {
    ...dev,
    "kube-monitoring:apps": [...dev["kube-monitoring:apps"], ...snippet["kube-monitoring:apps"]],
  };
  const app = parseStackDoc(JSON.stringify({ config })).apps.find((a) => a.name === "checkout")!;

  it("adds one app the dev stack accepts, and shows a Service its monitor finds", () => {
    assert.equal(yamlBlocks.length, 2);
    assert.equal(app.namespace, service.metadata.namespace);
    assert.equal(app.serviceName ?? app.name, service.metadata.name, "the job label is the Service's name");
    for (const [key, value] of Object.entries(app.selector ?? {}))
      assert.equal(service.metadata.labels[key], value);
    assert.deepEqual(app.target?.labels, service.metadata.labels);
    const ports = service.spec.ports.map((p: { name: string }) => p.name);
    assert.deepEqual(app.target?.ports, ports);
    for (const e of app.serviceMonitor!.endpoints) assert.ok(ports.includes(e.port), e.port);
  });

  it("creates the Secret the receivers reference, in the app's namespace", () => {
    const sh = blocks.filter((b) => b.lang === "sh").map((b) => b.text.replace(/\\\n\s*/g, ""));
    const create = sh.flatMap((t) => t.split("\n")).find((l) => l.startsWith("kubectl -n"))!;
    const [, ns, name] = /^kubectl -n (\S+) create secret generic (\S+)/.exec(create) ?? [];
    const keys = [...create.matchAll(/--from-literal=([^=]+)=/g)].map((m) => m[1]);
    const refs = app.routing!.receivers.flatMap((r) =>
      [r.pagerduty?.routingKey, r.slack?.apiUrl].filter(Boolean),
    );
    assert.equal(ns, app.namespace);
    assert.deepEqual(
      refs.map((r) => r && "secretName" in r && `${r.secretName}/${r.key}`),
      keys.map((k) => `${name}/${k}`),
    );
  });

  it("quotes the error a misspelt key gives", () => {
    const guide = fs.readFileSync(path.join(root, "docs/onboarding.md"), "utf8").replace(/\s*\n\s*/g, " ");
    const quoted = /`Pulumi\.dev\.yaml:\d+: (apps\[checkout\][^`]*?) …`/.exec(guide)![1];
    const typo = JSON.stringify({ config }).replace(
      '"defaultReceiver":"web-slack"',
      '"defaultReciever":"web-slack"',
    );
    assert.throws(
      () => parseStackDoc(typo),
      (err: Error) => err.message.includes(`docs: ${quoted}`),
    );
  });

  it("names only scripts and options that exist", () => {
    const commands = checkCommands(blocks);
    assert.ok(commands.some((c) => c.startsWith("npm run plan:comment -- ")));
    assert.ok(commands.some((c) => c.includes("--send-test-alert shop/checkout/web-pager")));
  });

  it("plans the app with its alerts routed as the guide shows, amtool agreeing", async function () {
    requireTool(this, "amtool", "prometheus-alertmanager");
    const out = fs.mkdtempSync(path.join(os.tmpdir(), "onboarding-"));
    try {
      const { exitCode, plan, report } = await planWithConfig("dev", config, out, devPolicyConfig());
      assert.equal(exitCode, 0, report);
      const reaches = (alert: string) =>
        plan!.alertRouting!.find((r) => r.alert === alert && r.namespace === "shop")?.receivers;
      assert.deepEqual(reaches("HighErrorRate"), ["shop/checkout/web-pager"]);
      assert.deepEqual(reaches("TargetDown"), ["shop/checkout/web-pager"]);
      assert.deepEqual(reaches("HighLatency"), ["shop/checkout/web-slack"]);
      // The Secret is read where the guide (and configuration.md) says: the AlertmanagerConfig's namespace.
      const amc = plan!.resources.find((r) => r.name === "app-checkout-alertmanagerconfig")!.inputs as Loose;
      assert.equal(amc.metadata.namespace, "shop");
      assert.deepEqual(amc.spec.receivers[0].pagerdutyConfigs[0].routingKey, {
        name: "checkout-alerting",
        key: "pagerduty-routing-key",
      });
      // The routing table lines the guide quotes are in the plan's alert-routing.md.
      const table = fs.readFileSync(path.join(out, "dev", "manifests", "alert-routing.md"), "utf8");
      const quoted = blocks.find((b) => b.lang === "" && b.text.includes("| HighErrorRate |"))!;
      for (const line of quoted.text.trim().split("\n")) assert.ok(table.includes(line), line);
      // The amtool line and the answer the guide gives.
      const sh = blocks.find((b) => b.text.includes("amtool config routes test"))!.text;
      const labels = /--config\.file=\S+\s*\\\n\s*(.*)\n/.exec(sh)![1].split(/\s+/);
      const expected = /^# (.*)$/m.exec(sh)![1];
      const file = path.join(out, "dev", "manifests", EFFECTIVE_ALERTMANAGER_FILE);
      const answer = execFileSync(
        "amtool",
        ["config", "routes", "test", `--config.file=${file}`, ...labels],
        {
          encoding: "utf8",
          stdio: ["ignore", "pipe", "ignore"],
        },
      );
      assert.equal(answer.trim(), expected);
    } finally {
      fs.rmSync(out, { recursive: true, force: true });
    }
  });
});

describe("docs/teams.md", () => {
  const blocks = fencedBlocks("docs/teams.md");
  const yamlBlocks = blocks.filter((b) => b.lang === "yaml").map((b) => b.text);
  const registration = parse(yamlBlocks[0]).config;
  const dev = parse(fs.readFileSync(path.join(fixturesDir, "Pulumi.dev.yaml"), "utf8")).config;
  const platform = parseStackDoc(JSON.stringify({ config: { ...dev, ...registration } }));
  const own = ownershipOf(platform);
  const contract = (teams = platform.teams) =>
    ({
      teams,
      platformNamespaces: own.platformNamespaces,
      apps: platform.apps.map((a) => ({
        name: a.name,
        namespace: a.namespace,
        team: a.team,
        routed: !!a.routing,
      })),
    }) as unknown as PlatformContract;
  // The guide's team stack leaves environment to the platform's: the dev stack's.
  const team = parseTeamDoc(yamlBlocks[1], "search", platform.environment);

  it("registers the team in the dev platform stack, which the team stack names", () => {
    assert.deepEqual(
      platform.teams.map((t) => [t.name, t.namespacePrefix]),
      [
        ["payments", "payments-"],
        ["search", "search-"],
      ],
    );
    assert.equal(team.team, "search");
    assert.equal(team.platformStack.split("/")[2], "dev");
  });

  it("has a team stack the placement rules accept, and refuse without the registration", () => {
    assert.deepEqual(teamPlacementProblems("search", team.team, contract(), team.apps), []);
    const unregistered = contract(platform.teams.filter((t) => t.name !== "search"));
    assert.deepEqual(teamPlacementProblems("search", team.team, unregistered, team.apps), [
      "search: apps[indexer].namespace: team search claims no namespaces in the platform stack; add { name: search } to the platform's teams",
    ]);
  });

  it("has a policy config the team's environment accepts, and a prod environment would not", () => {
    const json = blocks.find((b) => b.lang === "json")!.text;
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "teams-guide-"));
    try {
      fs.writeFileSync(path.join(dir, "config.search.json"), json);
      assert.equal(loadPolicyConfig("search", dir, [], team.environment).profile, "dev");
      assert.throws(
        () => loadPolicyConfig("search", dir, [], "prod"),
        /is not allowed for a prod environment/,
      );
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it("quotes routing lines that follow the team's routes, and only real commands", () => {
    const quoted = blocks.find((b) => b.lang === "" && b.text.includes("| HighErrorRate |"))!;
    for (const line of quoted.text.trim().split("\n")) {
      const [, alert, ns, severity, receivers] = line.split("|").map((c) => c.trim());
      const app = team.apps.find((a) => a.namespace === ns)!;
      const route = app.routing!.routes.find((r) => r.severity === severity);
      assert.equal(receivers, `${ns}/${app.name}/${route?.receiver ?? app.routing!.defaultReceiver}`, alert);
    }
    assert.deepEqual(checkCommands(blocks), ["npm run plan -- teams/search"]);
  });
});

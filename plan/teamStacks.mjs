// The deploy workflow's list of team stacks: every teams/Pulumi.<team>.yaml, each with the platform stack
// it names (dev or prod), whose GitHub environment, cluster and reviewers its job uses. Appends
// `teams=[{"team":…,"platform":…},…]` to $GITHUB_OUTPUT (stdout without it), or prints a `::error` line
// per bad file and exits 1, writing no output.
// The files are read as Pulumi reads them (YAML, the config key itself), never line by line, and nothing
// from a file name or its contents reaches a workflow command unless it is one of a few plain characters.
// Plain JavaScript: the workflow's list job runs it with only `npm ci`, no TypeScript.
import * as fs from "node:fs";
import * as path from "node:path";
import { parse } from "yaml";

/** components/schemaPrimitives.ts's dnsLabel, which a team stack's name must be (this file is plain JS). */
const TEAM = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;
const PLATFORM = /^[A-Za-z0-9][A-Za-z0-9_.-]*\/kube-monitoring\/(dev|prod)$/;
const safe = (text) => text.replace(/[^A-Za-z0-9._/-]/g, "_");

export function listTeamStacks(dir) {
  const teams = [];
  const errors = [];
  const files = fs
    .readdirSync(dir, { withFileTypes: true })
    .filter(
      (e) =>
        e.isFile() && e.name.startsWith("Pulumi.") && e.name.endsWith(".yaml") && e.name !== "Pulumi.yaml",
    )
    .map((e) => e.name)
    .sort();
  for (const name of files) {
    const file = path.join(dir, name);
    const fail = (message) => errors.push(`::error file=${safe(file)}::${message}`);
    const team = name.slice("Pulumi.".length, -".yaml".length);
    if (!TEAM.test(team)) {
      fail("a team stack's name is a DNS label, like teams/Pulumi.payments.yaml");
      continue;
    }
    let doc;
    try {
      doc = parse(fs.readFileSync(file, "utf8"), { uniqueKeys: true });
    } catch {
      fail("is not YAML Pulumi can read");
      continue;
    }
    const stack = doc?.config?.["kube-monitoring:platformStack"];
    const match = typeof stack === "string" ? PLATFORM.exec(stack) : null;
    if (!match) {
      fail(
        "kube-monitoring:platformStack names the dev or prod platform stack (<org>/kube-monitoring/dev or prod)",
      );
      continue;
    }
    teams.push({ team, platform: match[1] });
  }
  return { teams, errors };
}

if (process.argv[1] === import.meta.filename) {
  const { teams, errors } = listTeamStacks(process.argv[2] ?? "teams");
  if (errors.length) {
    process.stdout.write(errors.join("\n") + "\n");
    process.exit(1);
  }
  const line = `teams=${JSON.stringify(teams)}\n`;
  if (process.env.GITHUB_OUTPUT) fs.appendFileSync(process.env.GITHUB_OUTPUT, line);
  else process.stdout.write(line);
}

// npm run plan -- <stack | teams/<team>> [--out DIR] [--manifests none|summary|all] [--config-dir DIR] [--compare OLD_PLAN_JSON [--markdown FILE]] [--platform-plan FILE]
import { logSafe } from "./escape";
import { shownPath } from "../components/inputFile";
import { useLeanStackTraces } from "./leanStacks";
import * as path from "node:path";
import * as fs from "node:fs";
import { ChangeKind, PlanDiff, diffPlans, renderMarkdown } from "./diff";
import { ALERT_ROUTING_FILE, Plan, PlanOptions, planStack, teamPlanContext } from "./plan";
import { ALL_MANIFESTS_UP_TO, MANIFEST_MODES, ManifestMode } from "./planWriter";
import { renderReport, shortName } from "./report";
import type { RecordedResource } from "./runtime";
import { loadStackFile, readYamlFile } from "./stackFile";
import { readPlanJson } from "./planFile";
import { STACK_REFERENCE } from "../components/teamConfig";
import { CommandHelp, parseCommandLine, usageError } from "./cliHelp";

export const PLAN_HELP: CommandHelp = {
  usage:
    "npm run plan -- <stack | teams/<team>> [--out DIR] [--manifests none|summary|all] [--config-dir DIR]\n" +
    "                    [--compare OLD_PLAN_JSON [--markdown FILE]] [--platform-plan PLATFORM_PLAN_JSON]",
  description:
    "Plans a stack offline: runs index.ts under Pulumi's mocks, checks custom resources against their CRDs,\n" +
    "runs the policy pack with the stack's policy config, promtool and amtool, and writes plan.json and\n" +
    "the manifests (docs/plan-output.md). No cloud and no credentials needed.",
  options: [
    ["--out DIR", "where <stack>/plan.json and <stack>/manifests/ go (default out)"],
    [
      "--manifests MODE",
      "all: a YAML file per object and per Helm release's values; summary: the values\n" +
        "files, a promtool rule file per PrometheusRule and objects.tsv; none: only\n" +
        "alertmanager.effective.yaml and alert-routing.md (docs/plan-output.md)\n" +
        `(default: all up to ${ALL_MANIFESTS_UP_TO} objects, summary above)`,
    ],
    [
      "--config-dir DIR",
      "where Pulumi.yaml, Pulumi.<stack>.yaml and config.<stack>.json are read\n" +
        "(default: the project, or teams/ for a team stack)",
    ],
    ["--compare FILE", "an earlier plan.json of the same stack: print what changes"],
    ["--markdown FILE", "with --compare: also write the PR comment's markdown"],
    [
      "--platform-plan FILE",
      "for teams/<team>: the platform's plan.json (default out/<platform>/plan.json,\nplanned again when missing or older than the platform's stack file)",
    ],
  ],
  environment: [["PROMTOOL, AMTOOL", "the promtool and amtool binaries to run (default: on PATH)"]],
  exitCodes: [
    [0, "planned (advisory findings at most)"],
    [1, "invalid config or policy config, a program error, a CRD schema or tool failure, bad usage"],
    [2, "a mandatory policy is violated"],
  ],
  example: "npm run plan -- dev --compare base/dev/plan.json --markdown comment.md",
};

/** Where the command writes: the console, or a test's buffers. */
export interface CliOutput {
  log(text: string): void;
  error(text: string): void;
}

/** The plan command: its exit code (0 clean, 1 error, 2 a mandatory violation). */
export async function runPlanCli(argv: string[], raw: CliOutput = console): Promise<number> {
  // Whatever it prints came partly from input: control characters and workflow commands neutralised.
  const io: CliOutput = {
    log: (text: string) => raw.log(logSafe(String(text))),
    error: (text: string) => raw.error(logSafe(String(text))),
  };
  const line = parseCommandLine(
    argv,
    {
      out: { type: "string", default: "out" },
      "config-dir": { type: "string" },
      compare: { type: "string" },
      markdown: { type: "string" },
      "platform-plan": { type: "string" },
      manifests: { type: "string" },
    },
    PLAN_HELP,
  );
  if (line.kind === "help") {
    io.log(line.text);
    return 0;
  }
  if (line.kind === "error") {
    io.error(line.text);
    return 1;
  }
  const { values, positionals } = line;
  const [stack, ...rest] = positionals;
  if (!stack || rest.length) {
    io.error(usageError(stack ? "name exactly one stack" : "name a stack (or teams/<team>)", PLAN_HELP));
    return 1;
  }
  // Misuse and unreadable files are reported before planning, so the plan's own exit code stands.
  if (values.markdown && !values.compare) {
    io.error(usageError("--markdown needs --compare", PLAN_HELP));
    return 1;
  }
  const manifests = values.manifests as ManifestMode | undefined;
  if (manifests !== undefined && !MANIFEST_MODES.includes(manifests)) {
    io.error(
      usageError(
        `--manifests ${JSON.stringify(values.manifests)}: expected one of ${MANIFEST_MODES.join(", ")}`,
        PLAN_HELP,
      ),
    );
    return 1;
  }
  const outDir = values.out ?? "out";
  const forbidden = ["/proc", "/sys", "/dev"].find(
    (d) => path.resolve(outDir) === d || path.resolve(outDir).startsWith(`${d}/`),
  );
  if (forbidden) {
    io.error(`--out ${outDir}: ${forbidden} is not a place for plan files`);
    return 1;
  }
  // `teams/<team>` is a stack of the team project, beside the platform's.
  const team = /^teams\/(.+)$/.exec(stack)?.[1];
  const root = path.resolve(__dirname, "..");
  const projectDir = team ? path.join(root, "teams") : root;
  const stackName = team ?? stack;
  const outBase = team ? path.join(outDir, "teams") : outDir;
  const configDir = values["config-dir"] ? path.resolve(values["config-dir"]) : undefined;
  let old: Plan | undefined;
  if (values.compare) {
    try {
      old = readPlanFile(values.compare);
      const project = projectName(configDir ?? projectDir);
      // A diff against another project's or stack's plan would show changes nobody is making.
      if (old.project !== project) {
        throw new Error(
          `a plan of project ${JSON.stringify(old.project)}, not ${JSON.stringify(project)}; nothing to compare`,
        );
      }
      if (old.stack !== stackName) {
        throw new Error(
          `a plan of stack ${JSON.stringify(old.stack)}, not ${JSON.stringify(stackName)}; compare a stack only with its own earlier plan`,
        );
      }
    } catch (err) {
      const message = (err as Error).message;
      // The readers' messages start with the file; ours say what the file is of.
      io.error(
        `--compare ${message.startsWith(shownPath(values.compare)) ? message : `${values.compare}: ${message}`}`,
      );
      return 1;
    }
  }
  let stackReferences: Record<string, Record<string, unknown>> | undefined;
  let alertmanagerContext: RecordedResource[] | undefined;
  if (team) {
    const platform = await platformOutputs(
      configDir ?? projectDir,
      stackName,
      values["platform-plan"],
      outDir,
      io,
    );
    if (typeof platform === "string") {
      io.error(platform);
      return 1;
    }
    stackReferences = platform.stackReferences;
    alertmanagerContext = platform.alertmanagerContext;
  } else if (values["platform-plan"]) {
    io.error(usageError("--platform-plan is for team stacks (teams/<team>)", PLAN_HELP));
    return 1;
  }
  // With --config-dir, the stack's policy config (config.<stack>.json) is read from there too; a team
  // stack's lives beside it in teams/.
  const result = await planStack({
    projectDir,
    configDir,
    policyConfigDir: configDir ?? (team ? projectDir : undefined),
    stack: stackName,
    outDir: path.resolve(outBase),
    manifests,
    stackReferences,
    alertmanagerContext,
  });
  if (result.plan && old && values.compare) {
    // Against the earlier plan: what changes, and the diff's counts in the verdict.
    const diff = diffPlans(old, result.plan);
    const count = (k: ChangeKind) => diff.changes.filter((c) => c.kind === k).length;
    const changes = { create: 0, update: 0, replace: 0, delete: 0, unchanged: diff.unchanged };
    for (const k of ["create", "update", "replace", "delete"] as const) changes[k] = count(k);
    const report = renderReport(result.plan, [...changeLines(diff), ""], {
      changes,
      planDir: path.resolve(outBase, stackName),
      routingFile: result.plan.alertRouting ? ALERT_ROUTING_FILE : undefined,
    });
    if (result.exitCode === 0) io.log(report);
    else io.error(report);
    if (values.markdown) {
      fs.writeFileSync(values.markdown, renderMarkdown([{ diff, plan: result.plan, base: old }]));
      io.log(`wrote ${values.markdown}`);
    }
  } else {
    if (result.exitCode === 0) io.log(result.report);
    else io.error(result.report);
  }
  return result.exitCode;
}

/** The resources that change against the earlier plan, one line each; at most 60, then a count. */
function changeLines(diff: PlanDiff): string[] {
  const symbol: Record<ChangeKind, string> = { create: "+", update: "~", replace: "±", delete: "-" };
  const lines = diff.changes.map(
    (c) =>
      ` ${symbol[c.kind]}  ${shortName(c.urn)}` +
      (c.replaceBecause.length ? ` (replaced: ${c.replaceBecause.join(", ")})` : ""),
  );
  const shown = lines.slice(0, 60);
  if (lines.length > shown.length) shown.push(` … and ${lines.length - shown.length} more in plan.json`);
  return [`Changes to stack ${diff.stack} against ${diff.against}:`, ...(lines.length ? shown : [" none"])];
}

/**
 * The outputs of the platform stack a team stack references, from its plan: `--platform-plan`, else
 * `<out>/<platform stack>/plan.json`, else planned now. A string is the error to show.
 */
async function platformOutputs(
  teamDir: string,
  team: string,
  platformPlan: string | undefined,
  outDir: string,
  io: CliOutput,
): Promise<Pick<PlanOptions, "stackReferences" | "alertmanagerContext"> | string> {
  let reference: string;
  try {
    reference = loadStackFile(teamDir, team).config["kube-monitoring:platformStack"];
  } catch (err) {
    return (err as Error).message;
  }
  if (!reference || !STACK_REFERENCE.test(reference)) {
    return `${team}: platformStack: ${JSON.stringify(reference ?? null)} is not a stack reference; expected org/kube-monitoring/<stack>`;
  }
  const platformStack = reference.split("/")[2];
  let file = platformPlan ?? path.join(outDir, platformStack, "plan.json");
  const projectDir = path.resolve(__dirname, "..");
  const stale =
    !platformPlan && planOlderThanStackFile(file, path.join(projectDir, `Pulumi.${platformStack}.yaml`));
  if (!platformPlan && (!fs.existsSync(file) || stale)) {
    io.log(
      stale
        ? `the plan of the platform stack ${platformStack} in ${outDir} is older than Pulumi.${platformStack}.yaml: planning it again`
        : `no plan of the platform stack ${platformStack} in ${outDir}: planning it first`,
    );
    const planned = await planStack({
      projectDir,
      stack: platformStack,
      outDir: path.resolve(outDir),
    });
    if (!planned.plan)
      return `${team}: the platform stack ${platformStack} does not plan:\n${planned.report}`;
    file = path.join(outDir, platformStack, "plan.json");
  }
  let plan: Plan;
  try {
    plan = readPlanFile(file);
  } catch (err) {
    return `--platform-plan ${(err as Error).message}`;
  }
  if (plan.project !== "kube-monitoring") {
    return `--platform-plan ${file}: project: a plan of project ${JSON.stringify(plan.project)}, not the platform (kube-monitoring)`;
  }
  // The team names its platform stack: a plan of another stack would judge it against the wrong contract.
  if (plan.stack !== platformStack) {
    return `--platform-plan ${file}: stack: a plan of stack ${JSON.stringify(plan.stack)}, but ${team}'s platformStack is ${reference}`;
  }
  return teamPlanContext(reference, plan);
}

/** Whether the plan at `planFile` exists and predates the stack file it was planned from (edited since). */
function planOlderThanStackFile(planFile: string, stackFile: string): boolean {
  try {
    return fs.statSync(planFile).mtimeMs < fs.statSync(stackFile).mtimeMs;
  } catch {
    return false;
  }
}

/** The project name Pulumi.yaml declares. */
function projectName(dir: string): string {
  return String((readYamlFile(path.join(dir, "Pulumi.yaml")) as { name?: unknown } | null)?.name);
}

/** A plan.json written by this tool, or an error naming the file and key (see plan/planFile.ts). */
const readPlanFile = (file: string): Plan => readPlanJson(file, true);

if (require.main === module) {
  useLeanStackTraces();
  runPlanCli(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (err) => {
      console.error(err instanceof Error ? err.message : err);
      process.exit(1);
    },
  );
}

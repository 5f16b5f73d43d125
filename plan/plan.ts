/**
 * The offline plan: runs the real program for one stack under the recording mock runtime and writes
 * `DIR/<stack>/plan.json` plus every Kubernetes object and Helm release's values as YAML.
 */
import { alertRoutingMarkdown, ownershipViolations, routingTable } from "./alertRouting";
import * as fs from "node:fs";
import * as path from "node:path";
import { CONFIG_DIR_ENV, ConfigError, rawConfigFrom } from "../components/config";
import { allPolicies } from "../policies/all";
import { PolicyConfigError, loadPolicyConfig, runPolicies } from "../policies/harness";
import { isBlocking } from "../policies/settingsDelta";
import { renderReport } from "./report";
import { feedsAlertmanager } from "./alertmanagerConfig";
import { startCrdValidation, validateCustomResources } from "./crdValidation";
import { withLeanStackTraces } from "./leanStacks";
import { ManifestMode, manifestEntries, manifestYaml, writePlanFiles } from "./planWriter";
import {
  EffectiveAlertmanager,
  askToolVersions,
  effectiveAlertmanager,
  runRealToolChecks,
} from "./realTools";
import { configExpressionOrigins } from "./promtoolErrors";
import { stackFileLocator } from "../components/configLocation";
import { RecordedResource, runProgram } from "./runtime";
import { loadStackFile } from "./stackFile";
import { isPlanJson } from "./planFile";
import { InputFileError } from "../components/inputFile";

/** The effective Alertmanager configuration's file under `manifests/`. */
export const EFFECTIVE_ALERTMANAGER_FILE = "alertmanager.effective.yaml";
export const ALERT_ROUTING_FILE = "alert-routing.md";

export type { Plan } from "./planTypes";
import type { Plan } from "./planTypes";

export interface PlanResult {
  /**
   * 0 planned; 1 invalid config, program error, a custom resource off its CRD schema, or promtool/amtool
   * rejecting the output; 2 a mandatory policy is violated.
   */
  exitCode: 0 | 1 | 2;
  plan?: Plan;
  /** What the CLI prints. */
  report: string;
  /** Milliseconds spent in each phase, for the benchmark. */
  timings?: Timings;
}

export interface Timings {
  programMs: number;
  schemaMs: number;
  policyMs: number;
  /** promtool and amtool, from their start (when the program is done) to their end: beside the policies. */
  checksMs: number;
  /** Writing plan.json and the manifests (0 without an output directory). */
  writeMs: number;
}

export interface PlanOptions {
  /** Where index.ts is. */
  projectDir: string;
  /** Where Pulumi.yaml and Pulumi.<stack>.yaml are read from; defaults to projectDir. */
  configDir?: string;
  stack: string;
  /** Where `<stack>/plan.json` and `<stack>/manifests/` go; nothing is written when absent. */
  outDir?: string;
  /** The manifests' layout (planWriter.ts); by default every object up to ALL_MANIFESTS_UP_TO, else the summary. */
  manifests?: ManifestMode;
  /** Where `config.<stack>.json` (the stack's policy config) is read from; defaults to policies/. */
  policyConfigDir?: string;
  /** Outputs of the stacks the program references, by `org/project/stack`. */
  stackReferences?: Record<string, Record<string, unknown>>;
  /**
   * For a team stack: the platform plan's resources the Alertmanager's configuration is built from
   * (its release and AlertmanagerConfigs), so the team's routing is checked inside the platform's.
   */
  alertmanagerContext?: RecordedResource[];
}

/** Pulumi's rule for stack names; also keeps a name from being a path (`..`, `/`). */
export const STACK_NAME = /^[A-Za-z0-9_.-]{1,100}$/;

export function stackNameProblem(stack: string): string | undefined {
  if (STACK_NAME.test(stack) && !/^\.+$/.test(stack)) return undefined;
  return (
    `${JSON.stringify(stack)} is not a stack name: letters, digits, '-', '_' and '.', ` +
    "at most 100 characters, not only dots"
  );
}

/**
 * What a team stack's plan needs from its platform's plan: the outputs its StackReference reads, and the
 * Alertmanager configuration its routing joins (the platform's release and AlertmanagerConfigs).
 */
export function teamPlanContext(
  reference: string,
  platform: Pick<Plan, "outputs" | "resources">,
): Pick<PlanOptions, "stackReferences" | "alertmanagerContext"> {
  return {
    stackReferences: { [reference]: platform.outputs },
    alertmanagerContext: platform.resources.filter(feedsAlertmanager),
  };
}

export async function planStack(options: PlanOptions): Promise<PlanResult> {
  const badName = stackNameProblem(options.stack);
  if (badName) return { exitCode: 1, report: badName };
  // The tools' start-up and the CRD schemas' loading run on another core while the program runs.
  const versionsKnown = askToolVersions();
  versionsKnown.catch(() => undefined);
  startCrdValidation();
  const entry = require.resolve(path.join(options.projectDir, "index"));
  let plan: Plan;
  let timings: Timings;
  let alertmanager: EffectiveAlertmanager;
  let checking: Promise<void> = Promise.resolve();
  let checksMs = 0;
  try {
    // Files of the project stay in it (symlinks followed); a named config directory is the user's own.
    const root = path.resolve(__dirname, "..");
    const stackFile = loadStackFile(
      options.configDir ?? options.projectDir,
      options.stack,
      options.configDir ? undefined : root,
    );
    // A team stack without its own environment has its platform's, from the contract.
    const environment =
      stackFile.config["kube-monitoring:environment"] ??
      Object.values(options.stackReferences ?? {})
        .map((o) => (o.platformContract as { environment?: string } | undefined)?.environment)
        .find(Boolean);
    // Checked before the program runs: a broken policy config must not look like a clean plan.
    const policyConfig = loadPolicyConfig(
      options.stack,
      options.policyConfigDir,
      allPolicies,
      environment,
      options.policyConfigDir ? undefined : root,
    );
    // A fresh copy of the program each run: its top level is the deployment.
    delete require.cache[entry];
    const started = performance.now();
    // The program reads the stack file's secure: leaves from here (see loadStackConfig).
    process.env[CONFIG_DIR_ENV] = options.configDir ?? options.projectDir;
    let run: Awaited<ReturnType<typeof runProgram>>;
    try {
      run = await withLeanStackTraces(() =>
        runProgram({
          project: stackFile.project,
          stack: options.stack,
          config: stackFile.config,
          secretKeys: stackFile.secretKeys,
          stackReferences: options.stackReferences,
          // eslint-disable-next-line @typescript-eslint/no-require-imports -- the program must load afresh
          program: () => require(entry),
        }),
      );
    } finally {
      delete process.env[CONFIG_DIR_ENV];
    }
    plan = {
      stack: options.stack,
      project: stackFile.project,
      resources: [...run.resources].sort((a, b) => a.urn.localeCompare(b.urn)),
      // Sorted: the order a compiler emits exports in is no property of the stack.
      outputs: Object.fromEntries(Object.entries(run.outputs).sort(([a], [b]) => a.localeCompare(b))),
      violations: [],
      loosened: [],
      checks: [],
    };
    const programDone = performance.now();
    // promtool and amtool start as soon as the program is done and run in their own processes, on every
    // core, while the policies run here: with their versions known (asked as the plan started), the
    // checks write their files and start the tools before returning, not once the policies are done.
    await versionsKnown.catch(() => undefined);
    const context = options.alertmanagerContext ?? [];
    alertmanager = effectiveAlertmanager([...context, ...plan.resources]);
    const origin = configExpressionOrigins(
      options.stack,
      rawConfigFrom(stackFile.config),
      stackFileLocator(options.configDir ?? options.projectDir, options.stack),
    );
    checking = runRealToolChecks(plan.resources, context, origin, alertmanager).then((checks) => {
      checksMs = performance.now() - programDone;
      plan.checks = checks;
    });
    // Awaited below; this only keeps an early return (a program or schema error) from leaving it unhandled.
    checking.catch(() => undefined);
    // In its thread, beside the policies.
    const validating = validateCustomResources(plan.resources);
    validating.catch(() => undefined);
    plan.violations = runPolicies(plan.resources, allPolicies, policyConfig.settings);
    plan.loosened = policyConfig.loosened;
    plan.alertRouting = routingTable([...context, ...plan.resources]);
    if (context.length) {
      // A team stack's own pack run has no platform tree; here, with it, ownership is judged too.
      plan.violations.push(...ownershipViolations(plan.alertRouting ?? [], plan.resources));
    }
    const policiesDone = performance.now();
    const invalid = await validating;
    timings = {
      programMs: programDone - started,
      policyMs: policiesDone - programDone,
      checksMs: 0,
      schemaMs: performance.now() - policiesDone,
      writeMs: 0,
    };
    if (invalid.length) {
      await checking.catch(() => undefined);
      return {
        exitCode: 1,
        report: invalid
          .map((p) => `${options.stack}: ${p.kind} ${p.urn} does not match its CRD schema: ${p.message}`)
          .join("\n"),
      };
    }
  } catch (err) {
    // The tools may have started: they finish (and clean their scratch directory) before the answer.
    await checking.catch(() => undefined);
    const report =
      err instanceof ConfigError || err instanceof PolicyConfigError
        ? err.problems.join("\n")
        : err instanceof InputFileError
          ? err.message
          : `${options.stack}: the program failed: ${err instanceof Error ? err.message : String(err)}`;
    return { exitCode: 1, report };
  }

  // The manifests and plan.json's resources are written while the tools finish.
  const writing = performance.now();
  if (options.outDir) {
    try {
      await writePlan(plan, stackOutDir(options.outDir, options.stack), options.alertmanagerContext, {
        manifests: options.manifests,
        alertmanager,
        checksDone: checking,
      });
    } catch (err) {
      await checking.catch(() => undefined);
      return { exitCode: 1, report: `--out: ${err instanceof Error ? err.message : String(err)}` };
    }
    timings.writeMs = performance.now() - writing;
  }
  await checking;
  timings.checksMs = checksMs;
  const failed = plan.checks.filter((c) => c.status === "failed");
  const mandatory = plan.violations.filter((v) => isBlocking(v.enforcementLevel));
  const report = renderReport(plan, [renderTree(plan), ""], {
    planDir: options.outDir ? stackOutDir(options.outDir, options.stack) : undefined,
    routingFile: plan.alertRouting ? ALERT_ROUTING_FILE : undefined,
  });
  // The gate's verdict first: a mandatory violation explains itself better than the tool that tripped on it.
  const exitCode = mandatory.length ? 2 : failed.length ? 1 : 0;
  return { exitCode, plan, report, timings };
}

/** `<outDir>/<stack>`, refused when it would not be a directory inside `outDir`. */
export function stackOutDir(outDir: string, stack: string): string {
  const base = path.resolve(outDir);
  const dir = path.resolve(base, stack);
  if (path.dirname(dir) !== base) throw new Error(`${JSON.stringify(stack)} would write outside ${base}`);
  return dir;
}

/**
 * Writes plan.json and the manifests (planWriter.ts), replacing what an earlier plan of the stack left:
 * into a fresh directory beside `dir`, swapped in once complete. What the plan did not write is never
 * deleted: an existing `dir` that is not a plan's (a symlink, a file, a directory without our plan.json)
 * is refused. `checksDone`, when given, fills in plan.checks: the rest is written before it resolves.
 */
export async function writePlan(
  plan: Plan,
  dir: string,
  alertmanagerContext: RecordedResource[] = [],
  options: {
    manifests?: ManifestMode;
    alertmanager?: EffectiveAlertmanager;
    checksDone?: Promise<unknown>;
  } = {},
): Promise<ManifestMode> {
  const earlier = notOurs(dir);
  if (earlier)
    throw new Error(`${dir}: ${earlier}; not replaced. Choose another --out, or remove it yourself`);
  fs.mkdirSync(path.dirname(dir), { recursive: true });
  const fresh = fs.mkdtempSync(`${dir}.writing-`);
  try {
    const alertmanager =
      options.alertmanager ?? effectiveAlertmanager([...alertmanagerContext, ...plan.resources]);
    const mode = await writePlanFiles(fresh, {
      plan: plan as unknown as Record<string, unknown>,
      checksDone: options.checksDone,
      resources: plan.resources,
      manifests: options.manifests,
      derived: {
        ...(plan.alertRouting
          ? { [ALERT_ROUTING_FILE]: alertRoutingMarkdown(plan.stack, plan.alertRouting) }
          : {}),
        // What the operator would load, secrets as placeholders: test routing with `amtool config routes test`.
        [EFFECTIVE_ALERTMANAGER_FILE]: alertmanager.yaml,
      },
    });
    if (fs.existsSync(dir)) {
      const old = `${fresh}.old`;
      fs.renameSync(dir, old);
      fs.renameSync(fresh, dir);
      fs.rmSync(old, { recursive: true, force: true });
    } else fs.renameSync(fresh, dir);
    return mode;
  } catch (err) {
    fs.rmSync(fresh, { recursive: true, force: true });
    throw err;
  }
}

/** Why `dir` is not an earlier plan's output directory (one holding a plan.json we wrote), if it is not. */
function notOurs(dir: string): string | undefined {
  let stat: fs.Stats;
  try {
    stat = fs.lstatSync(dir);
  } catch {
    return undefined; // nothing there
  }
  if (stat.isSymbolicLink()) return "is a symlink";
  if (!stat.isDirectory()) return "is not a directory";
  if (!fs.readdirSync(dir).length) return undefined;
  if (isPlanJson(path.join(dir, "plan.json"))) return undefined;
  return "exists and holds no plan.json written by npm run plan";
}

/** One YAML file per Kubernetes object, and one per Helm release with its values (the `all` layout). */
export function manifestsOf(resources: RecordedResource[]): { file: string; yaml: string }[] {
  return manifestEntries(resources).map((entry) => ({ file: entry.file, yaml: manifestYaml(entry) }));
}

/** A preview-like tree of the resources under the stack. */
export function renderTree(plan: Plan): string {
  const children = new Map<string | undefined, RecordedResource[]>();
  for (const r of plan.resources) children.set(r.parent, [...(children.get(r.parent) ?? []), r]);
  const rows: [string, string, string][] = [];
  const walk = (parent: string | undefined, prefix: string) => {
    const kids = children.get(parent) ?? [];
    kids.forEach((r, i) => {
      const last = i === kids.length - 1;
      const branch = parent === undefined ? "" : last ? "└─ " : "├─ ";
      const flags = [r.protect ? "protected" : "", r.retainOnDelete ? "retained" : ""]
        .filter(Boolean)
        .join(", ");
      rows.push([`${prefix}${branch}${r.type}`, r.name, flags]);
      walk(r.urn, parent === undefined ? "" : prefix + (last ? "   " : "│  "));
    });
  };
  walk(undefined, "");
  const width = Math.max(4, ...rows.map(([t]) => t.length));
  const nameWidth = Math.max(4, ...rows.map(([, n]) => n.length));
  const lines = [`    ${"Type".padEnd(width)}  ${"Name".padEnd(nameWidth)}  Info`];
  for (const [type, name, flags] of rows)
    lines.push(` +  ${type.padEnd(width)}  ${name.padEnd(nameWidth)}  ${flags}`.trimEnd());
  return `Plan for stack ${plan.stack}:\n${lines.join("\n")}`;
}

export function renderCounts(resources: RecordedResource[]): string {
  const counts = new Map<string, number>();
  for (const r of resources) counts.set(r.type, (counts.get(r.type) ?? 0) + 1);
  const rows = [...counts]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([t, n]) => `    ${String(n).padStart(4)}  ${t}`);
  return `Resources: ${resources.length} to create\n${rows.join("\n")}`;
}

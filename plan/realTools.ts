/**
 * Checks with the real Prometheus tools: `promtool check rules` on every rule file the plan holds, and
 * `amtool check-config` on the Alertmanager configuration the operator would build. When a tool is not
 * on PATH the check says so; under CI (CI=true) a missing tool is a failure, never a skip. PROMTOOL and
 * AMTOOL name other binaries (newer than Debian's); every check records the version it ran with.
 */
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { stringify } from "yaml";
import { effectiveAlertmanagerConfig, ruleFiles } from "./alertmanagerConfig";
import { forPromtool, parseVersion } from "./promtoolCompat";
import { CheckedRuleFile, ExpressionOrigin, explainPromtoolOutput } from "./promtoolErrors";
import { askPlanThread } from "./planThread";
import type { RecordedResource } from "./runtime";

export type CheckStatus = "passed" | "failed" | "skipped";

/**
 * Validity only: promtool's duplicate-rules lint is rule-conventions' advisory (kube-prometheus ships
 * one record name four times over disjoint selectors, and Prometheus loads it).
 */
export const PROMTOOL_LINT = ["--lint=none"];

export type Tool = "promtool" | "amtool";

export interface ToolCheck {
  tool: Tool;
  /** The version that ran the check (`2.42.0`), when the tool runs. */
  version?: string;
  status: CheckStatus;
  /** What was checked (rule files or the Alertmanager config) and the tool's own output. */
  subject: string;
  output: string;
  /** What this version could not check ("not checked by promtool 2.42.0: …"): advisory. */
  advisories?: string[];
}

const ENV: Record<Tool, string> = { promtool: "PROMTOOL", amtool: "AMTOOL" };

/** The binary to run: $PROMTOOL / $AMTOOL when set (a newer build), else the one on PATH. */
export function toolBinary(tool: Tool): string {
  return process.env[ENV[tool]] || tool;
}

/** Versions asked for, by binary and PATH: settled (`null`: it does not run), and in flight. */
const versions = new Map<string, string | null>();
const asking = new Map<string, Promise<string | undefined>>();
const versionKey = (binary: string) => `${binary}\0${process.env.PATH ?? ""}`;
const versionOf = (status: number | null, output: string) =>
  status === 0 ? (parseVersion(output) ?? "unknown") : null;

/** The version of the tool's binary (`2.42.0`), or undefined when it does not run; asked once per binary and PATH. */
export function toolVersion(tool: Tool): string | undefined {
  const key = versionKey(toolBinary(tool));
  if (!versions.has(key)) {
    const run = spawnSync(toolBinary(tool), ["--version"], { encoding: "utf8" });
    versions.set(key, versionOf(run.status, `${run.stdout}${run.stderr}`));
  }
  return versions.get(key) ?? undefined;
}

/**
 * toolVersion without blocking: the plan asks as it starts, so the tools' start-up (a Go binary's, a
 * few hundred milliseconds) runs on another core while the program runs, not before the checks.
 */
export function toolVersionSoon(tool: Tool): Promise<string | undefined> {
  return Promise.resolve(versionNowOrSoon(tool));
}

/**
 * The version when it is known already, without waiting, else toolVersionSoon's answer to come: a check
 * that awaits nothing writes its files and starts its tool before its caller goes on (the plan's
 * policies), not after.
 */
function versionNowOrSoon(tool: Tool): string | undefined | Promise<string | undefined> {
  const key = versionKey(toolBinary(tool));
  if (versions.has(key)) return versions.get(key) ?? undefined;
  let pending = asking.get(key);
  if (!pending) {
    pending = spawnTool(toolBinary(tool), ["--version"]).then(({ status, output }) => {
      if (!versions.has(key)) versions.set(key, versionOf(status, output));
      asking.delete(key);
      return versions.get(key) ?? undefined;
    });
    asking.set(key, pending);
  }
  return pending;
}

/**
 * Starts asking promtool's and amtool's versions, for a plan that will run them once its program is done;
 * resolves when both are known.
 */
export async function askToolVersions(): Promise<void> {
  await Promise.all([toolVersionSoon("promtool"), toolVersionSoon("amtool")]);
}

const runs = new Map<string, boolean>();

/** Whether `tool` runs (promtool and amtool: the binary $PROMTOOL / $AMTOOL names, when set). */
export function onPath(tool: string): boolean {
  if (tool === "promtool" || tool === "amtool") return toolVersion(tool) !== undefined;
  const key = `${tool}\0${process.env.PATH ?? ""}`;
  if (!runs.has(key)) runs.set(key, spawnSync(tool, ["--version"], { encoding: "utf8" }).status === 0);
  return runs.get(key)!;
}

/** `promtool 2.42.0, amtool 0.25.0`: the versions the checks ran with. */
export const toolVersions = (checks: ToolCheck[]) =>
  checks.map((c) => `${c.tool} ${c.version ?? "(not run)"}`).join(", ");

export function missing(tool: Tool, subject: string): ToolCheck {
  const named = process.env[ENV[tool]];
  if (named) {
    // Asked for by name: never a skip.
    return {
      tool,
      subject,
      status: "failed",
      output: `${ENV[tool]}=${named} does not run (\`--version\` failed)`,
    };
  }
  const required = process.env.CI === "true";
  return {
    tool,
    subject,
    status: required ? "failed" : "skipped",
    output: `${tool} is not on PATH${required ? " (required under CI: install the Debian package)" : "; install it to run this check"}`,
  };
}

/**
 * Runs a tool to completion; resolves with its exit status (null when it did not start) and output. The
 * plan's helper thread starts it: starting a process blocks the starting thread until the tool runs.
 */
function spawnTool(tool: string, args: string[]): Promise<{ status: number | null; output: string }> {
  return askPlanThread({ kind: "run", command: tool, args });
}

const MEMO_SIZE = 256;
const memo = new Map<string, Promise<{ status: number | null; output: string }>>();

/**
 * Runs a tool on files written to `dir`, with `dir` left out of what it printed. The tools are
 * deterministic, so one process answers for the same binary, arguments and file contents: a run of
 * plans of one stack's variants (the specs, `--compare`) checks each distinct file set once.
 */
function run(tool: string, args: string[], dir: string): Promise<{ status: number | null; output: string }> {
  const prefix = dir + path.sep;
  const key = [tool, ...args]
    .map((a) =>
      a.startsWith(prefix)
        ? `${a.slice(prefix.length)}:${createHash("sha256").update(fs.readFileSync(a)).digest("hex")}`
        : a,
    )
    .join("\0");
  const known = memo.get(key);
  if (known) return known;
  const result = spawnTool(tool, args).then((r) => ({ ...r, output: r.output.replaceAll(prefix, "") }));
  if (memo.size >= MEMO_SIZE) memo.delete(memo.keys().next().value!);
  memo.set(key, result);
  return result;
}

/** The effective Alertmanager configuration and its YAML, built once for amtool and the manifests. */
export interface EffectiveAlertmanager {
  config: Record<string, unknown>;
  yaml: string;
}

export function effectiveAlertmanager(resources: RecordedResource[]): EffectiveAlertmanager {
  const config = effectiveAlertmanagerConfig(resources);
  return { config, yaml: stringify(config, { lineWidth: 0 }) };
}

/** Splits `items` into at most `n` chunks of near-equal size. */
function chunks<T>(items: T[], n: number): T[][] {
  const size = Math.ceil(items.length / Math.max(1, n));
  return Array.from({ length: Math.ceil(items.length / size) }, (_, i) =>
    items.slice(i * size, (i + 1) * size),
  );
}

/** The lines of promtool's output about one of several files it checked: each starts with the file's path. */
export function promtoolProblemsOf(output: string, file: string): string[] {
  return output.split("\n").filter((line) => line.startsWith(`${file}: `));
}

/**
 * The rule files promtool refused, from its output (each problem on a line starting with the file's
 * name): the one PrometheusRule, or how many of all; `all` when its output names none of them.
 */
function failedSubject(files: { name: string; shown: string }[], output: string, all: string): string {
  const failed = files.filter((f) => promtoolProblemsOf(output, f.name).length);
  if (!failed.length) return all;
  return failed.length === 1 ? failed[0].shown : `${failed.length} of ${files.length} rule files`;
}

/**
 * promtool on the rule files of `resources`, amtool on the Alertmanager configuration they make with
 * `alertmanagerContext` (for a team stack: the platform's release and AlertmanagerConfigs). promtool's
 * rule errors name the PrometheusRule, or the config key `origin` knows for the expression.
 */
export async function runRealToolChecks(
  resources: RecordedResource[],
  alertmanagerContext: RecordedResource[] = [],
  origin?: ExpressionOrigin,
  alertmanager: EffectiveAlertmanager = effectiveAlertmanager([...alertmanagerContext, ...resources]),
): Promise<ToolCheck[]> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "kube-monitoring-checks-"));
  const clean = (text: string) => text.trim().replaceAll(dir + path.sep, "");
  try {
    const pending: Promise<ToolCheck>[] = [];
    const files = ruleFiles(resources);
    const amtoolVersion = Object.keys(alertmanager.config).length ? versionNowOrSoon("amtool") : undefined;
    if (files.length) {
      // promtool names each file (<namespace>-<name>.rules.yaml) in its own output.
      const subject = files.length === 1 ? files[0].name : `${files.length} rule files`;
      const known = versionNowOrSoon("promtool");
      const version = known instanceof Promise ? await known : known;
      if (!version) pending.push(Promise.resolve(missing("promtool", subject)));
      else {
        const advisories: string[] = [];
        const checked: CheckedRuleFile[] = [];
        // JSON is YAML, and far cheaper to write for thousands of rules.
        for (const f of files) {
          const readable = forPromtool(f.groups, version);
          checked.push({ name: f.name, resource: f.shown, groups: f.groups, kept: readable.kept });
          for (const u of readable.unchecked) {
            advisories.push(
              `not checked by promtool ${version}: ${f.shown} group ${u.group} rule ${u.rule}: ${u.reason}; set PROMTOOL to a newer promtool to check it`,
            );
          }
          fs.writeFileSync(path.join(dir, f.name), JSON.stringify({ groups: readable.groups }, null, 1));
        }
        // promtool checks files one after another; split many of them over the cores (a process per
        // core costs more than it saves for a stack's handful of files).
        const batches = chunks(files, Math.min(os.availableParallelism(), Math.ceil(files.length / 32)));
        pending.push(
          Promise.all(
            batches.map((b) =>
              run(
                toolBinary("promtool"),
                ["check", "rules", ...PROMTOOL_LINT, ...b.map((f) => path.join(dir, f.name))],
                dir,
              ),
            ),
          ).then((runs): ToolCheck => {
            const output = clean(runs.map((r) => r.output.trim()).join("\n"));
            const passed = runs.every((r) => r.status === 0);
            return {
              tool: "promtool",
              version,
              status: passed ? "passed" : "failed",
              subject: passed ? subject : failedSubject(files, output, subject),
              output: explainPromtoolOutput(output, checked, origin),
              ...(advisories.length ? { advisories } : {}),
            };
          }),
        );
      }
    }
    if (Object.keys(alertmanager.config).length) {
      const subject = "effective Alertmanager configuration";
      const version = amtoolVersion instanceof Promise ? await amtoolVersion : amtoolVersion;
      if (!version) pending.push(Promise.resolve(missing("amtool", subject)));
      else {
        const file = path.join(dir, "alertmanager.yaml");
        fs.writeFileSync(file, alertmanager.yaml);
        pending.push(
          run(toolBinary("amtool"), ["check-config", file], dir).then((r): ToolCheck => ({
            tool: "amtool",
            version,
            status: r.status === 0 ? "passed" : "failed",
            subject,
            output: clean(r.output),
          })),
        );
      }
    }
    return await Promise.all(pending);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

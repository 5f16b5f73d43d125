// npm run check -- <files or dirs> [--format text|json] [--policy-config FILE]
// Lints existing YAML without a stack, as a CI step: Prometheus rule files, PrometheusRules,
// ServiceMonitors and PodMonitors, with the Services and workloads beside them. Runs the rule and monitor
// policies and promtool; every finding is `file:line` of its rule with its level.
import { useLeanStackTraces } from "./leanStacks";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { CommandHelp, helpText, parseCommandLine } from "./cliHelp";
import { allPolicies } from "../policies/all";
import { PolicyConfigError, PolicyConfigFile, loadPolicyConfig, runPolicies } from "../policies/harness";
import { describeLoosening } from "../policies/settingsDelta";
import { logSafe } from "./escape";
import { monitorTargetsResolve, monitorTargetsVerifiable } from "../policies/monitors";
import { alertRuleQuality, alertRunbookUrl, ruleConventions } from "../policies/rules";
import { InputError, Loaded, RuleFile, lineOf, loadYaml, yamlFiles } from "./checkLoad";
import { liveFindings } from "./checkLive";
import { forPromtool } from "./promtoolCompat";
import { PROMTOOL_LINT, missing, promtoolProblemsOf, toolBinary, toolVersion } from "./realTools";
import { ApiError, Client, httpClient } from "./verify";
import { urlCarriesCredentials } from "../components/schemaPrimitives";
import { durationSeconds } from "../policies/units";

export { yamlFiles, loadYaml } from "./checkLoad";

export const CHECK_POLICIES = [
  alertRuleQuality,
  ruleConventions,
  alertRunbookUrl,
  monitorTargetsResolve,
  monitorTargetsVerifiable,
];

export type { Finding, Level } from "./checkLoad";
import type { Finding, Level } from "./checkLoad";

export interface CheckResult {
  files: number;
  rules: number;
  /** The promtool version that checked the rules; undefined when none ran. */
  promtool?: string;
  findings: Finding[];
}

/** A name as promtool prints it with Go's %q, unquoted (JSON's escapes are a subset of Go's). */
function goQuoted(inner: string): string {
  try {
    return JSON.parse(`"${inner}"`) as string;
  } catch {
    return inner;
  }
}

/**
 * What promtool said of `file` in a run over several: its "SUCCESS" under its "Checking" line on stdout,
 * or its problems on stderr, each line starting with the file's path.
 */
function verdictOf(stdout: string, stderr: string, file: string): { passed: boolean; output: string } {
  const start = stdout.indexOf(`Checking ${file}\n`);
  const next = start < 0 ? -1 : stdout.indexOf("\nChecking ", start + 1);
  const section = start < 0 ? "" : stdout.slice(start, next < 0 ? undefined : next);
  const problems = promtoolProblemsOf(stderr, file);
  return { passed: /^\s+SUCCESS: /m.test(section) && !problems.length, output: problems.join("\n") };
}

/**
 * promtool's verdict on every rule file, each problem at its rule's line: one promtool run over all the
 * files (a run per file costs a process each). Throws InputError when it cannot run.
 */
function promtoolFindings(ruleFiles: RuleFile[], version: string, dir: string): Finding[] {
  const findings: Finding[] = [];
  const prepared = ruleFiles.map((r, i) => {
    const readable = forPromtool(r.groups, version);
    for (const u of readable.unchecked) {
      findings.push({
        file: r.file,
        line: r.lines[u.groupIndex]?.[u.ruleIndex] ?? r.line,
        level: "advisory",
        policy: "promtool",
        message: `rule ${u.rule}: not checked by promtool ${version}: ${u.reason}; set PROMTOOL to a newer promtool to check it.`,
      });
    }
    const file = path.join(dir, `${i}-${path.basename(r.file)}.json`);
    fs.writeFileSync(file, JSON.stringify({ groups: readable.groups }));
    return { r, readable, file };
  });
  if (!prepared.length) return findings;
  const run = spawnSync(
    toolBinary("promtool"),
    ["check", "rules", ...PROMTOOL_LINT, ...prepared.map((p) => p.file)],
    { encoding: "utf8", maxBuffer: 64 * 1024 * 1024 },
  );
  if (run.error) throw new InputError(`promtool: ${run.error.message}`);
  if (run.status === 0) return findings;
  for (const { r, readable, file } of prepared) {
    const verdict = verdictOf(run.stdout, run.stderr, file);
    if (verdict.passed) continue;
    // Nothing of this file on stderr although promtool failed: its whole output, so nothing is lost.
    const output = (verdict.output || `${run.stdout}${run.stderr}`).replaceAll(file, r.file);
    const names = r.groups.map((g) => (g as { name?: unknown }).name);
    // `…: 5:11: group "a", rule 1, "Utf": could not parse expression: …`, rule counted from 1.
    const located = [...output.matchAll(/group "((?:[^"\\]|\\.)*)", rule (\d+), "(?:[^"\\]|\\.)*": (.*)/g)];
    for (const [, group, nth, problem] of located) {
      const g = names.indexOf(goQuoted(group));
      const original = readable.kept[g]?.[Number(nth) - 1];
      const rule = (r.groups[g] as { rules?: { alert?: string; record?: string }[] })?.rules?.[original];
      findings.push({
        file: r.file,
        line: r.lines[g]?.[original] ?? r.line,
        level: "mandatory",
        policy: "promtool",
        message: `rule ${rule?.alert ?? rule?.record ?? nth}: ${problem.trim()}`,
      });
    }
    if (!located.length) {
      const message = output
        .replace(/Checking \S+/g, "")
        .replace(/\bFAILED:/g, "")
        .trim()
        .replace(/\s+/g, " ");
      findings.push({ file: r.file, line: r.line, level: "mandatory", policy: "promtool", message });
    }
  }
  return findings;
}

/** Policy findings and promtool's verdict on every rule file. Throws InputError on unreadable input. */
export function checkFiles(files: string[], policyConfig: PolicyConfigFile = {}): CheckResult {
  return checkLoaded(files.length, loadYaml(files), policyConfig);
}

function checkLoaded(files: number, loaded: Loaded, policyConfig: PolicyConfigFile): CheckResult {
  const findings: Finding[] = runPolicies(loaded.resources, CHECK_POLICIES, policyConfig).map((v) => {
    const origin = loaded.origin.get(v.urn);
    const at = origin ? { file: origin.file, line: lineOf(origin, v.message) } : { file: "", line: 1 };
    const level: Level = v.enforcementLevel === "mandatory" ? "mandatory" : "advisory";
    return { ...at, level, policy: v.policy, message: v.message };
  });
  const rules = loaded.ruleFiles.reduce(
    (n, r) => n + r.groups.reduce((m: number, g) => m + ((g as { rules: unknown[] }).rules.length ?? 0), 0),
    0,
  );
  const version = loaded.ruleFiles.length ? toolVersion("promtool") : undefined;
  if (loaded.ruleFiles.length && !version) {
    const absent = missing("promtool", "rule files");
    if (absent.status === "failed") throw new InputError(absent.output);
  }
  if (version) {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "kube-monitoring-check-"));
    try {
      findings.push(...promtoolFindings(loaded.ruleFiles, version, dir));
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }
  findings.sort(byPlace);
  return { files, rules, promtool: version, findings };
}

const byPlace = (a: Finding, b: Finding) => a.file.localeCompare(b.file) || a.line - b.line;

/** The name-based counter advice, on a metric: moot when the server's metadata knows its type. */
const NAME_ADVICE = /: (?:rate|irate|increase)\(\) over (\S+), whose name does not say counter/;

/**
 * checkFiles, then the rules against the server's data (checkLive): the name-based advice gives way
 * to the metadata wherever the server knows the metric. Throws ApiError when the server cannot answer.
 */
export async function checkWithServer(
  files: string[],
  policyConfig: PolicyConfigFile,
  url: string,
  lookback: string,
  client: Client = httpClient(),
): Promise<CheckResult> {
  const loaded = loadYaml(files);
  const result = checkLoaded(files.length, loaded, policyConfig);
  const live = await liveFindings(loaded.ruleFiles, client, url, lookback);
  const moot = (f: Finding) => live.typed.has(NAME_ADVICE.exec(f.message)?.[1] ?? "\0");
  return {
    ...result,
    findings: [...result.findings.filter((f) => !moot(f)), ...live.findings].sort(byPlace),
  };
}

/** The findings alone (specs and callers that need no summary). */
export const check = (files: string[], policyConfig: PolicyConfigFile = {}): Finding[] =>
  checkFiles(files, policyConfig).findings;

/** `file:line: level: policy: message` */
export const formatFinding = (f: Finding) => `${f.file}:${f.line}: ${f.level}: ${f.policy}: ${f.message}`;

/** `checked 3 files, 42 rules: 0 mandatory, 2 advisory (promtool 2.42.0)` */
export function summaryLine(result: CheckResult): string {
  const count = (level: Level) => result.findings.filter((f) => f.level === level).length;
  const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? "" : "s"}`;
  const tool = result.promtool ? `promtool ${result.promtool}` : "promtool not run: not on PATH";
  return (
    `checked ${plural(result.files, "file")}, ${plural(result.rules, "rule")}: ` +
    `${count("mandatory")} mandatory, ${count("advisory")} advisory (${tool})`
  );
}

export const CHECK_HELP: CommandHelp = {
  usage:
    "npm run check -- <files or dirs>... [--format text|json] [--policy-config FILE]\n" +
    "                       [--prometheus-url URL [--lookback 7d]]",
  description:
    "Lints Prometheus rule files, PrometheusRules, ServiceMonitors and PodMonitors (with the Services and\n" +
    "workloads beside them) without a stack: the rule and monitor policies of the pack, and promtool.",
  options: [
    [
      "--format text|json",
      'text (default): one "file:line: level: policy: message" a finding, then a\n' +
        'summary line; json: {"files", "rules", "promtool", "mandatory", "advisory",\n' +
        '"findings": [{"file", "line", "level", "policy", "message"}]}',
    ],
    ["--policy-config FILE", "a stack's policies/config.<stack>.json (levels and thresholds)"],
    [
      "--prometheus-url URL",
      "also judge the rules against a Prometheus or Thanos Query: rate() over a\n" +
        "gauge and deriv() over a counter by the metrics' metadata, metrics with no\n" +
        "series over the lookback, matchers on labels a metric never carries",
    ],
    ["--lookback DURATION", "how far back a metric or label counts as existing (default 7d)"],
  ],
  environment: [
    ["KUBE_MONITORING_VERIFY_TOKEN", "or _USER and _PASSWORD: credentials for --prometheus-url"],
    [
      "PROMTOOL",
      "the promtool binary to run (default: promtool on PATH); rules an older\n" +
        'promtool cannot read are reported "not checked by promtool <version>"',
    ],
  ],
  exitCodes: [
    [0, "clean, or advisory findings only"],
    [1, "unreadable or invalid input (or a bad option)"],
    [2, "a mandatory finding"],
    [3, "the --prometheus-url server could not answer"],
  ],
  example: "npm run check -- rules/ manifests/ --format json > findings.json",
};

export const USAGE = helpText(CHECK_HELP);

export async function main(argv: string[]): Promise<number> {
  const line = parseCommandLine(
    argv,
    {
      format: { type: "string", default: "text" },
      "policy-config": { type: "string" },
      "prometheus-url": { type: "string" },
      lookback: { type: "string", default: "7d" },
    },
    CHECK_HELP,
  );
  if (line.kind !== "run") {
    (line.kind === "help" ? console.log : console.error)(line.text);
    return line.kind === "help" ? 0 : 1;
  }
  const { values, positionals } = line;
  const format = values.format ?? "text";
  if (!positionals.length || !["text", "json"].includes(format)) {
    const why = positionals.length ? `--format ${format}: expected text or json` : "no files or dirs given";
    console.error(`${why}\n\n${USAGE}`);
    return 1;
  }
  const url = values["prometheus-url"];
  const lookback = values.lookback ?? "7d";
  const badOption =
    url !== undefined && (!/^https?:\/\//.test(url) || !URL.canParse(url))
      ? "--prometheus-url: not an http(s) URL"
      : // Never echoed: it may hold exactly what it must not.
        url !== undefined && urlCarriesCredentials(url)
        ? "--prometheus-url: must not carry credentials; set KUBE_MONITORING_VERIFY_TOKEN, or _USER and _PASSWORD, instead"
        : !durationSeconds(lookback)
          ? `--lookback ${lookback}: expected a Prometheus duration like 7d`
          : undefined;
  if (badOption) {
    console.error(`${badOption}\n\n${USAGE}`);
    return 1;
  }
  let result: CheckResult;
  try {
    const missingPath = positionals.find((p) => !fs.existsSync(p));
    if (missingPath) throw new InputError(`${missingPath}: no such file or directory`);
    // A stack's policy config (policies/config.<stack>.json), validated as the plan validates it.
    const file = values["policy-config"];
    const stack = file && /^config\.(.+)\.json$/.exec(path.basename(file))?.[1];
    if (file && !stack)
      throw new InputError(`--policy-config ${file}: expected a file named config.<stack>.json`);
    const loaded = file && stack ? loadPolicyConfig(stack, path.dirname(file), allPolicies) : undefined;
    for (const l of loaded?.loosened ?? []) console.error(logSafe(describeLoosening(l, stack || "")));
    const config = loaded?.settings ?? {};
    const files = yamlFiles(positionals);
    result = url ? await checkWithServer(files, config, url, lookback) : checkFiles(files, config);
  } catch (err) {
    if (err instanceof ApiError) {
      console.error(logSafe(`cannot judge the rules against the server: ${err.message}`));
      return 3;
    }
    if (!(err instanceof InputError || err instanceof PolicyConfigError)) throw err;
    console.error(logSafe(err.message));
    return 1;
  }
  const count = (level: Level) => result.findings.filter((f) => f.level === level).length;
  if (format === "json") {
    const { findings, ...rest } = result;
    const summary = {
      ...rest,
      promtool: rest.promtool ?? null,
      mandatory: count("mandatory"),
      advisory: count("advisory"),
    };
    console.log(JSON.stringify({ ...summary, findings }, null, 2));
  } else {
    for (const f of result.findings) console.log(logSafe(formatFinding(f)));
    console.log(logSafe(summaryLine(result)));
  }
  return count("mandatory") ? 2 : 0;
}

if (require.main === module) {
  useLeanStackTraces();
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (err: unknown) => {
      console.error(`check failed: ${err instanceof Error ? err.message : String(err)}`);
      process.exit(1);
    },
  );
}
